"""The coach in Telegram: python-telegram-bot in front of the same engine and store as the console.

`app` builds and runs it all; `ingress` polls and writes each batch to the inbox before
confirming it; `inbox_entry` is what the inbox keeps of an update; `coach` answers an update in
one transaction, into the outbox; `couriers` deliver each chat's outbox in order, waiting out
Telegram; `reminder_dispatch` hands due reminders over the same way, spaced by `pacer`;
`rate_limiter` waits out 429s and network trouble, `transport` is the HTTP, and `split` cuts
long HTML at paragraph breaks.
"""

import os

# PTB 22 warns on every RetryAfter unless time periods are opted into as timedelta, which is
# the type its next major version uses anyway; the limiter reads `retry_after` as a timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
