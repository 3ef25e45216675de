"""Whose data is whose, on disk and in the database, through the real `debtcoach chat`.

A `--user` name is whatever someone typed on a command line, so it must never become a path or
merge with another name; `/delete` erases exactly one person, leaves none of their words in the
database file, and every file the coach writes is its owner's alone, whatever the umask.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from bot.models import Base
from bot.store import Store
from dialogs.money import Money
from dialogs.state import Debt, UserState
from tests.support.console_process import NOW, chat
from tests.support.sample import SAMPLE, console_lines

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`

# Every name here must get a folder of its own, inside the files folder, and an identity of its own.
HOSTILE_NAMES = ["..", ".", "/", "a/b", "a b", "a_b", "x" * 300, "國泰", "²", "2", "A", "a", "../../etc", "-"]
SAVED_PATH = re.compile(r"^\s+(/\S+\.(?:txt|pdf|json|ics))$", re.MULTILINE)


def saved_paths(out: str) -> list[Path]:
    return [Path(p) for p in SAVED_PATH.findall(out)]


def exported(out: str) -> tuple[Path, dict[str, object]]:
    (path,) = [p for p in saved_paths(out) if p.suffix == ".json"]
    return path, json.loads(path.read_text())


def up_to_the_offer(creditor: str, hardship: str) -> list[str]:
    """A negotiation as far as the drafted offer letter, with its own creditor and hardship."""
    between = console_lines(SAMPLE.part(after="creditor named", until="goals chosen"))
    # The letter's details, the person's name and address among them, then the letter.
    details = console_lines(SAMPLE.part(after="hardship given", until="offer drafted"))
    return [creditor, *between, hardship, *details]


def test_every_name_gets_a_folder_and_an_identity_of_its_own(tmp_path: Path) -> None:
    files = tmp_path / "files"
    found: dict[str, tuple[Path, str]] = {}

    def open_as(name: str) -> None:
        creditor = f"Creditor number {len(found)}"
        path, document = exported(chat(tmp_path, [creditor, "/export"], user=name).stdout)
        assert path.parent.parent == files, (name, path)  # a folder directly inside files/, never above
        assert path.resolve().is_relative_to(files.resolve())
        dumped = json.dumps(document)
        assert creditor in dumped, name
        assert [c for c in re.findall(r"Creditor number \d+", dumped) if c != creditor] == [], name
        user = document["user"]
        assert isinstance(user, dict)
        found[name] = (path.parent, user["external_id"])

    for name in HOSTILE_NAMES:
        open_as(name)
    # Names spelled like another name's folder, or like another's identity in the database.
    open_as(found["a"][0].name)
    open_as(found["x" * 300][1])

    folders = [folder for folder, _ in found.values()]
    identities = [identity for _, identity in found.values()]
    assert len({f.name.casefold() for f in folders}) == len(found), "two names share a folder"
    assert len(set(identities)) == len(found), "two names share an identity"
    assert all(len(identity) <= 255 for identity in identities)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["debtcoach.sqlite3", "files"]
    assert sorted(files.iterdir()) == sorted(folders)
    # Readable where that is safe; a plain name stays the identity it always was.
    assert found["a b"][0].name.startswith("a-b-")
    assert found["國泰"][0].name.startswith("person-")
    assert found["a"][1] == "a" and found["a b"][1] == "a b"
    # The same name is the same person next time.
    again = chat(tmp_path, ["/status"], user="x" * 300).stdout
    assert "Creditor number 6" in again


def _other_channel_rows(store: Store) -> None:
    """Someone on Telegram, written through the store, with a row in every table that has one:
    their debt, letter, reminder, a message waiting in the outbox, a keyboard still shown."""
    debt = Debt(seq=1, creditor="Telegram Tom's Bank", balance=Money.of("777.77", "USD"), hardship="Tom's words")
    with store.user("telegram", "1001") as tom:
        tom.claim("update:5", NOW)
        tom.save(UserState(welcomed=True, currency="USD", debts=[debt], active=1), NOW)
        tom.record_letter(1, "offer", "Offer", "Tom's letter", NOW)

        def outbox_and_keyboard(conn: Connection) -> None:
            conn.execute(
                text(
                    "INSERT INTO outbox (channel, external_id, kind, payload, created_at)"
                    " VALUES ('telegram', '1001', 'message', '{}', :at)"
                ),
                {"at": NOW},
            )
            conn.execute(text("INSERT INTO keyboards VALUES ('telegram', '1001', 42)"))
            conn.execute(
                text(
                    "INSERT INTO inbox (channel, update_id, payload, received_at)"
                    " VALUES ('telegram', 77, '{\"update_id\": 77}', :at)"
                ),
                {"at": NOW},
            )

        tom.write_alongside(outbox_and_keyboard)


def _leftovers_for(store: Store, channel: str, external_id: str) -> None:
    """What a channel writes for a person: the outbox, keyboards and a send slot, by channel id."""
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox (channel, external_id, kind, payload, created_at)"
                " VALUES (:c, :e, 'message', '{}', :at)"
            ),
            {"c": channel, "e": external_id, "at": NOW},
        )
        conn.execute(text("INSERT INTO keyboards VALUES (:c, :e, 7)"), {"c": channel, "e": external_id})
        conn.execute(text("INSERT INTO send_slots VALUES (:c || ':' || :e, 1.5)"), {"c": channel, "e": external_id})


# Where each table's rows say whose they are; a table that names no one is listed with None.
OWNED_BY = {
    "users": "id IN ({uid})",
    "letters": "user_id IN ({uid})",
    "reminders": "user_id IN ({uid})",
    "outbox": "channel = 'console' AND external_id = :who",
    "keyboards": "channel = 'console' AND external_id = :who",
    "processed_inputs": None,  # a channel's keys, naming no one
    "inbox": None,  # Telegram updates on their way in
    "send_slots": "key = 'console:' || :who",  # a chat's next moment to be sent to (a service's)
    "alembic_version": None,
}


def _rows(store: Store) -> dict[str, set[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return {table: {tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}"))} for table in OWNED_BY}


def _rows_of(store: Store, external_id: str) -> dict[str, set[tuple[object, ...]]]:
    uid = "SELECT id FROM users WHERE channel = 'console' AND external_id = :who"
    found: dict[str, set[tuple[object, ...]]] = {}
    with store.engine.connect() as conn:
        for table, where in OWNED_BY.items():
            if where is not None:
                sql = f"SELECT * FROM {table} WHERE " + where.format(uid=uid)
                found[table] = {tuple(r) for r in conn.execute(text(sql), {"who": external_id})}
    return found


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("deleter", ["alice", "..", "."])
def test_delete_erases_exactly_that_persons_rows_and_files(tmp_path: Path, deleter: str) -> None:
    chat(tmp_path, [*up_to_the_offer("Bob's Bank", "Bob's hardship"), "/export"], user="bob")
    out = chat(tmp_path, [*up_to_the_offer("Alice's Bank", "Alice's hardship"), "/export"], user=deleter).stdout
    alice_folder = exported(out)[0].parent
    store = Store(f"sqlite:///{tmp_path / 'debtcoach.sqlite3'}")
    try:
        _other_channel_rows(store)
        _leftovers_for(store, "console", deleter)
        _leftovers_for(store, "console", "bob")
        _leftovers_for(store, "telegram", deleter)  # the same id on another channel is someone else
        assert set(OWNED_BY) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
        before, files_before = _rows(store), _files(tmp_path / "files")
        hers = _rows_of(store, deleter)
        assert all(hers[table] for table in ("users", "letters", "outbox", "keyboards"))
        assert any(path.startswith(alice_folder.name) for path in files_before)

        gone = chat(tmp_path, ["/delete", "1"], user=deleter).stdout
        assert "Everything I stored about you is erased" in gone

        after = _rows(store)
        for table, rows in before.items():
            assert after[table] == rows - hers.get(table, set()), table
        assert not alice_folder.exists()
        assert _files(tmp_path / "files") == {
            path: content for path, content in files_before.items() if not path.startswith(alice_folder.name + "/")
        }
        assert (tmp_path / "debtcoach.sqlite3").is_file()
    finally:
        store.close()
    bob = chat(tmp_path, ["/status"], user="bob").stdout
    assert "Debt #1: Bob's Bank" in bob


def test_an_erased_persons_words_are_not_left_in_the_database_file(tmp_path: Path) -> None:
    creditor, hardship = "Quixotic Zebra Lending", "my ferret ate the rent money"
    kept = "Staying Ocelot Credit"
    files = [tmp_path / f"debtcoach.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")]

    def stored() -> bytes:
        # Read by another process: closing a file this process reads would drop the POSIX
        # locks the open store below holds on it, and SQLite would take it for gone.
        read = (
            "import sys, pathlib; sys.stdout.buffer.write(b''.join(pathlib.Path(p).read_bytes() for p in sys.argv[1:]))"
        )
        existing = [str(path) for path in files if path.exists()]
        return subprocess.run([sys.executable, "-c", read, *existing], capture_output=True, check=True).stdout

    def pieces(values: list[bytes]) -> set[bytes]:
        """Every 32 bytes of what is stored, compressed: the file holds none of them by chance."""
        return {value[i : i + 32] for value in values for i in range(0, len(value) - 31, 16)}

    def stored_of(conn: Connection, name: str) -> list[bytes]:
        """Their document and letters, as the database keeps them."""
        sql = (
            "SELECT document FROM users WHERE channel = 'console' AND external_id = :name UNION ALL"
            " SELECT body FROM letters JOIN users ON users.id = letters.user_id"
            " WHERE channel = 'console' AND external_id = :name"
        )
        return [bytes(value) for (value,) in conn.execute(text(sql), {"name": name})]

    # Another process has the file open all along, as a running bot would: its connection
    # keeps SQLite's log in place after each console session ends.
    running = Store(f"sqlite:///{files[0]}")
    try:
        chat(tmp_path, [kept, "/status"], user="bob")
        chat(tmp_path, up_to_the_offer(creditor, hardship), user="alice")
        with running.engine.connect() as conn:
            hers, his = stored_of(conn, "alice"), stored_of(conn, "bob")
        assert any(hardship in zlib.decompress(value).decode() for value in hers), "her letter is there"
        written = stored()
        assert all(p in written for p in pieces(hers)), "where a grep of the file finds it"
        chat(tmp_path, ["/delete", "1"], user="alice")
        written = stored()
        assert not [p for p in pieces(hers) if p in written]
        # Her letters' details go too: her name and addresses.
        for words in (creditor, hardship, "Quixotic", "ferret", "Alex Rivera", "Elm St", "30285"):
            assert words.encode() not in written, words
        assert all(p in written for p in pieces(his)), "the other person's are kept"
    finally:
        running.close()
    written = stored()
    assert not [p for p in pieces(hers) if p in written]
    assert b"Quixotic" not in written and b"ferret" not in written


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _everything_under(home: Path) -> Iterator[Path]:
    yield home
    yield from home.rglob("*")


def test_every_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "home"
    tmp_path.chmod(0o755)
    signed = console_lines(SAMPLE.part(until="agreement signed"))
    out = chat(home, [*signed, "/calendar", "/export"], umask=0o000).stdout
    written = saved_paths(out)
    assert {p.suffix for p in written} == {".txt", ".pdf", ".ics", ".json"}
    assert (home / "debtcoach.sqlite3").is_file()
    for path in _everything_under(home):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    assert _mode(tmp_path) == 0o755, "nothing outside the data folder is changed"

    # Folders and a database made loose by something else are tightened on the next start.
    for path in _everything_under(home):
        path.chmod(0o777 if path.is_dir() else 0o666)
    again = chat(home, ["/export"], umask=0o000).stdout
    (export,) = saved_paths(again)
    for path in (home, home / "files", export.parent, export, home / "debtcoach.sqlite3"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    assert _mode(tmp_path) == 0o755


def test_delete_does_not_follow_a_folder_replaced_by_a_link_and_says_so(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    folder, _ = exported(chat(home, ["Zenith Credit", "/export"], user="alice").stdout)
    folder = folder.parent
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)

    out = chat(home, ["/delete", "1"], user="alice").stdout
    assert "Everything I stored about you is erased" in out
    assert f"I could not remove everything in {folder}: please delete it yourself." in out
    assert (elsewhere / "debtcoach-export.json").is_file(), "nothing outside the data folder is deleted"
    assert "Zenith Credit" not in chat(home, ["/status"], user="alice").stdout


def test_the_bot_tightens_the_same_data_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o777)
    env = {**os.environ, "DEBTCOACH_HOME": str(home)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "TELEGRAM_BOT_TOKEN" in done.stderr  # no token: it stops there
    assert _mode(home) == 0o700


def test_letters_an_earlier_version_kept_under_the_plain_name_are_the_persons_and_erased_with_them(
    tmp_path: Path,
) -> None:
    legacy = tmp_path / "files" / "alice"
    legacy.mkdir(parents=True)
    (legacy / "debt1-offer-letter.txt").write_text("I offer $1,000 to Capital One.")
    (tmp_path / "files" / "a_b").mkdir()  # was shared by "a b" and "a_b": nobody's alone
    chat(tmp_path, ["/status"], user="alice")
    assert not legacy.exists()
    [adopted] = [p for p in (tmp_path / "files").iterdir() if p.name.startswith("alice-")]
    assert (adopted / "debt1-offer-letter.txt").read_text() == "I offer $1,000 to Capital One."
    out = chat(tmp_path, ["/delete", "1"], user="alice").stdout
    assert "Everything I stored about you is erased" in out
    assert not adopted.exists()
    chat(tmp_path, ["/status"], user="a b")
    assert (tmp_path / "files" / "a_b").is_dir()
