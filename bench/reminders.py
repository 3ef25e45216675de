"""How the reminder scheduler holds up: finding what is due among a million rows, and sending 10,000 at once.

Run: `.venv/bin/python bench/reminders.py [--rows 1000000] [--due 10000]` (`--due 300 --rows 100000` for a quick
look). Two parts, each printed with a baseline measured in the same run:

1. Claiming due reminders in SQLite. A fresh database, made by `Store` (so by the migrations, and never
   ANALYZEd), gets --rows reminders, ten per person (--rows / 10 people on channel "telegram"): eight pending,
   each due at a random second of the next 365 days, and two sent during the past year. Then the scheduler's
   tick as `ReminderQueue.claim` runs it: `reminder_table.claim(conn, "telegram", now, limit=25, lease=2 min)`
   in a transaction of its own, BEGIN IMMEDIATE and COMMIT included; what it took is then marked sent in a
   second transaction, as `ReminderQueue.finish` does (timed apart). Busy ticks move `now` to the due time of
   the 1st to 25th (at random) pending row, so 1-25 rows are due; idle ticks move it to just before the next
   due row, so nothing is, which is what almost every tick sees. --ticks of each, alternating; p50/p99/max
   milliseconds per tick, target p99 < 50 ms. Baseline: the same first --baseline-ticks ticks, with the same
   `now`s, on a copy of the database (VACUUM INTO, before the first tick) without the index on (status,
   due_at): what claiming costs when the query cannot use it.

2. Sending --due reminders that fall due at the same moment. --due people (numeric chat ids as external
   ids), each repaying the sample negotiation's $1,800 settlement in three monthly instalments (played
   through the engine as far as the signed agreement), zone America/New_York, written
   through the store as the coach writes them (`store.user` + `save` + `sync_reminders(plan(state),
   created)`), created two days before the first instalment: its "due" reminder (09:00 local on the day) and
   those of the later instalments are stored; the "soon" one, already past then, is not. The bot's clock is
   fixed one minute after that 09:00, so each person has exactly one reminder due, all of them at once (the
   first of the month, when everyone pays). The real bot runs in this process (`build_application` +
   `serve`, reminder tick 0.2 s, SQLite in a fresh folder) against `tests/support/fake_telegram.py` with Telegram's
   flood limits on: 30 messages in any sliding second overall, 1 a second per chat; a send over them gets a
   429. Measured once every person has their message (then 2 s more, for anything sent twice): messages per
   second from the first delivery to the last (target >= 24), the most in any sliding second (target <= 25),
   the shortest gap between two messages to one chat, 429s (target 0). Checked: each person got exactly one
   message, and every due row is `sent`.
   Baseline: the same messages (text and buttons of the first --baseline-count the bot delivered) sent by a
   PTB bot with the same HTTP transport and the same 429 handling (`RetryingRateLimiter`: wait retry_after, send
   again, up to 20 times) but no pacer, all at once, to a fresh fake server with the same limits: its 429s,
   its rate, and how many it lost.

Exits 1 when a reminder was lost or sent twice, the API answered an error other than a 429, a bot logged an
error, or a claim took other rows than the simulation expected; a missed target (a 429 included) is printed,
not an exit status. Timings on a shared machine are noisy: another process's CPU shows up in the tails.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder is sys.path[0], and bench/telegram.py would shadow the `telegram` package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import bisect  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402
from itertools import pairwise  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import Connection, Engine, Table, event, func, insert, select  # noqa: E402
from telegram import InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.error import TelegramError  # noqa: E402
from telegram.ext import ExtBot  # noqa: E402

from bot import reminder_table  # noqa: E402
from bot.models import User  # noqa: E402
from bot.reminder_dispatch import BATCH, RATE, ReminderDispatcher  # noqa: E402
from bot.reminder_queue import LEASE  # noqa: E402
from bot.reminder_table import PENDING, REMINDERS, SENT  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.telegram.app import CONNECTIONS, POOL_WAIT, build_application, serve  # noqa: E402
from bot.telegram.coach import CHANNEL  # noqa: E402
from bot.telegram.rate_limiter import RetryingRateLimiter  # noqa: E402
from bot.telegram.transport import AiohttpRequest  # noqa: E402
from dialogs.reminder_plan import Kind, plan  # noqa: E402
from dialogs.state import UserState  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeTelegram, FloodLimits, SentMessage  # noqa: E402
from tests.support.sample import SAMPLE, play  # noqa: E402
from tests.support.telegram_helpers import settings_for  # noqa: E402


def _table(model: type[User]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


USERS = _table(User)
PER_PERSON = 10
PENDING_PER_PERSON = 8
CHUNK = 50_000  # rows per INSERT transaction while seeding
YEAR_S = 365 * 24 * 3600
START = datetime(2027, 1, 1, tzinfo=UTC)  # part 1: the scheduler's clock at the first tick
TICK_LIMIT = BATCH  # what the dispatcher claims at a time (25)
TARGET_TICK_MS = 50.0

TELEGRAM_LIMITS = FloodLimits(overall_per_second=30, per_chat_interval=1.0)
FIRST_CHAT = 700_000_001
FIRST_DUE = date(2027, 3, 1)  # part 2: everyone's first instalment
SIGNED_AT = datetime(2027, 2, 20, 17, 0, tzinfo=UTC)  # noon in New York, nine days before FIRST_DUE
ZONE = "America/New_York"
REMINDER_TICK = 0.2
SETTLE = 2.0  # seconds to wait after the last expected delivery, for anything sent twice
TARGET_RATE = 24.0
TARGET_WINDOW = 25
PROGRESS_EVERY = 60.0


# ---------------------------------------------------------------------------------------------------------------
# Common
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    count: int
    p50: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0, math.nan, math.nan, math.nan)
        if len(values) == 1:
            return cls(1, values[0], values[0], values[0])
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        return cls(len(values), cuts[49], cuts[98], max(values))


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


class Collector(logging.Handler):
    """Everything logged at WARNING or above, kept instead of printed (a 429 waited out is a warning)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        records, self.records = self.records, []
        return records


def errors_in(records: list[logging.LogRecord], who: str) -> list[str]:
    return [f"{who} logged: {r.name}: {r.getMessage()[:200]}" for r in records if r.levelno >= logging.ERROR]


# ---------------------------------------------------------------------------------------------------------------
# Part 1: claiming due rows among a million
# ---------------------------------------------------------------------------------------------------------------


def seed_rows(store: Store, rows: int, rng: random.Random) -> list[datetime]:
    """--rows reminders for rows / 10 people; returns the pending rows' due times, sorted."""
    people = max(math.ceil(rows / PER_PERSON), 1)
    with store.engine.begin() as conn:
        for first in range(0, people, CHUNK):
            conn.execute(
                insert(USERS),
                [
                    {
                        "channel": CHANNEL,
                        "external_id": str(FIRST_CHAT + n),
                        "locale": "en",
                        "currency": "USD",
                        "welcomed": True,
                        "undo": [],
                        "timezone": ZONE,
                        "created_at": START - timedelta(days=400),
                        "updated_at": START - timedelta(days=400),
                    }
                    for n in range(first, min(first + CHUNK, people))
                ],
            )
        ids = list(conn.execute(select(USERS.c.id).order_by(USERS.c.id)).scalars())
    pending: list[datetime] = []
    for first in range(0, rows, CHUNK):
        batch: list[dict[str, Any]] = []
        for n in range(first, min(first + CHUNK, rows)):
            slot = n % PER_PERSON
            kind = (Kind.PAYMENT_SOON, Kind.PAYMENT_DUE, Kind.OVERDUE)[slot % 3]
            if slot < PENDING_PER_PERSON:
                due = START + timedelta(seconds=rng.randrange(YEAR_S))
                status, sent = PENDING, None
                pending.append(due)
            else:
                due = START - timedelta(seconds=rng.randrange(1, YEAR_S))
                status, sent = SENT, due + timedelta(seconds=rng.randrange(1, 60))
            batch.append(
                {
                    "user_id": ids[n // PER_PERSON],
                    "debt_seq": 1,
                    "kind": kind.value,
                    "key": f"{kind.value}:1:{slot}:{due:%Y%m%d}",
                    "due_at": due,
                    "status": status,
                    "late": False,
                    "claimed_at": None,
                    "sent_at": sent,
                }
            )
        with store.engine.begin() as conn:
            conn.execute(insert(REMINDERS), batch)
    pending.sort()
    return pending


@dataclass(frozen=True)
class Tick:
    now: datetime
    expected: int  # rows the claim must take


def ticks(pending: list[datetime], count: int, rng: random.Random) -> list[Tick]:
    """`count` busy ticks (1-25 rows due) alternating with `count` idle ones (nothing due), oldest first."""
    out: list[Tick] = []
    position = 0
    now = START
    for _ in range(count):
        left = len(pending) - position
        if left > 0:
            now = max(now, pending[position + min(rng.randint(1, TICK_LIMIT), left) - 1])
        else:
            now += timedelta(seconds=1)
        taken = min(bisect.bisect_right(pending, now) - position, TICK_LIMIT)
        out.append(Tick(now, taken))
        position += taken
        if position < len(pending):
            now = max(now, pending[position] - timedelta(microseconds=1))
        else:
            now += timedelta(seconds=1)
        taken = min(bisect.bisect_right(pending, now) - position, TICK_LIMIT)  # 0 but for rows tied with `now`
        out.append(Tick(now, taken))
        position += taken
    return out


@dataclass
class Claims:
    busy_ms: list[float] = field(default_factory=list)
    idle_ms: list[float] = field(default_factory=list)
    finish_ms: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # claimed per busy tick
    problems: list[str] = field(default_factory=list)


def run_ticks(store: Store, schedule: list[Tick], name: str) -> Claims:
    """The scheduler's ticks, each timed from BEGIN to COMMIT; what was claimed is then marked sent."""
    out = Claims()
    gc.collect()
    gc.disable()
    try:
        for tick in schedule:
            began = time.perf_counter_ns()
            with store.engine.begin() as conn:
                claimed = reminder_table.claim(conn, CHANNEL, tick.now, TICK_LIMIT, LEASE)
            elapsed = (time.perf_counter_ns() - began) / 1e6
            if len(claimed) != tick.expected:
                out.problems.append(f"{name}: a claim at {tick.now} took {len(claimed)} rows, {tick.expected} due")
            if claimed:
                out.busy_ms.append(elapsed)
                out.rows.append(len(claimed))
                began = time.perf_counter_ns()
                with store.engine.begin() as conn:
                    reminder_table.mark(conn, [c.id for c in claimed], SENT, tick.now)
                out.finish_ms.append((time.perf_counter_ns() - began) / 1e6)
            else:
                out.idle_ms.append(elapsed)
    finally:
        gc.enable()
    return out


@contextlib.contextmanager
def capturing_selects(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def before(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def query_plan(store: Store) -> str:
    """SQLite's plan for the claim's SELECT, as `claim` sends it (its transaction rolled back)."""
    with capturing_selects(store.engine) as seen, store.engine.connect() as conn:
        transaction = conn.begin()
        try:
            reminder_table.claim(conn, CHANNEL, START, TICK_LIMIT, LEASE)
        finally:
            transaction.rollback()
    if not seen:
        return "(no SELECT seen)"
    statement, parameters = seen[0]
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "; ".join(str(row[-1]) for row in rows)


def copy_without_index(store: Store, path: Path) -> Store:
    raw = store.engine.raw_connection()  # not through the engine, which would open a transaction first
    try:
        cursor = raw.cursor()
        cursor.execute(f"VACUUM INTO '{path}'")
        cursor.close()
    finally:
        raw.close()
    copy = Store(f"sqlite:///{path}")
    with copy.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_reminders_status_due_at")
    return copy


def claiming(args: argparse.Namespace, folder: Path) -> list[str]:
    rng = random.Random(20270101)
    store = Store(f"sqlite:///{folder / 'claim.sqlite3'}")
    began = time.monotonic()
    pending = seed_rows(store, args.rows, rng)
    seeded = time.monotonic() - began
    people = max(math.ceil(args.rows / PER_PERSON), 1)
    size_mb = sum(p.stat().st_size for p in folder.glob("claim.sqlite3*")) / 1e6
    print(
        f"{args.rows:,} reminders ({len(pending):,} pending over the next 365 days, {args.rows - len(pending):,} sent)"
        f" for {people:,} people; seeded in {seeded:.1f} s, {size_mb:,.0f} MB"
    )
    schedule = ticks(pending, args.ticks, rng)
    began = time.monotonic()
    bare = copy_without_index(store, folder / "claim-no-index.sqlite3")
    print(f"copied without the (status, due_at) index in {time.monotonic() - began:.1f} s")
    print(f"plan, as migrated:  {query_plan(store)}")
    print(f"plan, no index:     {query_plan(bare)}")
    try:
        ours = run_ticks(store, schedule, "indexed")
        base = run_ticks(bare, schedule[: args.baseline_ticks], "no index")
    finally:
        store.close()
        bare.close()

    print()
    head = f"{'claim, 25 at most':<30}{'ticks':>7}{'rows/tick':>11}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(head)
    print("-" * len(head))

    def line(name: str, values: list[float], rows: list[int] | None) -> Spread:
        s = Spread.of(values)
        per_tick = f"{statistics.fmean(rows):.1f}" if rows else "0"
        print(f"{name:<30}{s.count:>7}{per_tick:>11}{s.p50:>9.2f}{s.p99:>9.2f}{s.max:>9.2f}")
        return s

    busy = line("busy (1-25 due)", ours.busy_ms, ours.rows)
    idle = line("idle (nothing due)", ours.idle_ms, None)
    base_busy = line("no index: busy", base.busy_ms, base.rows)
    base_idle = line("no index: idle", base.idle_ms, None)
    finish = line("then marking them sent", ours.finish_ms, ours.rows)
    print(f"no index / index, p50: {base_busy.p50 / busy.p50:.0f}x busy, {base_idle.p50 / idle.p50:.0f}x idle")
    print()
    worst = max(busy.p99, idle.p99)
    print(
        f"target p99 < {TARGET_TICK_MS:.0f} ms per claim: {verdict(worst < TARGET_TICK_MS)}"
        f" (busy {busy.p99:.2f} ms, idle {idle.p99:.2f} ms; marking sent {finish.p99:.2f} ms more)"
    )
    return ours.problems + base.problems


# ---------------------------------------------------------------------------------------------------------------
# Part 2: 10,000 due at once, through the fake Bot API
# ---------------------------------------------------------------------------------------------------------------


class ReminderTelegram(FakeTelegram):
    """The fake server, knowing the people without their having written (their chats exist), and counting
    deliveries as they happen."""

    def __init__(self) -> None:
        super().__init__(flood_limits=TELEGRAM_LIMITS)
        self.delivered = 0

    def know(self, chat_ids: Sequence[int]) -> None:
        for chat_id in chat_ids:
            self._remember(chat_id, "Alex", "en")

    def on_delivered(self, chat_id: int, sent: SentMessage) -> None:
        self.delivered += 1

    def sent_times(self, chat_ids: Sequence[int]) -> list[float]:
        return sorted(m.sent_at for chat in chat_ids for m in self.messages(chat))


assert hasattr(FakeTelegram, "on_delivered") and hasattr(FakeTelegram, "_remember"), (
    "tests/support/fake_telegram.py changed"
)


@functools.cache
def repaying() -> UserState:
    """Someone who played the sample negotiation (tests/support/sample.py) as far as the signed
    agreement, nine days before FIRST_DUE in New York: paying off $1,800 in three instalments."""
    _, state = play(SAMPLE.part(until="agreement signed"), SIGNED_AT)
    debt = state.active_debt
    assert debt is not None and debt.agreement is not None and debt.agreement.first_due == FIRST_DUE
    assert state.reminders.timezone == ZONE
    return state


def due_moment() -> datetime:
    return next(p.due_at for p in plan(repaying()) if p.kind is Kind.PAYMENT_DUE and p.index == 0)


def seed_people(store: Store, chat_ids: Sequence[int], created: datetime) -> None:
    for chat_id in chat_ids:
        with store.user(CHANNEL, str(chat_id)) as user:
            state = repaying()
            user.save(state, created)
            user.sync_reminders(plan(state), created)


def due_statuses(store: Store, now: datetime) -> Counter[str]:
    query = select(REMINDERS.c.status, func.count()).where(REMINDERS.c.due_at <= now).group_by(REMINDERS.c.status)
    with store.engine.connect() as conn:
        return Counter(dict(conn.execute(query).all()))


@dataclass
class Delivery:
    name: str
    count: int  # messages meant to go out
    delivered: int = 0
    rate: float = 0.0  # messages a second, first delivery to last
    seconds: float = 0.0  # from the start to the last delivery
    max_window: int = 0
    min_gap: float = math.inf
    closest: float = math.inf  # the shortest interval between two deliveries, to any chats
    bunched: int = 0  # intervals between deliveries under half the pacer's
    longest: float = 0.0  # the longest pause between two deliveries (a stall, and a bunch after it)
    overall_refusals: int = 0  # 429s for the overall limit (the rest: for the per-chat one)
    refusals: int = 0  # 429s
    lost: int = 0
    duplicated: int = 0
    flood_waits: int = 0  # 429s the sender waited out
    other_errors: list[str] = field(default_factory=list)  # API errors other than 429s
    problems: list[str] = field(default_factory=list)  # anything else that went wrong
    warnings: int = 0


def measure(server: ReminderTelegram, result: Delivery, chat_ids: Sequence[int], began: float) -> None:
    times = server.sent_times(chat_ids)
    counts = Counter(len(server.messages(chat)) for chat in chat_ids)
    result.delivered = len(times)
    result.lost = counts[0]
    result.duplicated = sum(n for per_chat, n in counts.items() if per_chat > 1)
    if len(times) > 1 and times[-1] > times[0]:
        result.rate = (len(times) - 1) / (times[-1] - times[0])
    result.seconds = times[-1] - began if times else 0.0
    result.closest = min((b - a for a, b in pairwise(times)), default=math.inf)
    result.bunched = sum(b - a < 0.5 / RATE for a, b in pairwise(times))
    result.longest = max((b - a for a, b in pairwise(times)), default=0.0)
    result.max_window = server.max_in_window(1.0)
    result.min_gap = server.min_gap()
    result.refusals = len(server.flood_refusals)
    result.overall_refusals = sum(r.overall for r in server.flood_refusals)
    result.other_errors = [
        f"{result.name}: API error {e.method} {e.error_code} {e.description}"
        for e in server.errors
        if e.error_code != 429
    ]


async def paced(args: argparse.Namespace, folder: Path, collector: Collector) -> tuple[Delivery, list[SentMessage]]:
    """The real bot, sending what falls due; returns its figures and the messages, one per person."""
    chat_ids = [FIRST_CHAT + n for n in range(args.due)]
    due = due_moment()
    now = due + timedelta(minutes=1)
    server = ReminderTelegram()
    await server.start()
    result = Delivery("DebtCoach", args.due)
    problems: list[str] = []
    try:
        server.know(chat_ids)
        home = folder / "dispatch"
        settings = settings_for(server, home)
        store = Store(settings.database_url)
        try:
            began = time.monotonic()
            seed_people(store, chat_ids, due - timedelta(days=2))
            rows = sum(due_statuses(store, due + timedelta(days=400)).values())
            print(
                f"{args.due:,} people repaying, {rows:,} reminders stored in {time.monotonic() - began:.1f} s"
                f" through store.user + save + sync_reminders; the clock stands at {now:%Y-%m-%d %H:%M} UTC"
            )
            before = due_statuses(store, now)
            if before != Counter({PENDING: args.due}):
                raise SystemExit(f"expected {args.due} pending reminders due, found {dict(before)}")

            app = build_application(settings, store, clock=lambda: now, reminder_tick=REMINDER_TICK)
            dispatcher: ReminderDispatcher = app.bot_data["reminders"]
            stop = asyncio.Event()
            collector.take()
            began = time.monotonic()
            task = asyncio.create_task(serve(app, stop))
            deadline = began + args.due / 20 + 60
            reported = began
            while server.delivered < args.due and not task.done() and time.monotonic() < deadline:
                await asyncio.sleep(0.25)
                if time.monotonic() - reported >= PROGRESS_EVERY:
                    reported = time.monotonic()
                    print(f"  ... {server.delivered:,} of {args.due:,} sent after {reported - began:.0f} s", flush=True)
            if server.delivered < args.due:
                problems.append(f"gave up after {time.monotonic() - began:.0f} s: {server.delivered} sent")
            await asyncio.sleep(SETTLE)
            stop.set()
            try:
                await asyncio.wait_for(task, 60)
            except Exception as exc:
                problems.append(f"the bot stopped with {type(exc).__name__}: {exc}")
            records = collector.take()
            measure(server, result, chat_ids, began)
            limiter = app.bot.rate_limiter
            result.flood_waits = limiter.flood_waits if isinstance(limiter, RetryingRateLimiter) else 0
            result.warnings = sum(r.levelno == logging.WARNING for r in records)
            after = due_statuses(store, now)
            if after != Counter({SENT: args.due}):
                problems.append(f"due reminders after the run: {dict(after)}, expected {args.due} sent")
            if dispatcher.sent != args.due:
                problems.append(f"the dispatcher counted {dispatcher.sent} sent, expected {args.due}")
            problems += errors_in(records, "the bot")
        finally:
            store.close()
        messages = [m for chat in chat_ids for m in server.messages(chat)[:1]]
    finally:
        await server.stop()
    result.problems += problems
    return result, messages


async def unpaced(messages: Sequence[SentMessage], collector: Collector) -> Delivery:
    """The same messages, all at once, by a PTB bot that waits out 429s but does not pace itself."""
    server = ReminderTelegram()
    await server.start()
    result = Delivery("unpaced", len(messages))
    chat_ids = [m.chat_id for m in messages]
    try:
        server.know(chat_ids)
        limiter = RetryingRateLimiter()
        bot: ExtBot[None] = ExtBot(
            token=TOKEN,
            base_url=f"{server.url}/bot",
            base_file_url=f"{server.url}/file/bot",
            request=AiohttpRequest(connections=CONNECTIONS, pool_timeout=POOL_WAIT),
            rate_limiter=limiter,
        )

        async def send(message: SentMessage) -> None:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in message.buttons]
            )
            await bot.send_message(message.chat_id, message.html, parse_mode=ParseMode.HTML, reply_markup=markup)

        collector.take()
        async with bot:
            began = time.monotonic()
            outcomes = await asyncio.gather(*(send(m) for m in messages), return_exceptions=True)
        records = collector.take()
        measure(server, result, chat_ids, began)
        result.flood_waits = limiter.flood_waits
        result.warnings = sum(r.levelno == logging.WARNING for r in records)
        gave_up = [o for o in outcomes if isinstance(o, BaseException)]
        unexpected = [o for o in gave_up if not isinstance(o, TelegramError)]
        if unexpected:
            raise unexpected[0]
    finally:
        await server.stop()
    return result


def dispatch_table(ours: Delivery, base: Delivery) -> None:
    head = (
        f"{'sender':<12}{'messages':>10}{'delivered':>11}{'msgs/s':>8}{'seconds':>9}{'max in 1 s':>12}"
        f"{'min gap/chat':>14}{'429s':>7}{'waited out':>12}{'lost':>6}{'twice':>7}"
    )
    print(head)
    print("-" * len(head))
    for d in (ours, base):
        gap = "-" if math.isinf(d.min_gap) else f"{d.min_gap:.3f} s"
        print(
            f"{d.name:<12}{d.count:>10,}{d.delivered:>11,}{d.rate:>8.1f}{d.seconds:>9.1f}{d.max_window:>12}"
            f"{gap:>14}{d.refusals:>7,}{d.flood_waits:>12,}{d.lost:>6,}{d.duplicated:>7,}"
        )
    ratio = ours.rate / base.rate if base.rate else math.nan
    per_message = base.refusals / base.count if base.count else 0.0
    print(
        f"DebtCoach / unpaced: {ratio:.2f}x the rate, {ours.refusals} 429s against {base.refusals:,}"
        f" ({per_message:.1f} per message)"
    )


async def dispatching(args: argparse.Namespace, folder: Path) -> list[str]:
    collector = Collector()
    logging.getLogger().addHandler(collector)  # and no handler of last resort printing each 429 wait
    try:
        ours, messages = await paced(args, folder, collector)
        print(f"one message each, e.g.: {messages[0].text!r}" if messages else "no message was sent")
        base = await unpaced(messages[: args.baseline_count], collector)
    finally:
        logging.getLogger().removeHandler(collector)
    print()
    dispatch_table(ours, base)
    print("(min gap/chat: '-' when no chat got two messages)")
    print(
        f"closest two deliveries: {ours.closest * 1000:.1f} ms apart, against the pacer's {1000 / RATE:.1f} ms;"
        f" {ours.bunched} of {max(ours.delivered - 1, 0):,} intervals under half that; longest pause"
        f" {ours.longest * 1000:.0f} ms"
    )
    print(f"API errors other than 429s: {len(ours.other_errors)}")
    print()
    print(f"target >= {TARGET_RATE:g} msgs/s: {verdict(ours.rate >= TARGET_RATE)} ({ours.rate:.1f}/s)")
    print(
        f"target never more than {TARGET_WINDOW} in a sliding second: {verdict(ours.max_window <= TARGET_WINDOW)}"
        f" ({ours.max_window})"
    )
    print(
        f"target no 429: {verdict(ours.refusals == 0)} ({ours.refusals}"
        f"{f', {ours.overall_refusals} of them for the overall limit' if ours.refusals else ''})"
    )
    if ours.warnings:
        print(f"note: the bot logged {ours.warnings} warnings")
    problems = ours.other_errors + ours.problems
    if ours.lost or ours.duplicated:
        problems.append(f"{ours.lost} people got no reminder, {ours.duplicated} got more than one")
    if base.lost:
        print(f"the unpaced sender lost {base.lost} of {base.count} messages (gave up after 20 waits)")
    return problems


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as name:
        folder = Path(name)
        print("== 1. Finding due reminders in SQLite ==")
        problems += claiming(args, folder)
        print()
        print(f"== 2. Sending {args.due:,} reminders due at once, Telegram's flood limits on ==")
        problems += await dispatching(args, folder)
    for problem in problems[:20]:
        print(f"PROBLEM: {problem}")
    if len(problems) > 20:
        print(f"PROBLEM: ... {len(problems)} problems in all")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="reminders in the claim database")
    parser.add_argument("--ticks", type=int, default=500, help="busy ticks, and as many idle ones")
    parser.add_argument("--baseline-ticks", type=int, default=50, help="ticks replayed without the index")
    parser.add_argument("--due", type=int, default=10_000, help="people whose reminder falls due at once")
    parser.add_argument("--baseline-count", type=int, default=500, help="messages the unpaced sender sends")
    args = parser.parse_args()
    if args.rows < PER_PERSON or args.due < 1 or args.ticks < 1 or args.baseline_count < 1:
        parser.error("--rows must be at least 10, and --due, --ticks and --baseline-count at least 1")
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
