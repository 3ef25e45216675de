"""The coach in Telegram: python-telegram-bot in front of the same engine and store as the console.

`app` builds and runs the Application, `coach` turns updates into inputs and results into
messages, `journal` keeps fetched updates safe until they are answered, `patience` waits out
Telegram's flood control and network trouble, and `split` cuts long HTML at paragraph breaks.
"""

import os

# PTB 22 warns on every RetryAfter unless time periods are opted into as timedelta, which is
# the type its next major version uses anyway; the limiter reads `retry_after` as a timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
