"""The coach stays pure: dialogs/ imports nothing from Telegram, the database, or the shell. The
benches lean on the tests' support package only, and that package on no test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"
FORBIDDEN = ("telegram", "sqlalchemy", "alembic", "bot", "sqlite3", "aiohttp", "httpx", "fpdf")


def imported(path: Path) -> list[str]:
    """Every module `path` imports, by its dotted name (`from tests import clock` is `tests.clock`)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_dialogs_imports_no_channel_or_storage_code() -> None:
    offenders = []
    for path in sorted(DIALOGS.rglob("*.py")):
        offenders += [f"{path.name}: {n}" for n in imported(path) if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def outside_support(folder: Path) -> list[str]:
    """What modules in `folder` import from tests/ other than its support package."""
    return [
        f"{path.name}: {name}"
        for path in sorted(folder.glob("*.py"))
        for name in imported(path)
        if name.split(".")[0] == "tests" and not name.startswith("tests.support.")
    ]


def test_benches_import_from_the_tests_only_their_support_package() -> None:
    assert outside_support(ROOT / "bench") == []


def test_the_support_package_imports_no_test_module_or_conftest() -> None:
    assert outside_support(ROOT / "tests" / "support") == []


def test_no_float_touches_money_in_dialogs() -> None:
    """Money is Decimal: no float() calls and no float literals in the coach's arithmetic."""
    for path in sorted(DIALOGS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "float"]
        literals = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
        assert not calls and not literals, path.name
