"""What every service needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.forms import Form, default_forms
from core.quiet import QuietHours
from db.engine import Database
from db.models import UnitKind


@dataclass(frozen=True, slots=True)
class CoreConfig:
    """Product rules that a deployment may tune (set from the settings class)."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    admin_accounts: frozenset[tuple[str, str]] = frozenset()  # (channel, external id)
    invite_valid_for: timedelta = timedelta(days=30)
    code_failures_allowed: int = 5
    code_failure_window: timedelta = timedelta(minutes=15)
    # Failed codes of all accounts together within that window before accounts that have
    # failed are refused too (0: no global cap; docs/DECISIONS.md).
    code_failures_global: int = 0
    # Updates one account may send at once, then per minute (core/flood.py; 0: no limit).
    flood_burst: int = 0
    flood_per_minute: float = 60.0
    # How a join link is built for channels with deep links; {code} is filled in.
    join_link_template: str | None = None
    quiet_hours: QuietHours = field(default_factory=lambda: QuietHours(time(21), time(6, 30)))
    # Minutes before a meeting's start at which members are reminded (a cell may override).
    reminder_offsets: tuple[int, ...] = (3 * 24 * 60, 24 * 60, 120)
    # Early warnings (settings, since party rules change): absences in a row, with or
    # without reason; unexcused absences in a calendar year (Điều lệ Điều 8: three).
    absence_streak_limit: int = 3
    unexcused_year_limit: int = 3
    # Channels this deployment runs ("telegram", "zalo"), and how people find the Zalo bot.
    channels: frozenset[str] = frozenset({"telegram"})
    zalo_bot_name: str | None = None
    # Self-check forms by (name, version), and which forms run in periods ("monthly",
    # "quarterly"). A monthly period opens on `selfcheck_open_day`; members who have not
    # finished are reminded on these days after it opened (settings: party rules vary).
    forms: Mapping[tuple[str, int], Form] = field(default_factory=default_forms)
    selfcheck_forms: tuple[str, ...] = ("monthly", "quarterly")
    selfcheck_open_day: int = 1
    selfcheck_remind_days: tuple[int, ...] = (3, 7)
    # Periods open, and reminders go, not before this local time of the day.
    selfcheck_send_after: time = time(7, 30)
    # Days before a duty's due date on which its assignees are reminded.
    duty_remind_days: tuple[int, ...] = (7, 1)
    # The kind of unit whose staff and inspection committee appraise the model programme.
    appraisal_unit_kind: UnitKind = UnitKind.COMMITTEE
    # Days delivered messages' text and audit details are kept (0: forever); housekeeping.
    retention_days: int = 365
    # Messages per second the outbox is delivered at (DELIVERY_RATE), and per channel where
    # it differs (Zalo): core/capacity.py estimates when a fan-out will be finished.
    delivery_rate: float = 29.0
    delivery_rates: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    clock: Clock
    config: CoreConfig
