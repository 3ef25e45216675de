"""How fast the Telegram bot answers people: the real `debtcoach run` process against a fake Bot API.

Run: `.venv/bin/python bench/telegram.py [--users N] [--rate R]`. The bot runs as it does in
production (`debtcoach run`, long polling, SQLite in a fresh folder, one commit per update) and
talks HTTP to `tests/support/fake_telegram.py`, served from this process together with the simulated
users. With two or more cores the bot is pinned to one and this process to another (`--no-pin`
to let the OS choose), so neither steals the other's CPU; a Python bot uses about one core
anyway, its threads sharing the GIL. Every user plays the same story, the sample negotiation of
tests/support/sample.py: from /start to a $5,000 credit card settled in three payments and
signed, then /debts and /status, typed text and button presses mixed, three PDF letters on the way.

A user is sequential: the next input only after the whole answer to the last. How many
messages make up each step's answer is learnt once, on the warm-up run: one user plays the
story, and an answer ends after 250 ms without a new message (never on a document: the
question follows the letters); a second user must see the same counts. From then on an answer
is complete when the chat has that many new messages: no quiet periods to wait out, and a step
that gets fewer within 30 s is unanswered; no chat may end with more. Latency is from the moment
the update is queued on the fake server to the moment the server accepts the answer's first
message (the last one's is shown too), both on this process's monotonic clock. Printed in one run:

- updates/s, closed loop: N users (default 100) play the story at once, each as fast as its
  answers come; all updates divided by the time from the first send to the last reply;
- p50/p99 latency, open loop: updates released at R per second (default 100) for 30 s, each to a
  user picked at random among those waiting for nothing; 40 users at a time, a new one taking
  the place of each who finishes, so the mix is the whole story's, letters included. The
  achieved rate shows whether the releases kept up;
- the same for the baseline, `bench/baseline_bot.py`: the story written as PTB's examples teach
  (ConversationHandler + PicklePersistence, one state per step, updates one at a time), sending
  for each step exactly the messages and documents DebtCoach sent in the recording pass. It
  does no work of its own and writes its pickle every 60 s; DebtCoach commits every update.

Also printed, from the closed loop: the bot's CPU per update, split between the event loop's
thread and the others (the store and the PDFs run in asyncio.to_thread workers), and how busy
the bot and this process were; if the harness nears 100% it, not the bot, is being measured.

Each bot gets a fresh folder and fake server per run, and one warm-up user before measuring.
Targets (2-core machine): updates/s at least 1.2x the baseline's and p99 no higher than its, in
the same run; p99 < 50 ms at 100 updates/s offered; >= 500 updates/s. With `--postgres URL` the
closed loop runs once more with the bot on that PostgreSQL database (emptied before and after),
against the target of at least 0.8x the SQLite run's updates/s. Exits 1 when an update went
unanswered, a chat got more messages than expected, the API refused a call, or a bot logged
an error; a missed target is printed, not an exit status.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder is sys.path[0], and this very file would be imported as `telegram`.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Awaitable, Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any, Literal  # noqa: E402

from bot.clock import parse_moment, system_clock  # noqa: E402
from tests.support.backends import drop_everything  # noqa: E402
from tests.support.clock import today_of  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeTelegram, SentMessage  # noqa: E402
from tests.support.sample import SAMPLE, telegram_steps  # noqa: E402

# One moment for the whole run, from DEBTCOACH_NOW as the product reads it, else the system clock.
NOW = parse_moment(os.environ["DEBTCOACH_NOW"]) if os.environ.get("DEBTCOACH_NOW") else system_clock()

VENV_BIN = Path(sys.executable).parent
ANSWER_TIMEOUT = 30.0  # seconds a step may take before it counts as unanswered
QUIET = 0.25  # seconds without a new message that end a step's answer in the recording pass
OPEN_LOOP_USERS = 40
OPEN_LOOP_SECONDS = 30.0  # 3,000 updates at 100/s: the p99 is the 30th worst, not the 12th
TARGET_RATE = 500.0
TARGET_P99_MS = 50.0
TARGET_RATIO = 1.2  # updates/s against the ConversationHandler baseline, in the same run
TARGET_POSTGRES = 0.8  # updates/s on PostgreSQL against SQLite, in the same run


@dataclass(frozen=True)
class Step:
    kind: Literal["say", "press"]
    text: str  # typed text, or the label of a button on the latest message that has buttons


def story(now: datetime) -> list[Step]:
    """The sample negotiation (tests/support/sample.py), whole, as a Telegram user plays it from
    `now`: a press names a button by its exact label."""
    steps = telegram_steps(SAMPLE.part(), today_of(now))
    return [Step("press" if kind == "press" else "say", text) for kind, text in steps]


class BenchTelegram(FakeTelegram):
    """The fake server, plus a message count per chat that wakes only the user waiting on that chat
    (the server's own `wait_for` wakes every waiter on every event: too slow for 100 users)."""

    def __init__(self) -> None:
        super().__init__()
        self.count: dict[int, int] = defaultdict(int)
        self._waiting: dict[int, tuple[int, asyncio.Future[None]]] = {}

    def on_delivered(self, chat_id: int, sent: SentMessage) -> None:
        self.count[chat_id] += 1
        waiting = self._waiting.get(chat_id)
        if waiting is not None and self.count[chat_id] >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    async def until(self, chat_id: int, count: int, timeout: float) -> bool:
        """Wait until the chat holds `count` bot messages; False after `timeout` seconds."""
        if self.count[chat_id] >= count:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            self._waiting.pop(chat_id, None)
        return True

    def send(self, user_id: int, step: Step) -> float:
        """Queue the user's input; returns when, on the monotonic clock."""
        if step.kind == "say":
            began = time.monotonic()
            self.user_says(user_id, step.text)
            return began
        data = button(self.messages(user_id), step.text)
        began = time.monotonic()
        self.user_presses(user_id, data)
        return began


assert hasattr(FakeTelegram, "on_delivered"), "tests/support/fake_telegram.py changed: BenchTelegram hooks on_delivered"


def button(messages: Sequence[SentMessage], label: str) -> str:
    latest = next((message for message in reversed(messages) if message.buttons), None)
    if latest is None:
        raise LookupError(f"no message with buttons to press {label!r} on")
    exact = [data for text, data in latest.choices if text == label]
    starting = [data for text, data in latest.choices if text.startswith(label)]
    if exact or len(starting) == 1:
        return (exact or starting)[0]
    raise LookupError(f"no single button {label!r} among {[text for text, _ in latest.choices]}")


# ---------------------------------------------------------------------------------------------------------------
# The bot processes
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bot:
    name: str
    command: Callable[[Path], list[str]]  # the command line, given the run's folder
    home_variable: str | None = None  # the environment variable that points the bot at the folder
    database_url: str | None = None  # None: SQLite in the run's folder


DEBTCOACH = Bot("DebtCoach", lambda home: [str(VENV_BIN / "debtcoach"), "run"], "DEBTCOACH_HOME")


def baseline(steps_file: Path) -> Bot:
    script = Path(__file__).resolve().parent / "baseline_bot.py"
    return Bot(
        "baseline (PTB example)",
        lambda home: [sys.executable, "-P", str(script), "--steps-file", str(steps_file), "--data-dir", str(home)],
    )


@dataclass
class Process:
    proc: asyncio.subprocess.Process
    log: Path

    def cpu_seconds(self) -> tuple[float, float]:
        """User + system CPU time so far of the bot's main thread (the event loop) and of all its
        other threads (asyncio.to_thread workers: the store, PDFs). Linux /proc; zeros elsewhere."""
        loop = others = 0.0
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
                if task.name == str(self.proc.pid):
                    loop += seconds
                else:
                    others += seconds
        return loop, others

    def log_problems(self) -> list[str]:
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if " ERROR " in line or "Traceback" in line or " CRITICAL " in line]


def machine_cpu_seconds() -> float:
    """CPU time all processes on the machine have used since boot (Linux /proc/stat; 0 elsewhere)."""
    try:
        jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(jiffies[:8]) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def cpus() -> tuple[int, int] | None:
    """(this process's core, the bot's core) when there are two to pin to."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    available = sorted(os.sched_getaffinity(0))
    return (available[0], available[1]) if len(available) >= 2 else None


async def start(bot: Bot, server: BenchTelegram, home: Path, bot_cpu: int | None) -> Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": server.url, "PTB_TIMEDELTA": "true"}
    env["DEBTCOACH_NOW"] = NOW.isoformat()  # the bot's clock runs from the moment the story's dates come from
    env.pop("DATABASE_URL", None)  # SQLite in the run's folder, unless the bot names a database
    if bot.database_url:
        env["DATABASE_URL"] = bot.database_url
    if bot.home_variable:
        env[bot.home_variable] = str(home)
    log = home / "bot.log"
    pin = None if bot_cpu is None else lambda: os.sched_setaffinity(0, {bot_cpu})
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *bot.command(home), env=env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out, preexec_fn=pin
        )
    process = Process(proc, log)
    deadline = time.monotonic() + 60
    while not any(method == "getUpdates" for method, _ in server.calls):
        if proc.returncode is not None or time.monotonic() > deadline:
            await stop(process)
            raise RuntimeError(f"{bot.name} did not start polling:\n{log.read_text(errors='replace')[-3000:]}")
        await asyncio.sleep(0.02)
    return process


async def stop(process: Process) -> int:
    """SIGTERM, then wait for a clean exit; killed after 15 s."""
    proc = process.proc
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return -9
    return proc.returncode if proc.returncode is not None else -1


# ---------------------------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one measured run saw."""

    first_ms: list[float] = field(default_factory=list)  # update queued -> first message of the answer
    last_ms: list[float] = field(default_factory=list)  # update queued -> last message of the answer
    updates: int = 0
    unanswered: int = 0
    late_releases: int = 0  # open loop: releases that found no user ready
    began: float = 0.0
    ended: float = 0.0
    released_until: float = 0.0  # open loop: when the last update was released
    users: dict[int, int] = field(default_factory=dict)  # user -> steps completed
    wrong: list[str] = field(default_factory=list)  # inputs that could not be sent


async def play_step(server: BenchTelegram, user: int, step: Step, expected: int, tally: Tally) -> bool:
    before = server.count[user]
    try:
        began = server.send(user, step)
    except LookupError as exc:  # the last answer lacked the button this step presses
        tally.wrong.append(f"user {user}, step {step}: {exc}")
        return False
    tally.updates += 1
    if not await server.until(user, before + expected, ANSWER_TIMEOUT):
        tally.unanswered += 1
        return False
    messages = server.messages(user)
    tally.first_ms.append((messages[before].sent_at - began) * 1000)
    tally.last_ms.append((messages[before + expected - 1].sent_at - began) * 1000)
    tally.ended = max(tally.ended, messages[before + expected - 1].sent_at)
    return True


async def play_story(server: BenchTelegram, user: int, steps: list[Step], counts: list[int], tally: Tally) -> None:
    for index, step in enumerate(steps):
        if not await play_step(server, user, step, counts[index], tally):
            return
        tally.users[user] = index + 1


async def record(server: BenchTelegram, user: int, steps: list[Step]) -> list[list[SentMessage]]:
    """One user through the story; an answer ends after QUIET seconds without a new message (and
    never on a document: the next question always follows the letters)."""
    replies: list[list[SentMessage]] = []
    for step in steps:
        before = server.count[user]
        server.send(user, step)
        if not await server.until(user, before + 1, ANSWER_TIMEOUT):
            raise RuntimeError(f"no answer to {step} in the recording pass")
        while await server.until(user, server.count[user] + 1, QUIET) or server.messages(user)[-1].document:
            pass
        replies.append(server.messages(user)[before:])
    return replies


async def closed_loop(server: BenchTelegram, users: int, steps: list[Step], counts: list[int]) -> Tally:
    tally = Tally(began=time.monotonic())
    await asyncio.gather(*(play_story(server, 1000 + user, steps, counts, tally) for user in range(users)))
    return tally


async def open_loop(
    server: BenchTelegram, rate: float, seconds: float, slots: int, steps: list[Step], counts: list[int]
) -> Tally:
    """Release an update every 1/rate s to a random user who is not waiting for an answer."""
    rng = random.Random(7)
    tally = Tally()
    next_user = iter(range(100_000, 10**9))
    ready: list[tuple[int, int]] = [(next(next_user), 0) for _ in range(slots)]  # (user, next step)
    woken = asyncio.Event()
    pending: set[asyncio.Task[None]] = set()

    async def answer(user: int, index: int) -> None:
        if not await play_step(server, user, steps[index], counts[index], tally):
            return
        tally.users[user] = index + 1
        ready.append((user, index + 1) if index + 1 < len(steps) else (next(next_user), 0))
        woken.set()

    loop = asyncio.get_running_loop()
    tally.began = loop.time() + 0.01
    for release in range(round(rate * seconds)):
        delay = tally.began + release / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if not ready:
            tally.late_releases += 1
            while not ready:
                woken.clear()
                await woken.wait()
        user, index = ready.pop(rng.randrange(len(ready)))
        task = asyncio.create_task(answer(user, index))
        pending.add(task)
        task.add_done_callback(pending.discard)
    tally.released_until = loop.time()
    await asyncio.gather(*pending)
    return tally


# ---------------------------------------------------------------------------------------------------------------
# One run: a fresh folder, server and bot process; warm-up; measure; check
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    tally: Tally
    bot_cpu_s: tuple[float, float]  # event loop thread, other threads
    bench_cpu_s: float
    others_s: float  # CPU that other processes on the machine used meanwhile
    wall_s: float
    problems: list[str]
    recorded: list[list[SentMessage]] | None = None


async def run(
    bot: Bot,
    steps: list[Step],
    counts: list[int] | None,
    measure: Callable[[BenchTelegram, list[int]], Awaitable[Tally]],
    pins: tuple[int, int] | None,
    last_text: str | None,
) -> Run:
    """With counts=None the warm-up user is the recording pass, and the counts come from it."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as folder:
        server = BenchTelegram()
        await server.start()
        try:
            process = await start(bot, server, Path(folder), pins[1] if pins else None)
            try:
                recorded = None
                if counts is None:
                    # The first user warms the bot up: letters and calendars load on their first use,
                    # which can stretch an answer past the quiet period. The next two must agree.
                    await record(server, 1, steps)
                    first = [len(reply) for reply in await record(server, 2, steps)]
                    recorded = await record(server, 3, steps)
                    counts = [len(reply) for reply in recorded]
                    if counts != first:
                        raise RuntimeError(f"two recordings of the story differ: {first} and {counts}")
                else:
                    warm = Tally()
                    await play_story(server, 1, steps, counts, warm)
                    if warm.unanswered or warm.wrong:
                        problems.append(f"{bot.name}: the warm-up user was not answered")
                gc.collect()
                (loop_cpu, threads_cpu), bench_cpu, wall = process.cpu_seconds(), time.process_time(), time.monotonic()
                machine = machine_cpu_seconds()
                tally = await measure(server, counts)
                loop_after, threads_after = process.cpu_seconds()
                bot_cpu = (loop_after - loop_cpu, threads_after - threads_cpu)
                bench_cpu, wall = time.process_time() - bench_cpu, time.monotonic() - wall
                others = max(machine_cpu_seconds() - machine - sum(bot_cpu) - bench_cpu, 0.0)
                await asyncio.sleep(QUIET)  # anything more the bot sends would come now
            finally:
                status = await stop(process)
            problems += check(bot.name, server, steps, counts, tally, last_text or recorded_last(recorded))
        finally:
            await server.stop()
        if status != 0:
            problems.append(f"{bot.name}: exited with status {status}")
        problems += [f"{bot.name} logged: {line[:200]}" for line in process.log_problems()[:5]]
    return Run(
        tally, bot_cpu, bench_cpu_s=bench_cpu, others_s=others, wall_s=wall, problems=problems, recorded=recorded
    )


def recorded_last(recorded: list[list[SentMessage]] | None) -> str | None:
    return recorded[-1][-1].text if recorded else None


def check(
    name: str, server: BenchTelegram, steps: list[Step], counts: list[int], tally: Tally, last: str | None
) -> list[str]:
    problems = [f"{name}: API error {e.method} {e.error_code} {e.description}" for e in server.errors[:5]]
    if len(server.errors) > 5:
        problems.append(f"{name}: {len(server.errors)} API errors in all")
    if tally.unanswered:
        problems.append(
            f"{name}: {tally.unanswered} of {tally.updates} updates unanswered within {ANSWER_TIMEOUT:.0f} s"
        )
    problems += [f"{name}: {wrong}" for wrong in tally.wrong[:3]]
    unanswered_queries = len(server.issued_callbacks) - len(server.answered_callbacks)
    if unanswered_queries:
        problems.append(f"{name}: {unanswered_queries} callback queries never answered")
    for user, done in tally.users.items():
        if server.count[user] != sum(counts[:done]):
            problems.append(f"{name}: user {user} got {server.count[user]} messages, expected {sum(counts[:done])}")
            break
        if done == len(steps) and last is not None and server.messages(user)[-1].text != last:
            problems.append(f"{name}: user {user} ended on {server.messages(user)[-1].text[:80]!r}")
            break
    return problems


def check_story(recorded: list[list[SentMessage]]) -> None:
    """The recording must really be a settlement: the agreement and the paid-in-full letter as PDFs
    (the signing step also sends the payment plan as a calendar file, which is not a letter)."""
    documents = [m.document.filename for reply in recorded for m in reply if m.document is not None]
    texts = " ".join(m.text for reply in recorded for m in reply)
    if not any(name.endswith("settlement-agreement.pdf") for name in documents) or "Settled." not in texts:
        raise SystemExit(f"the story did not reach a signed settlement; documents sent: {documents}")
    files = [m.document for reply in recorded for m in reply if m.document is not None]
    if not all(f.content.startswith(b"%PDF-") for f in files if f.filename.endswith(".pdf")):
        raise SystemExit("a letter is not a PDF")


def write_steps(recorded: list[list[SentMessage]], steps: list[Step], folder: Path) -> Path:
    """What DebtCoach sent for each step, for the baseline to send the same."""
    out: list[dict[str, Any]] = []
    for index, (step, replies) in enumerate(zip(steps, recorded, strict=True)):
        sent: list[dict[str, Any]] = []
        for number, message in enumerate(replies):
            document = None
            if message.document is not None:
                document = f"step{index:02d}-{number}.bin"
                (folder / document).write_bytes(message.document.content)
            sent.append(
                {
                    "html": message.html,
                    "buttons": message.buttons_sent,  # as sent: answering takes them off again
                    "document": document,
                    "filename": message.document.filename if message.document else None,
                }
            )
        out.append({"kind": step.kind, "text": step.text, "replies": sent})
    path = folder / "steps.json"
    path.write_text(json.dumps({"steps": out}, ensure_ascii=False, indent=1))
    return path


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    per_s: float
    p50: float
    p99: float
    achieved: float
    last_p99: float
    cpu_ms: float  # bot CPU per update, closed loop
    loop_ms: float  # of which in the event loop's thread
    bot_load: float  # bot CPU / wall, closed loop
    bench_load: float  # this process's CPU / wall, closed loop


def percentiles(values: list[float]) -> list[float]:
    return statistics.quantiles(values, n=100) if len(values) > 1 else [math.nan] * 99


def figures(closed: Run, opened: Run) -> Figures:
    c, o = closed.tally, opened.tally
    first, last = percentiles(o.first_ms), percentiles(o.last_ms)
    released = max(o.updates - 1, 1)
    return Figures(
        per_s=c.updates / (c.ended - c.began) if c.ended > c.began else 0.0,
        p50=first[49],
        p99=first[98],
        achieved=released / (o.released_until - o.began) if o.released_until > o.began else 0.0,
        last_p99=last[98],
        cpu_ms=sum(closed.bot_cpu_s) * 1000 / c.updates,
        loop_ms=closed.bot_cpu_s[0] * 1000 / c.updates,
        bot_load=sum(closed.bot_cpu_s) / closed.wall_s,
        bench_load=closed.bench_cpu_s / closed.wall_s,
    )


def table(ours: Figures, base: Figures, rate: float) -> None:
    head = (
        f"{'bot':<24}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'achieved/s':>12}"
        f"{'p99 last ms':>13}{'CPU ms/upd':>12}{'loop+threads':>14}{'bot CPU':>9}{'harness':>9}"
    )
    print(f"{'':<24}{'closed loop':>11}{f'--- open loop at {rate:g}/s offered ---':>43}{'--- closed loop ---':>44}")
    print(head)
    print("-" * len(head))
    for name, f in (("DebtCoach", ours), ("baseline (PTB example)", base)):
        print(
            f"{name:<24}{f.per_s:>11,.0f}{f.p50:>9.1f}{f.p99:>9.1f}{f.achieved:>12.1f}"
            f"{f.last_p99:>13.1f}{f.cpu_ms:>12.2f}{f'{f.loop_ms:.1f}+{f.cpu_ms - f.loop_ms:.1f}':>14}"
            f"{f.bot_load:>9.0%}{f.bench_load:>9.0%}"
        )
    print(
        f"{'DebtCoach / baseline':<24}{ours.per_s / base.per_s:>10.2f}x{ours.p50 / base.p50:>8.2f}x"
        f"{ours.p99 / base.p99:>8.2f}x{ours.achieved / base.achieved:>11.2f}x{ours.last_p99 / base.last_p99:>12.2f}x"
        f"{ours.cpu_ms / base.cpu_ms:>11.2f}x"
    )


async def bench(args: argparse.Namespace) -> int:
    pins = None if args.no_pin else cpus()
    if pins is not None:
        os.sched_setaffinity(0, {pins[0]})
    steps = story(NOW)
    print(
        f"{len(steps)} inputs per negotiation; closed loop: {args.users} users = {args.users * len(steps)} updates;"
        f" open loop: {args.rate:g}/s for {args.seconds:g} s over {args.slots} users at a time"
    )
    print(f"bot pinned to CPU {pins[1]}, users and fake server to CPU {pins[0]}" if pins else "not pinned")
    print()

    def closed(server: BenchTelegram, counts: list[int]) -> Awaitable[Tally]:
        return closed_loop(server, args.users, steps, counts)

    def opened(server: BenchTelegram, counts: list[int]) -> Awaitable[Tally]:
        return open_loop(server, args.rate, args.seconds, args.slots, steps, counts)

    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-telegram-steps-") as folder:
        ours_closed = await run(DEBTCOACH, steps, None, closed, pins, None)
        assert ours_closed.recorded is not None
        check_story(ours_closed.recorded)
        counts = [len(reply) for reply in ours_closed.recorded]
        last = ours_closed.recorded[-1][-1].text
        files = [m.document.filename for reply in ours_closed.recorded for m in reply if m.document is not None]
        letters = sum(name.endswith(".pdf") for name in files)
        print(
            f"recorded: {sum(counts)} messages ({letters} PDF letters, {len(files) - letters} other files)"
            f" per negotiation; per step {counts}\n"
        )
        base_bot = baseline(write_steps(ours_closed.recorded, steps, Path(folder)))
        base_closed = await run(base_bot, steps, counts, closed, pins, last)
        ours_open = await run(DEBTCOACH, steps, counts, opened, pins, last)
        base_open = await run(base_bot, steps, counts, opened, pins, last)
        on_postgres = None
        if args.postgres:
            drop_everything(args.postgres)  # the same people play again: they must be new there too
            postgres = dataclasses.replace(DEBTCOACH, name="DebtCoach on PostgreSQL", database_url=args.postgres)
            on_postgres = await run(postgres, steps, counts, closed, pins, last)
            drop_everything(args.postgres)
    runs = (ours_closed, base_closed, ours_open, base_open)
    for one in runs:
        problems += one.problems
    ours, base = figures(ours_closed, ours_open), figures(base_closed, base_open)
    table(ours, base, args.rate)

    updates = sum(one.tally.updates for one in runs)
    unanswered = sum(one.tally.unanswered for one in runs)
    late = {"DebtCoach": ours_open.tally.late_releases, "baseline": base_open.tally.late_releases}
    print()
    print(f"updates answered: {updates - unanswered} of {updates}; API errors and other problems: {len(problems)}")
    print(f"open loop releases that found no user ready (and went out late): {late}")
    names = ("DebtCoach closed", "baseline closed", "DebtCoach open", "baseline open")
    others = {name: one.others_s / one.wall_s for name, one in zip(names, runs, strict=True)}
    if max(others.values()) > 0.1:
        busiest = ", ".join(f"{name} {share:.0%}" for name, share in others.items())
        print(f"note: other processes used CPU during the runs (of one core: {busiest}): figures are low and noisy")
    if max(ours.bench_load, base.bench_load) > 0.9:
        print("note: the harness (users + fake server) used over 90% of its core: it may be what limits updates/s")
    print()
    verdict = {True: "met", False: "MISSED"}
    print(f"target >= {TARGET_RATE:.0f} updates/s: {verdict[ours.per_s >= TARGET_RATE]} ({ours.per_s:,.0f}/s)")
    print(
        f"target p99 < {TARGET_P99_MS:.0f} ms at {args.rate:g}/s:"
        f" {verdict[ours.p99 < TARGET_P99_MS]} ({ours.p99:.1f} ms)"
    )
    print(
        f"target no slower than the baseline: {verdict[ours.per_s >= base.per_s and ours.p99 <= base.p99]}"
        f" (updates/s {ours.per_s / base.per_s:.2f}x, p99 {ours.p99 / base.p99:.2f}x)"
    )
    print(
        f"target updates/s >= {TARGET_RATIO:g}x the baseline's: {verdict[ours.per_s >= TARGET_RATIO * base.per_s]}"
        f" ({ours.per_s / base.per_s:.2f}x)"
    )
    print(f"target p99 no higher than the baseline's: {verdict[ours.p99 <= base.p99]} ({ours.p99 / base.p99:.2f}x)")
    if on_postgres is not None:
        problems += on_postgres.problems
        pg = figures(on_postgres, ours_open).per_s
        print(
            f"target PostgreSQL >= {TARGET_POSTGRES:g}x SQLite's updates/s:"
            f" {verdict[pg >= TARGET_POSTGRES * ours.per_s]}"
            f" ({pg:,.0f}/s against {ours.per_s:,.0f}/s, {pg / ours.per_s:.2f}x)"
        )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="closed loop: users playing the story at once")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop: updates released per second")
    parser.add_argument("--seconds", type=float, default=OPEN_LOOP_SECONDS, help="open loop: how long")
    parser.add_argument("--slots", type=int, default=OPEN_LOOP_USERS, help="open loop: users at a time")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the bot and this process to a core each")
    parser.add_argument(
        "--postgres", metavar="URL", help="also run the closed loop on this PostgreSQL database (emptied first)"
    )
    args = parser.parse_args()
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
