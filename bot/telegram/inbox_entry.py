"""The Telegram half of the inbox (bot/inbox.py keeps the rows): what is kept of an update, and
the update as the coach reads it: who, in which chat, what they typed or pressed. No more.

What the inbox keeps of an update (its inbox form) is exactly that, in the Bot API's own
field names and nesting: not the person's names, not the text of the message a button was
on, nor its keyboard. A live update is cut to this form before the coach sees it, and an
update replayed from the inbox after a crash is read from it, so both look alike to the coach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Chat, Update, User

JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update, as the coach handles it. Without a person and a chat (a button on an inline
    message, a channel post, an update kind we did not ask for) it is its id alone."""

    update_id: int
    user_id: int | None = None
    chat_id: int | None = None
    private: bool = False
    language: str | None = None
    text: str | None = None  # what they typed; None for a photo, a sticker, a press
    edited: bool = False  # an edit of an earlier message
    query_id: str | None = None  # a button press: the callback query to answer
    data: str | None = None  # the pressed button's data, as it came (it may be forged)

    @property
    def pressed(self) -> bool:
        return self.query_id is not None


def inbox_form(update: Update) -> JSONDict:
    """What the inbox keeps of an update fetched from Telegram."""
    form: JSONDict = {"update_id": update.update_id}
    query = update.callback_query
    if query is not None:
        if query.message is None:
            return form  # a button on an inline message: no chat to answer in
        where = {"chat": _place(query.message.chat)}
        pressed: JSONDict = {"id": query.id, "from": _person(query.from_user), "message": where}
        if query.data is not None:
            pressed["data"] = query.data
        form["callback_query"] = pressed
        return form
    for key, message in (("message", update.message), ("edited_message", update.edited_message)):
        if message is not None and message.from_user is not None:
            kept: JSONDict = {"from": _person(message.from_user), "chat": _place(message.chat)}
            if message.text is not None:
                kept["text"] = message.text
            form[key] = kept
            return form
    return form


def incoming(form: JSONDict) -> Incoming:
    """The update a inbox form describes (one of ours, or one an earlier version wrote, which
    kept a few more fields in the same places)."""
    update_id = int(form["update_id"])
    query = form.get("callback_query")
    if query is not None:
        person, chat = query["from"], query["message"]["chat"]
        return Incoming(
            update_id,
            user_id=int(person["id"]),
            chat_id=int(chat["id"]),
            private=chat["type"] == "private",
            language=person.get("language_code"),
            query_id=str(query["id"]),
            data=query.get("data"),
        )
    for key in ("message", "edited_message"):
        message = form.get(key)
        if message is not None:
            person, chat = message["from"], message["chat"]
            return Incoming(
                update_id,
                user_id=int(person["id"]),
                chat_id=int(chat["id"]),
                private=chat["type"] == "private",
                language=person.get("language_code"),
                text=message.get("text"),
                edited=key == "edited_message",
            )
    return Incoming(update_id)


def _person(user: User) -> JSONDict:
    person: JSONDict = {"id": user.id}
    if user.language_code:
        person["language_code"] = user.language_code
    return person


def _place(chat: Chat) -> JSONDict:
    return {"id": chat.id, "type": chat.type}
