"""The coach stays pure: dialogs/ imports nothing from Telegram, the database, or the shell."""

from __future__ import annotations

import ast
from pathlib import Path

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"
FORBIDDEN = ("telegram", "sqlalchemy", "alembic", "bot", "sqlite3", "aiohttp", "httpx", "fpdf")


def test_dialogs_imports_no_channel_or_storage_code() -> None:
    offenders = []
    for path in sorted(DIALOGS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_no_float_touches_money_in_dialogs() -> None:
    """Money is Decimal: no float() calls and no float literals in the coach's arithmetic."""
    for path in sorted(DIALOGS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "float"]
        literals = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
        assert not calls and not literals, path.name
