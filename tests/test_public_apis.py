"""Only public names cross an object's boundary, and nobody else's methods are replaced.

Underscored attributes are outside every library's stability promise (python-telegram-bot,
SQLAlchemy and Babel all say so), and a method swapped for one of ours is a private contract
with the library's internals: an upgrade can break either without a word. The rules are kept
simple so that they stay strict, and they hold for our own code too:

- an attribute `._x` (dunders aside) is read or written only on `self` or `cls`;
- no module imports an underscored name (`from x import _y`, `import x._y`);
- no function of ours is assigned over an attribute of another object (a monkeypatch).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("bot", "dialogs", "bench", "tests")
OWNERS = frozenset({"self", "cls"})

def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _foreign(node: ast.expr) -> bool:
    return not (isinstance(node, ast.Name) and node.id in OWNERS)


def offences(path: Path, root: Path = ROOT) -> list[str]:
    """Each breach of the rules in one file, as "path:line: what", in line order."""
    where = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(), str(path))
    ours = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [(node.lineno, f"from {node.module} import {a.name}") for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if any(map(_private, a.name.split(".")))]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and _foreign(node.value):
            found.append((node.lineno, f"{ast.unparse(node.value)}.{node.attr}"))
        elif isinstance(node, ast.Assign) and (
            isinstance(node.value, ast.Lambda) or (isinstance(node.value, ast.Name) and node.value.id in ours)
        ):
            patched = [t for t in node.targets if isinstance(t, ast.Attribute) and _foreign(t.value)]
            found += [(node.lineno, f"{ast.unparse(t)} = {ast.unparse(node.value)}") for t in patched]
    return [f"{where}:{line}: {what}" for line, what in sorted(found)]


def _everything() -> list[str]:
    paths = [path for package in SCANNED for path in sorted((ROOT / package).rglob("*.py"))]
    return [offence for path in paths for offence in offences(path)]


def test_no_underscored_name_is_reached_from_outside_and_no_method_is_patched() -> None:
    assert _everything() == []


def test_the_scan_sees_what_it_forbids(tmp_path: Path) -> None:
    """Each shape the rules name is caught; `self._x`, `cls._x`, dunders and our own fields are not."""
    source = tmp_path / "sample.py"
    source.write_text(
        "from babel.numbers import _pattern\n"
        "import sqlalchemy._private\n"
        "def begin(conn): ...\n"
        "engine.dialect.do_begin = begin\n"
        "super()._record()\n"
        "bot._post = lambda *a: None\n"
        "self._mine, cls._ours, thing.__class__, thing.public\n"
        "ctx.debt.creditor = name\n"
        "self.hook = begin\n"
    )
    found = [offence.split(": ", 1)[1] for offence in offences(source, tmp_path)]
    assert found == [
        "from babel.numbers import _pattern",
        "import sqlalchemy._private",
        "engine.dialect.do_begin = begin",
        "super()._record",
        "bot._post",
        "bot._post = lambda *a: None",
    ]
