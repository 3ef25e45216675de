"""Cut a message that is too long for Telegram into several, at paragraph breaks.

Telegram refuses text over 4096 characters. Paragraphs are packed greedily; a paragraph that
is itself too long is cut at line breaks or spaces, closing any open tags at the cut and opening
them again in the next part, so every part is valid HTML on its own. Length is counted in UTF-16
code units of the raw HTML, which can only overestimate what Telegram counts after parsing.
"""

from __future__ import annotations

import re

LIMIT = 4096
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n|[ \t]+|[^<&\n \t]+|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)")
# Room kept free in a cut part for the closing tags it may need (our nesting is shallow).
_MARGIN = 64


def size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    if size(text) <= limit:  # nearly every message: nothing to cut, no tags to track
        return [text] if text.strip() else []
    parts: list[str] = []
    current = ""
    for paragraph in _balanced_paragraphs(text):
        joined = f"{current}\n\n{paragraph}" if current else paragraph
        if size(joined) <= limit:
            current = joined
            continue
        if current:
            parts.append(current)
        if size(paragraph) <= limit:
            current = paragraph
        else:
            *whole, current = _cut(paragraph, limit)
            parts.extend(whole)
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()]


def _balanced_paragraphs(text: str) -> list[str]:
    """Paragraphs, keeping together any that a tag spans (so packing never splits a tag)."""
    out: list[str] = []
    pending = ""
    for paragraph in text.split("\n\n"):
        pending = f"{pending}\n\n{paragraph}" if pending else paragraph
        if not _open_tags(pending):
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out


def _open_tags(html: str) -> list[tuple[str, str]]:
    stack: list[tuple[str, str]] = []
    for token in _TOKEN.findall(html):
        _track(stack, token)
    return stack


def _track(stack: list[tuple[str, str]], token: str) -> None:
    match = _TAG.match(token)
    if match is None:
        return
    closing, name = match.groups()
    if not closing:
        stack.append((name.lower(), token))
    elif stack and stack[-1][0] == name.lower():
        stack.pop()


def _cut(paragraph: str, limit: int) -> list[str]:
    """Cut one long paragraph at the last line break that leaves the part at least half full,
    else at the last space, else anywhere outside a tag or an entity. Each part closes the tags
    it leaves open, and the next opens them again."""
    budget = limit - _MARGIN
    step = budget // 4  # a single word longer than this is cut by characters
    tokens = [t[i : i + step] for t in _TOKEN.findall(paragraph) for i in range(0, len(t), step)]
    parts: list[str] = []
    current: list[str] = []
    stack: list[tuple[str, str]] = []
    used = 0
    for token in tokens:
        closers = sum(size(f"</{name}>") for name, _ in stack)
        while current and used + size(token) + closers > budget:
            cut = _best_break(current)
            head, tail = current[:cut], current[cut:]
            left_open = _open_tags("".join(head))
            parts.append("".join(head).rstrip() + "".join(f"</{name}>" for name, _ in reversed(left_open)))
            while tail and tail[0].isspace():
                tail.pop(0)
            current = [opener for _, opener in left_open] + tail
            stack = _open_tags("".join(current))
            used = sum(size(t) for t in current)
            closers = sum(size(f"</{name}>") for name, _ in stack)
            if len(current) == len(left_open):
                break  # only the reopened tags are left: the token fits after them
        current.append(token)
        used += size(token)
        _track(stack, token)
    if current:
        parts.append("".join(current))
    return parts


def _best_break(pieces: list[str]) -> int:
    """How many pieces go into this part: up to the last line break in its second half by
    size, else the last space there, else all of them."""
    total = sum(size(t) for t in pieces)
    seen = 0
    lines: list[int] = []
    spaces: list[int] = []
    for index, piece in enumerate(pieces, start=1):
        seen += size(piece)
        if seen * 2 >= total and piece.isspace():
            (lines if piece == "\n" else spaces).append(index)
    return (lines or spaces or [len(pieces)])[-1]
