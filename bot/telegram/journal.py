"""A Bot that keeps each fetched update on disk from before Telegram forgets it until answered.

Telegram forgets a batch of updates when the next getUpdates confirms it, and PTB's updater
asks for the next batch while this one is still queued. So no getUpdates goes out before
every update fetched so far is on disk or answered. An update gets there in one of two ways:
its own handling writes it, in the same transaction as the answer it produces (the coach
does that; see `unwritten`), or, if it has not been handled by the time the next poll is
due, the poll writes it first, with the others in the same position, in one transaction. At
a hundred updates a second every update is handled before the next poll and no poll writes
anything; under load, the poll writes what is still queued.

What is written, and what PTB then turns into `Update` objects, is each update's journal
form: what the coach reads of it, and no more (no names, no quoted messages, not the keyboard
a button was pressed on). So a live update and the same update replayed after a crash look
alike to the coach, and PTB parses a fraction of each one. Updates are forgotten when the
coach says they were answered; those ids are deleted with the next batch or by `flush`,
which the bot runs as soon as there are any, so under load many answers share one commit.
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
        self._unwritten: dict[int, str] = {}  # fetched, neither on disk nor answered: id -> journal form
        self._answered: set[int] = set()  # answered and on disk: to delete from the inbox
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
        """Every call, as PTB makes it (its own timeouts and offsets untouched). A getUpdates
        first writes down what it is about to confirm; its batch is cut to the journal form
        before `get_updates` parses it."""
        if endpoint == "getUpdates":
            await self._write_unwritten()
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
        for form in forms:
            self._unwritten[form["update_id"]] = json.dumps(form, ensure_ascii=False)
        return forms

    async def _write_unwritten(self) -> None:
        """Before a getUpdates confirms them: the updates fetched so far that are neither
        answered nor written by their own handling, in one transaction with the deletion of
        the answered ones. If it fails, the getUpdates does not go out (PTB retries it)."""
        if not self._unwritten and not self._answered:
            return
        # The last batch's handlers were queued just before this poll: let them go first, so
        # that their answers need not wait for this write and their rows need no write of it.
        await asyncio.sleep(0)
        rows = list(self._unwritten.items())
        answered = self._take_answered()
        if not rows and not answered:
            return
        # On disk from here, as far as `answered` is concerned: one answered during the write
        # is deleted after it.
        self._unwritten.clear()
        try:
            await self._offload(self._inbox.record, rows, answered, self._clock())
        except BaseException:
            self._answered |= answered
            for update_id, form in rows:
                if update_id in self._answered:
                    self._answered.discard(update_id)  # answered meanwhile, and never written
                else:
                    self._unwritten[update_id] = form
            raise

    def unwritten(self, update_id: int) -> str | None:
        """The update's journal form, if it is not on disk yet: the coach writes it in the
        transaction that handles the update, then calls `written`."""
        return self._unwritten.get(update_id)

    def written(self, update_id: int) -> None:
        self._unwritten.pop(update_id, None)

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
        if self._unwritten.pop(update_id, None) is not None:
            return  # never written, so nothing to delete
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
