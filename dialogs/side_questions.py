"""Side questions that sit over a debt's own question: the time zone, the quiet hours, and when
the person will call a creditor; and the /reminders and /calendar commands.

Each side question is a row of `dialogs/conversation.py` (`SIDE_QUESTIONS`); here are their
readers, what an answer sets, and their buttons. While one is open (`UserState.asking`), typed
text answers it; a command, or a button that is current, sets it aside, so nobody is ever stuck
in it. An answer that cannot be read gets an example and the side question stays open.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from dialogs import buttons, reminder_plan
from dialogs.lexicon import find
from dialogs.places import place_in, place_of, rules
from dialogs.readers.quiet_hours import parse_quiet_hours
from dialogs.readers.times import parse_moment
from dialogs.readers.yes_no import parse_yes_no
from dialogs.readers.zones import parse_timezone
from dialogs.render import label, render
from dialogs.state import Debt, PaymentStatus, Place, UserState
from dialogs.step_io import CalendarRequested, Choice, StepResult
from dialogs.vocabulary import SideQuestion, Tag

QuietHours = tuple[time, time] | Literal["off"]

# Offered as buttons beside the guess; anything else can be typed ("Berlin", "UTC+8").
ZONE_BUTTONS = {
    Place.US: ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
}
DAYS_BEFORE = (1, 3, 7)
# Side questions that name their debt in `UserState.asking` ("call:2").
ABOUT_A_DEBT = frozenset(
    {
        SideQuestion.CALL_TIME,
        SideQuestion.YOUR_NAME,
        SideQuestion.YOUR_ADDRESS,
        SideQuestion.CREDITOR_ADDRESS,
        SideQuestion.ACCOUNT_REF,
        SideQuestion.ORIGINAL_CREDITOR,
    }
)
LATEST_CALL = timedelta(days=366)


def say(state: UserState, result: StepResult, template: str, choices: tuple[Choice, ...] = (), **extra: object) -> None:
    """A message about the person's settings or debts as a whole, not one debt's question."""
    result.say(render(state.locale, template, user=state, **extra), choices)


def set_aside(state: UserState) -> None:
    """Something else was answered: the side question and the confirmation that waited are
    dropped (a typed yes later must not answer a question the person has moved on from)."""
    state.asking = None
    state.confirming = None


# -- where the person lives --------------------------------------------------------------------
def place_choices(state: UserState) -> tuple[Choice, ...]:
    guess = place_of(state)
    ordered = sorted(Place, key=lambda p: p is not guess)  # the guess first
    return tuple(Choice(label(state.locale, f"place_{p.value}"), buttons.control("place", p.value)) for p in ordered)


def place_shown(state: UserState, debt: Debt | None, now: datetime) -> dict[str, object]:
    return {"guess": place_of(state)}


def read_place(state: UserState, text: str, now: datetime) -> Place | None:
    """A place named ("台灣", "the US"), or a yes for the guess the question shows."""
    named = find(text, state.locale, "place")
    if named is not None:
        return Place(named)
    return place_of(state) if parse_yes_no(text) is True else None


def set_place(state: UserState, place: Place, now: datetime, result: StepResult) -> None:
    """The place the person gives. The currency, the rules and the letters follow it; a place
    with one clock answers the time zone too, and elsewhere the zone's guess moves there."""
    settings = state.reminders
    before = (state.place, state.place_confirmed, settings.timezone, settings.zone_confirmed)
    state.place, state.place_confirmed, state.asking = place, True, None
    own = rules(state)
    if own.one_zone:
        settings.timezone, settings.zone_confirmed = own.zone, True
    elif not settings.zone_confirmed and settings.timezone is not None:
        settings.timezone = own.zone
    if (state.place, state.place_confirmed, settings.timezone, settings.zone_confirmed) != before:
        result.changed = True
    say(state, result, "place_set.html", place=place, zone=settings.timezone if own.one_zone else None)


# -- the time zone -----------------------------------------------------------------------------
def wants_time_zone(state: UserState) -> bool:
    """Asked once, when the first reminder is planned: until then nothing depends on it."""
    return state.reminders.timezone is None and bool(reminder_plan.plan(state))


def guess_time_zone(state: UserState, result: StepResult) -> None:
    if state.reminders.timezone is None:
        # The guess stands from now on: the question is asked once, answered or not.
        state.reminders.timezone = _zone_guess(state)
        result.changed = True


def zone_choices(state: UserState) -> tuple[Choice, ...]:
    current = state.reminders.timezone or _zone_guess(state)
    zones = [z for z in ZONE_BUTTONS.get(place_of(state), ()) if z != current]
    return (
        Choice(label(state.locale, "zone_keep", zone=current), buttons.control("tz", current)),
        *(Choice(label(state.locale, "zone_use", zone=_city(z)), buttons.control("tz", z)) for z in zones),
    )


def _zone_guess(state: UserState) -> str:
    """The clock of where the person lives (or is guessed to, from their language)."""
    return rules(state).zone


def zone_shown(state: UserState, debt: Debt | None, now: datetime) -> dict[str, object]:
    return {"zone": state.reminders.timezone, "local": reminder_plan.local_now(state, now), "first": False}


def zone_shown_by_the_way(state: UserState, debt: Debt | None, now: datetime) -> dict[str, object]:
    return {**zone_shown(state, debt, now), "first": True}


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    return name in _zones()


def read_time_zone(state: UserState, text: str, now: datetime) -> str | None:
    """A zone, or a yes for the one the question shows."""
    zone = parse_timezone(text)
    if zone is None and parse_yes_no(text) is True:
        return state.reminders.timezone
    return zone


def set_time_zone(state: UserState, zone: str, now: datetime, result: StepResult) -> None:
    """The zone the person gives. The first answer confirms what was a guess: a call time typed
    on the guess ("3pm") meant 3pm on their clock, so it keeps that time in the zone given.
    Once confirmed, a call stays at its moment (3pm in New York is noon in Los Angeles)."""
    settings = state.reminders
    guessed = reminder_plan.zone(state)
    if settings.timezone != zone:
        settings.timezone = zone
        result.changed = True
    moved: list[tuple[Debt, datetime]] = []
    if not settings.zone_confirmed:
        settings.zone_confirmed = True
        result.changed = True
        moved = _keep_calls_on_the_clock(state, guessed, now)
    state.asking = None
    # A zone is a clue to where the person lives, until they say: Taipei's asks about Taiwan.
    if not state.place_confirmed and (there := place_in(zone)) is not None and there is not place_of(state):
        state.place = there
        result.changed = True
    say(state, result, "timezone_set.html", zone=zone, local=reminder_plan.local_now(state, now), calls=moved)


def _keep_calls_on_the_clock(state: UserState, guessed: ZoneInfo, now: datetime) -> list[tuple[Debt, datetime]]:
    """Calls still ahead, moved from the guessed zone to the person's own, at the same wall time."""
    given = reminder_plan.zone(state)
    if given == guessed:
        return []
    moved = []
    for debt in state.debts:
        if debt.call_at is None or debt.call_at <= now:
            continue
        wall = debt.call_at.astimezone(guessed).replace(tzinfo=None)
        debt.call_at = reminder_plan.to_utc(given, wall)
        moved.append((debt, wall))
    return moved


# -- quiet hours -------------------------------------------------------------------------------
def quiet_choices(state: UserState) -> tuple[Choice, ...]:
    return (Choice(label(state.locale, "quiet_off"), buttons.control("quiet", "off")),)


def read_quiet_hours(state: UserState, text: str, now: datetime) -> QuietHours | None:
    return parse_quiet_hours(text)


def set_quiet_hours(state: UserState, hours: QuietHours, now: datetime, result: StepResult) -> None:
    settings = state.reminders
    wanted = (None, None) if hours == "off" else hours
    if (settings.quiet_start, settings.quiet_end) != wanted:
        settings.quiet_start, settings.quiet_end = wanted
        result.changed = True
    state.asking = None
    say(state, result, "quiet_hours_set.html", settings=settings)


# -- a call to a creditor ----------------------------------------------------------------------
def read_call_time(state: UserState, text: str, now: datetime) -> datetime | None:
    """A wall-clock moment ahead, within a year."""
    local = reminder_plan.local_now(state, now).replace(tzinfo=None)
    moment = parse_moment(text, local)
    if moment is None or moment <= local or moment - local > LATEST_CALL:
        return None
    return moment


def local_time(state: UserState, now: datetime) -> dict[str, object]:
    return {"local": reminder_plan.local_now(state, now)}


def asking_about(seq: int) -> str:
    return f"{SideQuestion.CALL_TIME}:{seq}"


def opened(asking: str | None) -> tuple[SideQuestion, int | None] | None:
    """The side question `UserState.asking` holds, and the debt it names (a call's, a letter's)."""
    kind, _, seq = (asking or "").partition(":")
    try:
        question = SideQuestion(kind)
    except ValueError:
        return None
    if question in ABOUT_A_DEBT:
        number = buttons.number(seq)
        return None if number is None else (question, number)
    return None if seq else (question, None)


def set_call_time(state: UserState, moment: datetime, now: datetime, result: StepResult) -> None:
    asked = opened(state.asking)
    debt = state.debt(asked[1]) if asked else None
    assert debt is not None, "the engine checks the debt is still there"
    debt.call_at = reminder_plan.to_utc(reminder_plan.zone(state), moment)
    state.asking = None
    result.changed = True
    calls = reminder_plan.Kind.CALL_SCRIPT
    planned = [p for p in reminder_plan.plan(state) if p.debt_seq == debt.seq and p.kind is calls]
    script_at = planned[-1].due_at.astimezone(reminder_plan.zone(state)) if planned else None
    say(state, result, "call_scheduled.html", debt=debt, call=moment, script_at=script_at)


# -- the commands ------------------------------------------------------------------------------
def overview(state: UserState, now: datetime, result: StepResult) -> None:
    """/reminders: what is coming, and the settings behind it, each with its button."""
    tz = reminder_plan.zone(state)
    coming = sorted((p for p in reminder_plan.plan(state) if p.due_at > now), key=lambda p: p.due_at)
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
    say(
        state,
        result,
        "reminders.html",
        tuple(choices),
        rows=rows,
        more=len(coming) - len(rows),
        zone=reminder_plan.zone_name(state),
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
        say(state, result, "e_no_calendar.html")
        return
    result.effects.append(CalendarRequested(None))
    due = sum(1 for d in state.debts for p in d.payments if p.status is PaymentStatus.DUE)
    say(state, result, "calendar.html", due=due)
