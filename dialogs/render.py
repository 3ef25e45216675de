"""Every sentence the user reads comes from `templates/<locale>/`.

Messages (`*.html`) mark emphasis with <b> and <i> and nothing else; they are autoescaped, so
whatever the user typed arrives as text and the only tags are the template's. `read_markup`
turns that output into spans once, and each channel renders the spans its own way (Telegram
as HTML, the console as plain text). Letters (`*.txt`) are plain text, escaped by nobody,
because they are printed and mailed. Button labels live in `labels.toml` beside the messages
so a translator finds them in one place.
"""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dialogs.money import Money, format_money
from dialogs.places import rules
from dialogs.schedule import shape
from dialogs.state import UserState

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_LOCALE = "en"


def available_locales() -> list[str]:
    return list(_locales())


@cache
def _locales() -> tuple[str, ...]:
    """Read once: the templates ship with the code, and every update asks (resolve_locale)."""
    return tuple(sorted(p.name for p in TEMPLATES_DIR.iterdir() if (p / "labels.toml").is_file()))


def resolve_locale(requested: str | None) -> str:
    """Map "en-US", "zh-hant-tw" and friends onto a locale we have, falling back to English.
    A language we write in one variety answers for all of them: zh, zh-Hant, zh-HK and zh-CN
    all read zh_TW, which is nearer to each of them than English is."""
    if not requested:
        return DEFAULT_LOCALE
    wanted = requested.replace("-", "_").lower()
    language = wanted.split("_")[0]
    have = _locales()
    exact = [locale for locale in have if locale.lower() == wanted]
    same_language = [locale for locale in have if locale.lower().split("_")[0] == language]
    return next(iter(exact + same_language), DEFAULT_LOCALE)


@cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / locale),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates ship with the code and never change under a running process; reloading
        # would stat the file on every render.
        auto_reload=False,
    )
    env.filters["money"] = lambda m: format_money(m, locale) if isinstance(m, Money) else ""
    env.filters["day"] = lambda d: _format_date(d, locale, "day")
    env.filters["month"] = lambda d: _format_date(d, locale, "month")
    # The date a letter is written: December 3, 2026 in English.
    env.filters["long_day"] = lambda d: _format_date(d, locale, "long_day")
    env.filters["clock"] = lambda t: _format_clock(t, locale)
    env.filters["when"] = lambda t: _format_moment(t, locale)
    env.filters["shape"] = shape
    env.globals["label"] = lambda key, **fields: label(locale, key, **fields)
    env.globals["example_money"] = lambda dollars, user: format_money(example_money(dollars, user), locale)
    return env


# About what a dollar buys, in each currency's own figures: an example a Taiwanese reader sees
# is NT$45,000, not NT$1,500 (a figure nobody owes).
_EXAMPLE_SCALE = {"TWD": 30}


def example_money(dollars: int, user: UserState) -> Money:
    """An example figure for a sentence that shows what to type, in the person's currency and
    of the size people there owe: 1,500 is $1,500 in the US and NT$45,000 in Taiwan."""
    currency = user.currency or rules(user).currency
    return Money.of(dollars * _EXAMPLE_SCALE.get(currency, 1), currency)


@cache
def _formats(locale: str) -> dict[str, str]:
    """How the locale writes dates (`formats.toml`, CLDR patterns), beside its sentences."""
    with (TEMPLATES_DIR / locale / "formats.toml").open("rb") as f:
        return {k: str(v) for k, v in tomllib.load(f).items()}


def _babel(locale: str) -> str:
    return "en_US" if locale == "en" else locale.replace("-", "_")


def _format_date(value: date | None, locale: str, which: str) -> str:
    if value is None:
        return ""
    from babel.dates import format_date

    # Taiwan's documents count years from 1912 (民國115年 is 2026), which CLDR's patterns cannot
    # say: `{roc}` in a pattern stands for that year.
    pattern = _formats(locale)[which].replace("{roc}", str(value.year - 1911))
    return str(format_date(value, pattern, locale=_babel(locale)))


def short_day(locale: str, value: date) -> str:
    """A date on a button, where room is short: Dec 3 in English."""
    return _format_date(value, locale, "short_day")


def _format_clock(value: time | datetime | None, locale: str) -> str:
    """A wall-clock time as people of the locale write it: 9:00 AM in English."""
    if value is None:
        return ""
    from babel.dates import format_time

    moment = value.time() if isinstance(value, datetime) else value
    # CLDR puts a narrow no-break space before AM/PM; a plain one reads the same everywhere.
    return str(format_time(moment, "short", locale=_babel(locale))).replace("\u202f", " ")


def _format_moment(value: datetime | None, locale: str) -> str:
    """A call's moment: its day and its time, as the locale joins them."""
    if value is None:
        return ""
    day = _format_date(value, locale, "weekday_day")
    return _formats(locale)["moment"].format(day=day, clock=_format_clock(value, locale))


def render(locale: str, name: str, **context: Any) -> str:
    """Render one template; blank-line runs collapse so conditional blocks leave no holes."""
    text = _environment(locale).get_template(name).render(**context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


@cache
def _labels(locale: str) -> dict[str, str]:
    with (TEMPLATES_DIR / locale / "labels.toml").open("rb") as f:
        return {k: str(v) for k, v in tomllib.load(f).items()}


def label(locale: str, key: str, **context: Any) -> str:
    """A button label; `{name}` fields are filled from context (amounts pre-formatted). With a
    whole `count`, the locale's plural form of the key is used when it has one (`<key>_one`,
    `<key>_other`: CLDR's categories, from Babel), so "1 payment" and "3 payments" are one rule."""
    keys = (_plural_key(locale, key, context.get("count")), key)
    template = next(t for labels in (_labels(locale), _labels(DEFAULT_LOCALE)) for k in keys if (t := labels.get(k)))
    values = {k: format_money(v, locale) if isinstance(v, Money) else v for k, v in context.items()}
    return template.format(**values)


def _plural_key(locale: str, key: str, count: object) -> str:
    if isinstance(count, Decimal) and count == count.to_integral_value():
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool):
        return key
    from babel import Locale

    return f"{key}_{Locale.parse(locale.replace('-', '_')).plural_form(abs(count))}"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of a message's text and its emphasis. A newline in it breaks the line; a blank
    line separates paragraphs, where a channel with a length limit may cut."""

    text: str
    bold: bool = False
    italic: bool = False


Text = tuple[Span, ...]
# What each tag sets: (bold, italic), None leaving it as it was.
TAGS: dict[str, tuple[bool | None, bool | None]] = {
    "b": (True, None),
    "/b": (False, None),
    "i": (None, True),
    "/i": (None, False),
}


def read_markup(markup: str) -> Text:
    """A message template's output as spans: entities decoded, <b> and <i> turned into emphasis.
    Autoescaping leaves a "<" only where a template wrote a tag, so splitting at "<" finds
    every tag and nothing else; any tag but those two is a mistake in a template."""
    if "<" not in markup and "&" not in markup:
        return (Span(markup),) if markup else ()
    first, *tagged = markup.split("<")
    pieces: list[tuple[str | None, str]] = [(None, first)]
    for piece in tagged:
        name, closed, after = piece.partition(">")
        if not closed or name not in TAGS:
            raise ValueError(f"a message template may mark only <b> and <i>, not <{name}>")
        pieces.append((name, after))
    spans: list[Span] = []
    bold = italic = False
    for tag, raw in pieces:
        if tag is not None:
            now_bold, now_italic = TAGS[tag]
            bold = bold if now_bold is None else now_bold
            italic = italic if now_italic is None else now_italic
        if not raw:
            continue
        words = html.unescape(raw) if "&" in raw else raw
        if spans and (spans[-1].bold, spans[-1].italic) == (bold, italic):
            spans[-1] = Span(spans[-1].text + words, bold, italic)
        else:
            spans.append(Span(words, bold, italic))
    return tuple(spans)
