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
    """Cut one long paragraph at the last line break or space that fits (anywhere outside a tag
    or an entity when there is none); each part closes the tags it leaves open, and the next
    opens them again."""
    budget = limit - _MARGIN
    tokens: list[str] = []
    for token in _TOKEN.findall(paragraph):
        # A single word longer than half a message is cut by characters.
        step = budget // 2
        tokens.extend(token[i : i + step] for i in range(0, len(token), step))
    parts: list[str] = []
    current: list[str] = []
    stack: list[tuple[str, str]] = []
    used = 0
    last_break = 0  # how many tokens of `current` precede the latest break
    for token in tokens:
        closers = sum(size(f"</{name}>") for name, _ in stack)
        if current and used + size(token) + closers > budget:
            cut = last_break or len(current)
            head, tail = current[:cut], current[cut:]
            left_open = _open_tags("".join(head))
            parts.append("".join(head).rstrip() + "".join(f"</{name}>" for name, _ in reversed(left_open)))
            while tail and tail[0].isspace():
                tail.pop(0)
            current = [opener for _, opener in left_open] + tail
            stack = _open_tags("".join(current))
            used = sum(size(t) for t in current)
            last_break = 0
        current.append(token)
        used += size(token)
        _track(stack, token)
        if token.isspace():
            last_break = len(current)
    if current:
        parts.append("".join(current))
    return parts
