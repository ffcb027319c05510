"""All configuration, from the environment and `.env`, in one class."""

from __future__ import annotations

import re
from datetime import time
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.forms import default_forms
from db.models import UnitKind

_TOKEN = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{10,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{8,256}$")
_ZALO_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")
KNOWN_CHANNELS = ("telegram", "zalo")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class SettingsError(Exception):
    """One clear line naming the setting that is missing or malformed."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = Field(default=None)
    bot_username: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_poll_timeout: int = Field(default=30, ge=1, le=60)
    database_url: str = "sqlite+aiosqlite:///data/chibo.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    quiet_hours: str = "21:00-06:30"
    log_level: str = "INFO"
    log_format: str = "text"
    admin_telegram_ids: Annotated[tuple[str, ...], NoDecode] = ()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    delivery_rate: float = Field(default=29.0, gt=0, le=1000)
    delivery_per_chat_interval: float = Field(default=1.05, ge=0, le=60)
    delivery_batch: int = Field(default=50, ge=1, le=1000)
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    # A row claimed by a worker that died is claimed again after this many seconds.
    delivery_lease_seconds: int = Field(default=120, ge=1, le=3600)
    reminder_offsets: str = "3d,1d,2h"
    # Days before a KT/GS duty's due date on which its assignees are reminded ("" for none).
    duty_remind_days: str = "7,1"
    absence_streak_limit: int = Field(default=3, ge=1, le=24)
    unexcused_year_limit: int = Field(default=3, ge=1, le=24)
    invite_valid_days: int = Field(default=30, ge=1, le=365)
    code_failures_allowed: int = Field(default=5, ge=1, le=100)
    code_failure_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Failed invite codes of all accounts together per window (0: no global cap).
    code_failures_global: int = Field(default=200, ge=0, le=100_000)
    # Per-account flood limit on incoming updates: a burst, then so many per minute (0: off).
    flood_burst: int = Field(default=20, ge=0, le=10_000)
    flood_per_minute: float = Field(default=60.0, gt=0, le=100_000)
    # Which messengers run; unset: every one that has a token.
    channels: Annotated[tuple[str, ...] | None, NoDecode] = None
    zalo_bot_token: SecretStr | None = Field(default=None)
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_poll_timeout: int = Field(default=30, ge=1, le=60)
    zalo_webhook_secret: SecretStr | None = None  # default: WEBHOOK_SECRET
    zalo_bot_name: str | None = None  # what members search for in Zalo (default: getMe)
    admin_zalo_ids: Annotated[tuple[str, ...], NoDecode] = ()
    # Zalo publishes no rate limits: conservative defaults, tune after testing live.
    zalo_delivery_rate: float = Field(default=5.0, gt=0, le=100)
    zalo_per_chat_interval: float = Field(default=1.0, ge=0, le=60)
    # Public address of the web server (the webhook one); enables download links on Zalo.
    public_base_url: str | None = None
    file_link_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    # Self-check periods: which forms run ("" disables), the opening day of the month (or of
    # the quarter's first month), reminder days after opening, and the earliest local time.
    selfcheck_forms: str = "monthly,quarterly"
    selfcheck_open_day: int = Field(default=1, ge=1, le=28)
    selfcheck_remind_days: str = "3,7"
    selfcheck_send_after: str = "07:30"
    # The kind of unit whose staff and inspection committee appraise the KT/GS model programme
    # (after the 2025 reorganisation: the commune/ward committee).
    appraisal_unit_kind: str = "committee"
    # Days the text of delivered messages and the details of audit entries are kept (0:
    # forever); the rows themselves stay, so counts and "who did what, when" do not change.
    retention_days: int = Field(default=365, ge=0, le=36_500)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _TOKEN.match(value.get_secret_value()):
            raise ValueError("does not look like a BotFather token (digits:letters)")
        return value

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _ZALO_TOKEN.match(value.get_secret_value()):
            raise ValueError("does not look like a Zalo Bot token (digits:letters)")
        return value

    @field_validator("channels", mode="before")
    @classmethod
    def _channels(cls, value: object) -> tuple[str, ...] | None:
        if value is None or value == "":
            return None
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("must be a comma-separated list: telegram, zalo")
        names = tuple(dict.fromkeys(str(i).strip().lower() for i in items if str(i).strip()))
        unknown = [n for n in names if n not in KNOWN_CHANNELS]
        if unknown or not names:
            raise ValueError("must be a comma-separated list of: telegram, zalo")
        return names

    @field_validator("admin_zalo_ids", mode="before")
    @classmethod
    def _zalo_ids(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("must be a comma-separated list of Zalo user ids")
        ids = tuple(str(i).strip() for i in items if str(i).strip())
        if not all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids):
            raise ValueError("must be a comma-separated list of Zalo user ids")
        return ids

    @field_validator("zalo_api_url")
    @classmethod
    def _zalo_api_url(cls, value: str) -> str:
        return _http_url(value) or "https://bot-api.zaloplatforms.com"

    @field_validator("public_base_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return _http_url(value or "")

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value) or "https://api.telegram.org"

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return _http_url(value or "")

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in {"text", "json"}:
            raise ValueError("must be text or json")
        return value.lower()

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            items = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(value, list | tuple):
            items = [str(v).strip() for v in value]
        else:
            raise ValueError("must be a comma-separated list of numeric Telegram ids")
        if not all(i.lstrip("-").isdigit() for i in items):
            raise ValueError("must be a comma-separated list of numeric Telegram ids")
        return tuple(items)

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: str) -> str:
        parse_offsets(value)
        return value

    @field_validator("duty_remind_days")
    @classmethod
    def _duty_days(cls, value: str) -> str:
        parse_duty_days(value)
        return value

    @field_validator("selfcheck_forms")
    @classmethod
    def _selfcheck_forms(cls, value: str) -> str:
        parse_form_names(value)
        return value

    @field_validator("selfcheck_remind_days")
    @classmethod
    def _remind_days(cls, value: str) -> str:
        parse_remind_days(value)
        return value

    @field_validator("selfcheck_send_after")
    @classmethod
    def _send_after(cls, value: str) -> str:
        parse_clock_time(value)
        return value

    @field_validator("appraisal_unit_kind")
    @classmethod
    def _appraisal_kind(cls, value: str) -> str:
        kinds = [k.value for k in UnitKind if k is not UnitKind.CELL]
        if value.strip().lower() not in kinds:
            raise ValueError(f"must be one of: {', '.join(kinds)}")
        return value.strip().lower()

    @field_validator("webhook_secret", "zalo_webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _SECRET.match(value.get_secret_value()):
            raise ValueError("must be 8-256 characters from A-Z a-z 0-9 _ -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        for name in self.channels or ():
            if self.channel_token(name) is None:
                token = "BOT_TOKEN" if name == "telegram" else "ZALO_BOT_TOKEN"
                raise ValueError(f"CHANNELS lists {name}, but {token} is not set")
        return self

    def channel_token(self, channel: str) -> str | None:
        secret = self.bot_token if channel == "telegram" else self.zalo_bot_token
        return secret.get_secret_value() if secret else None

    @property
    def running_channels(self) -> tuple[str, ...]:
        """The channels to run: CHANNELS, or every channel that has a token."""
        if self.channels is not None:
            return self.channels
        return tuple(c for c in KNOWN_CHANNELS if self.channel_token(c))

    def zalo_secret(self) -> str | None:
        secret = self.zalo_webhook_secret or self.webhook_secret
        return secret.get_secret_value() if secret else None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> tuple[time, time]:
        return parse_quiet_hours(self.quiet_hours)

    @property
    def duty_days(self) -> tuple[int, ...]:
        return parse_duty_days(self.duty_remind_days)

    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None


def _http_url(value: str) -> str | None:
    """An http(s) URL without the trailing slash; "" means not set."""
    if value == "":
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("must be an http(s) URL")
    return value.rstrip("/")


_OFFSET = re.compile(r"^(\d{1,3})([dhm])$")
_UNIT_MINUTES = {"d": 24 * 60, "h": 60, "m": 1}


def parse_offsets(value: str) -> tuple[int, ...]:
    """ "3d,1d,2h" → minutes before the meeting, longest first."""
    minutes: list[int] = []
    for part in value.replace(" ", "").lower().split(","):
        match = _OFFSET.match(part)
        if not match:
            raise ValueError("must look like 3d,1d,2h (days, hours or minutes before)")
        amount = int(match.group(1)) * _UNIT_MINUTES[match.group(2)]
        if not 0 < amount <= 30 * 24 * 60:
            raise ValueError("each reminder must be between 1 minute and 30 days before")
        minutes.append(amount)
    return tuple(sorted(set(minutes), reverse=True))


def parse_duty_days(value: str) -> tuple[int, ...]:
    """ "7,1" → days before a duty's due date, longest first; "" reminds never."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not all(p.isascii() and p.isdigit() and 0 <= int(p) <= 60 for p in parts):
        raise ValueError("must look like 7,1 (days before the due date, 0-60)")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


def parse_quiet_hours(value: str) -> tuple[time, time]:
    match = _HOURS.match(value.strip())
    if not match:
        raise ValueError("must look like 21:00-06:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError("hours must be 00-23 and minutes 00-59") from exc


def parse_form_names(value: str) -> tuple[str, ...]:
    """ "monthly,quarterly" → the self-check forms run in periods; "" runs none."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in value.split(",") if n.strip()))
    known = sorted({name for name, _ in default_forms()})
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown form {unknown[0]!r} (forms: {', '.join(known)}; empty: none)")
    return names


def parse_remind_days(value: str) -> tuple[int, ...]:
    """ "3,7" → days after a period opened on which members are reminded; "" reminds never."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 90 for p in parts):
        raise ValueError("must look like 3,7 (days after the period opened, 1-90)")
    return tuple(sorted({int(p) for p in parts}))


def parse_clock_time(value: str) -> time:
    """ "07:30" → a local time of the day."""
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value.strip())
    if not match:
        raise ValueError("must look like 07:30")
    try:
        return time(int(match.group(1)), int(match.group(2)))
    except ValueError as exc:
        raise ValueError("hours must be 00-23 and minutes 00-59") from exc


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a problem becomes one `SettingsError` line naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a rule between settings: the message names them
            raise SettingsError(f"configuration error: {message}") from None
        name = str(first["loc"][0]).upper()
        raise SettingsError(f"configuration error: {name}: {message}") from None
