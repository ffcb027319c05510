"""Optional enforcement of the platform's flood limits (sliding windows per bot)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SlidingWindow:
    """At most ``limit`` events within any ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._stamps: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        self._expire(now)
        if len(self._stamps) < self.limit:
            return 0.0
        return self._stamps[len(self._stamps) - self.limit] + self.window - now

    def record(self, now: float) -> None:
        self._stamps.append(now)

    def idle(self, now: float) -> bool:
        self._expire(now)
        return not self._stamps


def _window_for(per_second: float) -> SlidingWindow:
    if per_second >= 1:
        return SlidingWindow(int(per_second), 1.0)
    return SlidingWindow(1, 1.0 / per_second)


@dataclass(frozen=True)
class Violation:
    chat_id: int | None
    method: str
    retry_after: int
    at: float


class RateLimiter:
    """Per-bot limits: ``overall_per_second`` sends in total, ``per_chat_per_second`` per chat."""

    def __init__(
        self,
        overall_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = False
        self._clock = clock
        self.violations: list[Violation] = []
        self.configure(overall_per_second, per_chat_per_second)

    def configure(self, overall_per_second: float, per_chat_per_second: float) -> None:
        if overall_per_second <= 0 or per_chat_per_second <= 0:
            raise ValueError("rates must be positive")
        self.overall_per_second = overall_per_second
        self.per_chat_per_second = per_chat_per_second
        self._overall = _window_for(overall_per_second)
        self._chats: dict[int | None, SlidingWindow] = {}

    def check(self, chat_id: int | None, method: str) -> int | None:
        """``None`` if a send may happen now, else the retry_after (whole seconds, >= 1)."""
        if not self.enabled:
            return None
        now = self._clock()
        wait = self._overall.wait_time(now)
        chat = self._chats.get(chat_id)
        if chat is not None:
            wait = max(wait, chat.wait_time(now))
        if wait <= 0:
            return None
        retry_after = max(1, math.ceil(wait))
        self.violations.append(Violation(chat_id, method, retry_after, now))
        return retry_after

    def record(self, chat_id: int | None) -> None:
        """Count one successful send."""
        if not self.enabled:
            return
        now = self._clock()
        self._overall.record(now)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _window_for(self.per_chat_per_second)
        chat.record(now)
        if len(self._chats) > 1024:
            for key in [key for key, win in self._chats.items() if win.idle(now)]:
                del self._chats[key]

    def status(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "overall_per_second": self.overall_per_second,
            "per_chat_per_second": self.per_chat_per_second,
            "violations": len(self.violations),
            "violation_log": [
                {"chat_id": v.chat_id, "method": v.method, "retry_after": v.retry_after}
                for v in self.violations[-50:]
            ],
        }
