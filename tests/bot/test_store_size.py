"""What a person costs the database (issue 11): under 4 KiB for someone who went through the
whole sample negotiation, once the bot's own prune has forgotten the keys of their updates that
Telegram can no longer deliver again. Measured as bench/store.py measures it, on a real SQLite
file: the bytes of content of every table and index (dbstat's payload), per person."""

from __future__ import annotations

from pathlib import Path

from bot.store import Store
from tests.support import crowd

PEOPLE = 30


def test_a_person_who_settled_costs_under_4_kib_of_database_once_old_keys_are_pruned(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    try:
        crowd.play(store, "telegram", range(PEOPLE))
        right_after = crowd.sqlite_payload(store)
        crowd.prune_as_the_bot_does(store, crowd.PRUNED_AT)
        pruned = crowd.sqlite_payload(store)
        last, earlier = f"{PEOPLE - 1}:{len(crowd.STORY) - 1}", f"{PEOPLE - 1}:0"
        with store.user("telegram", str(PEOPLE - 1)) as person:
            settled = person.load().active_debt
            assert not person.claim(last, crowd.PRUNED_AT), "the last update, still recognised"
            assert person.claim(earlier, crowd.PRUNED_AT), "a week-old one, forgotten"
    finally:
        store.close()
    assert settled is not None and settled.state == "settled"
    assert sum(pruned.values()) < sum(right_after.values())
    assert sum(pruned.values()) / PEOPLE < 4096, {table: size // PEOPLE for table, size in pruned.items()}
