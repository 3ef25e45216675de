"""Long replies are cut into parts Telegram accepts, losing and reordering nothing.

The fake server's HTML parser is Telegram's strictness in code: every part must parse on its
own, fit the limit, and together the parts must say exactly what the whole said."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.split import LIMIT, size, split_html
from tests.support.fake_telegram import parse_html

PIECES = st.sampled_from(
    ["word", "&amp;", "&lt;x&gt;", "\n", "\n\n", "<b>bold</b>", "<i>it &amp; it</i>", " ", "😀", "Ω", "$1,400"]
)
LONG_WORD = st.integers(min_value=1, max_value=400).map(lambda n: "long" * n)


def words_of(html: str) -> str:
    return "".join(parse_html(html)[0].split())


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(st.one_of(PIECES, LONG_WORD), min_size=1, max_size=2500),
    bold=st.booleans(),
    limit=st.sampled_from([300, 1000, LIMIT]),
)
def test_every_part_fits_parses_and_together_they_say_it_all(pieces: list[str], bold: bool, limit: int) -> None:
    html = " ".join(pieces)
    if bold:
        html = f"<b>{html}</b>"  # one tag spanning every paragraph
    parts = split_html(html, limit)
    for part in parts:
        assert size(part) <= limit
        parse_html(part)  # raises on anything Telegram would refuse
    assert "".join(words_of(p) for p in parts) == words_of(html)


def test_short_text_is_left_alone_and_paragraphs_are_preferred() -> None:
    assert split_html("<b>Hi</b>\n\nthere") == ["<b>Hi</b>\n\nthere"]
    first, second = ("x" * 3000, "y" * 3000)
    assert split_html(f"{first}\n\n{second}") == [first, second]


def test_lines_are_kept_whole_when_a_paragraph_must_be_cut() -> None:
    lines = [f"#{n} Bank &amp; Sons: $1,000" for n in range(400)]
    parts = split_html("\n".join(lines))
    assert len(parts) > 1
    assert [line for part in parts for line in part.split("\n")] == lines
