"""A reply as Telegram shows it: HTML with the three escapes its HTML mode needs, cut to fit.

Telegram's HTML mode takes <b> and <i> for emphasis and wants every other "<", ">" and "&"
written as an entity (only &lt; &gt; &amp; and &quot; are known by name). A reply longer than
one message is cut at paragraph breaks (split.py); each part is read back into spans, so the
channel-neutral layer sees replies, not HTML.
"""

from __future__ import annotations

from bot.telegram.split import size, split_html
from dialogs.render import Span, read_markup
from dialogs.step_io import Reply

LIMIT = 4096
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def to_html(spans: tuple[Span, ...]) -> str:
    out: list[str] = []
    for span in spans:
        text = span.text.translate(_ESCAPES)
        if span.italic:
            text = f"<i>{text}</i>"
        if span.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def parts(reply: Reply, limit: int = LIMIT) -> list[Reply]:
    """The messages a reply becomes: one, unless it is too long; the buttons go on the last.
    A reply without words still becomes a message, since its buttons need one."""
    html = to_html(reply.spans)
    if size(html) <= limit and html.strip():
        return [reply]
    *cut, last = split_html(html, limit) or ["…"]
    return [Reply(read_markup(part)) for part in cut] + [Reply(read_markup(last), reply.choices, reply.numeric)]
