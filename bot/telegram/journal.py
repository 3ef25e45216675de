"""A Bot that writes each fetched batch of updates to the inbox before PTB can confirm it.

PTB's updater confirms a batch by asking for the next one, which it does while the batch is
still queued. Overriding `get_updates` is the one place where a batch exists and has not yet
been confirmed: once it has returned, the batch is on disk. Updates are forgotten when the
coach says they were answered; those ids are written with the next batch or by `flush`, which
the bot runs as soon as there are any, so under load many answers share one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import ExtBot

from bot.inbox import Inbox
from bot.telegram.offload import Offload


class JournalingBot(ExtBot[None]):
    def __init__(
        self, *args: Any, inbox: Inbox, offload: Offload, clock: Callable[[], datetime], **kwargs: Any
    ) -> None:
        # Underscored attributes may be set on PTB's frozen objects at any time.
        self._inbox = inbox
        self._offload = offload
        self._clock = clock
        self._answered: set[int] = set()
        self._answers = asyncio.Event()
        super().__init__(*args, **kwargs)

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        rows = [(u.update_id, json.dumps(journal_form(u), ensure_ascii=False)) for u in updates]
        answered = self._take_answered()
        if rows or answered:
            try:
                await self._offload(self._inbox.record, rows, answered, self._clock())
            except BaseException:
                # Not written, so not returned either: PTB polls again without confirming.
                self._answered |= answered
                raise
        return updates

    async def send_html(self, chat_id: int, html: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """`send_message(chat_id, html, parse_mode=HTML, reply_markup=...)` without turning
        Telegram's answer into a `Message`, which the coach never reads: PTB's de_json of it was
        the largest single cost of sending. The call takes the same road as `send_message`
        (`_post`: the rate limiter, the request, PTB's mapping of errors such as RetryAfter)."""
        data = {"chat_id": chat_id, "text": html, "parse_mode": ParseMode.HTML, "reply_markup": reply_markup}
        await self._post("sendMessage", data)

    async def send_file(self, chat_id: int, content: bytes, filename: str, caption_html: str) -> None:
        """`send_document(chat_id, content, filename=..., caption=..., parse_mode=HTML)` the same
        way, without the Message."""
        data = {
            "chat_id": chat_id,
            "document": InputFile(content, filename=filename),
            "caption": caption_html,
            "parse_mode": ParseMode.HTML,
        }
        await self._post("sendDocument", data)

    @property
    def inbox(self) -> Inbox:
        return self._inbox

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    def answered(self, update_id: int) -> None:
        self._answered.add(update_id)
        self._answers.set()

    async def wait_for_answers(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._answers.wait(), timeout)
        self._answers.clear()

    async def flush(self) -> None:
        answered = self._take_answered()
        if answered:
            try:
                await self._offload(self._inbox.forget, answered)
            except BaseException:
                self._answered |= answered
                raise

    def unanswered(self) -> list[Update]:
        """What a previous process fetched and did not finish answering, oldest first."""
        return [Update.de_json(json.loads(payload), self) for _, payload in self._inbox.unanswered()]

    def _take_answered(self) -> set[int]:
        answered, self._answered = self._answered, set()
        return answered


def journal_form(update: Update) -> dict[str, Any]:
    """What the coach reads of an update, enough to handle it again after a crash: who, in
    which chat, what they typed or pressed. No names and no quoted messages are written down,
    and building it costs a fraction of PTB's `to_dict`, which is paid on every update."""
    form: dict[str, Any] = {"update_id": update.update_id}
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return form  # nothing the coach answers
    person: dict[str, Any] = {"id": user.id, "is_bot": user.is_bot, "first_name": "-"}
    if user.language_code:
        person["language_code"] = user.language_code
    place = {"id": chat.id, "type": chat.type}
    query = update.callback_query
    if query is not None:
        form["callback_query"] = {"id": query.id, "from": person, "chat_instance": query.chat_instance}
        if query.data is not None:
            form["callback_query"]["data"] = query.data
        return form
    for key in ("message", "edited_message"):
        message = getattr(update, key)
        if message is not None:
            form[key] = {"message_id": message.message_id, "date": int(message.date.timestamp()), "chat": place}
            form[key]["from"] = person
            if message.text is not None:
                form[key]["text"] = message.text
    return form
