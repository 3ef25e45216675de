"""A person in Taiwan through the real bot: a Telegram client set to zh-hant-tw, three bank debts,
pre-negotiation from the checklist to the bank's plan, the papers as PDFs that print in Chinese,
and the plan's first reminder at nine in the morning, Taipei time."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.pdf import CJK_FONTS
from bot.store import Store
from tests.bot.test_pdf import require
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_helpers import FIXED_NOW, Person, running_bot, text_of

TAIPEI = ZoneInfo("Asia/Taipei")
DOCUMENTS = ("前置協商申請書", "身分證正反面影本", "財產及收入狀況說明書", "債權人清冊", "最近一個月的財產清單",
             "最近兩年的所得資料", "最近三個月的薪資證明", "勞保投保資料", "每家銀行各一份")  # fmt: skip


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    read = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return read.stdout


async def test_three_bank_debts_through_pre_negotiation_to_the_plans_first_reminder_in_taipei(
    server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    require(shutil.which("pdftotext") is not None, "poppler-utils")
    require(CJK_FONTS[0].path.is_file(), "fonts-arphic-uming")
    clock = Clock(FIXED_NOW)
    mei = Person(server, 161, first_name="美玲", language="zh-hant-tw")
    async with running_bot(server, store, tmp_path, clock=clock):
        said = text_of(await mei.says("/start"))
        assert said.startswith("您好，我是 DebtCoach") and "您住在台灣還是美國" in said, said
        await mei.presses("台灣")
        for creditor, kind, balance in (("國泰世華銀行", "信用卡", "12萬"), ("台新銀行", "現金卡", "20萬"),
                                        ("中國信託", "信貸", "8萬")):  # fmt: skip
            await mei.says(creditor)
            await mei.presses(kind)
            said = text_of(await mei.says(balance))
            assert f"NT${balance[:-1]}0,000" in said, said
            if creditor != "中國信託":
                await mei.says("/new")
        said = text_of(await mei.says("/prenegotiation"))
        assert "請向台新銀行申請" in said, said
        await mei.presses("五年內沒有做生意")
        await mei.presses("擬好債權人清冊")
        await mei.presses("擬好財產及收入狀況說明書")
        for answer in ("3萬2", "2萬4", "2", "機車一台約2萬"):
            said = text_of(await mei.says(answer))
        assert "剩下NT$8,000" in said, said
        await mei.presses("擬好申請函")
        for document in DOCUMENTS:
            await mei.presses(f"我有了：{document}")
        await mei.presses("已用掛號寄出")
        # The bank's plan, read back and checked against what she can pay a month, then signed.
        await mei.presses("銀行提出方案了")
        await mei.says("每月3,700元，共120期，年利率2%")
        await mei.says("2027年1月10日")
        said = text_of(await mei.says("6000"))
        assert "總共要繳NT$444,000" in said and "您的預算守得住" in said, said
        said = text_of(await mei.presses("已在銀行簽約"))
        assert "每月繳NT$3,700給台新銀行，共120期" in said and "國泰世華銀行、中國信託的債務也在這個方案裡" in said

        # Every paper prints in Chinese, naming the bank it goes to.
        papers = {m.document.filename: m.document.content for m in server.documents(161) if m.document}
        assert list(papers) == [
            "debt2-list-of-creditors.pdf",
            "debt2-assets-and-income.pdf",
            "debt2-prenegotiation-application.pdf",
            "debtcoach-payments.ics",
        ]
        for name, content in papers.items():
            if name.endswith(".pdf"):
                printed = _pdf_text(content, tmp_path)
                assert "台新銀行" in printed and "民國115年11月22日" in printed, (name, printed)
        assert "國泰世華銀行" in _pdf_text(papers["debt2-list-of-creditors.pdf"], tmp_path)

        # The first payment's reminder: three days before, at 09:00 in Taipei, and not a minute sooner.
        before = len(mei.inbox)
        first = datetime(2027, 1, 7, 9, 0, tzinfo=TAIPEI).astimezone(UTC)
        clock.now = first - timedelta(minutes=1)
        await asyncio.sleep(0.3)
        assert mei.inbox[before:] == []
        clock.now = first
        (reminder,) = await mei.answer_since(before)
        assert "即將到期：給台新銀行的NT$3,700" in reminder.text and "第1期（共120期）" in reminder.text
        assert "毀諾" in reminder.text
    assert server.errors == []
