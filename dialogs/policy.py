"""What the service that runs the coach has decided, for the coach to say truly (/privacy).

A process that enforces a rule sets it here at start (bot/telegram/worker.py, for the retention
its workers carry out); one that does not leaves it unset, and the coach then promises nothing
it would not keep.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Retention:
    """People who have not written for `days` are erased; they are told `notice` days before."""

    days: int
    notice: int


_retention: Retention | None = None


def retention() -> Retention | None:
    return _retention


def enforce_retention(rule: Retention | None) -> None:
    global _retention
    _retention = rule
