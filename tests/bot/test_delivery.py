"""The delivery layer's rules, for any channel: a channel that writes into a list shows them.

The Telegram tests (test_telegram_delivery.py) show the same rules against the fake Bot API;
here a channel as small as a channel can be makes each rule visible on its own: the order of an
answer, a retry that resumes at the part that failed, a wait the channel asks for, a refusal,
and old buttons taken off only once the answer's first message is out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.blocking import RunBlocking
from bot.delivery import Couriers, Document, Failure, Letter, Sender
from bot.outbox import Outbox, Outgoing
from bot.store import Store
from dialogs.step_io import Choice, LetterDrafted, Reply

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class AwayError(Exception):
    pass


class RefusedError(Exception):
    pass


class BusyError(Exception):
    pass


class ListChannel:
    """A channel whose messages are lines in a list; it fails on demand, as a network would."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.sent: list[str] = []
        self.failures: list[Exception] = []  # raised, one per send, before anything is sent
        self.clear_failures: list[Exception] = []  # the same, for clearing a keyboard
        self.next_id = 0

    def parts(self, reply: Reply) -> list[Reply]:
        text = reply.text
        if len(text) <= self.limit:
            return [reply]
        cut = [Reply(text[i : i + self.limit]) for i in range(0, len(text), self.limit)]
        return [*cut[:-1], Reply(cut[-1].text, reply.choices)]

    async def send_reply(self, recipient: str, reply: Reply) -> int | None:
        self._maybe_fail()
        self.next_id += 1
        buttons = "".join(f" [{choice.label}]" for choice in reply.choices)
        self.sent.append(f"{recipient} #{self.next_id}: {reply.text}{buttons}")
        return self.next_id if reply.choices else None

    async def send_file(self, recipient: str, file: Letter | Document) -> None:
        self._maybe_fail()
        self.sent.append(f"{recipient} file: {file.filename}")

    async def clear_keyboard(self, recipient: str, message_id: int) -> None:
        if self.clear_failures:
            raise self.clear_failures.pop(0)
        self.sent.append(f"{recipient} cleared #{message_id}")

    def failure(self, error: Exception) -> tuple[Failure, float] | None:
        if isinstance(error, AwayError):
            return Failure.AWAY, 0.0
        if isinstance(error, BusyError):
            return Failure.WAIT, 0.01
        if isinstance(error, RefusedError):
            return Failure.REFUSED, 0.0
        return None

    async def close(self, timeout: float) -> None:
        return None

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)


async def test_a_retry_resumes_at_the_part_that_failed_and_sends_no_part_twice() -> None:
    channel = ListChannel(limit=5)
    sender = Sender(channel)
    content = Outgoing.reply(Reply("abcdefghijkl", (Choice("Yes", "1:q:yes"),))).content
    channel.failures = [AwayError()]  # the first part fails once
    done = await sender.deliver("7", "reply", content, paced=False)
    assert channel.sent == ["7 #1: abcde", "7 #2: fghij", "7 #3: kl [Yes]"]
    assert done.shown == [3] and not done.refused and sender.retries == 1


async def test_a_wait_the_channel_asks_for_is_waited_out_and_a_refusal_drops_the_item() -> None:
    channel = ListChannel()
    sender = Sender(channel)
    channel.failures = [BusyError(), BusyError()]
    await sender.deliver("7", "reply", Outgoing.reply(Reply("after two waits")).content, paced=False)
    channel.failures = [RefusedError()]
    refused = await sender.deliver("7", "reply", Outgoing.reply(Reply("blocked")).content, paced=False)
    assert channel.sent == ["7 #1: after two waits"]
    assert refused.refused and sender.refused == 1 and sender.retries == 0


async def test_an_answer_arrives_in_order_and_old_buttons_go_once_its_first_message_is_out(store: Store) -> None:
    channel = ListChannel()
    outbox = Outbox(store, "list")
    couriers = Couriers(channel, outbox, RunBlocking(store), lambda: NOW)
    question = Reply("In writing?", (Choice("Yes", "1:in_writing:yes"),))
    letter = LetterDrafted("validation", 1, "Validation request", "Dear collector", "debt1-validation")
    with store.engine.begin() as conn:
        first = outbox.write(conn, "7", [Outgoing.reply(question)], NOW)
    couriers.post(first)
    assert await couriers.drain(10)
    answer = [
        Outgoing.reply(Reply("Noted.")),
        Outgoing.letter(letter, "en"),
        Outgoing.reply(Reply("How long behind?")),
    ]
    answer[0] = replace(answer[0], clears=True)
    with store.engine.begin() as conn:
        second = outbox.write(conn, "7", answer, NOW)
    couriers.post(second)
    assert await couriers.drain(10)
    await couriers.settle()
    sent = channel.sent
    assert sent[:2] == ["7 #1: In writing? [Yes]", "7 #2: Noted."]
    # The clearing goes beside the rest of the answer, never before its first message.
    rest = [line for line in sent[2:] if "cleared" not in line]
    assert rest == ["7 file: debt1-validation", "7 #3: How long behind?"]
    assert sent[2:].count("7 cleared #1") == 1
    assert outbox.waiting() == [] and outbox.keyboards("7") == []


async def test_a_keyboard_the_channel_refuses_to_clear_is_shrugged_off(store: Store) -> None:
    channel = ListChannel()
    outbox = Outbox(store, "list")
    couriers = Couriers(channel, outbox, RunBlocking(store), lambda: NOW)
    with store.engine.begin() as conn:
        asked = outbox.write(conn, "7", [Outgoing.reply(Reply("Paid?", (Choice("Yes", "1:paid:yes"),)))], NOW)
    couriers.post(asked)
    assert await couriers.drain(10)
    channel.clear_failures = [RefusedError()]  # too old to edit, say
    with store.engine.begin() as conn:
        couriers.post(outbox.write(conn, "7", [replace(Outgoing.reply(Reply("Recorded.")), clears=True)], NOW))
    assert await couriers.drain(10)
    await couriers.settle()
    assert channel.sent == ["7 #1: Paid? [Yes]", "7 #2: Recorded."]
    assert couriers.refused == 0  # a keyboard that stays is no refusal of what was said
    assert outbox.waiting() == [] and outbox.keyboards("7") == []  # and is not tried again
