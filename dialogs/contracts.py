"""The old name of `dialogs.step_io`, for the handler modules being rewritten on another branch.

`contracts` read as the debt's agreement; the coach's input and output now live in step_io.
Delete this module once nothing imports it (`grep -rn dialogs.contracts`).
"""

from dialogs.step_io import (
    CalendarRequested,
    Choice,
    Effect,
    EraseRequested,
    ExportRequested,
    Input,
    InputKind,
    LetterDrafted,
    Reply,
    StepResult,
)

__all__ = [
    "CalendarRequested",
    "Choice",
    "Effect",
    "EraseRequested",
    "ExportRequested",
    "Input",
    "InputKind",
    "LetterDrafted",
    "Reply",
    "StepResult",
]
