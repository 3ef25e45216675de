"""The old name of `bot.reminder_table`, for bot/store.py, which another branch is rewriting.
Delete it once nothing imports it (`grep -rn reminder_rows`).
"""

from bot.reminder_table import export, sync, update_own

__all__ = ["export", "sync", "update_own"]
