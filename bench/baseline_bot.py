"""The baseline for `bench/telegram.py`: the negotiation as python-telegram-bot's own examples teach it.

Written like PTB's `conversationbot.py` / `persistentconversationbot.py`: an `Application` with
`PicklePersistence`, one persistent `ConversationHandler` whose states each take one answer
(`CommandHandler` for commands, `MessageHandler(filters.TEXT & ~filters.COMMAND)` for typed text,
`CallbackQueryHandler` for buttons, answered with `query.answer()`), the answers kept in
`context.user_data`, and `run_polling()`; updates are handled one at a time, PTB's default.

It has no engine: the steps file (written by the bench from what DebtCoach sent to one user)
lists, per step, what the user does and the messages to send back: the same HTML, the same
inline keyboards and the same documents, byte for byte. So it goes through as many states as
the script has steps and sends as many messages, of the same size, as DebtCoach does.
PicklePersistence writes its file every 60 s (PTB's default) and on shutdown, not per update.

Run: `python -P bench/baseline_bot.py --steps-file steps.json --data-dir DIR` with
TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL set. `-P` keeps this folder off sys.path, where
`bench/telegram.py` would shadow PTB's `telegram` package; the path is also cleaned below for a
run without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable, Coroutine  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning  # noqa: E402

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
# As in PTB's examples: httpx would log every request (and the token in its URL).
logging.getLogger("httpx").setLevel(logging.WARNING)
logger = logging.getLogger(__name__)

# The conversation mixes typed answers and button presses, so it is keyed per chat and user
# (per_message=False, PTB's default); PTB then warns that a CallbackQueryHandler is not tracked per
# message, which is what we want: any button of the latest question answers the current state.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, int]]


@dataclass(frozen=True)
class Reply:
    html: str
    keyboard: InlineKeyboardMarkup | None
    document: bytes | None
    filename: str | None


@dataclass(frozen=True)
class Step:
    kind: str  # "say" or "press"
    text: str  # what the user types, or the label of the button they press
    replies: tuple[Reply, ...]


def load_steps(path: Path) -> list[Step]:
    raw = json.loads(path.read_text())
    steps: list[Step] = []
    for step in raw["steps"]:
        replies = []
        for reply in step["replies"]:
            rows = [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in reply["buttons"]
            ]
            document = reply["document"]
            replies.append(
                Reply(
                    html=reply["html"],
                    keyboard=InlineKeyboardMarkup(rows) if rows else None,
                    document=(path.parent / document).read_bytes() if document else None,
                    filename=reply["filename"],
                )
            )
        steps.append(Step(step["kind"], step["text"], tuple(replies)))
    return steps


def answer_step(index: int, step: Step, last: bool) -> Callback:
    """The callback for one state: keep the answer, send this step's messages, go to the next state."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        if query is not None:
            await query.answer()
            answer = query.data
        else:
            assert update.message is not None
            answer = update.message.text
        assert context.user_data is not None
        context.user_data[f"step_{index}"] = answer
        message = update.effective_message
        assert message is not None
        for reply in step.replies:
            if reply.document is not None:
                await message.reply_document(
                    document=reply.document,
                    filename=reply.filename,
                    caption=reply.html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=reply.keyboard,
                )
            else:
                await message.reply_text(reply.html, parse_mode=ParseMode.HTML, reply_markup=reply.keyboard)
        return ConversationHandler.END if last else index + 1

    return callback


def handler_for(step: Step, callback: Callback) -> BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]:
    if step.kind == "press":
        return CallbackQueryHandler(callback)
    if step.text.startswith("/"):
        return CommandHandler(step.text[1:].split()[0], callback)
    return MessageHandler(filters.TEXT & ~filters.COMMAND, callback)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None
    await update.message.reply_text("Bye! I hope we can talk again some day.")
    return ConversationHandler.END


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps-file", type=Path, required=True, help="JSON written by bench/telegram.py")
    parser.add_argument("--data-dir", type=Path, default=Path(), help="where the pickle file goes")
    args = parser.parse_args()
    steps = load_steps(args.steps_file)
    if not steps or steps[0].text != "/start":
        raise SystemExit("the steps must begin with /start, the conversation's entry point")
    root = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")

    persistence = PicklePersistence(filepath=args.data_dir / "conversationbot")
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .persistence(persistence)
        .build()
    )
    handlers = [
        handler_for(step, answer_step(index, step, last=index == len(steps) - 1)) for index, step in enumerate(steps)
    ]
    conv_handler = ConversationHandler(
        entry_points=[handlers[0]],
        states={index: [handler] for index, handler in enumerate(handlers) if index > 0},
        fallbacks=[CommandHandler("cancel", cancel)],
        name="negotiation",
        persistent=True,
    )
    application.add_handler(conv_handler)
    logger.info("baseline bot: %d states", len(steps))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
