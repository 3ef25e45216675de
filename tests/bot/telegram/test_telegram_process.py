"""The real `debtcoach run` process: killed without warning, restarted, misconfigured.

These run the bot as a separate process against the fake Bot API server, so SIGKILL means what
it means in production: no clean shutdown, no flush, nothing but what was committed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.support.fake_telegram import TOKEN, ApiError, FakeTelegram
from tests.support.telegram_helpers import FIXED_NOW, Person, negotiation, text_of

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`

NAME = "Zebulon"  # a first name that appears nowhere else, to look for in the logs




def environment(server: FakeTelegram, home: Path, token: str | None = TOKEN) -> dict[str, str]:
    env = {**os.environ, "TELEGRAM_API_URL": server.url, "DEBTCOACH_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env["DEBTCOACH_NOW"] = FIXED_NOW.isoformat()  # the bot's clock runs on from the tests' fixed moment
    env.pop("DATABASE_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    return env


class BotProcess:
    def __init__(self, server: FakeTelegram, home: Path) -> None:
        self.server = server
        self.home = home
        self.log = home / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        polls = self._polls()
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=environment(self.server, self.home), stderr=log
            )
        process = self.process
        await self.server.wait_for(lambda: process.returncode is not None or self._polls() > polls, timeout=30)
        assert process.returncode is None, self.log.read_text()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(self.process.wait(), timeout=30) == 0, self.log.read_text()

    def _polls(self) -> int:
        return sum(1 for method, _ in self.server.calls if method.lower() == "getupdates")


@pytest.fixture
async def bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(server, tmp_path)
    try:
        yield process
    finally:
        if process.process is not None and process.process.returncode is None:
            process.process.kill()
            await process.process.wait()


def errors_besides_repeated_clearing(server: FakeTelegram) -> list[ApiError]:
    """The API errors, except one that a kill may cause: a keyboard taken away just before it is
    taken away again after it, with the rest of that answer (delivery is at least once), and
    Telegram answers that nothing was modified."""
    again = ("editMessageReplyMarkup", "Bad Request: message is not modified")
    return [e for e in server.errors if (e.method, e.description[: len(again[1])]) != again]


def debt_of(store: Store, user_id: int) -> dict[str, object]:
    with store.user("telegram", str(user_id)) as user:
        [debt] = user.export()["debts"]
    assert isinstance(debt, dict)
    return debt


async def test_killed_mid_negotiation_and_restarted_the_conversation_continues(
    server: FakeTelegram, store: Store, bot: BotProcess
) -> None:
    alex = Person(server, 901, first_name=NAME)
    await bot.start()
    await alex.does(negotiation(until="statement done"))  # up to "any lawsuit?": No
    in_writing = next(m for m in alex.inbox if "in writing" in m.text and m.choices_sent)
    await bot.kill()
    await bot.start()
    assert in_writing.choices == [], "answered: its buttons were taken away"
    # A button from before the restart, for a question long answered (pressed in a client that
    # still shows it): explained, not applied.
    stale = await alex.sends_data(dict(in_writing.choices_sent)["No"], message_id=in_writing.message_id)
    assert "belongs to an earlier question" in stale[0].text
    rest = await alex.does(negotiation(after="statement done", until="countered back"))
    await bot.stop()

    said = text_of(rest)
    assert "open at $1,000 (20%)" in said
    assert "Counter with $1,400" in said or "$1,400" in said
    debt = debt_of(store, 901)
    assert debt["state"] == "awaiting_reply"  # countered 1,400; their $1,900 is the next round
    rounds = debt["rounds"]
    assert isinstance(rounds, list)
    # Our opening $1,000, their $2,500 and our $1,400: each recorded once across the restart.
    assert [(r["who"], r["amount"]["amount"]) for r in rounds] == [
        ("user", "1000.00"),
        ("creditor", "2500.00"),
        ("user", "1400.00"),
    ]
    assert errors_besides_repeated_clearing(server) == []
    logs = bot.log.read_text()
    assert "Traceback" not in logs
    for private in (NAME, "Capital One", "5,000", "5000", "2500", "1900", "lost my job", TOKEN):
        assert private not in logs, f"{private!r} leaked into the log"


async def test_killed_while_the_reply_is_on_its_way_the_answer_counts_once(
    server: FakeTelegram, store: Store, bot: BotProcess
) -> None:
    """The worst moment: the answer is committed, the next poll has told Telegram the update
    arrived, and the reply is still in flight. The reply waits in the outbox, committed with the
    answer, and goes out again after the restart: Telegram had it already, so the person sees
    it twice (delivery is at least once), and the answer counts once."""
    alex = Person(server, 902, first_name=NAME)
    await bot.start()
    await alex.does(negotiation(until="kind given"))  # now asked for the balance
    server.hold("sendMessage")
    before = len(alex.inbox)
    server.user_says(902, "$5,000")
    await server.wait_for(lambda: server.held >= 1 and server.pending_updates() == 0)
    await bot.kill()
    server.release()  # Telegram did deliver it; the bot never heard back
    await bot.start()
    await server.wait_messages(902, before + 2, timeout=20)
    again = await alex.settled(before)
    assert [m.text for m in again] == [again[0].text] * 2
    assert "in writing" in again[0].text

    debt = debt_of(store, 902)
    assert (debt["state"], debt["balance"]) == ("in_writing", {"amount": "5000.00", "currency": "USD"})
    onwards = await alex.presses("Yes")
    assert "How long have you been behind" in onwards[0].text
    await bot.stop()
    assert errors_besides_repeated_clearing(server) == []


async def test_killed_in_the_middle_of_a_reply_with_a_letter_the_rest_follows_after_the_restart(
    server: FakeTelegram, store: Store, bot: BotProcess
) -> None:
    """The answer that drafts the offer letter (the last of its details) is four messages: the
    detail read back, what the letter is, the letter as a PDF and the next question. The bot dies
    while the PDF is on its way, and Telegram never gets it. After the restart the rest of the
    answer follows, in order: the PDF, then the question."""
    alex = Person(server, 903, first_name=NAME)
    await bot.start()
    *before_last, (_, last) = negotiation(until="offer drafted")
    await alex.does(before_last)  # asked the last of the letter's details
    server.hold("sendDocument")
    before = len(alex.inbox)
    server.user_says(903, last)
    await server.wait_for(lambda: server.held >= 1, what="the letter on its way")
    await bot.kill()
    server.go_down()  # the upload never reaches Telegram
    server.release()
    await server.wait_for(lambda: server.held == 0)
    server.come_back()
    await bot.start()
    await server.wait_for(lambda: alex.inbox[-1].text.startswith("When you've made your offer"), timeout=30)
    reply = await alex.settled(before)
    await bot.stop()

    firsts = [m.text.split("\n")[0] for m in reply]
    # Of the two messages delivered before the kill, those not yet written down as delivered come
    # again (delivery is at least once); the rest of the answer comes once, in order.
    assert firsts[0].startswith("Got it: ending 4321") and firsts[1].startswith("Here is your letter"), firsts
    assert firsts[2:-2] in ([], firsts[1:2], firsts[:2]), firsts
    assert firsts[-2:] == ["Settlement offer 1: Capital One", firsts[-1]], firsts
    assert [m.document.filename for m in reply if m.document] == ["debt1-offer-letter-1.pdf"]
    assert "restarted" not in text_of(reply)
    assert debt_of(store, 903)["state"] == "awaiting_reply"
    assert errors_besides_repeated_clearing(server) == []


@pytest.mark.parametrize("kill_after", [0.0, 0.004, 0.02])
async def test_killed_at_any_moment_of_a_burst_every_answer_counts_once_and_gets_its_reply(
    server: FakeTelegram, store: Store, bot: BotProcess, kill_after: float
) -> None:
    """Six people answer twice in a row, all at once, and the bot dies a moment later: before
    fetching, while handling, or while replying (each person's second answer waits for the
    first, so some are fetched and not yet handled when the bot polls again). After the restart
    every answer is applied exactly once and every person's last message asks the question
    that comes after both; none is left waiting."""
    people = [Person(server, 930 + n) for n in range(6)]
    await bot.start()
    for person in people:
        await person.does(negotiation(until="kind given"))  # asked for the balance
    bursts = [
        (("$5,000", "yes"), "How long have you been behind", "delinquency"),
        (("8 months",), "the original lender (the company", "holder"),
    ]
    for answers, next_question, next_state in bursts:
        for text in answers:
            for person in people:
                server.user_says(person.user_id, text)
        await asyncio.sleep(kill_after)
        await bot.kill()
        await bot.start()

        def all_asked(question: str = next_question) -> bool:
            return all(p.inbox and question in p.inbox[-1].text for p in people)

        await server.wait_for(all_asked, timeout=20, what=f"every person asked {next_question!r}")
        await asyncio.gather(*(p.settled(0) for p in people))
        assert all(next_question in p.inbox[-1].text for p in people)
        for person in people:
            debt = debt_of(store, person.user_id)
            assert (debt["state"], debt["balance"]) == (next_state, {"amount": "5000.00", "currency": "USD"})
            assert debt["in_writing"] is True
    await bot.stop()
    assert errors_besides_repeated_clearing(server) == []


async def run_expecting_refusal(env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, (out + err).decode()


async def test_a_missing_or_rejected_token_is_one_clear_line_and_status_2(server: FakeTelegram, tmp_path: Path) -> None:
    status, output = await run_expecting_refusal(environment(server, tmp_path, token=None))
    assert status == 2
    assert output.strip().splitlines() == [output.strip()]
    assert "TELEGRAM_BOT_TOKEN is not set" in output

    wrong = "999:not-the-right-token"
    status, output = await run_expecting_refusal(environment(server, tmp_path, token=wrong))
    assert status == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "rejected TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in output and wrong not in output


async def test_a_second_instance_on_the_same_token_is_named_in_one_line_and_status_2(
    server: FakeTelegram, bot: BotProcess, tmp_path: Path
) -> None:
    """Telegram lets one poller have a token's updates: when another instance starts polling,
    the first is refused with 409 Conflict. It says so in one line and exits with status 2
    instead of fighting over the updates; the newer one carries on."""
    await bot.start()
    newer = BotProcess(server, tmp_path / "newer")
    newer.home.mkdir()
    try:
        await newer.start()
        assert bot.process is not None
        assert await asyncio.wait_for(bot.process.wait(), timeout=30) == 2
        said = [line for line in bot.log.read_text().splitlines() if "409" in line or "instance" in line]
        assert len(said) == 1, bot.log.read_text()
        assert "another instance is polling this token" in said[0]
        assert "Traceback" not in bot.log.read_text()
        alex = Person(server, 904)
        assert "Hi, I'm DebtCoach" in (await alex.says("/start"))[0].text  # the newer one answers
    finally:
        await newer.stop()


async def test_a_second_run_on_the_same_database_waits_for_it_then_refuses_in_one_line(
    server: FakeTelegram, bot: BotProcess, tmp_path: Path
) -> None:
    """Started beside a running one on the same database (a mistake, or a restart whose old
    process does not stop), `debtcoach run` waits DEBTCOACH_LEASE_WAIT for the lease, then says
    why in one line and exits with status 2, having asked Telegram nothing."""
    await bot.start()
    env = {**environment(server, bot.home), "DEBTCOACH_LEASE_WAIT": "0.5"}
    second = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(second.communicate(), timeout=30)
    lines = err.decode().splitlines()
    assert second.returncode == 2 and len(lines) == 1, lines
    assert "another debtcoach run is serving this database" in lines[0] and "0.5 s" in lines[0]
    assert sum(1 for method, _ in server.calls if method.lower() == "getme") == 1
    assert "Hi, I'm DebtCoach" in (await Person(server, 907).says("/start"))[0].text  # the first goes on


async def test_the_log_of_a_busy_run_holds_no_name_amount_or_text_from_any_library(
    server: FakeTelegram, store: Store, bot: BotProcess
) -> None:
    """Two people negotiate, one with a creditor named in Chinese (the PDF font has no such
    glyphs, and fpdf names each missing one), while the Bot API goes down for a few seconds
    (PTB logs every 502 page it cannot parse). The bot's whole log is searched for every name,
    amount and sentence they sent, and for tracebacks."""
    creditor = "國泰世華銀行"
    alex, sam = Person(server, 905, first_name=NAME), Person(server, 906, first_name="Quintessa")
    alex_steps = [
        (kind, creditor if value == "Capital One" else value) for kind, value in negotiation(until="goals chosen")
    ]
    sam_steps = [
        (kind, "$7,777" if value == "$5,000" else value) for kind, value in negotiation(until="lump sum given")
    ]
    [(_, hardship)] = negotiation(after="goals chosen", until="hardship given")
    *details, (_, last) = negotiation(after="hardship given", until="offer drafted")
    await bot.start()
    await sam.does(sam_steps)
    await alex.does([*alex_steps, ("say", hardship), *details])  # the name and addresses, each logged nowhere
    before = len(alex.inbox)
    server.user_says(905, last)  # the detail read back, what the letter is, the letter, the question
    await server.wait_messages(905, before + 4, timeout=30)
    assert server.documents(905), "the offer letter was sent"
    server.go_down()
    before = len(sam.inbox)
    server.user_says(906, "1,234.56")
    await asyncio.sleep(3)
    server.come_back()
    await sam.answer_since(before, timeout=30)
    await bot.stop()

    logs = bot.log.read_text()
    assert server.bad_gateways > 0
    assert "Traceback" not in logs
    sent = {value for _, value in alex_steps + sam_steps + details}
    sent |= {hardship, last, "1,234.56", NAME, "Quintessa", TOKEN}
    private = {value for value in sent if not value.startswith("/") and len(value) > 3}
    private |= set(creditor) | {c.encode("unicode-escape").decode() for c in creditor}
    private |= {"7777", "5000", "1234"}
    leaked = sorted(value for value in private if value in logs)
    assert leaked == [], f"{leaked} in the log:\n{logs}"
