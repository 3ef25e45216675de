"""A Bot that writes each fetched batch of updates to the inbox before PTB can confirm it.

PTB's updater confirms a batch by asking for the next one, which it does while the batch is
still queued. The getUpdates call itself is the one place where a batch exists and has not yet
been confirmed: once it has returned, the batch is on disk. What is written, and what PTB then
turns into `Update` objects, is each update's journal form: what the coach reads of it, and no
more (no names, no quoted messages, not the keyboard a button was pressed on). So a live update
and the same update replayed after a crash look alike to the coach, and PTB parses a fraction of
each one. Updates are forgotten when the coach says they were answered; those ids are written
with the next batch or by `flush`, which the bot runs as soon as there are any, so under load
many answers share one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import ExtBot
from telegram.request import BaseRequest

from bot.inbox import Inbox
from bot.telegram.offload import Offload

JSONDict = dict[str, Any]
# An inline keyboard as the Bot API's JSON: {"inline_keyboard": [[{"text", "callback_data"}]]}.
Keyboard = dict[str, list[list[dict[str, str]]]]
DEFAULT_NONE: Any = BaseRequest.DEFAULT_NONE


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

    async def _post(
        self,
        endpoint: str,
        data: JSONDict | None = None,
        *,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> Any:
        """Every call, as PTB makes it; getUpdates' batch is cut to its journal form and written
        down before `get_updates` parses it (PTB's own timeouts and offsets are untouched)."""
        result = await super()._post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if endpoint != "getUpdates" or not isinstance(result, list):
            return result
        forms = [journal_form(raw) for raw in result]
        rows = [(form["update_id"], json.dumps(form, ensure_ascii=False)) for form in forms]
        answered = self._take_answered()
        if rows or answered:
            try:
                await self._offload(self._inbox.record, rows, answered, self._clock())
            except BaseException:
                # Not written, so not returned either: PTB polls again without confirming.
                self._answered |= answered
                raise
        return forms

    async def send_html(self, chat_id: int, html: str, reply_markup: Keyboard | None = None) -> None:
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


def journal_form(update: JSONDict) -> JSONDict:
    """What the coach reads of an update (as the Bot API sends it), enough to handle it again
    after a crash: who, in which chat, what they typed or pressed. Anything else, or an update
    without a person and a chat, is its id alone: the coach answers nothing to it."""
    form: JSONDict = {"update_id": update["update_id"]}
    query = update.get("callback_query")
    if query is not None:
        message = query.get("message")
        if message is None or "from" not in query:
            return form  # a button on an inline message: no chat to answer in
        pressed: JSONDict = {"id": query["id"], "from": _person(query["from"]), "chat_instance": query["chat_instance"]}
        # The message the button was on, as far as its chat: not its text nor its keyboard.
        pressed["message"] = {"message_id": message["message_id"], "date": message["date"], "chat": _place(message)}
        if query.get("data") is not None:
            pressed["data"] = query["data"]
        form["callback_query"] = pressed
        return form
    for key in ("message", "edited_message"):
        message = update.get(key)
        if message is not None and "from" in message:
            kept: JSONDict = {"message_id": message["message_id"], "date": message["date"], "chat": _place(message)}
            kept["from"] = _person(message["from"])
            if message.get("text") is not None:
                kept["text"] = message["text"]
            form[key] = kept
            return form
    return form


def _person(user: JSONDict) -> JSONDict:
    person: JSONDict = {"id": user["id"], "is_bot": user["is_bot"], "first_name": "-"}
    if user.get("language_code"):
        person["language_code"] = user["language_code"]
    return person


def _place(message: JSONDict) -> JSONDict:
    chat = message["chat"]
    return {"id": chat["id"], "type": chat["type"]}
