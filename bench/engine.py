"""How fast the coach answers: the pure engine, and the engine with the store committing.

Run: `make bench` (or `.venv/bin/python bench/engine.py [--users N]`). Each simulated user plays
the whole sample negotiation of tests/support/sample.py (a $5,000 credit card, statement to
settlement, then /debts and /status). Printed in one run:

- pure engine steps: `dialogs.step` alone, in memory;
- baseline A: one bare `transitions` trigger with add/remove model, the library's floor;
- engine + store: `bot.service.handle` on a SQLite file, one transaction and commit per input;
- baseline B: raw sqlite3, one UPDATE and commit per input, same WAL settings: the floor for
  "a commit per input".

Targets (2-core machine): pure step p50 <= 0.5 ms; with the store p99 <= 5 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder is sys.path[0], where bench/telegram.py would be imported as
# `telegram`; the repository's root instead, for tests/support/ (as bench/store.py does).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import argparse  # noqa: E402
import gc  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import timedelta  # noqa: E402

from bot.service import handle  # noqa: E402
from bot.store import Store  # noqa: E402
from dialogs.engine import step  # noqa: E402
from dialogs.machine import MACHINE, Negotiation  # noqa: E402
from dialogs.state import Debt, UserState  # noqa: E402
from tests.support.crowd import START, STORY  # noqa: E402  # the sample negotiation, as inputs


def measure(run_one: Callable[[int, int], None], users: int) -> list[float]:
    """Milliseconds per input, user after user, input after input."""
    timings: list[float] = []
    gc.collect()
    for user in range(users):
        for index in range(len(STORY)):
            began = time.perf_counter_ns()
            run_one(user, index)
            timings.append((time.perf_counter_ns() - began) / 1e6)
    return timings


def report(name: str, timings: list[float], baseline: list[float] | None = None) -> dict[str, float]:
    cuts = statistics.quantiles(timings, n=100)
    figures = {
        "per_s": len(timings) / (sum(timings) / 1000),
        "p50": cuts[49],
        "p99": cuts[98],
    }
    line = f"{name:<38} {figures['per_s']:>9,.0f}/s   p50 {figures['p50']:7.3f} ms   p99 {figures['p99']:7.3f} ms"
    if baseline is not None:
        base = statistics.quantiles(baseline, n=100)
        line += f"   ({figures['p50'] / base[49]:.1f}x / {figures['p99'] / base[98]:.1f}x baseline p50/p99)"
    print(line)
    return figures


def pure_engine(users: int) -> list[float]:
    states = [UserState() for _ in range(users)]

    def run_one(user: int, index: int) -> None:
        states[user] = step(states[user], STORY[index], START + timedelta(seconds=index)).state

    return measure(run_one, users)


def bare_transitions(users: int) -> list[float]:
    debt = Debt(seq=1)
    user_state = UserState(debts=[debt], active=1)

    def run_one(user: int, index: int) -> None:
        model = Negotiation(user_state, debt)
        MACHINE.add_model(model, initial="creditor")
        model.trigger("answer")  # type: ignore[attr-defined]
        MACHINE.remove_model(model)

    return measure(run_one, users)


def engine_with_store(users: int, folder: Path) -> list[float]:
    store = Store(f"sqlite:///{folder / 'bench.sqlite3'}")

    def run_one(user: int, index: int) -> None:
        handle(store, "bench", str(user), STORY[index], START + timedelta(seconds=index), input_key=f"{user}:{index}")

    try:
        return measure(run_one, users)
    finally:
        store.close()


def raw_sqlite_commits(users: int, folder: Path) -> list[float]:
    connection = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE state (user INTEGER PRIMARY KEY, step INTEGER, body TEXT)")
    connection.executemany("INSERT INTO state VALUES (?, 0, '')", [(u,) for u in range(users)])

    def run_one(user: int, index: int) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE state SET step = ?, body = ? WHERE user = ?", (index, "x" * 2000, user))
        connection.execute("COMMIT")

    try:
        return measure(run_one, users)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated users, each playing the whole story")
    args = parser.parse_args()
    inputs = args.users * len(STORY)
    print(f"{args.users} users x {len(STORY)} inputs = {inputs} inputs per measurement\n")
    pure_engine(5)  # warm up templates, parsers and caches
    base_a = bare_transitions(args.users)
    report("baseline A: bare transitions trigger", base_a)
    pure = report("pure engine step", pure_engine(args.users), base_a)
    with tempfile.TemporaryDirectory() as folder:
        base_b = raw_sqlite_commits(args.users, Path(folder))
        report("baseline B: raw sqlite3 commit", base_b)
        stored = report("engine + store (SQLite, commit/input)", engine_with_store(args.users, Path(folder)), base_b)
    print()
    print(f"target pure p50 <= 0.5 ms: {'met' if pure['p50'] <= 0.5 else 'MISSED'} ({pure['p50']:.3f} ms)")
    print(f"target store p99 <= 5 ms: {'met' if stored['p99'] <= 5 else 'MISSED'} ({stored['p99']:.3f} ms)")


if __name__ == "__main__":
    main()
