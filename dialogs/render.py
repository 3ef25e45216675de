"""Every sentence the user reads comes from `templates/<locale>/`.

Messages (`*.html`) are autoescaped so they are safe in Telegram's HTML mode whatever the user
typed; letters (`*.txt`) are plain text, escaped by nobody, because they are printed and mailed.
Button labels live in `labels.toml` beside the messages so a translator finds them in one place.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dialogs.money import Money, format_money

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_LOCALE = "en"


def available_locales() -> list[str]:
    return sorted(p.name for p in TEMPLATES_DIR.iterdir() if (p / "labels.toml").is_file())


def resolve_locale(requested: str | None) -> str:
    """Map "en-US", "zh-hant-tw" and friends onto a locale we have, falling back to English."""
    if not requested:
        return DEFAULT_LOCALE
    wanted = requested.replace("-", "_")
    have = available_locales()
    for candidate in (wanted, wanted.split("_")[0]):
        for locale in have:
            if locale.lower() == candidate.lower():
                return locale
    return DEFAULT_LOCALE


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
    env.filters["day"] = _format_day
    env.filters["clock"] = lambda t: _format_clock(t, locale)
    env.filters["when"] = lambda t: f"{t:%a} {t.day} {t:%b}, {_format_clock(t, locale)}" if t else ""
    env.globals["label"] = lambda key, **fields: label(locale, key, **fields)
    return env


def _format_day(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value:%a} {value.day} {value:%b %Y}"


def _format_clock(value: time | datetime | None, locale: str) -> str:
    """A wall-clock time as people of the locale write it: 9:00 AM in English."""
    if value is None:
        return ""
    from babel.dates import format_time

    moment = value.time() if isinstance(value, datetime) else value
    # CLDR puts a narrow no-break space before AM/PM; a plain one reads the same everywhere.
    return str(format_time(moment, "short", locale=locale.replace("-", "_"))).replace("\u202f", " ")


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
    """A button label; `{name}` fields are filled from context (amounts pre-formatted)."""
    template = _labels(locale).get(key) or _labels(DEFAULT_LOCALE)[key]
    values = {k: format_money(v, locale) if isinstance(v, Money) else v for k, v in context.items()}
    return template.format(**values)
