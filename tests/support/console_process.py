"""The real `debtcoach chat` process, as the console tests run it: the data folder in the test's
tmp_path, the tests' clock held still, input piped in (text, or raw bytes for what a terminal
can send that is not text), and nothing on stderr that looks like a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.support.clock import clock_now, expand, today_of

NOW = clock_now()
TODAY = today_of(NOW)


@dataclass(frozen=True)
class Session:
    stdout: str
    stderr: str


def chat(
    home: Path,
    lines: list[str] | bytes,
    *,
    user: str | bytes = "tester",
    umask: int = -1,
    database_url: str | None = None,
    now: datetime = NOW,
    lang: str = "C.UTF-8",
) -> Session:
    """`lines` are typed one a line, `{date:...}` expanded from the tests' clock; bytes go in as
    they are. `user` as bytes reaches the process's argv undecoded. `umask` -1: the test's own.
    `now`: the moment the console's clock is held at (the tests' clock unless told). `lang`: the
    terminal's LANG, which starts someone new in its language (none, unless told)."""
    env = {**os.environ, "DEBTCOACH_HOME": str(home), "DEBTCOACH_NOW": now.isoformat(), "DEBTCOACH_CLOCK": "frozen"}
    env.pop("DATABASE_URL", None)
    for name in ("LC_ALL", "LC_MESSAGES"):
        env.pop(name, None)
    env["LANG"] = lang
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    given = lines if isinstance(lines, bytes) else ("\n".join(expand(line, TODAY) for line in lines) + "\n").encode()
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"bot.cli", b"chat", b"--user", os.fsencode(user)],
        input=given,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
        umask=umask,
    )
    stdout, stderr = done.stdout.decode(), done.stderr.decode(errors="replace")
    assert done.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    return Session(stdout, stderr)
