"""A per-account limit on incoming updates: one person's flood must not slow the others.

A token bucket per (channel, sender): `burst` updates at once, refilled at `per_minute`. An
update over the limit is dropped (nothing is stored, nothing answered), except the first one
of each `warn_every` seconds, which gets one polite answer. The state is in memory, per
process: a flood is a matter of seconds, and losing the buckets at a restart costs nothing.
Time is the monotonic wall clock, as for the delivery pacing: a rate is about the wall, not
about business time.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

WARN_EVERY = 60.0  # seconds between two polite answers to one flooding account
MAX_ACCOUNTS = 10_000  # buckets kept before the full (idle) ones are forgotten


class Verdict(enum.Enum):
    ADMIT = "admit"
    WARN = "warn"  # over the limit: answer once, politely, and handle nothing
    DROP = "drop"  # over the limit, already told: handle nothing, answer nothing


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned_at: float | None = None


class FloodGuard:
    """`burst` 0 means no limit (the core's default; the bot's settings turn it on)."""

    def __init__(
        self,
        burst: int,
        per_minute: float,
        *,
        warn_every: float = WARN_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.warn_every = warn_every
        self._monotonic = monotonic
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.dropped = 0  # updates refused since the start (warned or not)

    @property
    def enabled(self) -> bool:
        return self.burst > 0

    def check(self, channel: str, sender: str) -> Verdict:
        """Take one token for this account's update, or say how to refuse it."""
        if not self.enabled:
            return Verdict.ADMIT
        now = self._monotonic()
        bucket = self._buckets.get((channel, sender))
        if bucket is None:
            if len(self._buckets) >= MAX_ACCOUNTS:
                self._forget_idle(now)
            bucket = self._buckets[(channel, sender)] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        self.dropped += 1
        if bucket.warned_at is None or now - bucket.warned_at >= self.warn_every:
            bucket.warned_at = now
            return Verdict.WARN
        return Verdict.DROP

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled (they would start full anyway)."""
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.at) * self.rate >= self.burst
            and (b.warned_at is None or now - b.warned_at >= self.warn_every)
        ]
        for key in full:
            del self._buckets[key]
