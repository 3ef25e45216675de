"""Whatever reaches `debtcoach chat` (digits of other scripts, bytes that are not text, control
characters, a name from argv that is not UTF-8) gets a kind answer or is read as meant, never a
traceback, and the session goes on. Through the real process, with real bytes on its stdin."""

from __future__ import annotations

import json
import random
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.backends import BACKENDS, scratch_postgres
from tests.support.console_process import chat

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`

NOT_A_KIND = "I didn't recognize that kind of debt."
NOT_AN_AMOUNT = "I couldn't read an amount there."


def typed(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None: the console's own SQLite file; PostgreSQL, which refuses NUL in text, when
    DEBTCOACH_TEST_POSTGRES_URL names a scratch database (emptied before and after)."""
    if request.param == "sqlite":
        yield None
        return
    with scratch_postgres() as url:
        yield url


def test_digits_of_other_scripts_get_a_kind_answer_or_count(tmp_path: Path) -> None:
    out = chat(
        tmp_path,
        ["Capital One", "²", "①", "١", "²", "$5,000", "/reminders", "①", "²", "/status"],
    ).stdout
    # "²" and "①" are not choice numbers: the kind question says what it wants, twice.
    assert out.count(NOT_A_KIND) == 2
    # "١" is the Arabic-Indic 1: choice 1, a credit card; "²" is not an amount.
    assert "How much do you owe Capital One now?" in out
    assert out.count(NOT_AN_AMOUNT) == 1
    assert "Debt #1: Capital One, $5,000" in out
    assert out.rstrip().endswith("pick up where you left off.")


def test_bytes_that_are_not_text_never_reach_the_store(tmp_path: Path, database_url: str | None) -> None:
    garbage = random.Random(10).randbytes(300).replace(b"\n", b"").replace(b"\r", b"")
    session = chat(
        tmp_path,
        typed(
            b"Capital\x00One",  # a NUL, which PostgreSQL refuses in text
            b"\xff\xfe\x00\x01 \x1b\x7f\xc3",  # not UTF-8, an escape, no digit: the kind question again
            garbage,
            b"1",
            b"\x00$5,000\x00",
            b"yes\x08",
            b"/status",
        ),
        database_url=database_url,
    )
    out = session.stdout
    assert out.count(NOT_A_KIND) == 2
    assert "Debt #1: Capital One, $5,000" in out
    assert "\x1b" not in out and "\x00" not in out
    assert out.rstrip().endswith("pick up where you left off.")
    again = chat(tmp_path, ["/status"], database_url=database_url).stdout
    assert "Welcome back. We were working on Capital One." in again
    if database_url is None:
        with sqlite3.connect(tmp_path / "debtcoach.sqlite3") as conn:
            [(document,)] = conn.execute("SELECT document FROM users").fetchall()
        assert [debt["creditor"] for debt in json.loads(zlib.decompress(document))["state"]["debts"]] == ["Capital One"]


def test_a_300_character_name_is_a_person_who_comes_back(tmp_path: Path) -> None:
    name = "n" * 300
    first = chat(tmp_path, ["Zenith Credit", "/status"], user=name).stdout
    assert "Debt #1: Zenith Credit" in first
    again = chat(tmp_path, ["/status"], user=name).stdout
    assert "Welcome back. We were working on Zenith Credit." in again
    other = chat(tmp_path, ["/status"], user="n" * 299).stdout
    assert "Zenith Credit" not in other


def test_a_name_argv_could_not_decode_is_a_person_too(tmp_path: Path) -> None:
    first = chat(tmp_path, ["Café Crédit", "/status"], user=b"caf\xe9").stdout
    assert "Debt #1: Café Crédit" in first
    again = chat(tmp_path, ["/status"], user=b"caf\xe9").stdout
    assert "Welcome back. We were working on Café Crédit." in again
    # Its folder is readable from what could be read of the name, and inside the files folder.
    out = chat(tmp_path, ["/export"], user=b"caf\xe9").stdout
    (folder,) = (tmp_path / "files").iterdir()
    assert folder.name.startswith("caf-") and str(folder) in out
    assert "Café Crédit" not in chat(tmp_path, ["/status"], user="caf").stdout
