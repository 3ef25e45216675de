"""Letters as PDF files: what a person prints, signs and posts.

Each kind of letter is drafted by the engine (the sample negotiation, with the person's details,
and a collector's validation request) and read back from the PDF with poppler's `pdftotext`, as
a reader of the page would see it. `DEBTCOACH_LETTER_PNGS=<folder>` also renders each page to a
PNG there (`pdftoppm`), to look at. Letters in Chinese are set in the CJK font of the apt package
fonts-arphic-uming: without it (or poppler-utils) a test that needs it is skipped on a
developer's machine, and fails in CI, which installs both (.ci/run).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot import pdf as pdf_module
from bot.console import Console
from bot.delivery import Letter
from bot.pdf import CJK_FONTS, NoFontError, letter_pdf
from bot.settings import Settings
from bot.store import Store
from dialogs.state import UserState
from dialogs.step_io import LetterDrafted, StepResult
from tests.support.clock import clock_now
from tests.support.fake_telegram import FakeTelegram
from tests.support.sample import SAMPLE, Move, play
from tests.support.telegram_helpers import Person, running_bot

NOW = clock_now()
NAME, STREET, CITY = "Alex Rivera", "12 Elm St", "Springfield, IL 62701"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# CI says so (CI=true), and so does a run with the PostgreSQL suite (.ci/run sets both).
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false") or bool(
    os.environ.get("DEBTCOACH_TEST_POSTGRES_URL")
)


def require(present: bool, package: str) -> None:
    """Skip without an apt package a test needs, on a developer's machine; fail in CI, which
    installs it: a skipped test there would pass what it never checked."""
    if present:
        return
    if IN_CI:
        pytest.fail(f"the apt package {package} is not installed, and .ci/run installs it")
    pytest.skip(f"the apt package {package} is not installed")


@pytest.fixture
def poppler() -> None:
    require(shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None, "poppler-utils")


@pytest.fixture
def cjk_font(poppler: None) -> None:
    require(CJK_FONTS[0].path.is_file(), "fonts-arphic-uming")


def letters_of(moves: list[Move], state: UserState | None = None) -> dict[str, LetterDrafted]:
    """The letters the moves draft, by kind (the latest of each)."""
    results: list[StepResult] = []
    play(moves, NOW, state, results=results)
    drafted: dict[str, LetterDrafted] = {}
    for result in results:
        drafted |= {e.kind: e for e in result.effects if isinstance(e, LetterDrafted)}
    return drafted


def every_kind() -> dict[str, LetterDrafted]:
    """The offer, the agreement and the paid-in-full request of the sample (details given), and
    a collector's validation request."""
    letters = letters_of(SAMPLE.part())
    collector = [Move("command", "start"), Move("say", "Midland Credit")]
    collector += [Move("say", said) for said in ("collection", "$900", "no", "14 months", "collector", "no")]
    collector += [Move("say", said) for said in (NAME, f"{STREET}, {CITY}", "PO Box 2011, Warren, MI 48090", "8812")]
    letters |= letters_of(collector)
    assert set(letters) == {"offer", "settlement_agreement", "paid_in_full_request", "validation_request"}
    return letters


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The text as poppler reads it off the pages; a PDF poppler finds fault with fails (a line
    shown with no font selected, which some readers print blank)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    pngs = os.environ.get("DEBTCOACH_LETTER_PNGS")
    if pngs and shutil.which("pdftoppm"):
        Path(pngs).mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(Path(pngs) / name)], check=True)
    read = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    assert read.stderr == "", f"{name}: poppler: {read.stderr}"
    return read.stdout


def paper(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return re.findall(r"Page size:.*\((\w+)\)", info)[0]


def bold_lines(pdf: bytes) -> int:
    """How many lines (text objects, BT...ET) are bold by an outline: `2 Tr`, a face with no
    bold drawn thicker."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    pages = [zlib.decompress(stream) for stream in streams if b"BT" in _inflated(stream)]
    return sum(b"2 Tr" in shown for page in pages for shown in page.split(b"BT ")[1:])


def _inflated(stream: bytes) -> bytes:
    try:
        return zlib.decompress(stream)
    except zlib.error:
        return b""


def test_a_letter_is_a_pdf() -> None:
    pdf = letter_pdf("Settlement offer", "Dear Sir or Madam,\n\nI can pay $1,700.\n")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.usefixtures("poppler")
def test_every_letter_carries_the_details_the_date_and_on_each_page_the_account(tmp_path: Path) -> None:
    for kind, letter in every_kind().items():
        text = pdf_text(letter_pdf(letter.title, letter.text, letter.footer), tmp_path, kind)
        flat = " ".join(text.split())
        assert "[" not in text, f"{kind}: a bracketed placeholder is left\n{text}"
        assert NAME in flat and STREET in flat and CITY in flat, f"{kind}: the sender\n{text}"
        assert re.search(rf"({MONTHS}) \d{{1,2}}, \d{{4}}", flat), f"{kind}: no date written out"
        pages = int(re.findall(r"Page 1 of (\d+)", flat)[0])
        account = "Account 8812" if kind == "validation_request" else "Account ending 4321"
        for page in range(1, pages + 1):
            assert f"{account} · Page {page} of {pages}" in flat, f"{kind}: page {page}'s footer\n{text}"
        assert "not legal or tax advice" in flat


@pytest.mark.usefixtures("poppler")
def test_the_agreement_sets_out_every_term_and_two_signature_blocks(tmp_path: Path) -> None:
    letter = every_kind()["settlement_agreement"]
    flat = " ".join(pdf_text(letter_pdf(letter.title, letter.text, letter.footer), tmp_path, "agreement").split())
    for term in (
        "SETTLEMENT AGREEMENT",
        "Capital One PO Box 30285 Salt Lake City, UT 84130",
        "Account: ending 4321",
        "$1,800",
        "3 installments",
        "Payment method",
        "no standing access",
        "within 10 days after its due date",
        "releases the Debtor from all further liability for the remaining balance of $3,200",
        "will not sell, assign or transfer it",
        "Credit reporting",
        "Form 1099-C",
        "No payment is due before the Debtor has a copy signed by the Creditor",
        "For the Creditor, Capital One",
        f"For the Debtor Signature: ______________________________ Name: {NAME}",
    ):
        assert term in flat, f"{term!r} not in\n{flat}"
    assert "Send two" not in flat and "you" not in flat.replace("your", ""), "no instruction to the person"


# A Taiwan letter as the zh_TW templates draft one: the title on the first line, clause headings,
# the subject, an amount in NT dollars, Latin letters inside Chinese, and a paragraph long enough
# to wrap, with its figure where a character-by-character wrap would cut it.
CHINESE = """和解協議書

日期：2026年12月3日

債務人：
王小明 Alex Rivera
臺北市信義區松仁路100號5樓

債權人：
國泰世華銀行
臺北市信義區松仁路7號

主旨：關於帳號 4321

1. 和解金額
債權人同意接受NT$120,000，作為上述帳戶之全部及最終和解。

2. 付款
債務人將分3期支付NT$120,000，明細如下：
    1. 2026年12月12日：NT$40,000
    2. 2027年1月12日：NT$40,000

3. 本項以句號結尾，不是標題。

債權人收到上述各期款項後，本帳戶即為全數和解結清，債權人免除債務人就剩餘欠款NT$80,000之一切後續責任；債權人不得催收或試圖催收剩餘欠款，亦不得將其出售、讓與或轉讓予任何人，並應於最後一期款項付清後30日內寄發確認函予債務人。

簽名：______________________________
姓名：王小明

本文件係使用自助工具 DebtCoach 擬定，不構成法律或稅務建議。
"""
CHINESE_TITLE = "和解協議書：國泰世華銀行"
CHINESE_FOOTER = "帳號4321 · 第{page}頁，共{pages}頁"
LONG = next(line for line in CHINESE.splitlines() if len(line) > 100)


def unspaced(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.usefixtures("cjk_font")
def test_a_chinese_letter_prints_every_character_wraps_its_lines_and_logs_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # whatever a library would say, at any level
    pdf = letter_pdf(CHINESE_TITLE, CHINESE, CHINESE_FOOTER)
    text = pdf_text(pdf, tmp_path, "chinese")
    flat = unspaced(text)
    for line in CHINESE.splitlines():
        assert unspaced(line) in flat, f"{line!r} is not on the page\n{text}"
    assert "帳號4321·第1頁，共1頁" in flat
    # The long paragraph is set on several lines, each inside the margins; none opens with a
    # closing mark, and the figure in it is whole on one line.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if LONG.startswith(line))
    wrapped = lines[start : start + 4]
    assert len(wrapped[0]) < len(LONG) and "".join(wrapped).startswith(LONG[:120]), text
    assert not any(line[0] in "，。、；：" for line in wrapped), text
    assert any("NT$80,000" in line for line in wrapped), text
    # Bold by an outline, as AR PL UMing has no bold face: the title, the two clause headings and
    # the subject; not the numbered line that ends in 。, nor the payments of the schedule.
    assert bold_lines(pdf) == 4
    assert paper(pdf, tmp_path) == "A4"
    said = " ".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    chinese = set(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", CHINESE + CHINESE_FOOTER))
    assert not chinese & set(said), f"a log record spells the letter: {said}"
    assert not re.search(r"uni[0-9A-F]{4}", said), f"a log record names glyphs: {said}"


HARDSHIP = (
    "我在今年六月失業，之後一直只能靠打零工維持生活，收入很不穩定，"
    "每個月付完房租和伙食之後所剩無幾，實在無力依照原本的條件清償這筆信用卡債務。"
)
# The Taiwan negotiation up to the signed-to-be agreement: 國泰世華銀行, NT$200,000 settled for
# NT$120,000 in three monthly payments, with a hardship long enough to wrap in the offer.
TAIWAN = [
    Move("command", "start"),
    Move("press", "台灣"),
    Move("say", "國泰世華銀行"),
    Move("press", "信用卡"),
    *(Move("say", said) for said in ("200000", "是", "8個月")),
    Move("press", "原債權人"),
    *(Move("say", said) for said in ("否", "否", "30000", "5000")),
    Move("press", "少付一些，分期還款"),
    Move("press", "完成，下一步"),
    Move("say", HARDSHIP),
    *(Move("say", said) for said in ("王小明", "臺北市信義區松仁路100號5樓", "臺北市信義區松仁路7號", "4321")),
    Move("press", "對方提出別的金額"),
    Move("say", "120000"),
    Move("press", "接受NT$120,000"),
    Move("press", "是，提高到NT$120,000"),
    Move("press", "是，NT$120,000"),
    Move("press", "分期付款"),
    Move("say", "3"),
    Move("press", "每期NT$40,000"),
    Move("say", "{date:+9d}"),
    Move("press", "每月"),
    Move("say", "{date:+5d}"),
]


@pytest.mark.usefixtures("cjk_font")
def test_the_letters_the_coach_drafts_in_chinese_print_whole(tmp_path: Path) -> None:
    letters = letters_of(TAIWAN, UserState(locale="zh_TW"))
    assert set(letters) == {"offer", "settlement_agreement"}
    for kind, letter in letters.items():
        pdf = letter_pdf(letter.title, letter.text, letter.footer)
        text = pdf_text(pdf, tmp_path, f"zh-{kind}")
        flat = unspaced(text)
        for line in letter.text.splitlines():
            assert unspaced(line) in flat, f"{kind}: {line!r} is not on the page\n{text}"
        pages = int(re.findall(r"第1頁，共(\d+)頁", flat)[0])
        for page in range(1, pages + 1):
            assert f"帳號4321·第{page}頁，共{pages}頁" in flat, f"{kind}: page {page}'s footer\n{text}"
        assert paper(pdf, tmp_path) == "A4"
    agreement = unspaced(pdf_text(pdf_of(letters["settlement_agreement"]), tmp_path, "zh-agreement"))
    assert "NT$120,000" in agreement and "NT$80,000" in agreement and "國泰世華銀行" in agreement


def pdf_of(letter: LetterDrafted) -> bytes:
    return letter_pdf(letter.title, letter.text, letter.footer)


@pytest.mark.usefixtures("cjk_font")
def test_a_chinese_name_in_an_english_letter_keeps_its_characters(tmp_path: Path) -> None:
    text = "Re: Account 1234\n\nDear 國泰世華銀行,\n\nI can pay $1,700.\n"
    flat = unspaced(
        pdf_text(letter_pdf("Offer: 國泰世華銀行", text, "國泰 · Page {page} of {pages}"), tmp_path, "name")
    )
    assert "Dear國泰世華銀行," in flat and "國泰·Page1of1" in flat


def test_a_letter_in_chinese_is_not_made_without_a_font_for_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Rather than a PDF with the creditor's name blank: the callers send the text instead. The
    error says what to install, and never the letter's words."""
    monkeypatch.setattr(pdf_module, "CJK_FONTS", ())
    with pytest.raises(NoFontError, match="fonts-arphic-uming") as raised:
        letter_pdf(CHINESE_TITLE, CHINESE, CHINESE_FOOTER)
    assert not re.search(r"[\u4e00-\u9fff]", str(raised.value))
    assert letter_pdf("Offer", "Dear Sir or Madam,\n\nI can pay $1,700.\n").startswith(b"%PDF-")
    not_a_font = tmp_path / "font.ttc"
    not_a_font.write_bytes(b"not a font")
    with pytest.raises(NoFontError, match="cannot be read"):
        letter_pdf(CHINESE_TITLE, CHINESE, cjk_font=not_a_font)
    with pytest.raises(NoFontError, match="names no file"):
        letter_pdf(CHINESE_TITLE, CHINESE, cjk_font=tmp_path / "missing.ttc")


def test_without_a_font_the_console_saves_the_text_and_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdf_module, "CJK_FONTS", ())
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    out = io.StringIO()
    try:
        console = Console(store, "me", tmp_path / "files", clock_now, out=out)
        console.locale = "zh_TW"
        asyncio.run(console.send_file("me", Letter(CHINESE_TITLE, CHINESE, "debt1-settlement-agreement", "zh_TW")))
    finally:
        store.close()
    saved = sorted(path.name for path in console.user_dir.iterdir())
    assert saved == ["debt1-settlement-agreement.txt"]
    assert (console.user_dir / saved[0]).read_text() == CHINESE
    assert "沒有 PDF" in out.getvalue() and "fonts-arphic-uming" in out.getvalue()


async def test_without_a_font_telegram_sends_the_text_and_says_why(
    monkeypatch: pytest.MonkeyPatch, server: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    """The real bot, a person in Taiwan, and no font for Chinese on the server: the offer letter
    comes as its text, with a caption saying why, rather than a PDF with blanks."""
    monkeypatch.setattr(pdf_module, "CJK_FONTS", ())
    mei = Person(server, 151, language="zh-TW")
    async with running_bot(server, store, tmp_path):
        await mei.says("/start")
        await mei.presses("台灣")
        answers = ("國泰世華銀行", "信用卡", "12萬", "有", "8個月", "原債權人", "否", "否", "3萬", "5000", "一次清償")
        for typed in (*answers, "我去年失業了"):
            await mei.says(typed)
        for _ in range(4):  # the letter's details, each skipped
            await mei.presses("略過")
    (sent,) = [m for m in server.documents(151) if m.document]
    assert sent.document is not None and sent.document.filename == "debt1-offer-letter-1.txt"
    assert "國泰世華銀行" in sent.document.content.decode() and "文字檔" in sent.text
    assert server.errors == []


def test_debtcoach_cjk_font_names_a_file_that_is_there(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    font = tmp_path / "font.ttc"
    font.write_bytes(b"a font")
    monkeypatch.setenv("DEBTCOACH_CJK_FONT", str(font))
    assert Settings().cjk_font == font
    monkeypatch.setenv("DEBTCOACH_CJK_FONT", str(tmp_path / "missing.ttc"))
    with pytest.raises(ValidationError, match="DEBTCOACH_CJK_FONT"):
        Settings()
