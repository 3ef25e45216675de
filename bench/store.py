"""What the store costs per person: database bytes, and statements per update, per backend.

Run: `.venv/bin/python bench/store.py [--users N] [--postgres URL]`. Each simulated person plays
the whole sample negotiation of tests/support/crowd.py (statement to settlement, 33 inputs) through
`bot.service.handle`, one transaction per input, as the bot does. Printed per backend:

- statements per update: every statement the driver executed (BEGIN and COMMIT excluded),
  counted with SQLAlchemy's `before_cursor_execute` event, divided by the inputs;
- updates per second over the whole run;
- database bytes per person: on SQLite the bytes of content each table and index holds (the
  `dbstat` table's payload), on PostgreSQL each relation's size in pages with its TOAST and
  indexes after a VACUUM FULL (so a few pages per table whatever the number of people),
  divided by the people, broken down by table: right after the negotiation, and again once the
  bot's own prune of processed-input keys (bot/telegram/app.py) has run at the negotiation's
  end + KEEP_PROCESSED, when only the last input's key is left of each person's.

The people and their inputs are tests/support/crowd.py's, which tests/bot/test_store_size.py
holds to issue 11's budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder is sys.path[0], where bench/telegram.py would be imported as
# `telegram` (tests/support/crowd.py reads the bot's prune interval from bot/telegram/app.py);
# the repository's root instead, for tests/support/.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import event, text  # noqa: E402

from bot.store import Store  # noqa: E402
from tests.support import crowd  # noqa: E402
from tests.support.backends import drop_everything  # noqa: E402

STORY = crowd.STORY


def play(store: Store, users: range) -> float:
    """Every person of `users` through the whole story; returns the seconds it took."""
    began = time.perf_counter()
    crowd.play(store, "bench", users)
    return time.perf_counter() - began


def statements_per_update(store: Store, users: range) -> float:
    """Counted on a few people of their own: listening to every statement slows each one."""
    statements = 0

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal statements
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements += 1

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        play(store, users)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return statements / (len(users) * len(STORY))


def postgres_sizes(store: Store) -> Counter[str]:
    query = text(
        "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
    )
    # Each UPDATE leaves the old version of the row behind until a vacuum: measure what is live.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM FULL"))
        rows = conn.execute(query).all()
    return Counter({name: int(size) for name, size in rows})


def report(name: str, store: Store, users: int, sizes: Callable[[Store], Counter[str]]) -> None:
    per_second = users * len(STORY) / play(store, range(users))
    per_update = statements_per_update(store, range(users, users + 5))
    users += 5
    print(f"{name}: {per_update:.1f} statements per update, {per_second:,.0f} updates/s")
    print_sizes("right after the negotiation", sizes(store), users)
    crowd.prune_as_the_bot_does(store, crowd.PRUNED_AT)
    print_sizes(f"after the bot's prune {(crowd.PRUNED_AT - crowd.END).days} days on", sizes(store), users)


def print_sizes(when: str, found: Counter[str], users: int) -> None:
    total = sum(found.values())
    print(f"  database bytes per person {when}: {total / users:,.0f} ({total / users / 1024:.1f} KiB)")
    for table, size in found.most_common():
        if size:
            print(f"    {table:<40} {size / users:>8,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL (emptied first and after)")
    args = parser.parse_args()
    print(f"{args.users} people x {len(STORY)} inputs\n")
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            report("SQLite", store, args.users, crowd.sqlite_payload)
        finally:
            store.close()
    if args.postgres:
        drop_everything(args.postgres)
        store = Store(args.postgres)
        try:
            report("PostgreSQL", store, args.users, postgres_sizes)
        finally:
            store.close()
            drop_everything(args.postgres)


if __name__ == "__main__":
    main()
