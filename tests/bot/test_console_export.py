"""/export through the real `debtcoach chat`: every setting the person made, and the question or
confirmation they left open, are in the file; nothing of anyone else is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.console_process import chat

pytestmark = pytest.mark.process  # starts real debtcoach processes: left out of `make test-fast`

SAVED_JSON = re.compile(r"^\s+(/\S+\.json)$", re.MULTILINE)
NEIGHBOUR = ["Secret Neighbour Bank", "1", "$7,777"]


def exported(out: str) -> dict[str, Any]:
    (path,) = SAVED_JSON.findall(out)
    document: dict[str, Any] = json.loads(Path(path).read_text())
    return document


def assert_nothing_of_the_neighbour(document: dict[str, Any]) -> None:
    dumped = json.dumps(document)
    for theirs in ("Secret Neighbour", "7777", "bob"):
        assert theirs not in dumped, theirs


def test_export_holds_every_setting_and_what_was_left_open(tmp_path: Path) -> None:
    chat(tmp_path, NEIGHBOUR, user="bob")
    out = chat(
        tmp_path,
        [
            "Capital One",
            "/timezone",
            "London",  # typed, not a button
            "/reminders",
            "2",  # 2) Change quiet hours
            "10pm to 7am",
            "/reminders",
            "4",  # 4) Remind 7 days before
            "/cancel",  # and left unanswered
            "/export",
        ],
        user="me",
    ).stdout
    assert "Remind 7 days before" in out
    document = exported(out)
    user = document["user"]
    assert user["reminder_settings"] == {
        "timezone": "Europe/London",
        "quiet_start": "22:00:00",
        "quiet_end": "07:00:00",
        "days_before": 7,
        "call_lead_minutes": 30,
        "zone_confirmed": True,  # London was typed
    }
    assert str(user["confirming"]).startswith("cancel.1.")  # starting debt #1 over, still to be confirmed
    assert user["asking"] is None
    assert user["external_id"] == "me" and user["channel"] == "console"
    assert [debt["creditor"] for debt in document["debts"]] == ["Capital One"]
    assert_nothing_of_the_neighbour(document)

    # A side question left open is in the export too, and the settings are as they were left.
    later = exported(chat(tmp_path, ["/reminders", "2", "/export"], user="me").stdout)
    assert later["user"]["asking"] == "quiet"
    assert later["user"]["confirming"] is None
    assert later["user"]["reminder_settings"] == user["reminder_settings"]
    assert_nothing_of_the_neighbour(later)
