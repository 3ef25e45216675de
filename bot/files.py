"""A person's files on disk (letters, exports, the calendar): each person's own folder inside the
data folder, readable by its owner only.

A folder is named from the person's name, which the console takes from its command line, so the
name is never used as a path: it becomes a short lowercase ASCII slug, to recognise the folder
by, plus a hash of the exact name, which alone tells folders apart. So no name reaches outside
the files folder (`..`, `/`, `a/b` are slugs like any other), two names never share a folder
(`a b` and `a_b` hash differently), and letter case or Unicode normalisation by the file
system cannot merge two of them: the folder name is lowercase ASCII whatever the name was.

Files are written owner-only (0600, folders 0700) whatever the umask, and a folder that exists
with looser permissions is tightened; the store applies the same modes to the database file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SLUG_MAX = 24
# 128 bits of SHA-256: two names share a folder only if SHA-256 collides on them.
HASH_HEX = 32

log = logging.getLogger(__name__)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def folder_name(name: str) -> str:
    """`<slug>-<hash>`: "Capital One" -> `capital-one-<32 hex digits>`, "國泰" -> `person-<...>`."""
    return f"{_slug(name)}-{name_hash(name)[:HASH_HEX]}"


def name_hash(name: str) -> str:
    """SHA-256 of the exact name, as hex. `surrogatepass` so that a name the command line could
    not decode (bytes kept as lone surrogates) hashes too, and still one-to-one: each code point
    is encoded on its own, so different strings give different bytes."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def person_folder(root: Path, name: str) -> Path:
    """Where this person's files go (not created here)."""
    return root / folder_name(name)


# Before folders were hashed, a console name was its folder with anything outside this set
# replaced by "_": a name made only of these (and not "." or "..") had a folder of its own.
_LEGACY_SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_CURRENT = re.compile(rf"[a-z0-9-]+-[0-9a-f]{{{HASH_HEX}}}")


def adopt_legacy_folder(root: Path, name: str) -> None:
    """Move the folder an earlier version kept this person's letters in (`files/<name>`) to
    their folder now, so /delete finds and erases them too. Only for a name that was its own
    folder then; a folder shared by several names (`a b` and `a_b` were both `a_b`) cannot be
    given to one of them, and is left as it is."""
    if not _LEGACY_SAFE.fullmatch(name) or name == ".." or _CURRENT.fullmatch(name):
        return  # not a folder of its own then, or spelled like someone's folder now
    legacy, current = root / name, person_folder(root, name)
    try:
        if legacy == current or current.exists() or legacy.is_symlink() or not legacy.is_dir():
            return
    except OSError:  # a name too long to have been a folder, say
        return
    legacy.rename(current)
    current.chmod(FOLDER_MODE)


def private_folder(path: Path) -> Path:
    """Create `path` owner-only (its missing parents as `mkdir -p` would), or tighten it if it
    exists. mkdir's mode passes through the umask, so the mode is set again after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=FOLDER_MODE, exist_ok=True)
    path.chmod(FOLDER_MODE)
    return path


def tighten(path: Path) -> None:
    """Make an existing folder owner-only; a missing one is left to be created when needed."""
    if path.is_dir():
        path.chmod(FOLDER_MODE)


def write_private(folder: Path, name: str, content: bytes) -> Path:
    """Write `folder/name` owner-only, all or nothing: the bytes go to a temporary file in the
    same folder (mkstemp: 0600 whatever the umask, and never an existing file or a link), which
    then replaces the name, so a reader never sees half a letter and an older copy with looser
    permissions is gone rather than reused."""
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"not a plain file name: {name!r}")
    descriptor, name_meanwhile = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    temporary = Path(name_meanwhile)
    try:
        with os.fdopen(descriptor, "wb") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            out.write(content)
        return temporary.replace(folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def erase_folder(path: Path) -> bool:
    """Remove a person's folder and everything in it; False (and a warning naming no file) when
    some of it could not be removed. A link is not followed (shutil.rmtree refuses one), so
    nothing outside the data folder is ever deleted."""
    if not path.exists() and not path.is_symlink():
        return True
    try:
        shutil.rmtree(path)
    except OSError as exc:
        log.warning("a person's files were not all erased: %s", type(exc).__name__)
        return False
    return True


def _slug(name: str) -> str:
    # NFKD splits "é" into "e" and its accent and turns "²" into "2"; what is not ASCII goes.
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_only.lower()).strip("-")[:SLUG_MAX].rstrip("-")
    return slug or "person"
