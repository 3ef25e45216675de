"""The details a letter needs, asked once: what a person may type, skip, or press late."""

from __future__ import annotations

from dialogs import buttons, details
from dialogs.engine import step
from dialogs.state import Holder, UserState
from dialogs.step_io import Input, LetterDrafted, StepResult
from dialogs.vocabulary import SideQuestion
from tests.support.clock import clock_now, expand, today_of
from tests.support.sample import SAMPLE, play

NOW = clock_now()


def at_the_name() -> UserState:
    """The sample, the hardship just told: the offer letter waits for the person's name."""
    _, state = play(SAMPLE.part(until="hardship given"), NOW)
    waiting = details.waiting(state)
    assert waiting is not None and waiting[0] is SideQuestion.YOUR_NAME
    return state


def said(result: StepResult) -> str:
    return "\n".join(reply.text for reply in result.replies)


def test_a_name_too_long_is_asked_again_with_its_limit_and_nothing_is_kept() -> None:
    state = at_the_name()
    result = step(state, Input.text("A" * 81), NOW)
    assert "At most 80 characters" in said(result)
    assert result.state.full_name is None and details.waiting(result.state) is not None
    assert "full name" in result.replies[-1].text


def test_control_characters_and_bidi_overrides_never_reach_a_letter() -> None:
    state = at_the_name()
    state = step(state, Input.text("Alex\x00\x1b[31m \u202eRivera"), NOW).state
    assert state.full_name == "Alex [31m Rivera"
    state = step(state, Input.text("12 Elm St\r\n\x07Springfield, IL 62701\n\n\n\n\n\nextra"), NOW).state
    assert state.postal_address == "12 Elm St\nSpringfield, IL 62701\nextra"


def test_typing_skip_skips_and_an_older_skip_button_is_stale() -> None:
    state = at_the_name()
    old_skip = buttons.control("skip", SideQuestion.YOUR_NAME.value)
    state = step(state, Input.text("skip"), NOW).state
    assert state.full_name == "" and details.waiting(state) is not None
    result = step(state, Input.button(old_skip), NOW)
    assert "earlier" in said(result).lower() or "old" in said(result).lower(), said(result)
    assert result.state.postal_address is None and not result.changed
    assert "postal address" in result.replies[-1].text


def test_a_command_sets_the_details_aside_and_letter_asks_for_them_again() -> None:
    state = at_the_name()
    result = step(state, Input.command("status"), NOW)
    assert details.waiting(result.state) is None and "tell me what Capital One said" in result.replies[-1].text
    result = step(result.state, Input.command("letter"), NOW)
    assert not [e for e in result.effects if isinstance(e, LetterDrafted)]
    assert "full name" in result.replies[-1].text
    for _ in ("name", "address", "creditor's address", "account"):
        result = step(result.state, Input.text("skip"), NOW)
    (letter,) = [e for e in result.effects if isinstance(e, LetterDrafted)]
    assert letter.kind == "offer" and "Name: ____" in letter.text


def test_a_collectors_agreement_asks_for_the_original_creditor_and_names_it() -> None:
    """The agreement with a debt buyer names the original creditor: asked before it, once."""
    _, state = play(SAMPLE.part(until="hardship given"), NOW)
    debt = state.active_debt
    assert debt is not None
    for _ in ("name", "address", "creditor's address", "account"):
        state = step(state, Input.text("skip"), NOW).state
    assert details.waiting(state) is None
    debt.holder = Holder.COLLECTOR  # as if Capital One had sold it
    state = play(SAMPLE.part(after="offer drafted", until="instalments chosen"), NOW, state)[1]
    for typed in ("{date:+9d}", "monthly", "{date:+5d}"):
        result = step(state, Input.text(expand(typed, today_of(NOW, state))), NOW)
        state = result.state
    assert debt.state == "awaiting_signature"
    assert "original creditor" in result.replies[-1].text
    assert not [e for e in result.effects if isinstance(e, LetterDrafted)]
    result = step(state, Input.text("Synchrony Bank"), NOW)
    (letter,) = [e for e in result.effects if isinstance(e, LetterDrafted)]
    assert "Original creditor: Synchrony Bank\nBalance the Creditor claims" in letter.text
    # The first reminder's time zone, in a turn of its own; then the debt's question.
    assert "Your time zone" in result.replies[-1].text
    result = step(result.state, Input.text("yes"), NOW)
    assert "Tell me when the signed copy comes back" in result.replies[-1].text


def test_details_before_any_creditor_ask_only_the_persons_own() -> None:
    state = step(UserState(), Input.command("start"), NOW).state
    result = step(state, Input.command("details"), NOW)
    assert "full name" in result.replies[-1].text
    state = step(result.state, Input.text("Sam Lee"), NOW).state
    result = step(state, Input.text("1 Main St, Boston, MA 02108"), NOW)
    assert result.state.postal_address == "1 Main St\nBoston, MA 02108"
    assert details.waiting(result.state) is None
    assert "Which creditor" in result.replies[-1].text
