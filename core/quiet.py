"""Quiet hours: proactive messages wait until the local morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A local window, e.g. 21:00-06:30, that may wrap midnight; start == end means none."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, instant: datetime, tz: ZoneInfo) -> datetime:
        """The first moment at or after `instant` (UTC) that is outside the window."""
        local = instant.astimezone(tz)
        if not self.contains(local.time()):
            return instant
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)


NO_QUIET_HOURS = QuietHours(time(0, 0), time(0, 0))
