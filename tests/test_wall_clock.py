"""Time is an input: nothing in bot/ or dialogs/ reads the wall clock except bot/clock.py, so a
clock set with DEBTCOACH_NOW is the time everywhere (stored times included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THE_CLOCK = ROOT / "bot" / "clock.py"
# Calls that read the wall clock (time.monotonic and perf_counter measure intervals, not dates).
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "ctime"),
    ("time", "asctime"),
    ("time", "strftime"),
}
SQL_CLOCK = ("now()", "current_timestamp", "current_date", "localtimestamp")


def _reads(path: Path) -> list[str]:
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in WALL_CLOCK:
                found.append(f"{where}:{node.lineno}: {name}.{node.func.attr}()")
        if isinstance(node, ast.Attribute) and node.attr in ("now", "current_timestamp") and _is_func(node.value):
            found.append(f"{where}:{node.lineno}: func.{node.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            found += [f"{where}:{node.lineno}: {sql}" for sql in SQL_CLOCK if sql in text]
    return found


def _is_func(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "func"


def test_only_the_clock_reads_the_wall_clock() -> None:
    sources = sorted({*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("dialogs").rglob("*.py")} - {THE_CLOCK})
    assert len(sources) > 20
    assert [read for path in sources for read in _reads(path)] == []


def test_the_check_finds_a_wall_clock_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime, time\nfrom sqlalchemy import func\n"
        "a = datetime.datetime.now()\nb = time.time()\nc = func.now()\nd = 'DEFAULT CURRENT_TIMESTAMP'\n"
    )
    assert len(_reads(sample)) == 4
