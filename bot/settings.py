"""Where DebtCoach keeps its data and how it reaches Telegram, read from the environment.

Everything has a working default so `debtcoach` runs on a laptop with no configuration; a server
sets `DATABASE_URL` (PostgreSQL for several processes) and `TELEGRAM_BOT_TOKEN`.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field, FilePath, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.clock import Clock, ClockMode, make_clock, parse_moment
from dialogs.policy import Retention


def default_data_dir() -> Path:
    """Follow the XDG base-directory spec, which ignores an empty or relative XDG_DATA_HOME."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "debtcoach"


def _default_database_url(data: dict[str, Any]) -> str:
    # Derived from the validated data_dir, so DEBTCOACH_HOME alone moves the database too.
    data_dir = Path(data["data_dir"])
    return f"sqlite:///{data_dir / 'debtcoach.sqlite3'}"


class Settings(BaseSettings):
    # validate_by_name lets tests and the CLI pass `Settings(data_dir=...)` as well as env names;
    # env_ignore_empty makes `DATABASE_URL=` mean "unset", as it does for most tools.
    model_config = SettingsConfigDict(extra="ignore", validate_by_name=True, env_ignore_empty=True)

    # Declared before database_url: its default factory reads the validated data_dir.
    data_dir: Path = Field(default_factory=default_data_dir, validation_alias="DEBTCOACH_HOME")
    database_url: str = Field(default_factory=_default_database_url, validation_alias="DATABASE_URL")
    # repr=False keeps the token out of logs and tracebacks that print the settings.
    telegram_bot_token: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN", repr=False)
    telegram_api_url: str = Field(default="https://api.telegram.org", validation_alias="TELEGRAM_API_URL")
    # The moment the clock starts from (see bot/clock.py); None: the system clock.
    now: datetime | None = Field(default=None, validation_alias="DEBTCOACH_NOW")
    clock_mode: ClockMode = Field(default=ClockMode.RUNNING, validation_alias="DEBTCOACH_CLOCK")
    # The font file for Chinese characters in letters (bot/pdf.py); None: the first one installed
    # of those bot/pdf.py knows. A file that is not there stops the start, as a wrong path should.
    cjk_font: FilePath | None = Field(default=None, validation_alias="DEBTCOACH_CJK_FONT")
    # How long `debtcoach run` waits for another one on the same database to stop (bot/lease.py):
    # a rolling restart starts the new process before the old one has finished.
    lease_wait: float = Field(default=30.0, ge=0, validation_alias="DEBTCOACH_LEASE_WAIT")

    # A service (`debtcoach webhook` and `debtcoach worker`, on PostgreSQL; see deploy/):
    # the public HTTPS address Telegram posts updates to, which the TLS proxy passes to the
    # webhook's listening address with its path unchanged, and the secret Telegram sends with
    # each post (1-256 of A-Z a-z 0-9 _ -).
    webhook_url: str | None = Field(default=None, validation_alias="DEBTCOACH_WEBHOOK_URL")
    webhook_secret: str | None = Field(
        default=None, validation_alias="DEBTCOACH_WEBHOOK_SECRET", repr=False, pattern=r"^[A-Za-z0-9_-]{1,256}$"
    )
    webhook_listen: str = Field(default="127.0.0.1:8080", validation_alias="DEBTCOACH_WEBHOOK_LISTEN")
    # Posts Telegram makes at once (setWebhook's max_connections, 1-100).
    webhook_connections: int = Field(default=40, ge=1, le=100, validation_alias="DEBTCOACH_WEBHOOK_CONNECTIONS")
    # Jobs one worker runs at once (people served side by side).
    worker_concurrency: int = Field(default=16, ge=1, validation_alias="DEBTCOACH_WORKER_CONCURRENCY")
    # How often a worker says it is alive, and how long after its last word another worker takes
    # it for dead and runs its jobs again.
    worker_heartbeat: float = Field(default=10.0, gt=0, validation_alias="DEBTCOACH_WORKER_HEARTBEAT")
    worker_stalled_after: float = Field(default=30.0, gt=0, validation_alias="DEBTCOACH_WORKER_STALLED_AFTER")

    # The keys that seal each person's data at rest (bot/sealing.py): comma-separated, the newest
    # first; `debtcoach new-key` makes one. Unset: written in the clear (a laptop).
    keys: str | None = Field(default=None, validation_alias="DEBTCOACH_KEYS", repr=False)

    @field_validator("keys")
    @classmethod
    def _read_keys(cls, value: str | None) -> str | None:
        from bot.sealing import key_bytes

        for key in (value or "").split(","):
            if key.strip():
                try:
                    key_bytes(key)
                except ValueError as exc:
                    raise ValueError(f"a key is not one ({exc}): make one with `debtcoach new-key`") from None
        return value

    # A service's retention rule (bot/retention.py): people who have not written for this many
    # days are erased, told this many days before. Unset: kept until they erase it themselves.
    retention_days: int | None = Field(default=None, ge=14, validation_alias="DEBTCOACH_RETENTION_DAYS")
    retention_notice_days: int = Field(default=30, ge=1, validation_alias="DEBTCOACH_RETENTION_NOTICE_DAYS")

    @model_validator(mode="after")
    def _notice_before_erasure(self) -> Settings:
        if self.retention_days is not None and self.retention_notice_days >= self.retention_days:
            raise ValueError("DEBTCOACH_RETENTION_NOTICE_DAYS must be fewer than DEBTCOACH_RETENTION_DAYS")
        return self

    def retention(self) -> Retention | None:
        if self.retention_days is None:
            return None
        return Retention(self.retention_days, self.retention_notice_days)

    def sealing_keys(self) -> list[str]:
        return [key.strip() for key in (self.keys or "").split(",") if key.strip()]

    @field_validator("data_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        # A quoted "~/debts" in a unit file or .env reaches us unexpanded.
        return value.expanduser()

    @field_validator("cjk_font", mode="before")
    @classmethod
    def _expand_font_home(cls, value: object) -> object:
        # Before FilePath looks for the file: "~/fonts/x.ttc" is one.
        return Path(value).expanduser() if isinstance(value, str) else value

    @field_validator("now", mode="before")
    @classmethod
    def _read_moment(cls, value: object) -> object:
        # Our own reading, not pydantic's: an offset-less time means UTC, not "naive".
        return parse_moment(value) if isinstance(value, str) else value

    def clock(self) -> Clock:
        """A new clock from these settings; a process makes one and passes it everywhere."""
        return make_clock(self.now, self.clock_mode)


def load_settings() -> Settings:
    return Settings()
