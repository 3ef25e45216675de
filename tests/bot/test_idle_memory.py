"""A `debtcoach run` that waits for messages stays small: one bot per small VPS, or many per host.

The figure is the resident set of the real process, polling the fake Bot API after answering one
person: on the start that creates the database, and on a restart. Libraries needed only for a
letter (fpdf2) or a calendar file (icalendar) are imported when first used, and a schema change
(alembic) runs in a child process that exits.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.telegram_helpers import FIXED_NOW

IDLE_RSS_LIMIT_MIB = 90


def _polls(server: FakeTelegram) -> int:
    return sum(1 for method, _ in server.calls if method.lower() == "getupdates")


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    assert match is not None, status
    return int(match.group(1)) / 1024


async def _run_until_idle(server: FakeTelegram, home: Path) -> float:
    """Start `debtcoach run`, let it answer one /start, wait until it is long-polling again, read
    its VmRSS and stop it."""
    env = {**os.environ, "TELEGRAM_API_URL": server.url, "DEBTCOACH_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env["DEBTCOACH_NOW"] = FIXED_NOW.isoformat()
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    env.pop("DATABASE_URL", None)
    log = home / "bot.log"
    polls, answered = _polls(server), len(server.messages(1))
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env, stderr=stderr)
    try:
        await server.wait_for(lambda: process.returncode is not None or _polls(server) > polls, timeout=60)
        server.user_says(1, "/start")
        # The poll under way brings /start; the next one begins once it is handled, and waits.
        await server.wait_for(lambda: process.returncode is not None or _polls(server) > polls + 1, timeout=60)
        assert process.returncode is None, log.read_text()
        await server.wait_messages(1, answered + 1, timeout=30)
        return _rss_mib(process.pid)
    finally:
        if process.returncode is None:  # killed: only the figure was wanted, and a clean stop waits out the long poll
            process.kill()
            await process.wait()


async def test_the_waiting_bot_stays_under_90_mib(server: FakeTelegram, tmp_path: Path) -> None:
    first = await _run_until_idle(server, tmp_path)  # the database is created (migrated) first
    again = await _run_until_idle(server, tmp_path)
    print(f"idle RSS of debtcoach run: {first:.1f} MiB on a new database, {again:.1f} MiB on restart")
    assert max(first, again) < IDLE_RSS_LIMIT_MIB, f"{first:.1f} MiB, {again:.1f} MiB"
