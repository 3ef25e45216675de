"""Every button does exactly what its label says, once.

Buttons stay in the chat: a person taps an old one, taps one twice, or sends data we never
sent. These tests drive the pure engine the way a person does, keeping the data of buttons shown
earlier and pressing them later, and check what a person would notice: what was recorded, what
is still pending, what the coach said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dialogs import buttons, details, reminder_plan
from dialogs.agreement import MAX_INSTALMENTS
from dialogs.codec import encode
from dialogs.commands import MAX_DEBTS
from dialogs.confirmations import pending_name
from dialogs.engine import step
from dialogs.reminder_wording import compose
from dialogs.state import Debt, PaymentStatus, UserState
from dialogs.step_io import Choice, EraseRequested, Input, InputKind, Reply, StepResult
from tests.dialogs.test_engine_properties import next_input
from tests.dialogs.test_transcripts import NOW as STORY_NOW
from tests.dialogs.test_transcripts import STORIES, buttons_now
from tests.dialogs.test_transcripts import to_input as story_input
from tests.support.clock import clock_now, expand, today_of
from tests.support.sample import SAMPLE

NOW = clock_now()
TODAY = today_of(NOW)


def plain(text: str) -> str:
    """A reply's words with the spacing evened out (a reply's `text` is already plain)."""
    return " ".join(text.split())


@dataclass
class Chat:
    """One person talking to the pure engine; every message it sent stays readable."""

    now: datetime = NOW
    state: UserState = field(default_factory=UserState)
    messages: list[Reply] = field(default_factory=list)
    last: StepResult | None = None

    def send(self, inp: Input) -> str:
        result = step(self.state, inp, self.now)
        self.state, self.last = result.state, result
        self.messages += result.replies
        return "\n".join(plain(r.text) for r in result.replies)

    def say(self, text: str) -> str:
        return self.send(Input.text(expand(text, today_of(self.now, self.state))))

    def command(self, name: str) -> str:
        return self.send(Input.command(name))

    def button(self, label: str) -> str:
        """The data of the newest button with this label (raises when none is shown)."""
        for reply in reversed(self.messages):
            for choice in reply.choices:
                if choice.label == label:
                    return choice.value
        shown = [c.label for r in self.messages[-3:] for c in r.choices]
        raise AssertionError(f"no button {label!r}; the last ones: {shown}")

    def button_starting(self, prefix: str) -> str:
        for reply in reversed(self.messages):
            for choice in reply.choices:
                if choice.label.startswith(prefix):
                    return choice.value
        raise AssertionError(f"no button starting {prefix!r}")

    def press(self, label: str) -> str:
        return self.send(Input.button(self.button(label)))

    def press_data(self, data: str) -> str:
        return self.send(Input.button(data))

    @property
    def debt(self) -> Debt:
        debt = self.state.active_debt
        assert debt is not None
        return debt

    def changed(self) -> bool:
        assert self.last is not None
        return self.last.changed


def to_the_offer(chat: Chat, creditor: str = "Capital One") -> None:
    """The sample negotiation (tests/support/sample.py) to its offer, with `creditor`: a $5,000
    card, open at $1,000, walk away above $2,000."""
    for move in SAMPLE.part(until="offer drafted"):
        if move.kind == "command":
            chat.command(move.text)
        elif move.kind == "press":
            chat.press(move.text)
        else:
            chat.say(creditor if move.text == "Capital One" else move.text)
    assert chat.debt.state == "awaiting_reply", chat.debt.state


def to_signature(chat: Chat) -> None:
    """The agreement drafted: three monthly payments of $566.67, $566.67, $566.66, the first in
    nine days; the time zone is asked (the first reminder is planned)."""
    to_the_offer(chat)
    chat.say("they want 1700")
    chat.press("Accept $1,700")
    chat.press("Yes, $1,700")
    for text in ("instalments", "3"):
        chat.say(text)
    chat.press("$566.67 each")
    chat.say("{date:+9d}")
    chat.say("monthly")
    chat.say("{date:+5d}")


def to_repaying(chat: Chat) -> None:
    to_signature(chat)
    chat.press("America/New_York is right")
    chat.press("The signed copy came back")
    chat.press("Yes, I have their signed copy")  # drafted today: the coach asks once more
    assert chat.debt.state == "repaying", chat.debt.state


# -- confirmations ---------------------------------------------------------------------------
def test_an_ignored_cancel_cannot_confirm_a_later_delete() -> None:
    chat = Chat()
    to_the_offer(chat)
    chat.command("cancel")
    start_over = chat.button("Yes, start this debt over")
    chat.command("delete")
    said = chat.press_data(start_over)
    assert not any(isinstance(e, EraseRequested) for e in chat.last.effects)  # type: ignore[union-attr]
    assert "earlier question" in said and "Erase everything" in said, said
    assert chat.debt.creditor == "Capital One" and chat.debt.state == "awaiting_reply"
    assert not chat.changed()
    # The erase stays pending: its own button (or a typed yes) still answers it.
    said = chat.press("Yes, erase everything")
    assert "erased" in said and chat.state.debts == []


def test_an_ignored_delete_cannot_start_a_debt_over() -> None:
    chat = Chat()
    to_the_offer(chat)
    chat.command("delete")
    erase = chat.button("Yes, erase everything")
    chat.command("cancel")
    said = chat.press_data(erase)
    assert not any(isinstance(e, EraseRequested) for e in chat.last.effects)  # type: ignore[union-attr]
    assert "earlier question" in said and "Start debt #1 (Capital One) over?" in said, said
    assert chat.debt.creditor == "Capital One" and not chat.changed()
    said = chat.say("yes")
    assert "starts over" in said and chat.debt.creditor == ""


def test_a_used_cancel_confirmation_cannot_confirm_the_next_cancel() -> None:
    chat = Chat()
    for text in ("hi", "Chase", "credit card"):
        chat.say(text)
    chat.command("cancel")
    first = chat.button("Yes, start this debt over")
    assert "starts over" in chat.press_data(first)
    chat.say("Citi")
    chat.command("cancel")
    said = chat.press_data(first)
    assert "earlier question" in said and "Start debt #1 (Citi) over?" in said, said
    assert chat.debt.creditor == "Citi" and not chat.changed()
    assert "starts over" in chat.press("Yes, start this debt over")
    assert chat.debt.creditor == ""


def test_an_old_keep_everything_does_not_dismiss_a_newer_question() -> None:
    chat = Chat()
    for text in ("hi", "Chase"):
        chat.say(text)
    chat.command("cancel")
    keep = chat.button("No, keep everything")
    chat.command("delete")
    said = chat.press_data(keep)
    assert "Erase everything" in said and not chat.changed()
    assert "erased" in chat.say("yes")


def test_a_stale_press_leaves_a_pending_confirmation_and_an_open_side_question_alone() -> None:
    chat = Chat()
    for text in ("hi", "Chase"):
        chat.say(text)
    old_kind = chat.button("Credit card")
    chat.press("Credit card")
    chat.command("delete")
    pending = chat.state.confirming
    chat.press_data(old_kind)
    assert chat.state.confirming == pending and pending is not None and not chat.changed()
    chat.command("reminders")
    chat.press("Change quiet hours")
    assert chat.state.asking == "quiet"
    for forged in (old_kind, "1:99:balance:zero", "g:debt:7", "g:lang:xx", "garbage", "g:yes", "g:tz:Mars/Olympus"):
        chat.press_data(forged)
        assert chat.state.asking == "quiet" and chat.state.active == 1 and not chat.changed(), forged
    assert "Quiet hours" in chat.say("22:00 to 7:00")


# -- a debt's questions ----------------------------------------------------------------------
def test_an_old_yes_for_one_agreed_figure_cannot_agree_another() -> None:
    chat = Chat()
    to_the_offer(chat)
    chat.press("They accepted")
    old_yes = chat.button("Yes, $1,000")
    chat.command("back")
    chat.say("they want 1800")
    chat.press("Accept $1,800")
    assert chat.debt.state == "agreed_amount"
    said = chat.press_data(old_yes)
    assert "earlier question" in said and chat.debt.state == "agreed_amount", said
    assert chat.debt.agreement is None and not chat.changed()
    chat.press("Yes, $1,800")
    assert chat.debt.agreement is not None and str(chat.debt.agreement.amount.amount) == "1800.00"


def test_an_old_accept_of_their_figure_cannot_accept_a_new_figure() -> None:
    chat = Chat()
    to_the_offer(chat)
    chat.say("they want 2500")
    old_accept = chat.button("Accept $2,500")
    chat.press("Counter with $1,400")
    chat.say("they want 1900")
    assert chat.debt.state == "decision"
    pending = chat.debt.pending_amount
    said = chat.press_data(old_accept)
    assert "earlier question" in said and chat.debt.state == "decision", said
    assert chat.debt.pending_amount == pending and chat.debt.agreement is None and not chat.changed()


def test_an_old_confirmation_above_the_ceiling_cannot_confirm_another_amount() -> None:
    chat = Chat()
    to_the_offer(chat)
    chat.press("They said no")
    chat.say("2100")
    assert chat.debt.state == "over_ceiling"
    old_yes = chat.button("Yes, go to $2,100")
    chat.press("No, stay within my limit")
    chat.say("2300")
    assert chat.debt.state == "over_ceiling"
    said = chat.press_data(old_yes)
    assert "earlier question" in said and chat.debt.state == "over_ceiling", said
    assert chat.debt.confirmed_above_ceiling is None and not chat.changed()
    assert all(r.amount is None or r.amount.amount < 2100 for r in chat.debt.rounds)


def test_a_double_tap_on_a_toggle_toggles_once() -> None:
    chat = Chat()
    for text in ("hi", "Chase", "credit card", "$5,000", "yes", "8 months", "original", "no", "no", "2k", "$300"):
        chat.say(text)
    lump = chat.button("Pay less, in one lump sum")
    chat.press_data(lump)
    chat.press_data(lump)
    assert [g.value for g in chat.debt.goals] == ["lump_sum"]


def test_the_by_the_way_time_zone_question_is_the_only_menu_of_its_turn_and_the_debt_question_follows() -> None:
    chat = Chat()
    to_signature(chat)
    asked = chat.messages[-1]
    assert "your time zone" in plain(asked.text).lower(), "asked when the first reminder is planned"
    shown = [c.label for m in chat.messages for c in m.choices]
    assert "The signed copy came back" not in shown, "the debt's question waits for the zone's answer"
    chat.press("Chicago time")
    assert chat.state.reminders.timezone == "America/Chicago"
    assert chat.debt.state == "awaiting_signature"
    followed = chat.messages[-1]
    assert "The signed copy came back" in [c.label for c in followed.choices], "then the debt's question"
    said = chat.press("Show the letter again")  # its buttons are current
    assert "earlier question" not in said and "agreement is drafted" in said, said


# -- payments --------------------------------------------------------------------------------
def test_a_double_tap_on_paid_records_one_instalment() -> None:
    chat = Chat()
    to_repaying(chat)
    paid = chat.button_starting("Paid $566.67")
    chat.press_data(paid)
    said = chat.press_data(paid)
    assert "already recorded as paid" in said, said
    assert [p.status for p in chat.debt.payments] == [PaymentStatus.PAID, PaymentStatus.DUE, PaymentStatus.DUE]
    assert not chat.changed()


def test_an_old_paid_button_pressed_later_records_nothing_more() -> None:
    chat = Chat()
    to_repaying(chat)
    first = chat.button_starting("Paid $566.67")
    chat.press_data(first)
    chat.press_data(chat.button_starting("Paid $566.67"))
    chat.now += timedelta(days=40)
    said = chat.press_data(first)
    assert "already recorded as paid" in said
    assert [p.status for p in chat.debt.payments] == [PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.DUE]


def test_a_double_tap_on_missed_records_one_missed_instalment_which_can_still_be_paid() -> None:
    chat = Chat()
    to_repaying(chat)
    missed = chat.button("I missed it / can't pay")
    chat.press_data(missed)
    said = chat.press_data(missed)
    assert "already recorded as missed" in said, said
    assert [p.status for p in chat.debt.payments] == [PaymentStatus.MISSED, PaymentStatus.DUE, PaymentStatus.DUE]
    assert not chat.changed()
    chat.press_data(chat.button_starting("Paid $566.67"))
    assert [p.status for p in chat.debt.payments] == [PaymentStatus.PAID, PaymentStatus.DUE, PaymentStatus.DUE]
    said = chat.press_data(missed)
    assert "already recorded as paid" in said


def test_typed_paid_still_means_the_next_unpaid_instalment() -> None:
    chat = Chat()
    to_repaying(chat)
    chat.say("paid")
    chat.say("I paid")
    assert [p.status for p in chat.debt.payments] == [PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.DUE]


def test_a_reminders_payment_buttons_work_days_later_and_once() -> None:
    chat = Chat()
    to_repaying(chat)
    debt = chat.debt
    second = next(
        p for p in reminder_plan.plan(chat.state) if p.index == 1 and p.kind is reminder_plan.Kind.PAYMENT_SOON
    )
    sent = compose(chat.state, second, chat.now, late=False)
    paid, not_yet = (next(c.value for c in sent.choices if c.label == name) for name in ("Paid", "Not yet"))
    # The debt takes other answers meanwhile: the reminder's buttons are not bound to its turn.
    chat.press("I missed it / can't pay")
    chat.press_data(chat.button_starting("Paid $566.67"))
    assert debt.payments[0].status is PaymentStatus.PAID
    said = chat.press_data(not_yet)
    assert "It's due" in said and debt.payments[1].status is PaymentStatus.DUE and not chat.changed()
    chat.now += timedelta(days=38)
    chat.press_data(paid)
    assert [p.status for p in debt.payments] == [PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.DUE]
    said = chat.press_data(paid)
    assert "already recorded as paid" in said and not chat.changed()


def test_back_and_starting_over_make_the_old_buttons_stale() -> None:
    chat = Chat()
    for text in ("hi", "Chase"):
        chat.say(text)
    first_kind = chat.button("Credit card")
    chat.press_data(first_kind)
    chat.command("back")
    assert chat.debt.state == "kind" and chat.debt.kind is None
    said = chat.press_data(first_kind)
    assert "earlier question" in said and chat.debt.kind is None and not chat.changed()
    chat.press("Medical bill")
    turn = chat.debt.turn
    chat.command("cancel")
    chat.press("Yes, start this debt over")
    assert chat.debt.turn > turn and chat.debt.state == "creditor"
    chat.say("Chase")
    assert chat.button("Credit card") != first_kind


# -- the other buttons -----------------------------------------------------------------------
def test_add_a_debt_pressed_twice_adds_one_debt() -> None:
    chat = Chat()
    for text in ("hi", "Ford Credit", "car loan"):
        chat.say(text)
    assert chat.debt.state == "not_negotiable"
    add = chat.button("Add another debt")
    chat.press_data(add)
    said = chat.press_data(add)
    assert [d.seq for d in chat.state.debts] == [1, 2], said
    assert "already added" in said and not chat.changed()
    chat.command("debts")
    chat.press("Add another debt")  # a newer one adds the next debt
    assert [d.seq for d in chat.state.debts] == [1, 2, 3]


def test_keep_this_time_zone_keeps_the_zone_it_names() -> None:
    chat = Chat()
    chat.say("hi")
    chat.command("timezone")
    keep = chat.button_starting("America/New_York")
    chat.say("Berlin")
    assert chat.state.reminders.timezone == "Europe/Berlin"
    said = chat.press_data(keep)
    assert chat.state.reminders.timezone == "America/New_York", said


def test_settings_pressed_again_change_nothing_more() -> None:
    chat = Chat()
    chat.say("hi")
    chat.command("reminders")
    week = chat.button("Remind 7 days before")
    chat.press_data(week)
    assert chat.state.reminders.days_before == 7 and chat.changed()
    chat.press_data(week)
    assert chat.state.reminders.days_before == 7 and not chat.changed()
    chat.command("language")
    english = chat.button("English")
    chat.press_data(english)
    assert not chat.changed()


# -- any earlier button, any number of times, in any order -----------------------------------
SET_ASIDE = frozenset({"asking", "confirming"})
ANYTHING = None


def changed_parts(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Which parts of an encoded state differ: top-level fields, `debts.<seq>`, `reminders.<field>`."""
    parts = {key for key in before if key not in ("debts", "reminders") and before[key] != after[key]}
    debts_before = {d["seq"]: d for d in before["debts"]}
    debts_after = {d["seq"]: d for d in after["debts"]}
    for seq in debts_before.keys() | debts_after.keys():
        if debts_before.get(seq) != debts_after.get(seq):
            parts.add(f"debts.{seq}")
    parts |= {f"reminders.{k}" for k in before["reminders"] if before["reminders"][k] != after["reminders"][k]}
    return parts


def named_parts(state: UserState, data: str) -> frozenset[str] | None:
    """What a press of `data` may change, read from the data alone (None: anything, for a
    confirmed erase). A press whose data is not current may change nothing: an empty set. One
    that changes something may also be the answer at which the first reminder's time zone is
    guessed and asked."""
    named = _named_parts(state, data)
    if not named:
        return named
    return named | ({"reminders.timezone", "asking"} if state.reminders.timezone is None else set())


def _named_parts(state: UserState, data: str) -> frozenset[str] | None:
    pressed = buttons.read(data)
    # Any answer may let the first reminder be planned, and with it the guess of the time zone.
    zone = {"reminders.timezone"} if state.reminders.timezone is None else set()
    if isinstance(pressed, buttons.Answer):
        debt = state.debt(pressed.seq)
        if debt is None or (debt.turn, debt.state) != (pressed.turn, pressed.step):
            return frozenset()
        return frozenset({f"debts.{debt.seq}", "active", "budget", "currency", "undo", *SET_ASIDE, *zone})
    if isinstance(pressed, buttons.Payment):
        debt = state.debt(pressed.seq)
        if debt is None or pressed.index >= len(debt.payments):
            return frozenset()
        status = debt.payments[pressed.index].status
        if status is PaymentStatus.PAID or (status is PaymentStatus.MISSED and pressed.verb != "paid"):
            return frozenset()
        return frozenset({f"debts.{debt.seq}", "active", "budget", "undo", *SET_ASIDE, *zone})
    if isinstance(pressed, buttons.Confirmation):
        if not pressed.pending or pressed.pending != state.confirming:
            return frozenset()
        if not pressed.yes:
            return SET_ASIDE
        if pressed.pending.startswith("delete."):
            return ANYTHING
        seq = pressed.pending.split(".")[1]
        return frozenset({f"debts.{seq}", "undo", "active", *SET_ASIDE})
    if isinstance(pressed, buttons.Control):
        name, value = pressed.name, pressed.value
        if name == "new" and value != str(state.next_seq()):
            return frozenset()
        if name == "new":
            return frozenset({f"debts.{value}", "active", *SET_ASIDE})
        if name == "skip":
            # Only the letter's detail asked now: the person's, or its debt's.
            waiting = details.waiting(state)
            if waiting is None or waiting[0].value != value:
                return frozenset()
            # "undo": the newest snapshot is kept as what differs from the debt, which now
            # has the detail (/back still keeps it: see dialogs/engine.py's `undo`). The last one
            # drafts the letter that waited, which may plan the first reminder (and guess the zone).
            return frozenset({"full_name", "postal_address", f"debts.{waiting[1].seq}", "undo", *SET_ASIDE, *zone})
        # The first zone given confirms the guess, and a call typed on the guess keeps its time
        # on the clock (debt.call_at moves).
        confirms = (
            set()
            if state.reminders.zone_confirmed
            else {"reminders.zone_confirmed", *(f"debts.{d.seq}" for d in state.debts if d.call_at)}
        )
        controls = {
            "debt": {"active"},
            "lang": {"locale"},
            "place": {"place", "place_confirmed", "reminders.timezone", "reminders.zone_confirmed"},
            "pn": {"prenegotiation"},
            "tz": {"reminders.timezone", *confirms},
            "quiet": {"reminders.quiet_start", "reminders.quiet_end"},
            "days": {"reminders.days_before"},
            "ask": {"reminders.timezone"},
            "debts": set(),
            "calendar": set(),
        }
        # A setting that ends the turn on the debt's question may open the first reminder's zone.
        return frozenset(controls[name] | SET_ASIDE | zone) if name in controls else frozenset()
    return frozenset()


def payments_other_than(debt: dict[str, Any], index: int) -> tuple[dict[str, Any], list[Any]]:
    rest = {k: v for k, v in debt.items() if k not in ("state", "turn", "payments")}
    return rest, [p for i, p in enumerate(debt["payments"]) if i != index]


def check_press(state: UserState, data: str, now: datetime) -> StepResult:
    """Press `data` and check it changed nothing but what it names; then press it again at
    once, which must change nothing at all. Returns the first press's result."""
    if not state.welcomed:  # after an erase any input is a first hello; nothing to press
        return step(state, Input.button(data), now)
    allowed = named_parts(state, data)
    before = encode(state)
    result = step(state, Input.button(data), now)
    after = encode(result.state)
    if allowed is not ANYTHING:
        changed = changed_parts(before, after)
        assert changed <= allowed, f"{data!r} changed {sorted(changed - allowed)}"
        if not allowed:
            assert not result.changed, f"{data!r} is not current and says it changed something"
        pressed = buttons.read(data)
        if isinstance(pressed, buttons.Payment) and changed:
            was = {d["seq"]: d for d in before["debts"]}[pressed.seq]
            now_ = {d["seq"]: d for d in after["debts"]}[pressed.seq]
            assert payments_other_than(was, pressed.index) == payments_other_than(now_, pressed.index), data
    if result.state.welcomed:
        again_before = encode(result.state)
        again = step(result.state, Input.button(data), now)
        assert encode(again.state) == again_before and not again.changed, f"{data!r} did something twice"
    return result


def shown_in(result: StepResult) -> list[str]:
    return [choice.value for reply in result.replies for choice in reply.choices]


def reminder_buttons(state: UserState, now: datetime) -> list[str]:
    """The buttons of every reminder planned now, as they would be sent: pressed any time later."""
    found = []
    for planned in reminder_plan.plan(state):
        found += [c.value for c in compose(state, planned, now, late=False).choices]
    return found


@settings(
    max_examples=40,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_any_earlier_button_pressed_any_number_of_times_changes_only_what_it_names(data: st.DataObject) -> None:
    chat = Chat()
    if data.draw(st.booleans(), label="start from an agreed plan"):
        to_repaying(chat)
    state, now = chat.state, chat.now
    seen: list[str] = list(dict.fromkeys(c.value for r in chat.messages for c in r.choices))
    latest: tuple[Choice, ...] = ()
    turns: dict[int, int] = {}
    for _ in range(120):
        now += timedelta(hours=data.draw(st.sampled_from([0, 1, 30])))
        roll = data.draw(st.integers(0, 99))
        if roll < 45 and seen:
            inp = Input.button(data.draw(st.sampled_from(seen)))
        elif roll < 52:
            inp = Input.command(data.draw(st.sampled_from(["cancel", "delete", "debts", "reminders"])))
        else:
            inp = data.draw(next_input(latest, state))
        result = check_press(state, inp.value, now) if inp.kind is InputKind.BUTTON else step(state, inp, now)
        state = result.state
        if any(isinstance(e, EraseRequested) for e in result.effects):
            turns = {}
        for debt in state.debts:  # a debt's turn only ever grows, or its old buttons could come back
            assert debt.turn >= turns.get(debt.seq, 0), (inp, debt.seq)
            turns[debt.seq] = debt.turn
        with_buttons = [r.choices for r in result.replies if r.choices]
        latest = with_buttons[-1] if with_buttons else ()
        new = shown_in(result) + reminder_buttons(state, now)
        seen += [value for value in dict.fromkeys(new) if value not in seen]


# -- the data itself ------------------------------------------------------------------------
DATA_FORMATS = re.compile(
    r"\d{1,2}:\d{1,10}:[a-z_]{1,24}:[a-z0-9_]{1,24}"  # a debt's question
    r"|\d{1,2}:repaying:(paid|missed|notyet|cant)\.\d{1,2}"  # an instalment
    r"|g:(yes|no):(cancel\.\d{1,2}\.[0-9a-z]{1,6}|delete\.[0-9a-z]{1,8})"  # a confirmation
    r"|g:[a-z]{1,8}(:[A-Za-z0-9_+/-]{1,40})?"  # the others, with their value
)


def every_button_of_the_stories() -> set[str]:
    shown: set[str] = set()
    for _, story in STORIES:
        state = UserState()
        latest: tuple[Choice, ...] = ()
        for step_ in story["steps"]:
            result = step(state, story_input(state, step_, latest), STORY_NOW)
            state, latest = result.state, buttons_now(result, latest)
            shown |= set(shown_in(result))
    return shown


def test_button_data_is_ascii_without_personal_data_and_fits_telegram_in_every_case() -> None:
    shown = every_button_of_the_stories()
    creditors = {"Capital One", "Chase", "Midland", "Amex"}
    for data in shown:
        assert DATA_FORMATS.fullmatch(data), data
        assert not any(name.lower().replace(" ", "") in data.lower() for name in creditors), data
    # The same buttons at the extremes: the 30th debt at the largest turn the column holds, the
    # last of 60 instalments, and every zone name there is.
    widest = []
    for pressed in filter(None, map(buttons.read, shown)):
        if isinstance(pressed, buttons.Answer):
            big = Debt(seq=MAX_DEBTS, state=pressed.step, turn=2**31 - 1)
            widest.append(buttons.answer(big, pressed.action))
        elif isinstance(pressed, buttons.Payment):
            widest.append(buttons.payment(Debt(seq=MAX_DEBTS), pressed.verb, MAX_INSTALMENTS - 1))
    assert {buttons.read(d).step for d in widest if isinstance(buttons.read(d), buttons.Answer)} >= {  # type: ignore[union-attr]
        "awaiting_validation",
        "instalment_amount",
        "kind",
        "decision",
    }
    last = UserState(debts=[Debt(seq=MAX_DEBTS, turn=2**31 - 1)], active=MAX_DEBTS)
    for what, when in (("cancel", NOW), ("delete", datetime(9999, 12, 31, 23, 59, tzinfo=UTC))):
        pending = pending_name(last, what, when)
        assert len(pending) <= 16, pending  # users.confirming is VARCHAR(16)
        widest += [buttons.confirmation(True, pending), buttons.confirmation(False, pending)]
    widest += [buttons.control("tz", zone) for zone in available_timezones()]
    widest += [buttons.control("new", MAX_DEBTS + 1), buttons.control("debt", MAX_DEBTS)]
    longest = max(widest, key=len)
    for data in widest:
        assert data.isascii() and len(data.encode()) <= buttons.MAX_BYTES, data
        assert isinstance(buttons.read(data), buttons.Answer | buttons.Payment | buttons.Confirmation | buttons.Control)
    assert len(longest) > 40, longest  # the extremes were really built


def test_data_that_is_not_ours_reads_as_nothing() -> None:
    for data in ("", "garbage", "01:1:kind:x", "1:01:kind:x", "١:1:kind:x", "1:-1:kind:x", "1:repaying:paid.-1",
                 "1:repaying:spent.0", "1:1::x", "1::x", "g:", "x" * 65):  # fmt: skip
        assert buttons.read(data) is None, data


def test_the_buttons_of_older_versions_are_answered_as_earlier_questions() -> None:
    """Keyboards sent before buttons named their turn are still in people's chats."""
    assert buttons.read("1:kind:credit_card") == buttons.Answer(1, None, "kind", "credit_card")
    chat = Chat()
    for text in ("hi", "Chase"):
        chat.say(text)
    assert chat.debt.state == "kind"
    for older in ("1:kind:credit_card", "1:repaying:paid", "g:yes", "g:no", "g:new", "g:tz:keep"):
        said = chat.press_data(older)
        assert "earlier question" in said and chat.debt.kind is None and not chat.changed(), older
        assert len(chat.state.debts) == 1 and chat.state.reminders.timezone is None


def test_the_is_it_in_the_post_reminder_is_answered_by_its_buttons() -> None:
    """Three days after the validation request is drafted the coach asks whether it went in the
    post: its buttons say yes or not yet, and each is answered, the wait for the statement going on."""
    chat = Chat()
    for text in ("hi", "Midland Credit", "collection account", "$1,500", "no", "2 years", "a collector", "no"):
        chat.say(text)
    assert chat.debt.state == "awaiting_validation", chat.debt.state
    posted = next(p for p in reminder_plan.plan(chat.state) if p.kind is reminder_plan.Kind.VALIDATION_POSTED)
    chat.now += timedelta(days=3)
    sent = compose(chat.state, posted, chat.now, late=False)
    assert "gone in the mail?" in sent.text
    labels = {c.label: c.value for c in sent.choices}
    assert list(labels) == ["Yes, it's in the mail", "Not yet"], list(labels)
    said = chat.press_data(labels["Not yet"])
    assert "Send it soon" in said and "30 days" in said and chat.debt.state == "awaiting_validation", said
    again = compose(chat.state, posted, chat.now, late=False)
    said = chat.press_data(next(c.value for c in again.choices if c.label == "Yes, it's in the mail"))
    assert "Keep the receipt" in said and chat.debt.state == "awaiting_validation", said
    assert "The statement arrived" in [c.label for c in chat.messages[-1].choices]
