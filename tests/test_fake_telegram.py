"""The fake Bot API server refuses what Telegram refuses, and the real PTB client works against it.

Why: every bot test trusts this server. If it were lenient, a bot sending broken HTML or 65-byte callback data
would pass its tests and fail in production; if it spoke a dialect PTB does not, the bot tests would prove nothing.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import telegram
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.support.fake_telegram import BOT_ID, TOKEN, FakeTelegram, FloodLimits, FloodRefusal, SentDocument

USER = 42


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def http(server: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{server.url}/bot{TOKEN}", timeout=10) as client:
        yield client


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot") as real:
        yield real


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    """POST like PTB does: a form where every non-string value is JSON-encoded."""
    form = {name: value if isinstance(value, str) else json.dumps(value) for name, value in params.items()}
    return await http.post(f"/{method}", data=form)


async def ok(http: httpx.AsyncClient, method: str, **params: Any) -> Any:
    response = await call(http, method, **params)
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    return body["result"]


async def refused(http: httpx.AsyncClient, method: str, code: int = 400, **params: Any) -> str:
    """Assert Telegram's error shape, with the HTTP status equal to error_code; returns the description."""
    response = await call(http, method, **params)
    body = response.json()
    assert response.status_code == code, body
    assert body["ok"] is False
    assert body["error_code"] == code
    description: str = body["description"]
    return description


def keyboard(*data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": f"Button {n}", "callback_data": d} for n, d in enumerate(data)]]}


# -- authentication and routing -----------------------------------------------------------------------------------


async def test_wrong_token_is_unauthorized(server: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.url}/bot999:wrong/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        files = await client.get(f"{server.url}/file/bot999:wrong/documents/file_1")
        assert files.status_code == 401
    assert [error.error_code for error in server.errors] == [401, 401]


async def test_unknown_method_is_not_found_and_names_are_case_insensitive(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    assert await refused(http, "sendTelepathy", 404) == "Not Found"
    me = await ok(http, "GETME")
    assert me["id"] == BOT_ID
    assert me["is_bot"] is True
    assert [method for method, _ in server.calls] == ["sendTelepathy", "getMe"]


async def test_sending_to_a_chat_that_never_wrote_fails(http: httpx.AsyncClient) -> None:
    assert await refused(http, "sendMessage", chat_id=USER, text="hello") == "Bad Request: chat not found"


async def test_unknown_parse_mode_is_refused(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    description = await refused(http, "sendMessage", chat_id=USER, text="x", parse_mode="HTML5")
    assert description == "Bad Request: unsupported parse_mode"


# -- HTML -----------------------------------------------------------------------------------------------------------


async def test_valid_html_is_stored_as_the_text_the_user_sees(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    html = '<b>Pay <i>£50</i></b> by <a href="https://x.org/?a=1&amp;b=2">Friday</a> <tg-spoiler>ok</tg-spoiler>'
    result = await ok(http, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert result["text"] == "Pay £50 by Friday ok"
    assert [entity["type"] for entity in result["entities"]] == ["bold", "italic", "text_link", "spoiler"]
    assert result["entities"][2]["url"] == "https://x.org/?a=1&b=2"
    [sent] = server.messages(USER)
    assert (sent.text, sent.html, sent.message_id) == ("Pay £50 by Friday ok", html, result["message_id"])


@pytest.mark.parametrize(
    "html",
    [
        *("a < b", "Tom & Jerry", "line<br>break", "&nbsp;", "&copy; 2024", "<b>unclosed", "<b><i>x</b></i>"),
        *("</b>", "<p>x</p>", '<span class="red">x</span>', "<a>no href</a>", "<script>alert(1)</script>"),
        *("&#0;", "&#xD800;", "<b", "<b =x>y</b>", "<b>x</ b"),
    ],
)
async def test_html_telegram_refuses_is_refused(server: FakeTelegram, http: httpx.AsyncClient, html: str) -> None:
    server.user_says(USER, "hi")
    description = await refused(http, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert description.startswith("Bad Request: can't parse entities: "), description
    assert server.messages(USER) == []


async def test_html_errors_name_the_tag_and_the_byte_offset(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    description = await refused(http, "sendMessage", chat_id=USER, text="£1<br>", parse_mode="HTML")
    assert description == 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 3'
    description = await refused(http, "sendMessage", chat_id=USER, text="<b>x", parse_mode="HTML")
    assert description.endswith('Can\'t find end tag corresponding to start tag "b"')


async def test_html_entities_are_decoded_and_a_bare_gt_is_fine(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    html = "&lt;b&gt; &amp; &quot; &#65; &#x42; &#x1F600; >"
    result = await ok(http, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert result["text"] == '<b> & " A B 😀 >'
    assert server.messages(USER)[0].text == '<b> & " A B 😀 >'


async def test_without_parse_mode_markup_is_plain_text(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    result = await ok(http, "sendMessage", chat_id=USER, text="a < b & <b>c")
    assert result["text"] == "a < b & <b>c"


async def test_attributes_may_be_single_double_or_unquoted(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    html = "<a href='https://a.org'>a</a><a href=https://b.org>b</a><blockquote expandable>q</blockquote>"
    result = await ok(http, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert [entity.get("url") for entity in result["entities"]] == ["https://a.org", "https://b.org", None]
    assert result["entities"][2]["type"] == "expandable_blockquote"


# -- lengths --------------------------------------------------------------------------------------------------------


async def test_the_4096_limit_is_counted_after_parsing(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    await ok(http, "sendMessage", chat_id=USER, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    too_long = await refused(http, "sendMessage", chat_id=USER, text=f"<b>{'x' * 4097}</b>", parse_mode="HTML")
    assert too_long == "Bad Request: message is too long"


async def test_emoji_count_as_two_utf16_units(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    await ok(http, "sendMessage", chat_id=USER, text="😀" * 2048)
    description = await refused(http, "sendMessage", chat_id=USER, text="😀" * 2048 + "x")
    assert description == "Bad Request: message is too long"


@pytest.mark.parametrize("text", ["", "   \n", "<b> </b>"])
async def test_empty_text_is_refused(server: FakeTelegram, http: httpx.AsyncClient, text: str) -> None:
    server.user_says(USER, "hi")
    description = await refused(http, "sendMessage", chat_id=USER, text=text, parse_mode="HTML")
    assert description == "Bad Request: message text is empty"


async def test_surrounding_whitespace_is_trimmed_like_telegram(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    result = await ok(http, "sendMessage", chat_id=USER, text="\n  <b>Hi</b> there \n", parse_mode="HTML")
    assert result["text"] == "Hi there"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]


# -- keyboards --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["d" * 64, "é" * 32, "x"])
async def test_callback_data_up_to_64_bytes_is_accepted(
    server: FakeTelegram, http: httpx.AsyncClient, data: str
) -> None:
    server.user_says(USER, "hi")
    await ok(http, "sendMessage", chat_id=USER, text="Pick", reply_markup=keyboard(data, "other"))
    assert server.messages(USER)[0].buttons == [[("Button 0", data), ("Button 1", "other")]]
    assert server.messages(USER)[0].choices == [("Button 0", data), ("Button 1", "other")]


@pytest.mark.parametrize("data", ["d" * 65, "é" * 33, ""])
async def test_callback_data_over_64_bytes_is_refused(server: FakeTelegram, http: httpx.AsyncClient, data: str) -> None:
    server.user_says(USER, "hi")
    description = await refused(http, "sendMessage", chat_id=USER, text="Pick", reply_markup=keyboard(data))
    assert description == "Bad Request: BUTTON_DATA_INVALID"
    assert server.messages(USER) == []


async def test_malformed_markup_is_refused(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    description = await refused(http, "sendMessage", chat_id=USER, text="x", reply_markup="{not json")
    assert description == "Bad Request: can't parse reply keyboard markup JSON object"
    no_action = {"inline_keyboard": [[{"text": "Bare"}]]}
    description = await refused(http, "sendMessage", chat_id=USER, text="x", reply_markup=no_action)
    assert "Text buttons are unallowed" in description


# -- getUpdates -------------------------------------------------------------------------------------------------------


async def test_updates_come_in_order_and_an_offset_confirms_them(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    first = server.user_says(USER, "/start")
    second = server.user_says(USER, "hello", language_code=None)
    third = server.user_says(USER + 1, "other user")
    assert (first, second, third) == (1000, 1001, 1002)
    updates = await ok(http, "getUpdates")
    assert [update["update_id"] for update in updates] == [1000, 1001, 1002]
    start = updates[0]["message"]
    assert start["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert start["chat"] == {"id": USER, "type": "private", "first_name": "Alex"}
    assert start["from"]["language_code"] == "en"
    assert "language_code" not in updates[1]["message"]["from"]
    assert [update["update_id"] for update in await ok(http, "getUpdates", offset=1001, limit=1)] == [1001]
    assert server.confirmed_offset == 1001
    assert server.pending_updates() == 2
    assert await ok(http, "getUpdates", offset=1003) == []
    assert server.pending_updates() == 0
    assert await ok(http, "getUpdates", offset=1000) == []  # confirmed updates are gone for good


async def test_user_and_bot_messages_share_one_counter_per_chat(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "one")
    sent = await ok(http, "sendMessage", chat_id=USER, text="two")
    server.user_says(USER, "three")
    updates = await ok(http, "getUpdates")
    assert [updates[0]["message"]["message_id"], sent["message_id"], updates[1]["message"]["message_id"]] == [1, 2, 3]


async def test_a_long_poll_returns_as_soon_as_the_user_speaks(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    began = time.monotonic()
    poll = asyncio.create_task(ok(http, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    server.user_says(USER, "are you there?")
    updates = await asyncio.wait_for(poll, 3)
    assert [update["message"]["text"] for update in updates] == ["are you there?"]
    assert time.monotonic() - began < 2


async def test_a_long_poll_without_updates_returns_empty_after_its_timeout(http: httpx.AsyncClient) -> None:
    began = time.monotonic()
    assert await ok(http, "getUpdates", timeout=1) == []
    assert 0.9 < time.monotonic() - began < 3


async def test_redeliver_requeues_the_same_update_even_after_confirmation(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    first = server.user_says(USER, "pay 50")
    server.user_says(USER, "next")
    assert len(await ok(http, "getUpdates")) == 2
    assert await ok(http, "getUpdates", offset=1002) == []
    server.redeliver(first)
    again = await ok(http, "getUpdates", offset=1002)
    assert [update["update_id"] for update in again] == [first]
    assert again[0]["message"]["text"] == "pay 50"
    assert await ok(http, "getUpdates", offset=first + 1) == []
    with pytest.raises(ValueError, match="no update"):
        server.redeliver(1)


async def test_a_second_poll_terminates_the_first_with_409(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    first = asyncio.create_task(call(http, "getUpdates", timeout=5))
    await server.wait_for(lambda: len(server.calls) == 1)
    await asyncio.sleep(0.05)
    async with httpx.AsyncClient(base_url=http.base_url) as other:
        second = asyncio.create_task(ok(other, "getUpdates", timeout=5))
        response = await asyncio.wait_for(first, 3)
        assert response.status_code == 409
        assert response.json()["description"].startswith("Conflict: terminated by other getUpdates request")
        assert not second.done()
        server.user_says(USER, "hi")
        assert len(await asyncio.wait_for(second, 3)) == 1
    assert [(error.method, error.error_code) for error in server.errors] == [("getUpdates", 409)]


async def test_delete_webhook_can_drop_pending_updates(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "old")
    assert (await ok(http, "getWebhookInfo"))["pending_update_count"] == 1
    assert await ok(http, "deleteWebhook", drop_pending_updates=True) is True
    assert await ok(http, "getUpdates") == []


# -- callback queries -------------------------------------------------------------------------------------------------


async def test_a_callback_query_can_be_answered_once(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    sent = await ok(http, "sendMessage", chat_id=USER, text="Pick", reply_markup=keyboard("yes", "no"))
    await ok(http, "sendMessage", chat_id=USER, text="No buttons here")
    server.user_presses(USER, "forged:data")
    [_, press] = await ok(http, "getUpdates")
    query = press["callback_query"]
    assert query["data"] == "forged:data"
    assert query["message"]["message_id"] == sent["message_id"]  # the latest message that has buttons
    assert query["message"]["reply_markup"] == keyboard("yes", "no")
    assert query["id"] in server.issued_callbacks
    assert await ok(http, "answerCallbackQuery", callback_query_id=query["id"], text="Done") is True
    assert server.answered_callbacks[query["id"]]["text"] == "Done"
    again = await refused(http, "answerCallbackQuery", callback_query_id=query["id"])
    assert again == "Bad Request: query is too old and response timeout expired or query id is invalid"
    assert "query is too old" in await refused(http, "answerCallbackQuery", callback_query_id="12345")


async def test_a_press_without_a_bot_message_carries_an_inaccessible_message(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.user_presses(USER, "stale", message_id=77)
    [update] = await ok(http, "getUpdates")
    message = update["callback_query"]["message"]
    assert message == {"message_id": 77, "chat": {"id": USER, "type": "private", "first_name": "Alex"}, "date": 0}


async def test_a_callback_query_expires() -> None:
    async with (
        FakeTelegram(callback_query_ttl=0.2) as server,
        httpx.AsyncClient(base_url=f"{server.url}/bot{TOKEN}") as http,
    ):
        server.user_presses(USER, "late")
        [update] = await ok(http, "getUpdates")
        await asyncio.sleep(0.3)
        description = await refused(http, "answerCallbackQuery", callback_query_id=update["callback_query"]["id"])
    assert description.startswith("Bad Request: query is too old")
    assert server.answered_callbacks == {}


# -- edits ------------------------------------------------------------------------------------------------------------


async def test_edits_update_the_stored_message_and_identical_edits_fail(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.user_says(USER, "hi")
    sent = await ok(http, "sendMessage", chat_id=USER, text="Pick", reply_markup=keyboard("a"))
    target = {"chat_id": USER, "message_id": sent["message_id"]}
    edited = await ok(http, "editMessageText", **target, text="<b>Picked</b>", parse_mode="HTML")
    assert edited["text"] == "Picked"
    assert "reply_markup" not in edited  # an edit without reply_markup removes the keyboard
    [message] = server.messages(USER)
    assert (message.text, message.html, message.buttons) == ("Picked", "<b>Picked</b>", [])
    same = await refused(http, "editMessageText", **target, text="<b>Picked</b>", parse_mode="HTML")
    assert same.startswith("Bad Request: message is not modified")
    await ok(http, "editMessageText", **target, text="Picked")  # same text, different entities: modified
    await ok(http, "editMessageReplyMarkup", **target, reply_markup=keyboard("b"))
    assert message.buttons == [[("Button 0", "b")]]
    assert "not modified" in await refused(http, "editMessageReplyMarkup", **target, reply_markup=keyboard("b"))


async def test_only_the_bots_own_existing_messages_can_be_edited(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "mine")
    missing = await refused(http, "editMessageText", chat_id=USER, message_id=99, text="x")
    assert missing == "Bad Request: message to edit not found"
    assert "can't be edited" in await refused(http, "editMessageText", chat_id=USER, message_id=1, text="x")


async def test_an_edit_of_a_message_too_old_or_deleted_is_refused_and_the_keyboard_as_sent_is_kept(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.user_says(USER, "hi")
    old = await ok(http, "sendMessage", chat_id=USER, text="Old", reply_markup=keyboard("a"))
    gone = await ok(http, "sendMessage", chat_id=USER, text="Gone", reply_markup=keyboard("b"))
    server.make_uneditable(USER, old["message_id"])
    server.make_uneditable(USER, gone["message_id"], deleted=True)
    too_old = await refused(http, "editMessageReplyMarkup", chat_id=USER, message_id=old["message_id"])
    assert too_old == "Bad Request: message can't be edited"
    deleted = await refused(http, "editMessageReplyMarkup", chat_id=USER, message_id=gone["message_id"])
    assert deleted == "Bad Request: message to edit not found"
    fresh = await ok(http, "sendMessage", chat_id=USER, text="Fresh", reply_markup=keyboard("c"))
    await ok(http, "editMessageReplyMarkup", chat_id=USER, message_id=fresh["message_id"])
    shown = server.messages(USER)[-1]
    assert (shown.buttons, shown.buttons_sent) == ([], [[("Button 0", "c")]])


async def test_a_person_who_blocked_the_bot_cannot_be_written_to(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    sent = await ok(http, "sendMessage", chat_id=USER, text="Pick", reply_markup=keyboard("a"))
    server.blocks(USER)
    assert await refused(http, "sendMessage", 403, chat_id=USER, text="x") == "Forbidden: bot was blocked by the user"
    edit = await refused(http, "editMessageReplyMarkup", 403, chat_id=USER, message_id=sent["message_id"])
    assert edit == "Forbidden: bot was blocked by the user"


# -- group chats ------------------------------------------------------------------------------------------------------


async def test_people_write_and_press_in_a_group_and_the_bot_can_answer_there(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    group = -100123
    with pytest.raises(ValueError, match="negative"):
        server.group(5)
    server.group(group, "Flatmates")
    server.user_says(USER, "/start@debtcoach_test_bot", chat_id=group)
    server.user_presses(USER, "1:kind:cc", chat_id=group)
    said, pressed = await ok(http, "getUpdates")
    assert said["message"]["chat"] == {"id": group, "type": "group", "title": "Flatmates"}
    assert said["message"]["from"]["id"] == USER
    assert pressed["callback_query"]["message"]["chat"]["type"] == "group"
    assert pressed["callback_query"]["from"]["id"] == USER
    await ok(http, "sendMessage", chat_id=group, text="Not in groups")
    assert [m.text for m in server.messages(group)] == ["Not in groups"]
    assert server.messages(USER) == []


# -- the API down -----------------------------------------------------------------------------------------------------


async def test_while_down_every_call_gets_nginxs_502_page_and_nothing_is_done(
    server: FakeTelegram, http: httpx.AsyncClient, bot: telegram.Bot
) -> None:
    server.user_says(USER, "hi")
    await ok(http, "getUpdates")  # nothing pending now: the next poll waits
    polling = asyncio.create_task(call(http, "getUpdates", timeout=5, offset=server.confirmed_offset + 1000))
    await server.wait_for(lambda: len(server.calls) == 2)
    server.go_down()
    cut = await asyncio.wait_for(polling, 3)  # a long poll under way ends too
    assert (cut.status_code, cut.headers["Content-Type"].split(";")[0]) == (502, "text/html")
    assert "<title>502 Bad Gateway</title>" in cut.text
    response = await call(http, "sendMessage", chat_id=USER, text="lost?")
    assert response.status_code == 502
    with pytest.raises(telegram.error.NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "through PTB")
    assert server.messages(USER) == []
    assert server.bad_gateways == 3 and server.errors == []
    server.come_back()
    await ok(http, "sendMessage", chat_id=USER, text="back")
    assert [m.text for m in server.messages(USER)] == ["back"]


# -- misbehaving on purpose --------------------------------------------------------------------------------------------


async def test_an_injected_429_is_served_once_and_not_performed(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    server.fail_with_429(1, retry_after=3)
    await ok(http, "getMe")  # not a send: untouched
    response = await call(http, "sendMessage", chat_id=USER, text="first try")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert server.messages(USER) == []
    await ok(http, "sendMessage", chat_id=USER, text="second try")
    assert [message.text for message in server.messages(USER)] == ["second try"]
    assert server.injected == 1
    assert server.errors == []


async def test_a_429_can_target_one_method(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    server.fail_with_429(2, method="sendDocument")
    await ok(http, "sendMessage", chat_id=USER, text="unaffected")
    assert server.injected == 0


async def test_a_held_method_waits_for_release(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    server.hold("sendMessage")
    pending = asyncio.create_task(ok(http, "sendMessage", chat_id=USER, text="slow"))
    await server.wait_for(lambda: server.held == 1)
    await asyncio.sleep(0.1)
    assert not pending.done()
    assert server.messages(USER) == []
    server.release()
    assert (await asyncio.wait_for(pending, 3))["text"] == "slow"
    assert [message.text for message in server.messages(USER)] == ["slow"]
    await ok(http, "sendMessage", chat_id=USER, text="fast")  # released for good


async def test_wait_for_explains_a_timeout(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    await ok(http, "sendMessage", chat_id=USER, text="only one")
    with pytest.raises(AssertionError, match=r"2 message\(s\) in chat 42(.|\n)*'only one'"):
        await server.wait_messages(USER, 2, timeout=0.2)
    assert [message.text for message in await server.wait_messages(USER, 1)] == ["only one"]


# -- documents and commands ----------------------------------------------------------------------------------------


async def test_documents_upload_as_multipart(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    pdf = b"%PDF-1.4 letter"
    response = await http.post(
        "/sendDocument",
        data={"chat_id": str(USER), "caption": "<b>Your letter</b>", "parse_mode": "HTML"},
        files={"document": ("letter.pdf", pdf, "application/pdf")},
    )
    assert response.status_code == 200, response.json()
    result = response.json()["result"]
    assert result["caption"] == "Your letter"
    assert result["document"]["file_name"] == "letter.pdf"
    [sent] = server.documents(USER)
    assert sent.document == SentDocument("letter.pdf", pdf, "application/pdf")
    assert sent.text == "Your letter"
    file = await ok(http, "getFile", file_id=result["document"]["file_id"])
    download = await http.get(f"{server.url}/file/bot{TOKEN}/{file['file_path']}")
    assert download.content == pdf


async def test_document_rules(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    server.user_says(USER, "hi")
    files = {"document": ("a.pdf", b"x", "application/pdf")}
    long_caption = {"chat_id": str(USER), "caption": "c" * 1025}
    response = await http.post("/sendDocument", data=long_caption, files=files)
    assert response.json()["description"] == "Bad Request: message caption is too long"
    empty = await http.post("/sendDocument", data={"chat_id": str(USER)}, files={"document": ("a.pdf", b"")})
    assert empty.json()["description"] == "Bad Request: file must be non-empty"
    by_url = await refused(http, "sendDocument", chat_id=USER, document="https://example.com/a.pdf")
    assert by_url == "Bad Request: wrong file identifier/HTTP URL specified"
    assert server.documents(USER) == []


async def test_commands_are_validated_and_kept_per_language(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    commands = [{"command": "start", "description": "Begin"}]
    await ok(http, "setMyCommands", commands=commands)
    await ok(http, "setMyCommands", commands=[{"command": "debut", "description": "Commencer"}], language_code="fr")
    assert server.commands == {None: commands, "fr": [{"command": "debut", "description": "Commencer"}]}
    assert await ok(http, "getMyCommands") == commands
    bad = [{"command": "Start!", "description": "x"}]
    assert await refused(http, "setMyCommands", commands=bad) == "Bad Request: BOT_COMMAND_INVALID"
    blank = [{"command": "start", "description": ""}]
    assert await refused(http, "setMyCommands", commands=blank) == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"


# -- the real PTB client -------------------------------------------------------------------------------------------


async def test_ptb_gets_me_and_sends_html_with_a_keyboard(server: FakeTelegram, bot: telegram.Bot) -> None:
    assert bot.username == "debtcoach_test_bot"
    server.user_says(USER, "hi")
    markup = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("Yes", callback_data="answer:yes")]])
    message = await bot.send_message(USER, "<b>Ready?</b>", parse_mode="HTML", reply_markup=markup)
    assert isinstance(message, telegram.Message)
    assert message.text == "Ready?"
    assert message.entities[0].type == telegram.constants.MessageEntityType.BOLD
    assert server.messages(USER)[0].choices == [("Yes", "answer:yes")]


async def test_ptb_parses_updates(server: FakeTelegram, bot: telegram.Bot) -> None:
    server.user_says(USER, "/start")
    server.user_presses(USER, "answer:yes")
    updates = await bot.get_updates()
    assert all(isinstance(update, telegram.Update) for update in updates)
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].message.parse_entity(updates[0].message.entities[0]) == "/start"
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.data == "answer:yes"
    assert await updates[1].callback_query.answer() is True


async def test_ptb_uploads_and_downloads_a_document(server: FakeTelegram, bot: telegram.Bot) -> None:
    server.user_says(USER, "hi")
    pdf = b"%PDF-1.4 " + bytes(range(256))
    message = await bot.send_document(USER, telegram.InputFile(pdf, filename="plan.pdf"), caption="Your plan")
    assert message.document is not None
    assert message.caption == "Your plan"
    assert server.documents(USER)[0].document == SentDocument("plan.pdf", pdf, "application/pdf")
    file = await bot.get_file(message.document.file_id)
    assert await file.download_as_bytearray() == bytearray(pdf)


async def test_ptb_raises_retry_after_and_bad_request(
    server: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on RetryAfter.retry_after without it
    server.user_says(USER, "hi")
    server.fail_with_429(1)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(USER, "too fast")
    assert flood.value.retry_after == timedelta(seconds=1)
    with pytest.raises(BadRequest, match=r"^Can't parse entities: character \"&\" must be escaped"):
        await bot.send_message(USER, "Tom & Jerry", parse_mode="HTML")
    await bot.send_message(USER, "Tom &amp; Jerry", parse_mode="HTML")
    assert [message.text for message in server.messages(USER)] == ["Tom & Jerry"]


async def test_a_real_application_polls_answers_and_stops_without_errors(server: FakeTelegram) -> None:
    """The whole PTB stack: bootstrap, long-polling, handlers, edits, and a clean stop that confirms everything."""

    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        markup = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("Go", callback_data="go")]])
        await update.effective_message.reply_html("<b>Hello</b>", reply_markup=markup)

    async def pressed(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")

    app = Application.builder().token(TOKEN).base_url(f"{server.url}/bot").base_file_url(f"{server.url}/file/bot")
    application = app.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=5))
        server.user_says(USER, "/start")
        [hello] = await server.wait_messages(USER, 1)
        assert (hello.text, hello.choices) == ("Hello", [("Go", "go")])
        server.user_presses(USER, "go")
        await server.wait_for(lambda: hello.text == "You chose go")
        await application.updater.stop()
        await application.stop()
    assert server.errors == []
    assert server.pending_updates() == 0
    assert len(server.answered_callbacks) == 1


# -- flood control ----------------------------------------------------------------------------------------------


def chats(server: FakeTelegram, count: int) -> list[int]:
    """Users who have written to the bot, so it may send to them; chat ids 1001, 1002, ..."""
    users = [1000 + n for n in range(1, count + 1)]
    for user in users:
        server.user_says(user, "hi")
    return users


async def sleep_until(moment: float) -> None:
    """Sleep until a time.monotonic() moment, with a little slack so the server's clock is surely past it too."""
    await asyncio.sleep(max(0.0, moment - time.monotonic()) + 0.02)


async def test_flood_limits_are_off_by_default(server: FakeTelegram, bot: telegram.Bot) -> None:
    assert server.flood_limits is None
    [first, second] = chats(server, 2)
    for n in range(5):
        await bot.send_message(first, f"burst {n}")
    await bot.send_document(first, telegram.InputFile(b"%PDF-1.4", filename="a.pdf"))
    await bot.send_message(second, "also fine")
    assert len(server.messages(first)) == 6
    assert server.flood_refusals == []
    assert server.errors == []
    assert server.max_in_window() == 7
    assert server.max_in_window(chat_id=first) == 6
    assert server.min_gap(first) < 1.0  # the burst is on record even though nothing refused it


async def test_a_second_quick_message_to_one_chat_is_refused_until_the_interval_passes(
    server: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on RetryAfter.retry_after without it
    [chat, other] = chats(server, 2)
    server.enforce_flood_limits(overall_per_second=30, per_chat_interval=0.2)
    first = await bot.send_message(chat, "Your payment of £50 is due on Friday")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(chat, "too soon")
    assert flood.value.retry_after == timedelta(seconds=1)  # Telegram only speaks whole seconds, never 0
    with pytest.raises(RetryAfter):
        await bot.send_document(chat, telegram.InputFile(b"%PDF-1.4", filename="a.pdf"))  # documents count too
    await bot.send_message(other, "another chat is not held up")
    await bot.send_chat_action(chat, "typing")  # neither a message nor limited
    await bot.edit_message_text("Your payment of £50 is due on Monday", chat_id=chat, message_id=first.message_id)
    [delivered] = server.messages(chat)
    assert delivered.text == "Your payment of £50 is due on Monday"
    refusals = server.flood_refusals
    assert [(r.method, r.chat_id, r.retry_after, r.per_chat, r.overall) for r in refusals] == [
        ("sendMessage", chat, 1, True, False),
        ("sendDocument", chat, 1, True, False),
    ]
    assert all(delivered.sent_at <= refusal.at < delivered.sent_at + 0.2 for refusal in refusals)
    assert [(e.method, e.error_code, e.description) for e in server.errors] == [
        ("sendMessage", 429, "Too Many Requests: retry after 1"),
        ("sendDocument", 429, "Too Many Requests: retry after 1"),
    ]

    await sleep_until(delivered.sent_at + 0.2)  # counted from the accepted send: refused ones did not reset it
    await bot.send_message(chat, "now it goes")
    assert [message.text for message in server.messages(chat)][-1] == "now it goes"
    assert server.min_gap(chat) >= 0.2
    assert len(server.flood_refusals) == 2

    server.flood_limits = None  # lifted: back to accepting anything
    await bot.send_message(chat, "unlimited")
    assert len(server.flood_refusals) == 2


async def test_a_flood_refusal_has_telegrams_shape_and_a_rounded_up_retry_after(
    server: FakeTelegram, http: httpx.AsyncClient
) -> None:
    server.user_says(USER, "hi")
    server.enforce_flood_limits(per_chat_interval=2.5)
    await ok(http, "sendMessage", chat_id=USER, text="first")
    response = await call(http, "sendMessage", chat_id=USER, text="second")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert [message.text for message in server.messages(USER)] == ["first"]
    [refusal] = server.flood_refusals
    assert isinstance(refusal, FloodRefusal)
    assert (refusal.method, refusal.chat_id, refusal.retry_after) == ("sendMessage", USER, 3)


async def test_the_31st_send_within_a_second_is_refused_and_goes_once_the_window_slides(
    server: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    users = chats(server, 31)
    server.enforce_flood_limits(overall_per_second=30, per_chat_interval=1.0)
    for user in users[:30]:
        await bot.send_message(user, "Reminder: a payment is due tomorrow")
    oldest, newest = server.messages(users[0])[0], server.messages(users[29])[0]
    assert newest.sent_at - oldest.sent_at < 1.0, "30 sends took over a second: this machine is too slow to test"
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(users[30], "Reminder: a payment is due tomorrow")
    assert flood.value.retry_after == timedelta(seconds=1)
    assert server.messages(users[30]) == []
    [refusal] = server.flood_refusals
    assert (refusal.chat_id, refusal.per_chat, refusal.overall) == (users[30], False, True)

    await sleep_until(oldest.sent_at + 1.0)  # the oldest send leaves the window and makes room for one
    await bot.send_message(users[30], "Reminder: a payment is due tomorrow")
    assert len(server.messages(users[30])) == 1
    assert len(server.flood_refusals) == 1
    assert server.max_in_window() == 30
    assert server.min_gap() == math.inf  # no chat got two messages


async def test_concurrent_sends_cannot_share_a_free_slot(server: FakeTelegram, http: httpx.AsyncClient) -> None:
    users = chats(server, 35)
    server.enforce_flood_limits(overall_per_second=30)
    responses = await asyncio.gather(*(call(http, "sendMessage", chat_id=user, text="due") for user in users))
    assert sorted(response.status_code for response in responses) == [200] * 30 + [429] * 5
    assert len(server.flood_refusals) == 5
    assert server.max_in_window() == 30


async def test_max_in_window_and_min_gap_measure_delivered_messages(server: FakeTelegram, bot: telegram.Bot) -> None:
    [chat, other, lone, silent] = chats(server, 4)
    for n in range(3):
        await bot.send_message(chat, f"message {n}")
    await bot.send_document(chat, telegram.InputFile(b"%PDF-1.4", filename="plan.pdf"))
    await bot.send_message(other, "one")
    await bot.send_message(other, "two")
    await bot.send_message(lone, "only")
    # Pin the delivery times (binary-exact, so the arithmetic is exact) to check the counting itself.
    for message, moment in zip(server.messages(chat), [10.0, 10.5, 10.75, 12.0], strict=True):
        message.sent_at = moment
    for message, moment in zip(server.messages(other), [10.25, 11.25], strict=True):
        message.sent_at = moment
    server.messages(lone)[0].sent_at = 20.0
    assert server.max_in_window() == 4  # 10.0, 10.25, 10.5, 10.75
    assert server.max_in_window(chat_id=chat) == 3
    assert server.max_in_window(chat_id=other) == 1  # exactly one second apart: two different windows
    assert server.max_in_window(seconds=2.0) == 5
    assert server.max_in_window(seconds=0.5, chat_id=chat) == 2
    assert server.max_in_window(chat_id=silent) == 0
    assert server.min_gap(chat) == 0.25
    assert server.min_gap(other) == 1.0
    assert server.min_gap() == 0.25
    assert server.min_gap(lone) == math.inf
    assert server.min_gap(silent) == math.inf
    with pytest.raises(ValueError, match="positive"):
        server.max_in_window(seconds=0)


async def test_flood_limits_can_be_given_to_the_constructor_and_are_validated() -> None:
    async with FakeTelegram(flood_limits=FloodLimits(overall_per_second=1, per_chat_interval=0.0)) as server:
        [first, second] = chats(server, 2)
        async with httpx.AsyncClient(base_url=f"{server.url}/bot{TOKEN}") as http:
            await ok(http, "sendMessage", chat_id=first, text="one")
            assert await refused(http, "sendMessage", 429, chat_id=second, text="two") == (
                "Too Many Requests: retry after 1"
            )
    assert [refusal.overall for refusal in server.flood_refusals] == [True]
    assert FloodLimits() == FloodLimits(overall_per_second=30, per_chat_interval=1.0)
    with pytest.raises(ValueError):
        FloodLimits(overall_per_second=0)
    with pytest.raises(ValueError):
        FloodLimits(per_chat_interval=-1.0)
    with pytest.raises(TypeError):
        FloodLimits(overall_per_second=2.5)  # type: ignore[arg-type]
