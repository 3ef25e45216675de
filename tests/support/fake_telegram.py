"""A fake Telegram Bot API server, as strict as Telegram, that the real PTB Application talks HTTP to.

Why a server and not mocks: a mocked ``Bot`` accepts anything, so over-long messages, broken HTML, callback
data over 64 bytes, double-answered callback queries and unhandled flood waits all pass in tests and fail in
production. Here the real PTB request code sends real HTTP, and the server refuses what Telegram refuses,
with Telegram's status codes and descriptions, so PTB raises the same exceptions it would in production.

Point PTB at it with ``base_url=f"{server.url}/bot"`` and ``base_file_url=f"{server.url}/file/bot"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-for-the-fake-server"
BOT_ID = 123456
BOT_USERNAME = "debtcoach_test_bot"
FIRST_UPDATE_ID = 1000
MESSAGE_LIMIT = 4096  # UTF-16 code units, measured after entity parsing, as Telegram does
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
ANSWER_TEXT_LIMIT = 200
DOCUMENT_LIMIT = 50 * 1024 * 1024
LONG_POLL_LIMIT = 50  # Telegram clamps getUpdates timeout to this many seconds
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_RETRY = 0.2  # seconds before a post the webhook did not take is tried again
_POLL_INTERVAL = 0.05  # wait_for also re-checks predicates about state outside the server this often

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"
    " as a current content and reply markup of the message"
)
# What Telegram's front end answers while the Bot API behind it is unreachable: nginx's own page, not JSON.
BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"
_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_FLOODABLE = frozenset(
    {"sendMessage", "sendDocument", "answerCallbackQuery", "editMessageText", "editMessageReplyMarkup"}
)
FLOOD_WINDOW = 1.0  # seconds: Telegram's overall limit is so many messages per second, over any sliding second
# send* methods that deliver no message, so flood control neither counts nor refuses them
_NOT_MESSAGES = frozenset({"sendChatAction"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "DebtCoach",
    "username": BOT_USERNAME,
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

JsonDict = dict[str, Any]


# ---------------------------------------------------------------------------------------------------------------
# What the tests read
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class SentDocument:
    """A file the bot uploaded, kept byte for byte so tests can open the PDF it really sent."""

    filename: str
    content: bytes
    mime_type: str | None


@dataclass
class SentMessage:
    """One message the bot sent, as the user would see it; edits update it in place."""

    message_id: int
    chat_id: int
    text: str  # after HTML parsing and Telegram's whitespace trim; the caption for documents ("" if none)
    html: str  # the raw text or caption exactly as the bot sent it
    buttons: list[list[tuple[str, str]]]  # inline keyboard rows of (label, callback_data or url)
    document: SentDocument | None
    sent_at: float  # time.monotonic() when the server accepted it
    entities: list[JsonDict] = field(default_factory=list)  # Telegram's MessageEntity dicts for the text
    # The keyboard as the bot sent it, kept when an edit takes it away: a client that has not
    # refreshed can still press an old button, and tests press those to check they are refused.
    buttons_sent: list[list[tuple[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.buttons_sent:
            self.buttons_sent = [list(row) for row in self.buttons]

    @property
    def choices(self) -> list[tuple[str, str]]:
        """All buttons in reading order, because tests care what can be pressed, not the layout."""
        return [button for row in self.buttons for button in row]

    @property
    def choices_sent(self) -> list[tuple[str, str]]:
        """The buttons as sent, in reading order, whether or not an edit has taken them away since."""
        return [button for row in self.buttons_sent for button in row]


@dataclass
class ApiError:
    """An error response the server gave, so tests can assert the bot never provoked one."""

    method: str
    error_code: int
    description: str
    params: dict[str, Any]


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood control for message sends, off unless asked for: the payment-reminder scheduler must pace
    itself, and an unpaced burst has to fail in tests the way it fails in production, with 429s.

    ``overall_per_second`` accepted sends at most in any sliding second, across all chats; at least
    ``per_chat_interval`` seconds between two accepted sends to one chat.
    """

    overall_per_second: int = 30
    per_chat_interval: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.overall_per_second, bool) or not isinstance(self.overall_per_second, int):
            raise TypeError("overall_per_second must be an int")
        if self.overall_per_second < 1:
            raise ValueError("overall_per_second must be at least 1")
        if not self.per_chat_interval >= 0:  # also refuses NaN
            raise ValueError("per_chat_interval must be a number >= 0")


@dataclass(frozen=True)
class FloodRefusal:
    """A send refused by flood control, so a test or benchmark can assert there were none and say which were."""

    method: str
    chat_id: int | str | None  # as the request gave it
    at: float  # time.monotonic() when the server refused it, comparable with SentMessage.sent_at
    retry_after: int  # what the server told the client to wait, in whole seconds
    per_chat: bool  # the chat had an accepted send less than per_chat_interval ago
    overall: bool  # accepting it would have put more than overall_per_second sends in one sliding second


class _MethodError(Exception):
    """Raised by method handlers; becomes Telegram's ``{"ok": false, ...}`` with the HTTP status as error_code."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _OutageError(Exception):
    """Raised inside a method (a long poll) when the API goes down meanwhile: it ends in a 502 page."""


def _queue_of(update: JsonDict) -> int:
    """The queue an update waits in for its turn to be posted to a webhook: its chat's (or, for
    what has no chat, its sender's)."""
    body = next(value for key, value in update.items() if key != "update_id")
    chat = body.get("chat") or (body.get("message") or {}).get("chat")
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return int(chat["id"])
    sender = body.get("from") or {}
    return int(sender.get("id", 0))


def _bad(description: str) -> _MethodError:
    return _MethodError(400, f"Bad Request: {description}")


def _too_many_requests(retry_after: int) -> _MethodError:
    return _MethodError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def _sends_message(method: str) -> bool:
    """Whether a (supported, canonically named) method delivers a message and so falls under flood control."""
    return method.startswith("send") and method not in _NOT_MESSAGES


# ---------------------------------------------------------------------------------------------------------------
# Telegram's parse_mode=HTML, hand-written because html.parser happily accepts what Telegram refuses
# ---------------------------------------------------------------------------------------------------------------


class EntityParseError(ValueError):
    """HTML that Telegram refuses; the message is what follows "can't parse entities: " in Telegram's reply."""


_SPACES = " \t\r\n\x0b\x0c"  # what separates tag names and attributes, and what Telegram trims off texts
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));")
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


@dataclass
class _OpenTag:
    name: str
    index: int  # position of "<" in the source, for error messages
    start: int  # UTF-16 offset in the parsed text where the entity begins
    attributes: dict[str, str]
    language: str | None = None


def utf16_len(text: str) -> int:
    """Telegram measures lengths and offsets in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def _at(source: str, index: int) -> str:
    return f"at byte offset {len(source[:index].encode('utf-8'))}"


def _read_reference(source: str, index: int) -> tuple[str, int]:
    """Decode the character reference at ``source[index] == "&"``; the documented ones only, the rest refused."""
    match = _ENTITY_RE.match(source, index)
    if match is None:
        raise EntityParseError(f'Character "&" must be escaped as "&amp;" {_at(source, index)}')
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise EntityParseError(f'Unsupported HTML entity "{match.group(0)}" {_at(source, index)}')
        return _NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise EntityParseError(f'Invalid character reference "{match.group(0)}" {_at(source, index)}')
    return chr(code), match.end()


def _decode(source: str, start: int, end: int) -> str:
    """Decode an attribute value in place, so error offsets point into the original text."""
    parts: list[str] = []
    index = start
    while index < end:
        if source[index] == "&":
            char, index = _read_reference(source, index)
        else:
            char, index = source[index], index + 1
        parts.append(char)
    return "".join(parts)


def _skip_spaces(source: str, index: int) -> int:
    while index < len(source) and source[index] in _SPACES:
        index += 1
    return index


def _read_attributes(source: str, index: int, tag: str, where: str) -> tuple[dict[str, str], int]:
    """Read ``name``, ``name=value``, ``name="value"`` and ``name='value'`` up to ">", returning its index."""
    attributes: dict[str, str] = {}
    end = len(source)
    while True:
        index = _skip_spaces(source, index)
        if index >= end:
            raise EntityParseError(f"Unclosed start tag {where}")
        if source[index] == ">":
            return attributes, index
        name_start = index
        while index < end and source[index] not in _SPACES and source[index] not in "=>":
            index += 1
        name = source[name_start:index].lower()
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" {where}')
        index = _skip_spaces(source, index)
        if index >= end:
            raise EntityParseError(f"Unclosed start tag {where}")
        if source[index] != "=":
            attributes[name] = ""
            continue
        index = _skip_spaces(source, index + 1)
        if index >= end:
            raise EntityParseError(f"Unclosed start tag {where}")
        if source[index] in "\"'":
            closing = source.find(source[index], index + 1)
            if closing < 0:
                raise EntityParseError(f"Unclosed start tag {where}")
            attributes[name] = _decode(source, index + 1, closing)
            index = closing + 1
        else:
            value_start = index
            while index < end and source[index] not in _SPACES and source[index] != ">":
                index += 1
            attributes[name] = _decode(source, value_start, index)


def _open_tag(source: str, index: int, position: int) -> tuple[_OpenTag, int]:
    """Parse the start tag at ``source[index] == "<"``; returns it and the index just past its ">"."""
    where = _at(source, index)
    end = index + 1
    while end < len(source) and source[end] not in _SPACES and source[end] != ">":
        end += 1
    if end >= len(source):
        raise EntityParseError(f"Unclosed start tag {where}")
    name = source[index + 1 : end].lower()
    if name not in _ENTITY_TYPES:
        raise EntityParseError(f'Unsupported start tag "{name}" {where}')
    attributes, end = _read_attributes(source, end, name, where)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "a" and not attributes.get("href"):
        raise EntityParseError(f'Tag "a" must have attribute "href" {where}')
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise EntityParseError(f'Tag "tg-emoji" must have a numeric attribute "emoji-id" {where}')
    return _OpenTag(name, index, position, attributes), end + 1


def _close_tag(source: str, index: int, stack: list[_OpenTag]) -> tuple[_OpenTag, int]:
    """Parse the end tag at ``source[index:index+2] == "</"``; it must close the innermost open tag."""
    where = _at(source, index)
    if not stack:
        raise EntityParseError(f"Unexpected end tag {where}")
    end = index + 2
    while end < len(source) and source[end] not in _SPACES and source[end] != ">":
        end += 1
    name = source[index + 2 : end].lower()
    end = _skip_spaces(source, end)
    if end >= len(source) or source[end] != ">":
        raise EntityParseError(f"Unclosed end tag {where}")
    tag = stack.pop()
    if name and name != tag.name:
        raise EntityParseError(f'Unmatched end tag {where}, expected "</{tag.name}>", found "</{name}>"')
    return tag, end + 1


def _entity(tag: _OpenTag, end: int, parent: _OpenTag | None) -> JsonDict | None:
    """The MessageEntity a closed tag produces; <pre><code class="language-x"> becomes a pre with a language."""
    css = tag.attributes.get("class", "")
    if tag.name == "code" and parent is not None and parent.name == "pre" and css.startswith("language-"):
        parent.language = css.removeprefix("language-")
        return None
    if end == tag.start:
        return None
    entity: JsonDict = {"type": _ENTITY_TYPES[tag.name], "offset": tag.start, "length": end - tag.start}
    if tag.name == "a":
        entity["url"] = tag.attributes["href"]
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attributes["emoji-id"]
    return entity


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities), raising EntityParseError wherever Telegram would refuse.

    Only the documented tags and the four named entities plus numeric references are accepted; a bare "<" or
    "&" is an error (the Bot API documentation requires them escaped), a bare ">" is fine.
    """
    parts: list[str] = []
    entities: list[JsonDict] = []
    stack: list[_OpenTag] = []
    position = 0
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            if source.startswith("</", index):
                tag, index = _close_tag(source, index, stack)
                entity = _entity(tag, position, stack[-1] if stack else None)
                if entity is not None:
                    entities.append(entity)
            else:
                tag, index = _open_tag(source, index, position)
                stack.append(tag)
            continue
        if char == "&":
            char, index = _read_reference(source, index)
        else:
            index += 1
        parts.append(char)
        position += 2 if ord(char) > 0xFFFF else 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(parts), entities


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram strips leading and trailing whitespace from texts and captions, shifting entities to match."""
    lead = len(text) - len(text.lstrip(_SPACES))
    trimmed = text.strip(_SPACES)
    total = utf16_len(trimmed)
    kept: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return trimmed, kept


def _format(raw: str, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    """Text as the user will see it; only HTML is parsed, the Markdown modes are taken as plain text."""
    if parse_mode != "html":
        return _trim(raw, [])
    try:
        return _trim(*parse_html(raw))
    except EntityParseError as error:
        raise _bad(f"can't parse entities: {error}") from None


def _message_text(params: JsonDict) -> tuple[str, list[JsonDict]]:
    """A message's text as Telegram checks it for sendMessage and editMessageText alike: present, and non-empty
    and at most 4096 UTF-16 units after parsing."""
    raw = params.get("text")
    if not isinstance(raw, str) or not raw:
        raise _bad("message text is empty")
    text, entities = _format(raw, _parse_mode(params))
    if not text:
        raise _bad("message text is empty")
    if utf16_len(text) > MESSAGE_LIMIT:
        raise _bad("message is too long")
    return text, entities


# ---------------------------------------------------------------------------------------------------------------
# Request parameters, as PTB sends them: form fields with JSON-encoded non-strings, multipart for files
# ---------------------------------------------------------------------------------------------------------------

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "entities",
        "caption_entities",
    }
)
_NUMBER_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "reply_to_message_id"})
_BOOL_FIELDS = frozenset(
    {"show_alert", "disable_notification", "protect_content", "drop_pending_updates", "allow_sending_without_reply"}
)


def _normalise(params: JsonDict) -> JsonDict:
    """Decode the JSON-in-a-form-field values PTB sends; undecodable values stay strings for the handler to refuse."""
    result: JsonDict = {}
    for name, value in params.items():
        if isinstance(value, str):
            if name in _JSON_FIELDS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif name in _NUMBER_FIELDS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            elif name in _NUMBER_FIELDS and re.fullmatch(r"-?\d+\.\d*", value):
                value = float(value)
            elif name in _BOOL_FIELDS and value.lower() in ("true", "false"):
                value = value.lower() == "true"
        result[name] = value
    return result


def _number(params: JsonDict, name: str, default: int) -> float:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f'parameter "{name}" must be a number')
    return value


def _parse_mode(params: JsonDict) -> str | None:
    mode = params.get("parse_mode")
    if mode is None or mode == "":
        return None
    if not isinstance(mode, str) or mode.lower() not in ("html", "markdown", "markdownv2"):
        raise _bad("unsupported parse_mode")
    return mode.lower()


_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _button(raw: Any) -> JsonDict:
    """One inline button: non-empty text and exactly one action; callback_data 1-64 bytes of UTF-8."""
    if not isinstance(raw, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = raw.get("text")
    if not isinstance(text, str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise _bad("BUTTON_TEXT_INVALID")
    actions = [name for name in _BUTTON_ACTIONS if name in raw]
    if not actions:
        raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _bad(f"can't parse inline keyboard button: only one of {', '.join(actions)} can be specified")
    action, value = actions[0], raw[actions[0]]
    if action == "callback_data" and not (
        isinstance(value, str) and 1 <= len(value.encode("utf-8")) <= CALLBACK_DATA_LIMIT
    ):
        raise _bad("BUTTON_DATA_INVALID")
    if action == "url" and not (isinstance(value, str) and re.match(r"(https?|tg)://\S", value)):
        raise _bad("BUTTON_URL_INVALID")
    return {"text": text, action: value}


def _reply_markup(raw: Any, *, inline_only: bool) -> JsonDict | None:
    """The normalised inline keyboard, or None when there is none (reply keyboards are accepted but not kept)."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        if sum(len(row) for row in rows) > 100:
            raise _bad("reply markup is too long")
        keyboard = [[_button(button) for button in row] for row in rows if row]
        return {"inline_keyboard": keyboard} if keyboard else None
    if not inline_only and any(name in raw for name in ("keyboard", "remove_keyboard", "force_reply")):
        return None
    raise _bad("can't parse reply keyboard markup JSON object")


def _buttons(markup: JsonDict | None) -> list[list[tuple[str, str]]]:
    if markup is None:
        return []
    return [
        [(button["text"], str(button.get("callback_data", button.get("url", "")))) for button in row]
        for row in markup["inline_keyboard"]
    ]


_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


@dataclass
class _Pending:
    update: JsonDict
    redelivered: bool = False  # a redelivered copy survives offsets until it has been handed out once
    delivered: bool = False


@dataclass
class _Record:
    sent: SentMessage
    payload: JsonDict  # the Telegram Message dict, as a callback query or an edit returns it


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    document: SentDocument


@dataclass
class _Call:
    method: str
    params: JsonDict
    request: web.Request


# ---------------------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------------------


class FakeTelegram:
    """Telegram's Bot API over real HTTP on 127.0.0.1, with simulated users and everything the bot sent on record."""

    def __init__(
        self, token: str = TOKEN, *, callback_query_ttl: float = 900.0, flood_limits: FloodLimits | None = None
    ) -> None:
        self.url = ""
        # None: no flood control, so existing tests never see a 429 they did not ask for
        self.flood_limits = flood_limits
        self.errors: list[ApiError] = []
        self.injected = 0
        self.held = 0  # requests currently waiting for release()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.issued_callbacks: set[str] = set()
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.confirmed_offset = 0
        self._token = token
        self._callback_ttl = callback_query_ttl
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._tick = asyncio.Event()
        self._users: dict[int, JsonDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._user_message_ids: dict[int, set[int]] = {}
        self._sent: dict[int, list[SentMessage]] = {}
        self._records: dict[tuple[int, int], _Record] = {}
        self._files: dict[str, _StoredFile] = {}
        self._next_update_id = FIRST_UPDATE_ID
        self._history: dict[int, JsonDict] = {}
        self._queue: list[_Pending] = []
        self._allowed_updates: list[str] = []
        self._poller: object | None = None
        self._webhook_url = ""
        self._webhook_secret = ""
        self._webhook_connections = 40
        self._webhook_proxy = ""  # where posts for the registered https:// address go (the TLS proxy)
        self._webhook_posting: asyncio.Task[None] | None = None
        self.webhook_statuses: list[int] = []  # what the bot's webhook answered each post, in order
        self._issued_at: dict[str, float] = {}
        self._injections: list[tuple[str | None, int]] = []
        self._held_methods: set[str] = set()
        self._release = asyncio.Event()
        self._background: set[asyncio.Task[web.Response]] = set()
        self._window: deque[float] = deque()  # sent_at of accepted sends less than FLOOD_WINDOW ago, oldest first
        self._last_send: dict[int, float] = {}  # chat_id -> sent_at of its latest accepted send
        self._flood_refusals: list[FloodRefusal] = []
        self._down = False
        self.bad_gateways = 0  # calls answered with the 502 page while down: the test's doing, not the bot's
        self._groups: dict[int, JsonDict] = {}
        self._uneditable: dict[tuple[int, int], str] = {}  # (chat, message) -> why an edit fails
        self._blocked: set[int] = set()
        self._handlers: dict[str, Callable[[_Call], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "close": self._true,
            "logOut": self._true,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "getFile": self._get_file,
        }
        self._canonical = {name.lower(): name for name in self._handlers}

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port; handler cancellation stops long-polls whose client has gone away."""
        self._closing = False
        app = web.Application(client_max_size=DOCUMENT_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """End long-polls and held requests, then close the listener."""
        self._closing = True
        self._notify()
        if self._webhook_posting is not None:
            self._webhook_posting.cancel()
            await asyncio.gather(self._webhook_posting, return_exceptions=True)
            self._webhook_posting = None
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- simulated users ---------------------------------------------------------------------------------------

    def user_says(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Alex",
        language_code: str | None = "en",
        chat_id: int | None = None,
    ) -> int:
        """The user types a message in their private chat with the bot, or in the group ``chat_id`` (see
        ``group``); returns the update_id."""
        user = self._remember(user_id, first_name, language_code)
        chat = user_id if chat_id is None else self._group_id(chat_id)
        message_id = self._next_message_id(chat)
        self._user_message_ids.setdefault(chat, set()).add(message_id)
        message: JsonDict = {
            "message_id": message_id,
            "from": user,
            "chat": self._chat(chat),
            "date": int(time.time()),
            "text": text,
        }
        command = _COMMAND_RE.match(text)
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}]
        return self._enqueue({"message": message})

    def user_presses(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        first_name: str = "Alex",
        language_code: str | None = "en",
        chat_id: int | None = None,
    ) -> int:
        """The user presses a button (or forges one: data is not checked against any keyboard) in their private
        chat, or in the group ``chat_id``; returns update_id.

        The query carries the bot's message with that id, else the latest with buttons; with neither it carries
        an inaccessible message (date 0), as Telegram does for messages the bot can no longer see.
        """
        user = self._remember(user_id, first_name, language_code)
        message = self._message_for_press(user_id if chat_id is None else self._group_id(chat_id), message_id)
        query_id = str(uuid.uuid4().int >> 64)
        self.issued_callbacks.add(query_id)
        self._issued_at[query_id] = time.monotonic()
        query = {"id": query_id, "from": user, "message": message, "chat_instance": str(-7 * user_id), "data": data}
        return self._enqueue({"callback_query": query})

    def group(self, chat_id: int, title: str = "Family budget", *, supergroup: bool = False) -> None:
        """A group chat the bot was added to; people can write and press buttons there. Ids are negative, as
        Telegram's group ids are."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self._groups[chat_id] = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}

    def redeliver(self, update_id: int) -> None:
        """Queue an identical copy of an earlier update, as Telegram does when it is unsure the bot got it."""
        if update_id not in self._history:
            raise ValueError(f"no update {update_id} was ever issued")
        self._queue.append(_Pending(copy.deepcopy(self._history[update_id]), redelivered=True))
        self._notify()

    # -- what the bot did --------------------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to the chat, in order, as currently shown (after edits)."""
        return list(self._sent.get(chat_id, []))

    def documents(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self._sent.get(chat_id, []) if message.document is not None]

    def pending_updates(self) -> int:
        """Updates the bot has not yet confirmed with an offset."""
        return len(self._queue)

    @property
    def flood_refusals(self) -> list[FloodRefusal]:
        """Every send flood control refused, oldest first (each is in ``errors`` as a 429 as well)."""
        return list(self._flood_refusals)

    def max_in_window(self, seconds: float = FLOOD_WINDOW, chat_id: int | None = None) -> int:
        """The most messages delivered (to ``chat_id``, or to all chats) within any sliding window of ``seconds``.

        Computed from ``sent_at`` after the fact, so a pacing test needs no flood control switched on. Two sends
        exactly ``seconds`` apart fall in different windows, as flood control counts them.
        """
        if not seconds > 0:
            raise ValueError("seconds must be positive")
        chats = [chat_id] if chat_id is not None else list(self._sent)
        times = sorted(message.sent_at for chat in chats for message in self._sent.get(chat, []))
        best = 0
        first = 0
        for last, time_sent in enumerate(times):
            while time_sent - times[first] >= seconds:
                first += 1
            best = max(best, last - first + 1)
        return best

    def min_gap(self, chat_id: int | None = None) -> float:
        """The shortest interval in seconds between two messages delivered to ``chat_id`` (with None, to any one
        chat); ``math.inf`` when no chat got two, so ``min_gap(chat) >= 1.0`` holds vacuously."""
        chats = [chat_id] if chat_id is not None else list(self._sent)
        gap = math.inf
        for chat in chats:
            times = sorted(message.sent_at for message in self._sent.get(chat, []))
            gap = min(gap, min((later - earlier for earlier, later in pairwise(times)), default=math.inf))
        return gap

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, *, what: str = "") -> None:
        """Wait until predicate() holds, woken by every server event and re-checked every few ms for outside state."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            tick = self._tick
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._report(what or getattr(predicate, "__qualname__", repr(predicate)), timeout))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tick.wait(), min(remaining, _POLL_INTERVAL))

    async def wait_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages to the chat; returns all of them."""
        await self.wait_for(
            lambda: len(self._sent.get(chat_id, [])) >= count, timeout, what=f"{count} message(s) in chat {chat_id}"
        )
        return self.messages(chat_id)

    # -- misbehaving on purpose --------------------------------------------------------------------------------

    def enforce_flood_limits(self, overall_per_second: int = 30, per_chat_interval: float = 1.0) -> None:
        """Refuse message sends over Telegram's limits with 429 from now on (``flood_limits = None`` lifts them).

        Sends delivered before the call count too: the limits are about what Telegram saw, not about when the
        test began watching.
        """
        self.flood_limits = FloodLimits(overall_per_second, per_chat_interval)

    def fail_with_429(self, times: int, *, retry_after: int = 1, method: str | None = None) -> None:
        """Refuse the next ``times`` sends (or calls of ``method``) with flood control, without performing them."""
        name = self._canonical.get(method.lower(), method) if method is not None else None
        self._injections.extend([(name, retry_after)] * times)

    def go_down(self) -> None:
        """From now until ``come_back``, every call (long polls under way included) gets what Telegram's front end
        answers while the Bot API is unreachable: HTTP 502 with nginx's HTML page. Nothing is performed."""
        self._down = True
        self._notify()

    def come_back(self) -> None:
        self._down = False
        self._notify()

    def make_uneditable(self, chat_id: int, message_id: int, *, deleted: bool = False) -> None:
        """An edit of this bot message fails from now on, as Telegram's does for a message that is too old to edit,
        or (``deleted``) one the person deleted."""
        self._uneditable[(chat_id, message_id)] = "message to edit not found" if deleted else "message can't be edited"

    def hold(self, method: str) -> None:
        """Leave requests for ``method`` unanswered until release(); they are performed then, client or not."""
        self._held_methods.add(self._canonical.get(method.lower(), method))

    def release(self) -> None:
        self._held_methods.clear()
        self._release.set()
        self._release = asyncio.Event()

    # -- HTTP --------------------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        raw_method = request.match_info["method"]
        method = self._canonical.get(raw_method.lower(), raw_method)
        try:
            params = await self._read_params(request)
        except _MethodError as failure:
            self.calls.append((method, {}))
            return self._fail(method, {}, failure)
        self.calls.append((method, params))
        if self._down:
            return self._bad_gateway()
        if request.match_info["token"] != self._token:
            return self._fail(method, params, _MethodError(401, "Unauthorized"))
        handler = self._handlers.get(method)
        if handler is None:
            return self._fail(method, params, _MethodError(404, "Not Found"))
        retry_after = self._take_injection(method)
        if retry_after is not None:
            self.injected += 1  # the test asked for it: not an error the bot provoked
            self._notify()
            return self._error_response(_too_many_requests(retry_after))
        call = _Call(method, params, request)
        if method not in self._held_methods:
            return await self._perform(handler, call)
        task = asyncio.create_task(self._perform_after_release(handler, call))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return await asyncio.shield(task)

    async def _perform_after_release(self, handler: Callable[[_Call], Awaitable[Any]], call: _Call) -> web.Response:
        self.held += 1
        self._notify()
        try:
            await self._release.wait()
        finally:
            self.held -= 1
        return await self._perform(handler, call)

    async def _perform(self, handler: Callable[[_Call], Awaitable[Any]], call: _Call) -> web.Response:
        """Run the method; flood control judges a send here, when it is about to be delivered (after any hold)."""
        if self._down:  # went down while the request was held
            return self._bad_gateway()
        try:
            if _sends_message(call.method):
                self._check_flood(call)
            result = await handler(call)
        except _MethodError as failure:
            return self._fail(call.method, call.params, failure)
        except _OutageError:
            return self._bad_gateway()
        self._notify()
        return web.json_response({"ok": True, "result": result})

    def _fail(self, method: str, params: JsonDict, failure: _MethodError) -> web.Response:
        self.errors.append(ApiError(method, failure.code, failure.description, params))
        self._notify()
        return self._error_response(failure)

    def _bad_gateway(self) -> web.Response:
        self.bad_gateways += 1
        self._notify()
        return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")

    @staticmethod
    def _error_response(failure: _MethodError) -> web.Response:
        body: JsonDict = {"ok": False, "error_code": failure.code, "description": failure.description}
        if failure.parameters:
            body["parameters"] = failure.parameters
        return web.json_response(body, status=failure.code)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self._token:
            return self._fail("file", {}, _MethodError(401, "Unauthorized"))
        stored = next((f for f in self._files.values() if f.file_path == request.match_info["path"]), None)
        if stored is None:
            return self._fail("file", {"path": request.match_info["path"]}, _MethodError(404, "Not Found"))
        content_type = stored.document.mime_type or "application/octet-stream"
        return web.Response(body=stored.document.content, headers={"Content-Type": content_type})

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return self._fail(request.path, {}, _MethodError(404, "Not Found"))

    async def _read_params(self, request: web.Request) -> JsonDict:
        """Query string plus body: urlencoded, multipart (files become SentDocument) or JSON."""
        params: JsonDict = dict(request.query)
        if request.content_type == "application/json":
            body = await request.read()
            try:
                decoded = json.loads(body) if body.strip() else {}
            except ValueError:
                raise _bad("can't parse JSON object") from None
            if not isinstance(decoded, dict):
                raise _bad("JSON object expected")
            params.update(decoded)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    with value.file:
                        content = value.file.read()
                    params[name] = SentDocument(value.filename, content, value.content_type or None)
                elif isinstance(value, str):
                    params[name] = value
                else:
                    params[name] = bytes(value).decode("utf-8", "replace")
        return _normalise(params)

    # -- bookkeeping -------------------------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake every waiter (long-polls, wait_for); a fresh Event each time so no wake-up is ever missed."""
        self._tick.set()
        self._tick = asyncio.Event()

    async def _wait_tick(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._tick.wait(), timeout)

    def _report(self, what: str, timeout: float) -> str:
        lines = [f"FakeTelegram: timed out after {timeout}s waiting for {what}"]
        for chat_id, sent in self._sent.items():
            lines.append(f"  chat {chat_id}: " + " | ".join(repr(message.text[:80]) for message in sent))
        lines.append("  last calls: " + ", ".join(method for method, _ in self.calls[-15:]))
        lines.extend(f"  error: {error.method} {error.error_code} {error.description}" for error in self.errors[-5:])
        lines.append(f"  pending updates: {len(self._queue)}, held requests: {self.held}")
        return "\n".join(lines)

    def _check_flood(self, call: _Call) -> None:
        """Raise 429 if delivering this send now would break the flood limits; the retry_after is the whole
        seconds until it would not, at least 1, as Telegram never says 0.

        Check and delivery happen with no await between them (send handlers never await), so concurrent sends
        cannot both slip through on the same free slot.
        """
        now = time.monotonic()
        self._forget_old_sends(now)
        limits = self.flood_limits
        if limits is None:
            return
        chat_id = call.params.get("chat_id")
        wait = 0.0
        per_chat = overall = False
        last = self._last_send.get(chat_id) if isinstance(chat_id, int) else None
        if last is not None and now - last < limits.per_chat_interval:
            per_chat = True
            wait = last + limits.per_chat_interval - now
        if len(self._window) >= limits.overall_per_second:
            overall = True  # it can go once the oldest sends have left the window, leaving room for one more
            wait = max(wait, self._window[len(self._window) - limits.overall_per_second] + FLOOD_WINDOW - now)
        if not (per_chat or overall):
            return
        retry_after = max(1, math.ceil(wait))
        kept_chat = chat_id if isinstance(chat_id, int | str) else None
        self._flood_refusals.append(FloodRefusal(call.method, kept_chat, now, retry_after, per_chat, overall))
        raise _too_many_requests(retry_after)

    def _forget_old_sends(self, now: float) -> None:
        while self._window and now - self._window[0] >= FLOOD_WINDOW:
            self._window.popleft()

    def _take_injection(self, method: str) -> int | None:
        for index, (target, retry_after) in enumerate(self._injections):
            if target == method or (target is None and method in _FLOODABLE):
                del self._injections[index]
                return retry_after
        return None

    def blocks(self, user_id: int) -> None:
        """The person blocked the bot: nothing can be sent to or edited in their chat any more."""
        self._blocked.add(user_id)

    def knows(self, user_id: int, first_name: str = "Alex", language_code: str | None = "en") -> None:
        """A person who started the bot in an earlier run: their chat exists, so the bot may
        write to them first (a reminder) without a new update from them."""
        self._remember(user_id, first_name, language_code)

    def _remember(self, user_id: int, first_name: str, language_code: str | None) -> JsonDict:
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _chat(self, chat_id: int) -> JsonDict:
        if chat_id in self._groups:
            return dict(self._groups[chat_id])
        return {"id": chat_id, "type": "private", "first_name": self._users[chat_id]["first_name"]}

    def _group_id(self, chat_id: int) -> int:
        if chat_id not in self._groups:
            raise ValueError(f"no group {chat_id}: call group() first")
        return chat_id

    def _next_message_id(self, chat_id: int) -> int:
        """User and bot messages share one counter per chat, as in Telegram's private chats."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _enqueue(self, payload: JsonDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, **payload}
        self._history[update_id] = update
        self._queue.append(_Pending(copy.deepcopy(update)))
        self._notify()
        return update_id

    def _message_for_press(self, chat_id: int, message_id: int | None) -> JsonDict:
        record = None
        if message_id is not None:
            record = self._records.get((chat_id, message_id))
        else:
            latest = next((sent for sent in reversed(self._sent.get(chat_id, [])) if sent.buttons), None)
            record = self._records[(chat_id, latest.message_id)] if latest else None
        if record is not None:
            return copy.deepcopy(record.payload)
        return {"message_id": message_id or 1, "chat": self._chat(chat_id), "date": 0}

    def _chat_id(self, params: JsonDict) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int) or (chat_id not in self._users and chat_id not in self._groups):
            raise _bad("chat not found")
        if chat_id in self._blocked:
            raise _MethodError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _check_reply(self, chat_id: int, params: JsonDict) -> None:
        """Replying to a message that is not in the chat fails unless allow_sending_without_reply is set."""
        reply = params.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        lenient = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if target is None or lenient:
            return
        if (chat_id, target) not in self._records and target not in self._user_message_ids.get(chat_id, set()):
            raise _bad("message to be replied not found")

    def _record(self, chat_id: int, sent: SentMessage, payload: JsonDict) -> JsonDict:
        """Deliver a message: every send handler ends here, so flood control counts exactly what was delivered."""
        self._sent.setdefault(chat_id, []).append(sent)
        self._window.append(sent.sent_at)
        self._last_send[chat_id] = sent.sent_at
        self._records[(chat_id, sent.message_id)] = _Record(sent, payload)
        self.on_delivered(chat_id, sent)
        return copy.deepcopy(payload)

    def on_delivered(self, chat_id: int, sent: SentMessage) -> None:
        """Called once for each message delivered, after it is recorded: a hook for subclasses (the
        benches count deliveries here) that does nothing itself."""

    def _bot_message(self, chat_id: int, message_id: int) -> JsonDict:
        chat = self._chat(chat_id)
        return {"message_id": message_id, "from": dict(_BOT_USER), "chat": chat, "date": int(time.time())}

    def _editable(self, params: JsonDict) -> _Record:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if message_id is None or message_id == "":
            raise _bad("message identifier is not specified")
        if isinstance(message_id, int) and message_id in self._user_message_ids.get(chat_id, set()):
            raise _bad("message can't be edited")
        record = self._records.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if record is None:
            raise _bad("message to edit not found")
        if (chat_id, message_id) in self._uneditable:
            raise _bad(self._uneditable[(chat_id, message_id)])
        return record

    @staticmethod
    def _set_markup(record: _Record, markup: JsonDict | None) -> None:
        record.payload.pop("reply_markup", None)
        if markup is not None:
            record.payload["reply_markup"] = markup
        record.payload["edit_date"] = int(time.time())
        record.sent.buttons = _buttons(markup)

    # -- Bot API methods ---------------------------------------------------------------------------------------

    async def _true(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> JsonDict:
        return dict(_BOT_USER)

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        """Confirm by offset, then return pending updates, long-polling up to ``timeout`` seconds for new ones."""
        if self._webhook_url:
            raise _MethodError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(_number(call.params, "offset", 0))
        limit = int(min(max(_number(call.params, "limit", 100), 1), 100))
        timeout = min(max(_number(call.params, "timeout", 0), 0), LONG_POLL_LIMIT)
        if isinstance(call.params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in call.params["allowed_updates"]]
        self._confirm(offset)
        me = object()
        superseded, self._poller = self._poller, me
        if superseded is not None:
            self._notify()  # the older long-poll wakes, sees it is no longer the poller and answers 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if self._down:
                    raise _OutageError
                if self._poller is not me:
                    transport = call.request.transport
                    if transport is None or transport.is_closing():
                        return []  # the client gave up (PTB cancels its poll on stop): nobody to tell
                    raise _MethodError(409, _CONFLICT)
                batch = self._take(limit)
                if batch or self._closing or loop.time() >= deadline:
                    return batch
                await self._wait_tick(deadline - loop.time())
        finally:
            if self._poller is me:
                self._poller = None

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._queue = [
                pending
                for pending in self._queue
                if pending.update["update_id"] >= offset or (pending.redelivered and not pending.delivered)
            ]
            self.confirmed_offset = max(self.confirmed_offset, offset)
        elif offset < 0:
            self._queue = self._queue[offset:]

    def _take(self, limit: int) -> list[JsonDict]:
        if self._allowed_updates:
            self._queue = [pending for pending in self._queue if self._kind(pending.update) in self._allowed_updates]
        batch = self._queue[:limit]
        for pending in batch:
            pending.delivered = True
        return [copy.deepcopy(pending.update) for pending in batch]

    @staticmethod
    def _kind(update: JsonDict) -> str:
        return next(key for key in update if key != "update_id")

    async def _set_webhook(self, call: _Call) -> bool:
        url = call.params.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = call.params.get("secret_token", "")
        if not isinstance(secret, str) or not _SECRET_TOKEN.fullmatch(secret or "x"):
            raise _bad("bad webhook: secret token contains unallowed characters")
        connections = int(_number(call.params, "max_connections", 40))
        if not 1 <= connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        if isinstance(call.params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in call.params["allowed_updates"]]
        self._webhook_url, self._webhook_secret, self._webhook_connections = url, secret, connections
        if self._webhook_posting is None:
            self._webhook_posting = asyncio.create_task(self._post_to_webhook())
        self._notify()
        return True

    def proxy_webhook(self, to: str) -> None:
        """Stand for the TLS proxy in front of the bot's webhook: posts for the registered
        https:// address go to `to` (http://host:port), with the path as it is."""
        self._webhook_proxy = to.rstrip("/")

    @property
    def webhook(self) -> tuple[str, str, int]:
        """The registered webhook: its address, secret and max_connections."""
        return self._webhook_url, self._webhook_secret, self._webhook_connections

    async def _post_to_webhook(self) -> None:
        """As Telegram's Bot API server does with a webhook set (its WebhookActor): up to
        max_connections posts at once, but one chat's updates one at a time, in order, the next
        only once the bot has answered 200 to the one before; any other answer (or none) and the
        update is posted again a little later, holding its chat's back meanwhile."""
        import aiohttp

        in_flight: set[asyncio.Task[None]] = set()
        posting: set[int] = set()  # the chats with a post under way
        async with aiohttp.ClientSession() as session:
            while self._webhook_url and not self._closing:
                if self._allowed_updates:
                    self._queue = [p for p in self._queue if self._kind(p.update) in self._allowed_updates]
                for pending in list(self._queue):
                    if len(in_flight) >= self._webhook_connections:
                        break
                    chat = _queue_of(pending.update)
                    if chat in posting:
                        continue
                    posting.add(chat)
                    task = asyncio.create_task(self._post_one(session, pending, posting))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                await self._wait_tick(_WEBHOOK_RETRY)
            for task in list(in_flight):
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _post_one(self, session: Any, pending: _Pending, posting: set[int]) -> None:
        path = self._webhook_url.split("://", 1)[1].partition("/")[2]
        headers = {"X-Telegram-Bot-Api-Secret-Token": self._webhook_secret} if self._webhook_secret else {}
        try:
            while True:
                try:
                    async with session.post(
                        f"{self._webhook_proxy}/{path}", json=pending.update, headers=headers
                    ) as response:
                        status = response.status
                except Exception:
                    status = 0  # refused, reset, or the bot's end went away mid-post
                self.webhook_statuses.append(status)
                if status == 200:
                    self._queue = [p for p in self._queue if p is not pending]
                    pending.delivered = True
                    self._notify()
                    return
                await asyncio.sleep(_WEBHOOK_RETRY)
        finally:
            posting.discard(_queue_of(pending.update))
            self._notify()

    async def _delete_webhook(self, call: _Call) -> bool:
        self._webhook_url = ""
        if self._webhook_posting is not None:
            self._webhook_posting.cancel()
            await asyncio.gather(self._webhook_posting, return_exceptions=True)
            self._webhook_posting = None
        if call.params.get("drop_pending_updates") is True:
            self._queue.clear()
        return True

    async def _get_webhook_info(self, call: _Call) -> JsonDict:
        return {"url": self._webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._queue)}

    @staticmethod
    def _language(params: JsonDict) -> str | None:
        language = params.get("language_code") or None
        if language is not None and not (isinstance(language, str) and re.fullmatch(r"[a-z]{2}", language)):
            raise _bad("invalid language code specified")
        return language

    async def _set_my_commands(self, call: _Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: BotCommand must be an Object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        language = self._language(call.params)
        if cleaned:
            self.commands[language] = cleaned
        else:
            self.commands.pop(language, None)
        return True

    async def _get_my_commands(self, call: _Call) -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get(self._language(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> bool:
        self.commands.pop(self._language(call.params), None)
        return True

    async def _send_message(self, call: _Call) -> JsonDict:
        params = call.params
        markup = _reply_markup(params.get("reply_markup"), inline_only=False)
        text, entities = _message_text(params)
        raw = params["text"]  # present: _message_text checked it
        chat_id = self._chat_id(params)
        self._check_reply(chat_id, params)
        message_id = self._next_message_id(chat_id)
        payload = self._bot_message(chat_id, message_id)
        payload["text"] = text
        if entities:
            payload["entities"] = entities
        if markup is not None:
            payload["reply_markup"] = markup
        sent = SentMessage(message_id, chat_id, text, raw, _buttons(markup), None, time.monotonic(), entities)
        return self._record(chat_id, sent, payload)

    def _document(self, params: JsonDict) -> _StoredFile:
        """The uploaded file (multipart part ``document`` or attach://name), or a file_id this server issued."""
        value = params.get("document")
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, str) and value:
            if value in self._files:
                return self._files[value]
            raise _bad("wrong file identifier/HTTP URL specified")
        if not isinstance(value, SentDocument):
            raise _bad("there is no document in the request")
        if not value.content:
            raise _bad("file must be non-empty")
        if len(value.content) > DOCUMENT_LIMIT:
            raise _MethodError(413, "Request Entity Too Large")
        number = len(self._files) + 1
        unique = f"AgAD{number:04d}"
        stored = _StoredFile(f"BQACAgIAAx{number:04d}{uuid.uuid4().hex}", unique, f"documents/file_{number}", value)
        self._files[stored.file_id] = stored
        return stored

    async def _send_document(self, call: _Call) -> JsonDict:
        params = call.params
        markup = _reply_markup(params.get("reply_markup"), inline_only=False)
        stored = self._document(params)
        raw = params.get("caption") or ""
        if not isinstance(raw, str):
            raise _bad("caption must be a string")
        caption, entities = _format(raw, _parse_mode(params)) if raw else ("", [])
        if utf16_len(caption) > CAPTION_LIMIT:
            raise _bad("message caption is too long")
        chat_id = self._chat_id(params)
        self._check_reply(chat_id, params)
        message_id = self._next_message_id(chat_id)
        payload = self._bot_message(chat_id, message_id)
        payload["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.document.filename,
            "file_size": len(stored.document.content),
        }
        if stored.document.mime_type:
            payload["document"]["mime_type"] = stored.document.mime_type
        if caption:
            payload["caption"] = caption
        if entities:
            payload["caption_entities"] = entities
        if markup is not None:
            payload["reply_markup"] = markup
        sent = SentMessage(
            message_id, chat_id, caption, raw, _buttons(markup), stored.document, time.monotonic(), entities
        )
        return self._record(chat_id, sent, payload)

    async def _send_chat_action(self, call: _Call) -> bool:
        self._chat_id(call.params)
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    async def _answer_callback_query(self, call: _Call) -> bool:
        """A query can be answered once, within callback_query_ttl seconds of the press."""
        text = call.params.get("text") or ""
        if not isinstance(text, str) or len(text) > ANSWER_TEXT_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        query_id = str(call.params.get("callback_query_id") or "")
        issued = self._issued_at.get(query_id)
        if issued is None or query_id in self.answered_callbacks or time.monotonic() - issued > self._callback_ttl:
            raise _MethodError(400, _QUERY_TOO_OLD)
        self.answered_callbacks[query_id] = call.params
        return True

    async def _edit_message_text(self, call: _Call) -> JsonDict:
        params = call.params
        markup = _reply_markup(params.get("reply_markup"), inline_only=True)
        text, entities = _message_text(params)
        raw = params["text"]  # present: _message_text checked it
        record = self._editable(params)
        if "text" not in record.payload:
            raise _bad("there is no text in the message to edit")
        current = (record.payload["text"], record.payload.get("entities", []), record.payload.get("reply_markup"))
        if current == (text, entities, markup):
            raise _MethodError(400, _NOT_MODIFIED)
        record.payload["text"] = text
        record.payload.pop("entities", None)
        if entities:
            record.payload["entities"] = entities
        record.sent.text, record.sent.html, record.sent.entities = text, raw, entities
        self._set_markup(record, markup)
        return copy.deepcopy(record.payload)

    async def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        markup = _reply_markup(call.params.get("reply_markup"), inline_only=True)
        record = self._editable(call.params)
        if record.payload.get("reply_markup") == markup:
            raise _MethodError(400, _NOT_MODIFIED)
        self._set_markup(record, markup)
        return copy.deepcopy(record.payload)

    async def _get_file(self, call: _Call) -> JsonDict:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.document.content),
            "file_path": stored.file_path,
        }
