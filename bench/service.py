"""How a service of many processes scales: the webhook and 1, 2 and 4 workers on PostgreSQL,
against the embedded `debtcoach run` on SQLite, in the same run, on the same machine.

Run: `.venv/bin/python bench/service.py --postgres URL [--users N] [--workers 1,2,4]`. The
database at URL is emptied before each configuration and after the last. Every process is the
real one (`debtcoach run`, `debtcoach webhook`, `debtcoach worker`), talking HTTP to the fake
Bot API (tests/support/fake_telegram.py), served from this process with the simulated users;
with a webhook the fake posts each update to it as Telegram does (one chat at a time, 40 posts
at once).

N users (default 40) each type the sample negotiation from /start to the budget (11 updates:
tests/support/sample.py), one after the other, each waiting for the whole answer to the last
(the answers' sizes are learnt from a warm-up user on the embedded bot). Printed for each
configuration:

- updates/s: all updates divided by the time from the first to the last answer;
- p50/p99 latency from the update's release on the fake server (for a webhook, before its post)
  to the first message of its answer;
- CPU seconds per update of each kind of process (bot, webhook, workers, PostgreSQL, this
  harness), from /proc, and how busy the machine's cores were.

Targets (issue 14): throughput grows with workers until the cores are saturated, two workers at
least 1.3x one. On a 2-core machine the database, the fake server and the harness share the
cores with the workers, so the CPU per update says where the limit is.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import partial  # noqa: E402

from tests.support.backends import drop_everything  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeTelegram  # noqa: E402
from tests.support.sample import SAMPLE  # noqa: E402
from tests.support.service import (  # noqa: E402
    Service,
    ServiceProcess,
)

TYPED = ["/start", *(move.text for move in SAMPLE.part(until="budget set") if move.kind != "command")]
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]  # kind of process -> CPU seconds
    busy: float  # share of all cores in use

    def line(self) -> str:
        rate = self.updates / self.seconds
        p50, p99 = (statistics.quantiles(self.latencies, n=100)[i] * 1000 for i in (49, 98))
        per = ", ".join(f"{kind} {seconds / self.updates * 1000:.1f}" for kind, seconds in self.cpu.items())
        return (
            f"{self.name:<22} {rate:7.1f} updates/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms"
            f"  CPU ms/update: {per}  cores busy {self.busy:.0%}"
        )


def cpu_of(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def machine_busy() -> tuple[float, float]:
    jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]
    return float(sum(jiffies) - idle), float(sum(jiffies))


def _has(server: FakeTelegram, chat: int, count: int) -> bool:
    return len(server.messages(chat)) >= count


async def play(server: FakeTelegram, user_id: int, sizes: list[int], latencies: list[float]) -> None:
    """One user typing the story, each update after the whole answer to the last."""
    for line, size in zip(TYPED, sizes, strict=True):
        before = len(server.messages(user_id))
        released = time.monotonic()
        server.user_says(user_id, line)
        answered = partial(_has, server, user_id, before + size)
        await server.wait_for(answered, timeout=60, what="an answer")
        latencies.append(server.messages(user_id)[before].sent_at - released)


async def learn_sizes(server: FakeTelegram) -> list[int]:
    sizes = []
    for line in TYPED:
        before = len(server.messages(1))
        server.user_says(1, line)
        await server.wait_for(partial(_has, server, 1, before + 1), timeout=30, what="the warm-up")
        await asyncio.sleep(0.3)
        sizes.append(len(server.messages(1)) - before)
    return sizes


async def measure(name: str, server: FakeTelegram, users: int, sizes: list[int], pids: dict[str, list[int]]) -> Result:
    latencies: list[float] = []
    pids = {**pids, "postgres": postgres_pids(), "harness": [os.getpid()]}
    before = {kind: cpu_of(found) for kind, found in pids.items()}
    busy_before = machine_busy()
    started = time.monotonic()
    await asyncio.gather(*(play(server, 10_000 + n, sizes, latencies) for n in range(users)))
    seconds = time.monotonic() - started
    busy_after = machine_busy()
    cpu = {kind: cpu_of(found) - before[kind] for kind, found in pids.items()}
    busy = (busy_after[0] - busy_before[0]) / max(busy_after[1] - busy_before[1], 1.0)
    return Result(name, users * len(TYPED), seconds, latencies, cpu, busy)


async def embedded(users: int) -> tuple[Result, list[int]]:
    with tempfile.TemporaryDirectory() as home:
        async with FakeTelegram() as server:
            env = {**os.environ, "TELEGRAM_API_URL": server.url, "TELEGRAM_BOT_TOKEN": TOKEN, "DEBTCOACH_HOME": home}
            env.pop("DATABASE_URL", None)
            bot = ServiceProcess("run", env, Path(home) / "bot.log")
            await bot.start(server, "DebtCoach is running")
            try:
                sizes = await learn_sizes(server)
                assert bot.process is not None
                return await measure("embedded (SQLite)", server, users, sizes, {"bot": [bot.process.pid]}), sizes
            finally:
                await bot.stop()


async def service(postgres: str, workers: int, users: int, sizes: list[int]) -> Result:
    drop_everything(postgres)
    with tempfile.TemporaryDirectory() as home:
        async with FakeTelegram() as server:
            running = Service(server, Path(home), postgres)
            try:
                await running.start(workers=workers)
                for _ in range(2):  # warm-up: every worker's first jobs
                    await play(server, 2, sizes, [])
                    await asyncio.sleep(0.2)
                pids = {
                    "webhook": [p.process.pid for p in [running.webhook] if p.process],
                    "workers": [p.process.pid for p in running.workers if p.process],
                }
                name = f"{workers} worker{'s' if workers > 1 else ''} (PostgreSQL)"
                return await measure(name, server, users, sizes, pids)
            finally:
                await running.stop()
                await running.kill_all()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--postgres", required=True, help="a scratch PostgreSQL database's SQLAlchemy URL (emptied)")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    print(f"{args.users} users x {len(TYPED)} updates, {os.cpu_count()} cores", flush=True)
    baseline, sizes = await embedded(args.users)
    print(baseline.line(), flush=True)
    results = []
    for workers in (int(n) for n in args.workers.split(",")):
        result = await service(args.postgres, workers, args.users, sizes)
        results.append(result)
        print(result.line(), flush=True)
    drop_everything(args.postgres)
    one = results[0].updates / results[0].seconds
    for result in results[1:]:
        print(f"{result.name}: {result.updates / result.seconds / one:.2f}x one worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
