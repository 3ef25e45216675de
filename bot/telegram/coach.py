"""One Telegram update in, the coach's answer out: the adapter between PTB and `bot.service`.

Every update takes its user's lock before anything else, so one person's messages are handled
strictly in the order Telegram numbered them while other people are served concurrently. The
store call (on the event loop for SQLite, in a worker thread for PostgreSQL: see offload.py)
commits the new state together with the update's id, and with the update itself if it is not
on disk yet, so a redelivered update is recognised and changes nothing.

Whatever happens, the person hears something: an unreadable message gets the current
question's hint, a failure gets an apology, and a callback query is always answered. Logs name
updates by id and errors by type only: no names, no amounts, no text.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from time import perf_counter
from typing import Protocol

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.pdf import letter_pdf
from bot.service import Handled, handle, show_current
from bot.store import Store
from bot.telegram.journal import JournalingBot, Keyboard
from bot.telegram.offload import Offload
from bot.telegram.split import split_html
from dialogs.contracts import Choice, Input, LetterDrafted, Reply
from dialogs.render import render, resolve_locale

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CALLBACK_DATA_MAX = 64


class Pace(Protocol):
    """Spacing for messages the bot sends on its own (see bot/telegram/reminders.py)."""

    async def wait(self, chat_id: int) -> None: ...

    def sent(self, chat_id: int) -> None: ...


class UserLocks:
    """An asyncio lock per person, dropped when nobody holds or waits for it. asyncio.Lock
    wakes waiters first come, first served, and PTB starts update tasks in update order."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users == 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class TelegramCoach:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.locks = UserLocks()
        self.offload = Offload(store)
        # Updates a previous process fetched and did not finish: if one turns out to be applied
        # already, its reply was cut off by the restart, so the current question is shown again.
        self.recovered: set[int] = set()
        self.failures = 0  # updates that ended in an apology, for tests and the benchmark

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = context.bot
        assert isinstance(bot, JournalingBot)
        user = update.effective_user
        if user is None or update.effective_chat is None:
            bot.answered(update.update_id)  # membership changes and the like: nothing to say
            return
        started = perf_counter()
        answered = True
        async with self.locks.hold(user.id):
            try:
                await self._dispatch(bot, update, user.id, user.language_code)
            except TelegramError as exc:
                # A refusal (bad request, blocked bot) will not change by retrying: apologise and
                # move on. Anything else outlasted the limiter's retries: the update stays in the
                # inbox, to be applied (or, if it was, shown as where we are) after a restart.
                answered = isinstance(exc, BadRequest | Forbidden)
                self._failed(update, exc)
                if answered:
                    await self._apologise(bot, update.effective_chat.id, user.language_code)
            except Exception as exc:
                self._failed(update, exc)
                await self._apologise(bot, update.effective_chat.id, user.language_code)
            finally:
                if answered:
                    bot.answered(update.update_id)
                self.recovered.discard(update.update_id)
        log.debug("update %d handled in %.1f ms", update.update_id, (perf_counter() - started) * 1000)

    async def _dispatch(self, bot: JournalingBot, update: Update, user_id: int, language: str | None) -> None:
        chat = update.effective_chat
        assert chat is not None
        if update.callback_query is not None:
            await self._press(bot, update, update.callback_query, user_id, language)
            return
        message = update.message
        if chat.type != ChatType.PRIVATE:
            if message is not None and message.text and message.text.startswith("/"):
                await self._say(bot, chat.id, render(resolve_locale(language), "telegram_groups.html"))
            return
        if update.edited_message is not None:
            await self._say(bot, chat.id, render(resolve_locale(language), "telegram_edited.html"))
            return
        if message is None:
            return
        inp = _input_of(message)
        if inp is None:
            await self._say(bot, chat.id, render(resolve_locale(language), "telegram_text_only.html"))
            inp = Input.text("")  # the coach repeats what it expects, with an example
        await self._apply(bot, update, chat.id, user_id, inp, language)

    async def _press(
        self, bot: JournalingBot, update: Update, query: CallbackQuery, user_id: int, language: str | None
    ) -> None:
        # Answered at once, to stop the button's spinner, while the press is handled: the
        # answer and the reply's first message travel together instead of one after the other.
        # A press from before a restart may have been answered by the process that died, so
        # it is answered only if it turns out not to have been applied.
        recovered = update.update_id in self.recovered
        answering = None if recovered else asyncio.create_task(self._answer(query, update.update_id))
        data = query.data or ""
        # Data is checked against the presser's own records by the engine; anything that is not
        # one of our short ASCII values is refused the same way, without being looked at.
        inp = Input.button(data if data.isascii() and len(data.encode()) <= CALLBACK_DATA_MAX else "?")
        try:
            applied = await self._apply(bot, update, user_id, user_id, inp, language)
        finally:
            if answering is not None:
                await answering
        if recovered and applied:
            await self._answer(query, update.update_id)

    async def _answer(self, query: CallbackQuery, update_id: int) -> None:
        try:
            await query.answer()
        except TelegramError as exc:
            # Too old, or the network gave out: the spinner stops by itself after a while, and
            # the press is handled all the same.
            log.info("callback query of update %d could not be answered: %s", update_id, type(exc).__name__)

    async def _apply(
        self, bot: JournalingBot, update: Update, chat_id: int, user_id: int, inp: Input, language: str | None
    ) -> bool:
        """Handle the input; False when it had been applied before (a redelivery). An update
        not yet on disk is written in the same transaction (see bot/telegram/journal.py)."""
        now = self.clock()
        form = bot.unwritten(update.update_id)
        keep = None if form is None else partial(bot.inbox.keep, update_id=update.update_id, payload=form, now=now)
        handled = await self.offload(
            handle,
            self.store,
            CHANNEL,
            str(user_id),
            inp,
            now,
            input_key=f"update:{update.update_id}",
            locale_hint=language,
            alongside=keep,
        )
        if form is not None:
            bot.written(update.update_id)
        if handled.result is None:
            if update.update_id not in self.recovered:
                return False  # Telegram sent this update twice; it was answered the first time
            await self._say(bot, chat_id, render(resolve_locale(language), "telegram_resumed.html"))
            handled = await self.offload(show_current, self.store, CHANNEL, str(user_id), self.clock())
            await self._deliver(bot, chat_id, handled)
            return False
        await self._deliver(bot, chat_id, handled)
        return True

    async def _deliver(self, bot: JournalingBot, chat_id: int, handled: Handled) -> None:
        assert handled.result is not None
        locale = handled.result.state.locale
        *messages, question = handled.result.replies
        for reply in messages:
            await self.send_reply(bot, chat_id, reply)
        # Documents right after the message that announces them, before the next question.
        for letter in handled.letters:
            await self._send_letter(bot, chat_id, locale, letter)
        if handled.export is not None:
            body = json.dumps(handled.export, indent=2, ensure_ascii=False).encode()
            await bot.send_file(chat_id, body, "debtcoach-export.json", render(locale, "telegram_export_caption.html"))
        if handled.calendar is not None:
            caption = render(locale, "telegram_calendar_caption.html")
            ics = await self.offload(handled.calendar.content)
            await bot.send_file(chat_id, ics, "debtcoach-payments.ics", caption)
        await self.send_reply(bot, chat_id, question)

    async def send_reply(self, bot: JournalingBot, chat_id: int, reply: Reply, pace: Pace | None = None) -> None:
        """One reply, split where Telegram needs it, the buttons on its last part; `pace` (the
        reminder scheduler's) is asked before each part and told when Telegram has it."""
        *parts, last = split_html(reply.text) or ["…"]
        for html, markup in [*((part, None) for part in parts), (last, keyboard(reply.choices))]:
            if pace is None:
                await self._say(bot, chat_id, html, markup)
                continue
            await pace.wait(chat_id)
            try:
                await self._say(bot, chat_id, html, markup)
            finally:
                pace.sent(chat_id)


    async def _send_letter(self, bot: JournalingBot, chat_id: int, locale: str, letter: LetterDrafted) -> None:
        pdf = await self.offload(letter_pdf, letter.title, letter.text)
        caption = render(locale, "telegram_letter_caption.html", title=letter.title)
        await bot.send_file(chat_id, pdf, f"{letter.filename}.pdf", caption)

    async def _say(
        self, bot: JournalingBot, chat_id: int, html: str, keyboard: Keyboard | None = None
    ) -> None:
        await bot.send_html(chat_id, html, keyboard)

    async def _apologise(self, bot: JournalingBot, chat_id: int, language: str | None) -> None:
        try:
            await self._say(bot, chat_id, render(resolve_locale(language), "telegram_sorry.html"))
        except TelegramError as exc:
            log.warning("could not apologise in update's chat: %s", type(exc).__name__)

    def _failed(self, update: Update, exc: BaseException) -> None:
        self.failures += 1
        where = ""
        if exc.__traceback__ is not None:
            tb = exc.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        # The exception's message may quote what the person typed, so only its type is logged.
        log.error("update %d failed: %s%s", update.update_id, type(exc).__name__, where)


def _input_of(message: Message) -> Input | None:
    text = message.text
    if text is None:
        return None
    if text.startswith("/"):
        word, _, arg = text[1:].partition(" ")
        name = word.split("@", 1)[0]
        if name:
            return Input.command(name, arg.strip())
    return Input.text(text)


def keyboard(choices: tuple[Choice, ...]) -> Keyboard | None:
    """The buttons, one per row, as the Bot API's InlineKeyboardMarkup JSON. PTB's objects
    would be turned into exactly this dict for every message; building and converting them
    cost about 25 us a message, a fifth of sending it (bench/telegram.py)."""
    rows = [
        [{"text": choice.label, "callback_data": choice.value}]
        for choice in choices
        if 0 < len(choice.value.encode()) <= CALLBACK_DATA_MAX
    ]
    return {"inline_keyboard": rows} if rows else None
