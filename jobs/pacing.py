"""Pacing sends: at most N messages per second overall and one per chat per interval.

Slots are reserved before sleeping, so concurrent senders never overbook. Time here is the
real monotonic clock: rate limits are about the wall, not about business time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(
        self,
        per_second: float,
        per_chat_interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.spacing = 1.0 / per_second if per_second > 0 else 0.0
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_global = 0.0
        self._next_chat: dict[str, float] = {}

    def reserve(self, chat: str) -> float:
        """Book the earliest slot for `chat`; returns how long to wait for it."""
        now = self._monotonic()
        slot = max(now, self._next_global, self._next_chat.get(chat, 0.0))
        self._next_global = slot + self.spacing
        self._next_chat[chat] = slot + self.per_chat_interval
        if len(self._next_chat) > 50_000:
            self._forget_before(now)
        return slot - now

    async def wait(self, chat: str) -> None:
        delay = self.reserve(chat)
        if delay > 0:
            await self._sleep(delay)

    def hold_chat(self, chat: str, seconds: float) -> None:
        """After a 429 for this chat: nothing more to it for `seconds`."""
        until = self._monotonic() + seconds
        self._next_chat[chat] = max(self._next_chat.get(chat, 0.0), until)

    def hold_all(self, seconds: float) -> None:
        """After repeated 429s: the platform wants everyone to wait."""
        self._next_global = max(self._next_global, self._monotonic() + seconds)

    def _forget_before(self, now: float) -> None:
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
