"""Side questions that sit over a debt's own question: the time zone, the quiet hours, and when
the person will call a creditor; and the /reminders, /timezone and /calendar commands.

While one is open (`UserState.asking`), typed text answers it; a command, or a button that is
current, sets it aside, so nobody is ever stuck in it. An answer that cannot be read gets an
example and the side question stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from dialogs import buttons, reminders
from dialogs.context import Ctx, Stay, Taken
from dialogs.contracts import CalendarRequested, Choice, Reply, StepResult
from dialogs.parsing import parse_yes_no
from dialogs.render import label, render
from dialogs.state import PaymentStatus, UserState
from dialogs.vocabulary import Tag
from dialogs.when import guess_timezone, parse_moment, parse_quiet_hours, parse_timezone

Prompt = Callable[[UserState, date, StepResult], None]

# Offered as buttons beside the guess; anything else can be typed ("Berlin", "UTC+8").
ZONE_BUTTONS = {
    "en": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
}
DAYS_BEFORE = (1, 3, 7)
LATEST_CALL = timedelta(days=366)


def _say(
    state: UserState, result: StepResult, template: str, choices: tuple[Choice, ...] = (), **extra: object
) -> None:
    result.say(render(state.locale, template, user=state, **extra), choices)


def set_aside(state: UserState) -> None:
    """Something else was answered: the side question and the confirmation that waited are
    dropped (a typed yes later must not answer a question the person has moved on from)."""
    state.asking = None
    state.confirming = None


# -- the time zone -----------------------------------------------------------------------------
def wants_time_zone(state: UserState) -> bool:
    """Asked once, when the first reminder is planned: until then nothing depends on it."""
    return state.reminders.timezone is None and bool(reminders.plan(state))


def ask_time_zone(state: UserState, now: datetime, result: StepResult, *, first: bool) -> None:
    if state.reminders.timezone is None:
        # The guess stands from now on: the question is asked once, answered or not.
        state.reminders.timezone = guess_timezone(state.locale)
        result.changed = True
    # Asked the first time by the way, before the debt's own question, which stays the one to
    # answer: a zone typed next is taken, anything else answers the debt's question as usual.
    state.asking = "timezone_first" if first else "timezone"
    current = state.reminders.timezone
    zones = [z for z in ZONE_BUTTONS.get(state.locale.split("_")[0], ()) if z != current]
    choices = (
        Choice(label(state.locale, "zone_keep", zone=current), buttons.control("tz", current)),
        *(Choice(label(state.locale, "zone_use", zone=_city(z)), buttons.control("tz", z)) for z in zones),
    )
    local = reminders.local_now(state, now)
    text = render(state.locale, "q_timezone.html", user=state, zone=current, local=local, first=first)
    reply = Reply(text, choices)
    if first and result.replies:
        result.replies.insert(len(result.replies) - 1, reply)
    else:
        result.replies.append(reply)


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def set_time_zone(state: UserState, zone: str, now: datetime, result: StepResult) -> None:
    if state.reminders.timezone != zone:
        state.reminders.timezone = zone
        result.changed = True
    state.asking = None
    _say(state, result, "timezone_set.html", zone=zone, local=reminders.local_now(state, now))


# -- quiet hours -------------------------------------------------------------------------------
def ask_quiet_hours(state: UserState, result: StepResult) -> None:
    state.asking = "quiet"
    off = Choice(label(state.locale, "quiet_off"), buttons.control("quiet", "off"))
    _say(state, result, "q_quiet_hours.html", (off,))


def _set_quiet_hours(state: UserState, text: str, result: StepResult) -> bool:
    hours = parse_quiet_hours(text)
    if hours is None:
        return False
    settings = state.reminders
    wanted = (None, None) if hours == "off" else hours
    if (settings.quiet_start, settings.quiet_end) != wanted:
        settings.quiet_start, settings.quiet_end = wanted
        result.changed = True
    state.asking = None
    _say(state, result, "quiet_hours_set.html", settings=settings)
    return True


# -- a call to a creditor ----------------------------------------------------------------------
def ask_call_time(ctx: Ctx) -> Taken:
    ctx.user.asking = f"call:{ctx.debt.seq}"
    return Stay("q_call_time.html", reprompt=False)


def _set_call_time(state: UserState, seq: int, text: str, now: datetime, result: StepResult) -> bool:
    debt = state.debt(seq)
    if debt is None:
        state.asking = None
        return True
    local = reminders.local_now(state, now)
    moment = parse_moment(text, local.replace(tzinfo=None))
    if moment is None or moment <= local.replace(tzinfo=None) or moment - local.replace(tzinfo=None) > LATEST_CALL:
        return False
    debt.call_at = reminders.to_utc(reminders.zone(state), moment)
    state.asking = None
    result.changed = True
    planned = [p for p in reminders.plan(state) if p.debt_seq == seq and p.kind is reminders.Kind.CALL_SCRIPT]
    script_at = planned[-1].due_at.astimezone(reminders.zone(state)) if planned else None
    _say(state, result, "call_scheduled.html", debt=debt, call=moment, script_at=script_at)
    return True


# -- answering whichever is open ---------------------------------------------------------------
def answer(state: UserState, text: str, now: datetime, result: StepResult, prompt: Prompt) -> bool:
    """Typed text while a side question is open; False when it was not for the side question
    after all (the by-the-way time zone question), and is the debt question's to read."""
    asking = state.asking or ""
    today = reminders.local_now(state, now).date()
    if asking in ("timezone", "timezone_first"):
        zone = parse_timezone(text)
        if zone is None and asking == "timezone" and parse_yes_no(text) is True:
            zone = state.reminders.timezone
        if zone is None and asking == "timezone_first":
            state.asking = None
            return False
        if zone is None:
            _say(state, result, "e_timezone.html")
            return True
        set_time_zone(state, zone, now, result)
    elif asking == "quiet":
        if not _set_quiet_hours(state, text, result):
            _say(state, result, "e_quiet_hours.html")
            return True
    elif asking.startswith("call:") and asking[5:].isdigit():
        if not _set_call_time(state, int(asking[5:]), text, now, result):
            _say(state, result, "e_call_time.html", local=reminders.local_now(state, now))
            return True
    else:
        state.asking = None
        return False
    prompt(state, today, result)
    return True


def press(state: UserState, control: buttons.Control, now: datetime, result: StepResult, prompt: Prompt) -> bool:
    """The buttons of the side questions and of /reminders (`g:tz:<zone>`, `g:days:7`, ...);
    False when the control is not one of them. Each names its value: pressed again, or when
    the setting already has it, it says so and changes nothing."""
    today = reminders.local_now(state, now).date()
    name, value = control.name, control.value
    settings = state.reminders
    if name == "tz" and value in _zones():
        if value != settings.timezone or state.asking in ("timezone", "timezone_first"):
            set_aside(state)
            set_time_zone(state, value, now, result)
        else:
            _say(state, result, "timezone_set.html", zone=value, local=reminders.local_now(state, now))
    elif name == "ask" and value == "timezone":
        state.confirming = None
        ask_time_zone(state, now, result, first=False)
        return True
    elif name == "ask" and value == "quiet":
        state.confirming = None
        ask_quiet_hours(state, result)
        return True
    elif name == "quiet" and value == "off":
        if (settings.quiet_start, settings.quiet_end) != (None, None) or state.asking == "quiet":
            set_aside(state)
            _set_quiet_hours(state, "off", result)
        else:
            _say(state, result, "quiet_hours_set.html", settings=settings)
    elif name == "days" and (days := buttons.number(value)) in DAYS_BEFORE:
        if days != settings.days_before:
            set_aside(state)
            settings.days_before = days
            result.changed = True
        _say(state, result, "days_before_set.html", days=settings.days_before)
    elif name == "calendar" and not value:
        set_aside(state)
        calendar(state, result)
    else:
        return False
    prompt(state, today, result)
    return True


# -- the commands ------------------------------------------------------------------------------
def overview(state: UserState, now: datetime, result: StepResult) -> None:
    """/reminders: what is coming, and the settings behind it, each with its button."""
    tz = reminders.zone(state)
    coming = sorted((p for p in reminders.plan(state) if p.due_at > now), key=lambda p: p.due_at)
    rows = [(p, p.due_at.astimezone(tz), state.debt(p.debt_seq)) for p in coming[:10]]
    settings = state.reminders
    choices = [
        Choice(label(state.locale, "change_timezone"), buttons.control("ask", "timezone")),
        Choice(label(state.locale, "change_quiet_hours"), buttons.control("ask", "quiet")),
    ]
    choices += [
        Choice(_days_label(state.locale, d), buttons.control("days", d))
        for d in DAYS_BEFORE
        if d != settings.days_before
    ]
    if _has_payments(state):
        choices.append(Choice(label(state.locale, "calendar_file"), buttons.control("calendar")))
    _say(
        state,
        result,
        "reminders.html",
        tuple(choices),
        rows=rows,
        more=len(coming) - len(rows),
        zone=reminders.zone_name(state),
        settings=settings,
    )


def _days_label(locale: str, days: int) -> str:
    if days == 1:
        return label(locale, "day_before")
    return label(locale, "days_before", days=days)


def _has_payments(state: UserState) -> bool:
    from dialogs.conversation import tagged  # the table imports this module's questions

    return any(d.payments and d.state in tagged(Tag.SCHEDULED) for d in state.debts)


def calendar(state: UserState, result: StepResult) -> None:
    if not _has_payments(state):
        _say(state, result, "e_no_calendar.html")
        return
    result.effects.append(CalendarRequested(None))
    due = sum(1 for d in state.debts for p in d.payments if p.status is PaymentStatus.DUE)
    _say(state, result, "calendar.html", due=due)
