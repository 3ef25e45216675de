"""What the command line logs, and what it never does: a person's words, names or amounts.

Our own loggers (`bot`, `dialogs`) log ids and the types of errors, never what someone typed.
Libraries do not promise as much: fpdf names every glyph a letter's font lacks (a creditor's
name in Chinese, character by character), PTB logs the body of every answer it cannot parse
(the 502 page of an outage, or a batch of updates) with a traceback, httpx logs URLs, which
carry the bot's token. So a library's record is written as its fixed message alone: not the
values put into it, not its traceback, only its exception's type; and the libraries known to
put personal text in their records speak only when something is really wrong.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OURS = ("bot", "dialogs")
LIBRARY_LEVELS = {
    "fpdf": logging.ERROR,  # missing glyphs, spelt out, at WARNING
    "fontTools": logging.ERROR,  # every glyph of a subset at INFO
    "telegram": logging.ERROR,  # our code reports each failure it sees, by type
    "telegram.request": logging.CRITICAL,  # any answer that is not JSON, quoted, at ERROR
    "httpx": logging.WARNING,  # every URL (with the token) at INFO
    "httpcore": logging.WARNING,
    "aiohttp": logging.WARNING,
    "transitions": logging.WARNING,  # every state change at INFO
}


class LibraryRecords(logging.Filter):
    """On a handler: a record from outside our own loggers loses its arguments and traceback.
    `record.msg` is the library's fixed text ("Font %s is missing the following glyphs: %s");
    the values and the exception's text are what could be someone's words."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".", 1)[0] in OURS:
            return True
        if record.args:
            record.msg = f"{record.msg} (details withheld)"
            record.args = None
        if record.exc_info is not None:
            error = record.exc_info[1]
            record.msg = f"{record.msg} ({type(error).__name__})"
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        return True


def quiet_libraries(*names: str) -> None:
    """Set the libraries' loggers to LIBRARY_LEVELS: those named, or all of them. bot/pdf.py
    quiets fpdf and fontTools itself, in any process that makes a letter."""
    for name, level in LIBRARY_LEVELS.items():
        if not names or name in names:
            logging.getLogger(name).setLevel(level)


def configure(level: int = logging.WARNING) -> None:
    """Log to stderr: our own records from `level` up, libraries' as LIBRARY_LEVELS allows,
    every one of theirs through LibraryRecords. For `debtcoach run` (INFO: it says when it is
    up and what it recovered) and `debtcoach chat` (WARNING: the console is the conversation)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(LibraryRecords())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in OURS:
        logging.getLogger(name).setLevel(level)
    quiet_libraries()
