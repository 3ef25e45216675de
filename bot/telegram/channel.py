"""Telegram as a channel of bot/delivery.py: replies as HTML messages, files as documents.

A reply longer than a message is cut at paragraphs (formatting.py) with its buttons on the last
part; a letter becomes a PDF when it is sent (with no font for its Chinese characters, its .txt
goes instead, the caption saying why); the export and the calendar go as documents, each with
its caption. Taking buttons off is an edit of the message's reply markup. What the errors
mean: a 429 is a wait of its retry_after (the bot's rate limiter waits out the first twenty,
rate_limiter.py); a network failure, a timeout or a 5xx page is Telegram being away; 400 Bad
Request and 403 (the bot was blocked) are refusals for good.

Button presses are answered here too (the spinner stops), without waiting: an answer comes
once, and a press too old to answer is handled all the same.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.blocking import RunBlocking
from bot.delivery import Document, Failure, Letter
from bot.outbox import CALENDAR
from bot.pdf import NoFontError, letter_pdf, needs_cjk_font
from bot.telegram.formatting import parts, to_html
from bot.telegram.rate_limiter import retry_after_seconds
from dialogs.render import read_markup, render
from dialogs.step_io import Choice, Reply

log = logging.getLogger(__name__)

CALLBACK_DATA_MAX = 64
Keyboard = dict[str, list[list[dict[str, str]]]]


class TelegramChannel:
    def __init__(self, bot: ExtBot[None], run_blocking: RunBlocking, cjk_font: Path | None = None) -> None:
        """`cjk_font`: the font for Chinese characters in letters (DEBTCOACH_CJK_FONT, bot/pdf.py)."""
        self._bot = bot
        self._run_blocking = run_blocking
        self._cjk_font = cjk_font
        self._answers: set[asyncio.Task[None]] = set()

    def parts(self, reply: Reply) -> list[Reply]:
        return parts(reply)

    async def send_reply(self, recipient: str, reply: Reply) -> int | None:
        markup = keyboard(reply.choices)
        # The buttons are kept as the Bot API's JSON and passed on as they are.
        extra = None if markup is None else {"reply_markup": markup}
        html = to_html(reply.spans)
        message: Message = await self._bot.send_message(
            int(recipient), html, parse_mode=ParseMode.HTML, api_kwargs=extra
        )
        return message.message_id if markup is not None else None

    async def send_file(self, recipient: str, file: Letter | Document) -> None:
        if isinstance(file, Letter):
            try:
                make = self._run_blocking.long if needs_cjk_font(file.text + file.title) else self._run_blocking
                content = await make(letter_pdf, file.title, file.text, file.footer, cjk_font=self._cjk_font)
            except NoFontError:
                # The words as they are, rather than a PDF with the creditor's name left blank.
                log.warning("a letter goes as text: no font for its Chinese characters")
                caption = render(file.locale, "telegram_letter_text_caption.html", title=file.title)
                content, filename = file.text.encode("utf-8"), f"{file.filename}.txt"
            else:
                caption = render(file.locale, "telegram_letter_caption.html", title=file.title)
                filename = f"{file.filename}.pdf"
        else:
            template = "telegram_calendar_caption.html" if file.kind == CALENDAR else "telegram_export_caption.html"
            caption, content, filename = render(file.locale, template), file.content, file.filename
        await self._bot.send_document(
            int(recipient),
            content,
            filename=filename,
            caption=to_html(read_markup(caption)),
            parse_mode=ParseMode.HTML,
        )

    async def clear_keyboard(self, recipient: str, message_id: int) -> None:
        await self._bot.edit_message_reply_markup(chat_id=int(recipient), message_id=message_id)

    def failure(self, error: Exception) -> tuple[Failure, float] | None:
        if isinstance(error, RetryAfter):
            return Failure.WAIT, retry_after_seconds(error.retry_after)
        if isinstance(error, BadRequest | Forbidden | ChatMigrated):
            return Failure.REFUSED, 0.0
        if isinstance(error, TelegramError):
            return Failure.AWAY, 0.0
        return None

    def answer(self, query_id: str, update_id: int) -> None:
        """Stop the spinner of a button press, without waiting for it."""
        task = asyncio.create_task(self._answer(query_id, update_id))
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    async def close(self, timeout: float) -> None:
        if self._answers:
            await asyncio.wait(self._answers, timeout=timeout)
            for task in list(self._answers):  # Telegram is away: the spinners stop by themselves
                task.cancel()
            await asyncio.gather(*self._answers, return_exceptions=True)

    async def _answer(self, query_id: str, update_id: int) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except TelegramError as exc:
            # Too old, or the network gave out: the spinner stops by itself after a while.
            log.info("callback query of update %d not answered: %s", update_id, type(exc).__name__)


def keyboard(choices: tuple[Choice, ...]) -> Keyboard | None:
    """The buttons, one per row, as the Bot API's InlineKeyboardMarkup; data Telegram would
    refuse (empty, over 64 bytes) is left out rather than losing the whole message."""
    rows = [
        [{"text": choice.label, "callback_data": choice.value}]
        for choice in choices
        if 0 < len(choice.value.encode()) <= CALLBACK_DATA_MAX
    ]
    return {"inline_keyboard": rows} if rows else None
