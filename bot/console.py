"""`debtcoach chat`: the coach in a terminal, over the same engine and store as Telegram.

Buttons become numbered choices, answerable by number, by label or in free text. It reads
standard input line by line, so it works the same at a keyboard and when piped; end of input
ends the session cleanly, and the next session resumes exactly where this one stopped.

`Console` is also this channel's adapter of bot/delivery.py: what to print and in which order
is decided there, as for Telegram; here a reply becomes plain text (bold as the terminal's bold
when colour is on), a letter a .txt and a .pdf in the person's folder.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot import files
from bot.clock import Clock
from bot.delivery import Document, Failure, Letter, Sender
from bot.models import KEY_MAX
from bot.outbox import Outgoing
from bot.pdf import NoFontError, letter_pdf
from bot.reminder_queue import ReminderQueue
from bot.service import Handled, deliveries, handle
from bot.store import Store
from dialogs.render import render, resolve_locale
from dialogs.step_io import Choice, Input, Reply, Span

CHANNEL = "console"
log = logging.getLogger(__name__)
BOLD, RESET = "\033[1m", "\033[0m"
# Marks a console identity made from a hash: a name used as it is never starts with it.
HASHED = "#"


def console_identity(name: str) -> str:
    """The person's `external_id` in the store: the name itself when it can be one (at most
    KEY_MAX characters, text every database stores: no control character, nothing the command
    line could not decode), so existing sessions keep their data; otherwise `#` and the name's
    SHA-256. A name as it is never starts with `#`, so no name can pose as another's hash."""
    plain = (
        0 < len(name) <= KEY_MAX
        and not name.startswith(HASHED)
        and all(unicodedata.category(c) not in ("Cc", "Cs") for c in name)
    )
    return name if plain else HASHED + files.name_hash(name)


def readable(line: str) -> str:
    """A typed line as text the coach and every database can take: control characters (NUL,
    which PostgreSQL refuses in text; escape sequences, which would drive the terminal when the
    coach repeats a name back) and anything undecodable left as a lone surrogate become spaces;
    the ends are trimmed."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in line)
    return kept.strip()


class Console:
    def __init__(
        self,
        store: Store,
        user: str,
        files_dir: Path,
        clock: Clock,
        out: TextIO = sys.stdout,
        color: bool = False,
        language: str | None = None,
        cjk_font: Path | None = None,
    ) -> None:
        """`language` is the one to start someone new in (the terminal's); a language the
        person chose with /language stays theirs. `cjk_font`: the font for Chinese characters
        in letters (DEBTCOACH_CJK_FONT, bot/pdf.py)."""
        self.store = store
        self.user = user
        self.external_id = console_identity(user)
        self.files_dir = files_dir
        files.adopt_legacy_folder(files_dir, user)
        self.out = out
        self.clock = clock
        self.color = color
        self.language = language
        self.cjk_font = cjk_font
        self.locale = resolve_locale(language)
        self.choices: tuple[Choice, ...] = ()
        self.numeric = False
        self.reminders = ReminderQueue(store, CHANNEL)
        self.sender = Sender(self)
        # Reminders arrive from another thread while the person types: one thing at a time.
        self._lock = threading.RLock()
        self._interactive = False

    @property
    def user_dir(self) -> Path:
        return files.person_folder(self.files_dir, self.user)

    def run(self, lines: Iterable[str], interactive: bool = False, remind_every: float | None = None) -> None:
        """`remind_every`: seconds between looks for due reminders while the session is open."""
        self._interactive = interactive
        stop = threading.Event()
        if remind_every is not None:
            threading.Thread(target=self._remind_until, args=(stop, remind_every), daemon=True).start()
        try:
            self._session(lines, interactive)
        finally:
            stop.set()

    def _session(self, lines: Iterable[str], interactive: bool) -> None:
        self.send(Input.command("start"))
        self.remind()
        if interactive:
            self.out.write("> ")
            self.out.flush()
        for line in lines:
            text = readable(line)
            if text.lower() in ("/quit", "/exit"):
                break
            if text:
                self.send(self.to_input(text))
            if interactive:
                self.out.write("> ")
                self.out.flush()
        self.out.write("\n" + render(self.locale, "console_bye.txt") + "\n")

    def _remind_until(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            try:
                if self.remind() and self._interactive:
                    self.out.write("> ")
                    self.out.flush()
            except Exception as exc:  # a locked database now and then: look again next time
                log.warning("reminders not checked: %s", type(exc).__name__)

    def remind(self) -> int:
        """Show this person's reminders that are due; returns how many were shown."""
        with self._lock:
            now = self.clock()
            shown: list[int] = []
            for claimed in self.reminders.claim(now, 25, external_id=self.external_id):
                ready = self.reminders.prepare(claimed, now)
                if ready is not None:
                    asyncio.run(self._send_all([Outgoing.reply(ready.reply)]))
                    shown.append(ready.id)
            self.reminders.finish(shown, now)
            return len(shown)

    def to_input(self, text: str) -> Input:
        """Map what was typed onto a command, a button, or free text for the coach to read."""
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            return Input.command(name, arg.strip())
        # isdecimal, not isdigit: "²" and "①" are digits int() cannot read; "١" (Arabic-Indic
        # one) is a decimal it reads as 1, as the person meant.
        if text.isdecimal() and not self.numeric and 1 <= int(text) <= len(self.choices):
            return Input.button(self.choices[int(text) - 1].value)
        for choice in self.choices:
            if choice.label.casefold() == text.casefold():
                return Input.button(choice.value)
        return Input.text(text)

    def send(self, inp: Input) -> None:
        with self._lock:
            handled = handle(self.store, CHANNEL, self.external_id, inp, self.clock(), locale_hint=self.language)
            self.deliver(handled)

    def deliver(self, handled: Handled) -> None:
        """The answer, in the order every channel delivers it (bot/service.py's `deliveries`),
        through this console's adapter of bot/delivery.py."""
        if handled.result is None:
            return
        self.locale = handled.result.state.locale
        items = deliveries(handled)
        # Not followed if it is a link: the erase stops at the data folder, and says so.
        if handled.erased and not files.erase_folder(self.user_dir):
            left = render(self.locale, "console_files_left.txt", folder=self.user_dir)
            items.insert(len(items) - 1, Outgoing.reply(Reply([Span(left)])))
        asyncio.run(self._send_all(items))
        # The answer ends with its question: a number typed next answers it, and only it (one
        # without choices, "which creditor?", leaves none to pick).
        question = handled.result.replies[-1]
        self.choices, self.numeric = question.choices, question.numeric

    async def _send_all(self, items: list[Outgoing]) -> None:
        for item in items:
            await self.sender.deliver(self.external_id, item.kind, item.content, paced=False)

    # -- the console as a channel of bot/delivery.py ------------------------------------------

    def parts(self, reply: Reply) -> list[Reply]:
        return [reply]  # a terminal takes any length

    async def send_reply(self, recipient: str, reply: Reply) -> int | None:
        self._print(reply)
        return None  # old choices need no clearing: a number refers to the latest ones

    async def send_file(self, recipient: str, file: Letter | Document) -> None:
        if isinstance(file, Letter):
            text_path = self._write_file(f"{file.filename}.txt", file.text.encode("utf-8"))
            saved = render(self.locale, "console_file.txt", title=file.title)
            try:
                pdf = letter_pdf(file.title, file.text, file.footer, cjk_font=self.cjk_font)
            except NoFontError:
                # The text alone, and why: a PDF would leave its Chinese characters blank. An
                # earlier PDF of this letter goes too, not to be printed in its place.
                (self.user_dir / f"{file.filename}.pdf").unlink(missing_ok=True)
                note = render(self.locale, "console_no_pdf.txt")
                self.out.write(f"\n  {saved}\n    {text_path}\n  {note}\n")
                return
            pdf_path = self._write_file(f"{file.filename}.pdf", pdf)
            self.out.write(f"\n  {saved}\n    {text_path}\n    {pdf_path}\n")
        else:
            path = self._write_file(file.filename, file.content)
            self.out.write(f"\n  {render(self.locale, 'console_file.txt', title=path.name)}\n    {path}\n")

    async def clear_keyboard(self, recipient: str, message_id: int) -> None:
        return None

    def failure(self, error: Exception) -> tuple[Failure, float] | None:
        return None  # a terminal neither refuses nor goes away: any error is ours

    async def close(self, timeout: float) -> None:
        return None

    def _print(self, reply: Reply) -> None:
        self.out.write("\n" + self._plain(reply) + "\n")
        for number, choice in enumerate(reply.choices, start=1):
            marker = "  -" if reply.numeric else f"  {number})"
            self.out.write(f"{marker} {choice.label}\n")
        # A number typed next refers to the choices of the last message that had any: a message
        # without (a reminder that only tells) leaves those on the screen current.
        if reply.choices:
            self.choices, self.numeric = reply.choices, reply.numeric
        self.out.flush()

    def _plain(self, reply: Reply) -> str:
        if not self.color:
            return reply.text
        return "".join(f"{BOLD}{span.text}{RESET}" if span.bold else span.text for span in reply.spans)

    def _write_file(self, name: str, content: bytes) -> Path:
        """Into the person's own folder, owner-only (see bot/files.py), tightening the files
        folder and theirs if they were created looser before."""
        files.private_folder(self.files_dir)
        return files.write_private(files.private_folder(self.user_dir), name, content)
