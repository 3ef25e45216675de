"""A console name's folder and identity, for any names at all: always one plain path component,
and never the same for two names (the process tests try the hostile names one by one)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.console import console_identity
from bot.files import folder_name
from bot.models import KEY_MAX

# Any code points, lone surrogates included (a command line that was not UTF-8 leaves those).
names = st.text(st.characters(codec=None, exclude_categories=()), min_size=1, max_size=400)


@given(names)
def test_a_folder_is_one_plain_component_and_an_identity_fits(name: str) -> None:
    folder = folder_name(name)
    assert folder == folder.lower() and folder.isascii() and folder.replace("-", "").isalnum()
    assert folder not in (".", "..") and len(folder) <= 64
    identity = console_identity(name)
    assert len(identity) <= KEY_MAX
    identity.encode("utf-8")  # every database can store it
    assert "\x00" not in identity


@given(names, names)
def test_two_names_never_share_a_folder_or_an_identity(one: str, other: str) -> None:
    if one != other:
        assert folder_name(one).casefold() != folder_name(other).casefold()
        assert console_identity(one) != console_identity(other)


def test_names_that_look_alike_are_still_apart() -> None:
    alike = ["a", "A", "a b", "a_b", "a/b", "a-b", "é", "e\u0301", "²", "2", "①", "1", "#", "##"]
    alike += [folder_name("a"), console_identity("x" * 300), "x" * 300]
    assert len({folder_name(n) for n in alike}) == len(alike)
    assert len({console_identity(n) for n in alike}) == len(alike)
    assert console_identity("tester") == "tester"  # a plain name stays the identity it always was
