"""What works at any point, as two tables: the commands (`/help`, `/cancel`...) and the
buttons that are not a debt's answer (`g:<name>:<value>`: a language, a debt to switch to,
a reminder setting).

Destructive commands ask first (a confirmation, in `dialogs/conversation.py`); anything other
than its yes leaves everything as it was. Every control button names its value, so pressed
again it changes nothing more, and one that is not ours changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from dialogs import bank_plan, buttons, details, places, pn_statement, policy, portfolio, prenegotiation
from dialogs import side_questions as sq
from dialogs.confirmations import pending_name
from dialogs.context import Ctx
from dialogs.conversation import SIDE, STEP, ask_side_question_again, open_side_question, show_confirmation, tagged
from dialogs.letters import draft_letter
from dialogs.reminder_plan import local_now
from dialogs.render import available_locales, label, resolve_locale
from dialogs.rounds import script_figures
from dialogs.side_questions import say
from dialogs.state import Debt, Document, Place, UserState
from dialogs.step_io import Choice, ExportRequested, Input, StepResult
from dialogs.vocabulary import Command, SideQuestion, Tag, ToConfirm

MAX_DEBTS = 30

Prompt = Callable[[UserState, date, StepResult], None]
Undo = Callable[[UserState], bool]

# The commands, in the order of the menu and /help (Telegram's menu lists their names).
COMMANDS: tuple[Command, ...] = tuple(Command)
# Buttons of older versions that named no value: answered as an earlier question's.
OLDER_CONTROLS = frozenset({("new", ""), ("tz", "keep")})


@dataclass(slots=True)
class Turn:
    """One command or control button: who, when, and what the engine lends it."""

    state: UserState
    now: datetime
    result: StepResult
    prompt: Prompt
    undo: Undo
    arg: str = ""  # what follows the command's name ("/timezone Los Angeles")

    @property
    def today(self) -> date:
        return local_now(self.state, self.now).date()

    def ask_again(self) -> None:
        """The question that waits (a confirmation, or the active debt's), asked again."""
        self.prompt(self.state, self.today, self.result)


def welcome(state: UserState, result: StepResult) -> None:
    """Hello, and the first debt to work on: from here on there is always an active debt, so
    showing where we are never has to create one (and a press that changes nothing, doesn't)."""
    state.welcomed = True
    places.arrive(state)
    result.changed = True
    if state.active_debt is None:
        start_debt(state)
    say(state, result, "welcome.html")


def start_debt(state: UserState) -> Debt:
    debt = Debt(seq=state.next_seq())
    state.debts.append(debt)
    state.active = debt.seq
    return debt


# -- the commands ----------------------------------------------------------------------------
def _start(t: Turn) -> None:
    """Where we are (the console sends it at every start): a side question still open is the
    question that waits."""
    say(t.state, t.result, "welcome_back.html", debt=t.state.active_debt)
    if not ask_side_question_again(t.state, t.now, t.result):
        t.ask_again()


def _help(t: Turn) -> None:
    say(t.state, t.result, "help.html", commands=COMMANDS)


def _status(t: Turn) -> None:
    state = t.state
    say(state, t.result, "status.html", debt=state.active_debt, others=len(state.debts) - 1)


def _privacy(t: Turn) -> None:
    say(t.state, t.result, "privacy.html", retention=policy.retention())


def _back(t: Turn) -> None:
    t.result.changed = t.undo(t.state)
    say(t.state, t.result, "undone.html" if t.result.changed else "e_nothing_to_undo.html")


def _confirm(what: ToConfirm) -> Callable[[Turn], None]:
    def ask(t: Turn) -> None:
        if t.state.active_debt is None:
            start_debt(t.state)
        t.state.confirming = pending_name(t.state, what, t.now)
        t.result.changed = True
        show_confirmation(t.state, t.result)

    ask.__name__ = f"confirm_{what}"
    return ask


def _export(t: Turn) -> None:
    t.result.effects.append(ExportRequested())
    say(t.state, t.result, "export.html")


def _languages(t: Turn) -> None:
    choices = tuple(Choice(label(code, "language_name"), buttons.control("lang", code)) for code in available_locales())
    say(t.state, t.result, "language.html", choices)


def _debts(t: Turn) -> None:
    state = t.state
    order = portfolio.suggested_order(state)
    # The debts in the order the coach suggests, then the others (side doors, settled).
    suggested = [r.debt for r in order]
    listed = suggested + [d for d in state.debts if d.seq not in {s.seq for s in suggested}]
    choices = tuple(
        Choice(label(state.locale, "work_on", seq=d.seq, creditor=d.creditor or "…"), buttons.control("debt", d.seq))
        for d in listed
        if d.seq != state.active
    )
    if len(state.debts) < MAX_DEBTS:
        choices += (Choice(label(state.locale, "add_debt"), buttons.control("new", state.next_seq())),)
    say(
        state,
        t.result,
        "debts.html",
        choices,
        debts=state.debts,
        order=order,
        totals=portfolio.totals(state),
        side_doors=portfolio.side_doors(state),
        free=portfolio.ledger(state, t.today, excluding=None).free(),
    )


def _new_debt(t: Turn) -> None:
    state = t.state
    if len(state.debts) >= MAX_DEBTS:
        say(state, t.result, "e_too_many_debts.html", most=MAX_DEBTS)
        t.ask_again()
        return
    sq.set_aside(state)
    start_debt(state)
    t.result.changed = True
    say(state, t.result, "new_debt.html", debt=state.active_debt)
    t.ask_again()


def _script(t: Turn) -> None:
    debt = t.state.active_debt
    if debt is None or debt.offer is None or debt.state not in tagged(Tag.NEGOTIATING):
        say(t.state, t.result, "e_no_script.html", debt=debt)
    else:
        ctx = Ctx(t.state, debt, t.today, t.result)
        ctx.say("script.html", (), **script_figures(ctx))


def _letter(t: Turn) -> None:
    debt = t.state.active_debt
    kind = STEP[debt.state].letter if debt is not None else None
    if debt is None or kind is None:
        say(t.state, t.result, "e_no_letter.html", debt=debt)
    elif draft_letter(Ctx(t.state, debt, t.today, t.result), kind, forgiven=portfolio.forgiven(debt)):
        say(t.state, t.result, "letter_again.html", debt=debt, kind=kind)
    # Otherwise the letter waits for a detail it needs, asked next.


def _details(t: Turn) -> None:
    """The letters' details, each asked again; the current letter follows with them."""
    debt = t.state.active_debt
    assert debt is not None, "the welcome starts a first debt"
    details.ask_all(t.state, debt)
    say(t.state, t.result, "details_again.html", debt=debt)


def _reminders(t: Turn) -> None:
    sq.overview(t.state, t.now, t.result)


def _answered_or_asked(question: SideQuestion) -> Callable[[Turn], None]:
    """A command that asks its side question, or takes the answer given with it at once
    (`/timezone Los Angeles`, `/place Taiwan`); one it cannot read is said so, then asked."""

    def run(t: Turn) -> None:
        row = SIDE[question]
        if t.arg:
            value = row.reader(t.state, t.arg, t.now)
            if value is not None:
                row.take(t.state, value, t.now, t.result)
                t.ask_again()
                return
            say(t.state, t.result, row.error)
        open_side_question(t.state, question, t.now, t.result)

    return run


def _prenegotiation(t: Turn) -> None:
    """Taiwan's pre-negotiation, explained from the person's own debts: which it covers, the bank
    to apply to, what goes to pre-mediation instead."""
    _show_prenegotiation(t.state, t.result)


def _show_prenegotiation(state: UserState, result: StepResult, done: str | None = None) -> None:
    """The whole explanation for /prenegotiation; after a checklist button, the checklist alone."""
    seen = prenegotiation.overview(state)
    choices = prenegotiation.checklist_choices(state) if places.place_of(state) is Place.TW else ()
    template = "prenegotiation.html" if done is None else "pn_checklist.html"
    shown = {"overview": seen, "fee": prenegotiation.PRE_MEDIATION_FEE, "documents": list(Document), "done": done}
    say(state, result, template, choices, **shown)


def _calendar(t: Turn) -> None:
    sq.calendar(t.state, t.result)


@dataclass(frozen=True, slots=True)
class Run:
    does: Callable[[Turn], None]
    # The question that waits follows the command's own answer.
    then_ask: bool = True


# fmt: off
RUN: dict[Command, Run] = {
    Command.START:     Run(_start, then_ask=False),  # asks what waits itself
    Command.HELP:      Run(_help),
    Command.STATUS:    Run(_status),
    Command.DEBTS:     Run(_debts, then_ask=False),
    Command.NEW:       Run(_new_debt, then_ask=False),  # asks the new debt's first question itself
    Command.SCRIPT:    Run(_script),
    Command.LETTER:    Run(_letter),
    Command.DETAILS:   Run(_details),
    Command.BACK:      Run(_back),
    Command.CANCEL:    Run(_confirm(ToConfirm.CANCEL), then_ask=False),
    Command.EXPORT:    Run(_export),
    Command.DELETE:    Run(_confirm(ToConfirm.DELETE), then_ask=False),
    Command.LANGUAGE:  Run(_languages, then_ask=False),
    Command.REMINDERS: Run(_reminders, then_ask=False),
    Command.TIMEZONE:  Run(_answered_or_asked(SideQuestion.TIME_ZONE), then_ask=False),
    Command.PLACE:     Run(_answered_or_asked(SideQuestion.PLACE), then_ask=False),
    Command.PRENEGOTIATION: Run(_prenegotiation, then_ask=False),  # its checklist is the menu
    Command.CALENDAR:  Run(_calendar),
    Command.PRIVACY:   Run(_privacy),
}
# fmt: on
assert set(RUN) == set(Command)


def run(state: UserState, inp: Input, now: datetime, result: StepResult, *, prompt: Prompt, undo: Undo) -> None:
    t = Turn(state, now, result, prompt, undo, inp.arg)
    try:
        command = Command(inp.value)
    except ValueError:
        sq.set_aside(state)
        say(state, result, "e_unknown_command.html", commands=COMMANDS)
        t.ask_again()
        return
    if command is not Command.START:
        # A command sets aside the confirmation and the side question that waited; /start, the
        # console's opening, shows them again.
        sq.set_aside(state)
    entry = RUN[command]
    entry.does(t)
    if entry.then_ask:
        t.ask_again()


# -- the control buttons ---------------------------------------------------------------------
# Each returns False when the value is not one it gives (then: "I don't know that button").
def _press_zone(t: Turn, value: str) -> bool:
    state = t.state
    if not sq.is_zone(value):
        return False
    if (
        value != state.reminders.timezone
        or not state.reminders.zone_confirmed
        or sq.opened(state.asking)
        in (
            (SideQuestion.TIME_ZONE, None),
            (SideQuestion.TIME_ZONE_BY_THE_WAY, None),
        )
    ):
        sq.set_aside(state)
        sq.set_time_zone(state, value, t.now, t.result)
    else:
        say(state, t.result, "timezone_set.html", zone=value, local=local_now(state, t.now), calls=())
    t.ask_again()
    return True


def _press_place(t: Turn, value: str) -> bool:
    try:
        place = Place(value)
    except ValueError:
        return False
    sq.set_aside(t.state)
    sq.set_place(t.state, place, t.now, t.result)
    t.ask_again()
    return True


def _press_prenegotiation(t: Turn, value: str) -> bool:
    done = prenegotiation.press(t.state, value, t.today)
    if done is None:
        return False
    state, bank = t.state, prenegotiation.overview(t.state).apply_to
    if done == "letter" and bank is not None:
        # As the details stand (a line to write on for any not given): /details fills them in.
        ctx = Ctx(state, bank, t.today, t.result)
        kind = "prenegotiation_application"
        letter = draft_letter(ctx, kind, ask_details=False, **prenegotiation.letter_figures(state))
        assert letter is not None, "drafted as it is, it never waits"
        # The checklist stays the menu on the screen.
        choices = prenegotiation.checklist_choices(state)
        ctx.say("pn_letter.html", choices, letter=letter, blanks=details.missing(state, bank))
        return True
    if done == "list":
        pn_statement.draft_list(state, t.now, t.result)
        return True
    if done in ("statement", "plan"):
        first = pn_statement.ORDER[0] if done == "statement" else SideQuestion.PN_PLAN
        open_side_question(state, first, t.now, t.result)
        return True
    if done == "stale":
        say(state, t.result, "e_stale_button.html", other=None)
        _show_prenegotiation(state, t.result, "")
        return True
    if done == "signed":
        if not bank_plan.sign(state, t.today, t.result):
            say(state, t.result, "e_pn_nothing_to_sign.html")
            _show_prenegotiation(state, t.result, "")
            return True
        t.ask_again()
        return True
    if done in ("started", "gathered", "mailed"):
        t.result.changed = True
    # The checklist is the one menu on the screen; /status brings back the debt's question.
    _show_prenegotiation(state, t.result, done)
    return True


def _press_ask(t: Turn, value: str) -> bool:
    """/reminders' "change the time zone" and "change the quiet hours"."""
    question = {"timezone": SideQuestion.TIME_ZONE, "quiet": SideQuestion.QUIET_HOURS}.get(value)
    if question is None:
        return False
    t.state.confirming = None
    open_side_question(t.state, question, t.now, t.result)
    return True


def _press_quiet(t: Turn, value: str) -> bool:
    state, settings = t.state, t.state.reminders
    if value != "off":
        return False
    if (settings.quiet_start, settings.quiet_end) != (None, None) or state.asking == SideQuestion.QUIET_HOURS:
        sq.set_aside(state)
        sq.set_quiet_hours(state, "off", t.now, t.result)
    else:
        say(state, t.result, "quiet_hours_set.html", settings=settings)
    t.ask_again()
    return True


def _press_days(t: Turn, value: str) -> bool:
    state, settings = t.state, t.state.reminders
    days = buttons.number(value)
    if days not in sq.DAYS_BEFORE:
        return False
    if days != settings.days_before:
        sq.set_aside(state)
        settings.days_before = days
        t.result.changed = True
    say(state, t.result, "days_before_set.html", days=settings.days_before)
    t.ask_again()
    return True


def _press_calendar(t: Turn, value: str) -> bool:
    if value:
        return False
    sq.set_aside(t.state)
    sq.calendar(t.state, t.result)
    t.ask_again()
    return True


def _press_skip(t: Turn, value: str) -> bool:
    """A letter's detail skipped: only the one asked now (an older Skip is stale)."""
    try:
        question = SideQuestion(value)
    except ValueError:
        return False
    if question not in details.ORDER:
        return False
    waiting = details.waiting(t.state)
    if waiting is None or waiting[0] is not question:
        say(t.state, t.result, "e_stale_button.html", other=None)
    else:
        details.take(t.state, "", t.now, t.result)
    t.ask_again()
    return True


def _press_new(t: Turn, value: str) -> bool:
    """ "Add a debt" names the debt it adds: pressed again, that debt is already there."""
    state, seq = t.state, buttons.number(value)
    if seq is not None and (added := state.debt(seq)) is not None:
        say(state, t.result, "e_already_added.html", debt=added)
        t.ask_again()
        return True
    if seq is None or seq != state.next_seq():
        return False
    _new_debt(t)
    return True


def _press_debts(t: Turn, value: str) -> bool:
    if value:
        return False
    sq.set_aside(t.state)
    _debts(t)
    return True


def _press_debt(t: Turn, value: str) -> bool:
    state, seq = t.state, buttons.number(value)
    if seq is None or state.debt(seq) is None:
        return False
    if seq != state.active:
        sq.set_aside(state)
        state.active = seq
        t.result.changed = True
    say(state, t.result, "switched.html", switched_to=state.active_debt)
    t.ask_again()
    return True


def _press_language(t: Turn, value: str) -> bool:
    state = t.state
    if value not in available_locales():
        return False
    if resolve_locale(value) != state.locale:
        sq.set_aside(state)
        state.locale = resolve_locale(value)
        t.result.changed = True
    say(state, t.result, "language_set.html")
    t.ask_again()
    return True


# fmt: off
CONTROLS: dict[str, Callable[[Turn, str], bool]] = {
    "tz":       _press_zone,      # g:tz:<IANA zone>
    "place":    _press_place,     # g:place:<us or tw>
    "pn":       _press_prenegotiation,  # g:pn:start, g:pn:<document>, g:pn:<draft>, g:pn:mailed, g:pn:plan...
    "ask":      _press_ask,       # g:ask:timezone, g:ask:quiet
    "quiet":    _press_quiet,     # g:quiet:off
    "days":     _press_days,      # g:days:<1, 3 or 7>
    "calendar": _press_calendar,  # g:calendar
    "skip":     _press_skip,      # g:skip:<a letter's detail>
    "new":      _press_new,       # g:new:<the seq it adds>
    "debts":    _press_debts,     # g:debts
    "debt":     _press_debt,      # g:debt:<seq>
    "lang":     _press_language,  # g:lang:<locale>
}
# fmt: on


def press(state: UserState, control: buttons.Control, now: datetime, result: StepResult, *, prompt: Prompt) -> None:
    """Buttons that are not answers to a debt's question (`g:<name>:<value>`)."""
    t = Turn(state, now, result, prompt, lambda _: False)
    handler = CONTROLS.get(control.name)
    if handler is not None and handler(t, control.value):
        return
    if (control.name, control.value) in OLDER_CONTROLS:
        say(state, result, "e_stale_button.html", other=None)
    else:
        say(state, result, "e_unknown_button.html")
    t.ask_again()
