"""`debtcoach chat`: the coach in a terminal, over the same engine and store as Telegram.

Buttons become numbered choices, answerable by number, by label or in free text. It reads
standard input line by line, so it works the same at a keyboard and when piped; end of input
ends the session cleanly, and the next session resumes exactly where this one stopped.
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot import files
from bot.clock import Clock
from bot.models import KEY_MAX
from bot.pdf import letter_pdf
from bot.reminder_queue import ReminderQueue
from bot.service import Handled, handle
from bot.store import Store
from dialogs.render import DEFAULT_LOCALE, render
from dialogs.step_io import Choice, Input, LetterDrafted, Reply

CHANNEL = "console"
log = logging.getLogger(__name__)
TAGS = re.compile(r"<[^>]+>")
BOLD = re.compile(r"</?b>")
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
    ) -> None:
        self.store = store
        self.user = user
        self.external_id = console_identity(user)
        self.files_dir = files_dir
        files.adopt_legacy_folder(files_dir, user)
        self.out = out
        self.clock = clock
        self.color = color
        self.locale = DEFAULT_LOCALE
        self.choices: tuple[Choice, ...] = ()
        self.numeric = False
        self.reminders = ReminderQueue(store, CHANNEL)
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
                    self._print(ready.reply)
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
            handled = handle(self.store, CHANNEL, self.external_id, inp, self.clock())
            self.deliver(handled)

    def deliver(self, handled: Handled) -> None:
        if handled.result is None:
            return
        self.locale = handled.result.state.locale
        # Not followed if it is a link: the erase stops at the data folder, and says so.
        left = handled.erased and not files.erase_folder(self.user_dir)
        *messages, question = handled.result.replies
        for reply in messages:
            self._print(reply)
        if left:
            self.out.write(f"\n{render(self.locale, 'console_files_left.txt', folder=self.user_dir)}\n")
        # Files right after the message that announces them, before the next question.
        for letter in handled.letters:
            self._write_letter(letter)
        if handled.export is not None:
            document = json.dumps(handled.export, indent=2, ensure_ascii=False)
            path = self._write_file("debtcoach-export.json", document.encode("utf-8"))
            self.out.write(f"\n  {render(self.locale, 'console_file.txt', title=path.name)}\n    {path}\n")
        if handled.calendar is not None:
            path = self._write_file("debtcoach-payments.ics", handled.calendar.content())
            self.out.write(f"\n  {render(self.locale, 'console_file.txt', title=path.name)}\n    {path}\n")
        self._print(question)

    def _print(self, reply: Reply) -> None:
        self.out.write("\n" + self._plain(reply.text) + "\n")
        for number, choice in enumerate(reply.choices, start=1):
            marker = "  -" if reply.numeric else f"  {number})"
            self.out.write(f"{marker} {choice.label}\n")
        # A number typed next refers to the choices of the last message that had any.
        self.choices, self.numeric = reply.choices, reply.numeric
        self.out.flush()

    def _plain(self, text: str) -> str:
        if self.color:
            text = BOLD.sub(lambda m: "\033[0m" if m.group(0) == "</b>" else "\033[1m", text)
        return html.unescape(TAGS.sub("", text))

    def _write_letter(self, letter: LetterDrafted) -> None:
        text_path = self._write_file(f"{letter.filename}.txt", letter.text.encode("utf-8"))
        pdf_path = self._write_file(f"{letter.filename}.pdf", letter_pdf(letter.title, letter.text))
        saved = render(self.locale, "console_file.txt", title=letter.title)
        self.out.write(f"\n  {saved}\n    {text_path}\n    {pdf_path}\n")

    def _write_file(self, name: str, content: bytes) -> Path:
        """Into the person's own folder, owner-only (see bot/files.py), tightening the files
        folder and theirs if they were created looser before."""
        files.private_folder(self.files_dir)
        return files.write_private(files.private_folder(self.user_dir), name, content)
