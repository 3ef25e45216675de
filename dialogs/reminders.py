"""The old name of `dialogs.reminder_plan`, for bot/store.py and the handler modules, which
other branches are rewriting. Delete it once nothing imports it (`grep -rn dialogs.reminders`).
"""

from dialogs.reminder_plan import PAYING_STATES, Kind, Planned, local_now, plan, to_utc, zone, zone_name

__all__ = ["PAYING_STATES", "Kind", "Planned", "local_now", "plan", "to_utc", "zone", "zone_name"]
