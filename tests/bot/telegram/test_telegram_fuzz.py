"""Ten thousand random messages and button presses from fifty people at once, against the real
PTB Application talking HTTP to the strict fake Bot API: zero API errors, zero unhandled
exceptions, every message answered.

Each simulated person plays 200 inputs from their own seeded random generator, in lock-step:
the next input only once the bot has finished handling the last one, so every answer can be
counted exactly and must be at least one message. The mix leans on what is on screen (buttons,
answers that fit the question asked) so people get deep into their negotiations, and throws in
what real people and forgers send: stale and forged buttons, messy amounts and dates, markup,
emoji, right-to-left text, whitespace, 4,000-character messages, every command with and without
arguments, erasing everything and starting over.

Every person types a creditor name no one else uses; no other person's chat may ever show it.

A failure prints the seed and the person's last inputs. Run again with the same ``FUZZ_SEED``
to replay the same inputs (forged data is drawn from the seed too, not from other chats).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import string
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import logs
from bot.store import Store
from bot.telegram.inbox_entry import Incoming
from dialogs.commands import COMMANDS
from dialogs.machine import STATES
from dialogs.render import render, resolve_locale
from tests.support.fake_telegram import BOT_USERNAME, FakeTelegram, SentMessage, parse_html
from tests.support.telegram_helpers import coach_of, running_bot

SEED = int(os.environ.get("FUZZ_SEED", "20261122"))
USERS = 50
INPUTS_PER_USER = 200
FIRST_USER_ID = 70_000
ANSWER_TIMEOUT = 30.0  # seconds for the bot to finish answering one input, however busy it is
WATCHED_LOGGERS = ("bot", "dialogs", "telegram", "aiohttp", "asyncio")

# -- what people type --------------------------------------------------------------------------

AMOUNTS = [
    "$5,000", "5000", "5k", "1.2k", "5.000,00", "NT$120,000", "€1.234,56", "£300", "-5", "0", "0.001",
    "1e9", "99999999999999999999999", "5 000", "5,00,000", "1,2,3", "$", "NaN", "inf", "½",
    "٥٠٠٠", "５０００", "$5,000.999", "5000 dollars", "five thousand", "2950.40", "1,800", "300",
]  # fmt: skip
DATES = [
    "next friday", "2026-12-01", "31/02/2027", "tomorrow", "yesterday", "December 1", "in 3 weeks",
    "1st of the month", "2026-13-45", "0000-00-00", "9999-12-31", "12/31", "friday the 13th", "now",
]  # fmt: skip
YES_NO = ["yes", "no", "Yes!", "YES", "nope", "y", "n", "yeah", "maybe", "да", "sí", "👍", "no.", "yes and no"]
PLAUSIBLE = [
    "Capital One", "credit card", "medical", "collection agency", "6 months", "3 years", "original",
    "collector", "lump sum", "done", "instalments", "lower rate and fees", "I lost my job",
    "they accepted", "they said no", "they want 2500", "accept", "counter", "supervisor", "pause",
    "payment plan", "monthly", "weekly", "signed", "I paid", "missed", "skip", "keep", "change",
    "continue", "it arrived", "same", "3", "12", "two",
]  # fmt: skip
MARKUP = [
    "<b>", "a < b & c", "&amp;", "</i>", "<b>bold</b>", "<script>alert(1)</script>", "&lt;", "&#0;",
    "&#x110000;", "&nbsp;", "<a href='x'>y</a>", "<tg-spoiler>", "5 > 3", "&", "<", "<<>>",
    "</b></b>", "<i>unclosed", "{{ user }}", "{% if x %}", "${x} %s %d", "\\n\\t", '"quoted" & \'single\'',
]  # fmt: skip
EMOJI_AND_SCRIPTS = [
    "😀" * 5, "👨‍👩‍👧‍👦🏳️‍🌈🇺🇸", "مرحبا، أدين 5000 دولار", "שלום, אני חייב ₪5,000", "\u202eevil\u202c 500",
    "中文 五千", "e\u0301\u0301\u0301", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\ufeffbom", "zero\u200bwidth", "a\u00a0b",
]  # fmt: skip
WHITESPACE = [" ", "   ", "\n", "\t \n ", "\u3000", "\u00a0"]
HARDSHIP = [
    "I lost my job in June.", "Illness & hospital bills <twice>", "Divorce 💔", "ترك العمل",
    "x" * 900, "because\n\nreasons\n\n" * 40,
]  # fmt: skip
# Plain-text pieces of the questions that ask for typed answers, and what fits there.
ANSWERS_FOR = [
    ("How much do you owe", AMOUNTS),
    ("How long have you been behind", ["6 months", "3 years", "0", "8 months", "two years", "-1 months", "900 years"]),
    ("right now, in one go", ["2000", "0", "$1,500", "1.2k", "-5"]),
    ("each month, reliably", ["300", "0", "150", "$75.50"]),
    ("why can't you pay in full", HARDSHIP),
    ("What figure did they name", ["2000", "$2,000 in 3 payments", "1200", "they want 2500", "0"]),
    ("tell me what", ["they want 2500", "they accepted", "they said no", "1,800", "3000"]),
    ("What total will you pay", ["1500", "9000", "1,800"]),
    ("What amount did you agree on", ["1500", "9000", "1,800", "0"]),
    ("How many instalments", ["3", "two", "1", "12", "0", "1000"]),
    ("How much is each instalment", ["500", "600", "10000", "1"]),
    ("When is the first instalment due", DATES),
    ("When is the payment due", DATES),
    ("By what date must the agreement be signed", DATES),
    ("What balance does the statement show", ["2950.40", "5000", "0"]),
    ("You decide: choose an option", ["1800", "accept", "2,000", "100"]),
]
CREDITOR_QUESTION = "Which creditor is this debt with"
COMMAND_ARGS = ["Capital One", "now", "de", "1", "<b>x</b> & y", "😀", "offer", "../../etc", "-1", "x" * 300]
GLOBAL_DATA = [
    "g:yes", "g:no", "g:new", "g:debts", "g:debt:1", "g:debt:17", "g:debt:0", "g:debt:-1",
    "g:debt:99999999999999999999", "g:lang:en", "g:lang:de", "g:lang:../../etc", "g:", "g:debt:",
]  # fmt: skip
BUTTON_ACTIONS = ["yes", "no", "paid", "accept", "counter", "same", "done", "skip", "1", "x" * 70]
UNICODE_DATA = ["ü:débt:1", "🙂" * 16, "g:debt:١٧", "g:lang:ру", "1:kind:кредит", "\u202e1:kind:x"]
LANGUAGES = ["en", "en", "en-US", None, "de", "pt-br", "zh-hant-tw", "ar"]
FIRST_NAMES = ["Alex", "<b>Sam & Co</b>", "José", "محمد", "😀", "A" * 64]


def long_text(rng: random.Random) -> str:
    return rng.choice(
        [
            "a" * 4000,
            "word " * 800,
            "<b>&" * 1000,  # 20,000 characters once escaped, and no space to cut at
            "😀" * 2000,  # 4,000 UTF-16 code units
            ("line <i>with</i> & markup\n" * 160)[:4000],
            "".join(rng.choice(string.printable) for _ in range(4000)),
        ]
    )


def random_unicode(rng: random.Random) -> str:
    pool = "aZ09 éñüß中文字مرحباשלום\u200f\u200e\u202e\u200d\u0301😀👍🏦🇺🇸<>&\"'\n\t𝔘𝔫\ufeff\u00a0$€,.-"
    return "".join(rng.choice(pool) for _ in range(rng.randint(1, 300)))


# -- one simulated person ----------------------------------------------------------------------


@dataclass
class Sent:
    kind: str  # what the fuzzer meant: "press", "stale", "forged", "answer", ...
    text: str | None = None  # typed text, or None for a button press
    data: str | None = None
    message_id: int | None = None  # the message a press came from (None: the latest with buttons)

    def __repr__(self) -> str:
        what = f"says {self.text!r}" if self.text is not None else f"presses {self.data!r}"
        where = f" on message {self.message_id}" if self.message_id is not None else ""
        return f"{self.kind}: {what[:200]}{where}"


@dataclass
class Person:
    index: int
    rng: random.Random
    language: str | None
    first_name: str
    inputs: list[Sent] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # messages the bot sent for each input
    confirm_next: bool = False
    asked: set[str] = field(default_factory=set)  # typed-answer questions this person reached

    @property
    def uid(self) -> int:
        return FIRST_USER_ID + self.index

    @property
    def marker(self) -> str:
        return f"Creditor-U{self.index:02d}"

    def next_input(self, inbox: list[SentMessage]) -> Sent:
        rng = self.rng
        with_buttons = [m for m in inbox if m.choices]  # still shown: the latest answer's
        latest = with_buttons[-1] if with_buttons else None
        ever_shown = [m for m in inbox if m.choices_sent]
        question = inbox[-1].text if inbox else ""
        if self.confirm_next:
            self.confirm_next = False
            yes = [value for _, value in (latest.choices if latest else []) if value.startswith("g:yes")]
            if yes:
                return Sent("confirm", data=yes[0])
        kind = rng.choices(
            ["press", "stale", "forged", "answer", "typed", "label", "hostile", "command", "destroy"],
            weights=[34, 5, 6, 20, 10, 4, 9, 10, 2],
        )[0]
        on_screen = latest is not None and latest is inbox[-1]  # the question asked has buttons
        if kind in ("press", "answer"):
            fits = self.answer_for(question)
            if fits is not None and (kind == "answer" or not on_screen):
                return fits
            if latest is not None and (kind == "press" or on_screen):
                return Sent("press", data=rng.choice(latest.choices)[1])
        if kind == "stale" and len(ever_shown) > 1:
            # A button the bot has taken away since, pressed in a client that still shows it.
            old = rng.choice(ever_shown[:-1])
            return Sent(kind, data=rng.choice(old.choices_sent)[1], message_id=old.message_id)
        if kind == "label" and latest is not None:
            return Sent(kind, text=rng.choice(latest.choices)[0])
        if kind == "forged":
            return Sent(kind, data=self.forged())
        if kind == "command":
            return Sent(kind, text=self.command())
        if kind == "destroy":
            self.confirm_next = rng.random() < 0.5
            return Sent(kind, text=rng.choice(["/delete", "/cancel"]))
        if kind == "hostile":
            return Sent(kind, text=self.hostile())
        return Sent("typed", text=rng.choice(rng.choice([AMOUNTS, DATES, YES_NO, PLAUSIBLE])))

    def answer_for(self, question: str) -> Sent | None:
        """What fits the question on screen, when it asks for something typed."""
        if CREDITOR_QUESTION in question:
            return Sent("creditor", text=self.creditor())
        for asked, answers in ANSWERS_FOR:
            if asked in question:
                self.asked.add(asked)
                return Sent("answer", text=self.rng.choice(answers))
        return None

    def creditor(self) -> str:
        """Mostly this person's own marker, sometimes dressed up as hostile names are."""
        marker = self.marker
        dressed = [f"{marker} & Sons <Collections>", f"🏦 {marker} بنك", f"<b>{marker}</b>", long_text(self.rng)]
        return self.rng.choice([marker] * 6 + dressed)

    def forged(self) -> str:
        rng = self.rng
        roll = rng.randrange(5)
        if roll == 0:
            return f"{rng.randint(0, 40)}:{rng.choice(STATES)}:{rng.choice(BUTTON_ACTIONS)}"
        if roll == 1:
            return rng.choice(GLOBAL_DATA)
        if roll == 2:
            return "".join(rng.choice(string.printable[:95]) for _ in range(rng.randint(1, 64)))
        if roll == 3:
            return rng.choice(UNICODE_DATA)
        return rng.choice(["", " ", "x" * 200, "?", ":", "::", "1:", "1::"])

    def command(self) -> str:
        rng = self.rng
        roll = rng.randrange(10)
        if roll < 5:
            return f"/{rng.choice(COMMANDS)}"
        if roll < 7:
            return f"/{rng.choice(COMMANDS)} {rng.choice(COMMAND_ARGS)}"
        if roll < 8:
            return f"/{rng.choice(COMMANDS)}@{BOT_USERNAME}"
        return rng.choice(["/foo", "/foo bar", "/START", "/start@debtcoach_test_bot", "/", "/@x", "//new", "/new@"])

    def hostile(self) -> str:
        rng = self.rng
        roll = rng.randrange(10)
        if roll < 3:
            return rng.choice(MARKUP)
        if roll < 5:
            return rng.choice(EMOJI_AND_SCRIPTS)
        if roll < 6:
            return rng.choice(WHITESPACE)
        if roll < 8:
            return random_unicode(rng)
        return long_text(rng)


# -- watching the bot finish each update --------------------------------------------------------


class Answered:
    """Counts each person's updates whose answer is queued for delivery (the coach's
    `on_answered`), so each person can wait for exactly their answer, then for its delivery."""

    def __init__(self) -> None:
        self.count: Counter[int] = Counter()
        self._wakers: dict[int, asyncio.Event] = {}

    def __call__(self, update: Incoming) -> None:
        assert update.user_id is not None
        self.count[update.user_id] += 1
        waker = self._wakers.pop(update.user_id, None)
        if waker is not None:
            waker.set()

    async def wait(self, user_id: int, count: int) -> None:
        while self.count[user_id] < count:
            await self._wakers.setdefault(user_id, asyncio.Event()).wait()


@contextlib.contextmanager
def logging_as_the_command_line_does(handler: logging.Handler) -> Iterator[None]:
    """The library levels and the record filter of bot/logs.py, on the test's log capture."""
    saved = {name: logging.getLogger(name).level for name in logs.LIBRARY_LEVELS}
    library_records = logs.LibraryRecords()
    handler.addFilter(library_records)
    logs.quiet_libraries()
    try:
        yield
    finally:
        handler.removeFilter(library_records)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def plain(html: str) -> str:
    return parse_html(html)[0].strip()


def reaches_root(name: str) -> bool:
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None and logger.propagate and logger.parent is not None:
        logger = logger.parent
    return logger is logging.getLogger() and logging.getLogger(name).isEnabledFor(logging.ERROR)


# -- the run -----------------------------------------------------------------------------------


@pytest.mark.slow  # minutes on two cores: left out of `make test-fast`
async def test_ten_thousand_random_inputs_from_fifty_people(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    watched = ["bot.telegram.coach", "bot.telegram.app", "bot.telegram.channel", "bot.delivery", "bot.turns"]
    assert all(reaches_root(name) for name in watched), "an error log would not reach caplog"
    master = random.Random(SEED)
    people = [
        Person(i, random.Random(f"{SEED}:{i}"), master.choice(LANGUAGES), master.choice(FIRST_NAMES))
        for i in range(USERS)
    ]
    sorry = {p.uid: plain(render(resolve_locale(p.language), "telegram_sorry.html")) for p in people}
    problems: list[str] = []
    store = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    started = time.perf_counter()
    command_line_logging = logging_as_the_command_line_does(caplog.handler)
    command_line_logging.__enter__()
    try:
        async with (
            FakeTelegram() as server,
            running_bot(server, store, tmp_path) as app,
        ):
            coach = coach_of(app)
            answered = Answered()
            coach.on_answered = answered  # before the first update: none answered yet

            def report(person: Person, what: str) -> str:
                last = "\n    ".join(repr(s) for s in person.inputs[-6:])
                return (
                    f"FUZZ_SEED={SEED} user index {person.index} (id {person.uid}), input #{len(person.inputs)}: "
                    f"{what}\n  last inputs:\n    {last}"
                )

            async def play(person: Person) -> None:
                uid = person.uid
                for _ in range(INPUTS_PER_USER):
                    before = len(server.messages(uid))
                    errors_before = len(server.errors)
                    sent = person.next_input(server.messages(uid))
                    person.inputs.append(sent)
                    name, language = person.first_name, person.language
                    if sent.text is not None:
                        server.user_says(uid, sent.text, first_name=name, language_code=language)
                    else:
                        assert sent.data is not None
                        server.user_presses(
                            uid, sent.data, message_id=sent.message_id, first_name=name, language_code=language
                        )
                    try:
                        async with asyncio.timeout(ANSWER_TIMEOUT):
                            await answered.wait(uid, len(person.inputs))
                            await coach.couriers.delivered(str(uid))
                    except TimeoutError:
                        problems.append(report(person, f"not handled within {ANSWER_TIMEOUT}s"))
                        return
                    answer = server.messages(uid)[before:]
                    person.answers.append(len(answer))
                    if not answer:
                        problems.append(report(person, "handled without a single message in reply"))
                        return
                    if any(m.text == sorry[uid] for m in answer):
                        problems.append(report(person, "answered with an apology (the update failed)"))
                    mine = [e for e in server.errors[errors_before:] if e.params.get("chat_id") == uid]
                    if mine:
                        problems.append(report(person, f"API errors: {[(e.method, e.description) for e in mine]}"))

            playing = time.perf_counter()
            async with asyncio.TaskGroup() as group:
                for person in people:
                    group.create_task(play(person))
            played = time.perf_counter() - playing
            # Everything was answered: now the bot must confirm the last batch and say no more.
            await server.wait_for(lambda: server.pending_updates() == 0, timeout=15, what="all updates confirmed")
            await asyncio.sleep(0.5)
            failures = coach.failures
            calls = Counter(method for method, _ in server.calls)
        chats = {p.uid: server.messages(p.uid) for p in people}
        states: Counter[str] = Counter()
        progressed = own_creditor = 0
        for person in people:
            with store.user("telegram", str(person.uid)) as user:
                debts = user.load().debts
            states.update(d.state for d in debts)
            progressed += any(d.state != "creditor" for d in debts)
            own_creditor += any(person.marker in d.creditor for d in debts)
            for other in people:
                if other is not person:
                    assert not any(other.marker in d.creditor for d in debts), (person.index, other.marker)
    finally:
        store.close()
        command_line_logging.__exit__(None, None, None)
    elapsed = time.perf_counter() - started

    total = sum(len(p.inputs) for p in people)
    kinds = Counter(s.kind for p in people for s in p.inputs)
    messages = sum(len(chat) for chat in chats.values())
    files = Counter(m.document.filename.rsplit(".", 1)[-1] for chat in chats.values() for m in chat if m.document)
    reached = Counter(question for p in people for question in p.asked)
    logged = Counter(r.levelname for r in caplog.records if r.name.startswith(WATCHED_LOGGERS))
    print(
        f"\nfuzz seed {SEED}: {total} inputs from {len(people)} people in {played:.1f}s "
        f"({total / played:.0f} inputs/s; {elapsed:.1f}s with start and stop); {messages} messages, "
        f"files {dict(files)}, largest answer {max((n for p in people for n in p.answers), default=0)} messages, "
        f"log records {dict(logged)}\n"
        f"inputs by kind: {dict(kinds.most_common())}\n"
        f"Bot API calls: {dict(calls.most_common())}\n"
        f"debts by state at the end: {dict(states.most_common())}\n"
        f"people past the first question: {progressed}, naming their creditor: {own_creditor}\n"
        f"people who reached typed questions: {dict(reached.most_common())}"
    )

    assert problems == [], "\n\n".join(problems[:10])
    assert server.errors == [], [(e.method, e.error_code, e.description) for e in server.errors[:10]]
    assert failures == 0
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith(WATCHED_LOGGERS)]
    assert errors == [], [f"{r.name}: {r.getMessage()}" for r in errors[:10]]
    assert server.issued_callbacks == set(server.answered_callbacks)
    # Every input was answered, and nothing was sent after an answer was over.
    assert total == USERS * INPUTS_PER_USER == 10_000
    for person in people:
        assert len(person.answers) == INPUTS_PER_USER and min(person.answers) >= 1, person.index
        assert sum(person.answers) == len(chats[person.uid]), f"messages outside any answer in {person.uid}"
    # No chat ever shows another person's creditor, in any message, caption or export.
    for person in people:
        others = [p.marker for p in people if p is not person]
        for message in chats[person.uid]:
            shown = message.text + message.html
            if message.document is not None and message.document.filename.endswith(".json"):
                shown += json.dumps(json.loads(message.document.content), ensure_ascii=False)
            leaked = [marker for marker in others if marker in shown]
            assert not leaked, f"chat {person.uid} (message {message.message_id}) shows {leaked}"
    # The walk was not stuck at the door: it has to reach the negotiation for this to prove much.
    assert progressed >= USERS // 2, states
    assert own_creditor >= USERS // 2
    assert files["pdf"] > 0 and files["json"] > 0
    assert set(states) & {"awaiting_reply", "decision", "agreed_amount", "awaiting_signature", "repaying", "settled"}
    # The whole run's log, libraries' records included, as the command line writes them: nobody's
    # name, creditor, amount or words, whatever they typed.
    typed = {s.text.strip() for p in people for s in p.inputs if s.text and not s.text.startswith("/")}
    private = {text for text in typed if len(text) >= 6} | {p.marker for p in people}
    private |= {name for name in FIRST_NAMES if name != "Alex"}
    leaked = sorted(text for text in private if text in caplog.text)
    assert leaked == [], leaked[:10]
