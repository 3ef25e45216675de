"""Every sentence lives in templates/: none missing, none forgotten, every locale complete."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from dialogs.commands import COMMANDS
from dialogs.machine import STATES
from dialogs.render import TEMPLATES_DIR, available_locales, label, render
from dialogs.state import DebtKind, Document, Frequency, Goal, Place

ROOT = Path(__file__).resolve().parents[2]
CODE = "\n".join(p.read_text() for folder in ("dialogs", "bot") for p in sorted((ROOT / folder).rglob("*.py")))
NAMED_IN_CODE = set(re.findall(r"""["']([a-z_]+\.(?:html|txt))["']""", CODE))


def _templates(locale: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in (TEMPLATES_DIR / locale).iterdir() if p.suffix in (".html", ".txt")}


def _included(templates: dict[str, str]) -> set[str]:
    found = r"""{%\s*(?:include|from|import)\s+["']([^"']+)["']"""
    return {name for text in templates.values() for name in re.findall(found, text)}


def _label_keys_used(templates: dict[str, str]) -> set[str]:
    static = set(re.findall(r"""(?:choice|label|Button)\((?:[a-z_.]+, )?["']([a-z_]+)["']""", CODE))
    static |= {key for text in templates.values() for key in re.findall(r"""label\(["']([a-z_]+)["'][,)]""", text)}
    families = {f"kind_{k.value}" for k in DebtKind}
    families |= {f"goal_{g.value}{on}" for g in Goal for on in ("", "_on")}
    families |= {f"{prefix}_{f.value}" for f in Frequency for prefix in ("every", "per")}
    families |= {f"step_{s}" for s in STATES}
    families |= {"confirm_cancel", "confirm_delete"}
    families |= {f"place_{p.value}" for p in Place}
    families |= {f"doc_{d.value}" for d in Document}
    families |= {f"command_{name}" for name in COMMANDS}  # Telegram's command menu
    return static | families


def test_every_template_the_code_names_exists_in_english() -> None:
    assert NAMED_IN_CODE - set(_templates("en")) == set()


def test_no_template_is_left_unused() -> None:
    templates = _templates("en")
    assert set(templates) - NAMED_IN_CODE - _included(templates) == set()


def test_every_label_is_defined_and_used() -> None:
    with (TEMPLATES_DIR / "en" / "labels.toml").open("rb") as f:
        defined = set(tomllib.load(f))
    used = _label_keys_used(_templates("en"))
    # A label with a count may be defined by its plural forms only (CLDR's categories).
    forms = {f"{key}_{form}" for key in used for form in ("zero", "one", "two", "few", "many", "other")}
    used |= forms & defined
    defined |= {key.rpartition("_")[0] for key in defined & forms}
    assert used - defined == set(), "labels used but not defined"
    assert defined - used == set(), "labels defined but never used"


def test_no_sentence_asks_to_tap_which_the_console_cannot() -> None:
    """The console shows numbered choices, not buttons to tap: a sentence says "choose" or
    "type", which every channel can follow."""
    for locale in available_locales():
        texts = {**_templates(locale), "labels.toml": (TEMPLATES_DIR / locale / "labels.toml").read_text()}
        tapping = [name for name, text in texts.items() if re.search(r"\btap", text, re.IGNORECASE)]
        assert tapping == [], f"{locale}: {tapping}"


def test_every_locale_has_every_template_and_label() -> None:
    english = set(_templates("en"))
    # Every folder, not just the locales the coach offers: a half-added locale must fail here
    # rather than be silently left out of /language.
    folders = sorted(p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir())
    assert "en" in folders
    assert folders == available_locales(), "a locale folder without labels.toml"
    for locale in folders:
        assert set(_templates(locale)) == english, locale
        for table in ("labels.toml", "formats.toml", "words.toml"):
            with (TEMPLATES_DIR / "en" / table).open("rb") as f:
                keys = set(tomllib.load(f))
            with (TEMPLATES_DIR / locale / table).open("rb") as f:
                assert set(tomllib.load(f)) == keys, (locale, table)


def test_messages_are_autoescaped_and_letters_are_not() -> None:
    assert render("en", "q_kind.html", debt={"creditor": "<A&B>"}).count("&lt;A&amp;B&gt;") == 1
    assert "<A&B>" in render("en", "title_offer.txt", debt={"creditor": "<A&B>"}, number=1)


def test_a_count_takes_the_plural_form_of_its_language() -> None:
    assert label("en", "instalment_count", count=1) == "1 payment"
    assert label("en", "instalment_count", count=3) == "3 payments"
    assert label("en", "years", count=1) == "1 year"
    assert label("en", "months", count=4) == "4 months"
