"""Pacing sends: at most N messages per second overall and one per chat per interval.

Slots are reserved before sleeping, so concurrent senders never overbook. Time here is the
real monotonic clock: rate limits are about the wall, not about business time.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


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
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def reserve(self, chat: str) -> float:
        """Book the earliest slot for `chat`; returns how long to wait for it."""
        now = self._monotonic()
        # No burst: arrival times at the platform jitter, and the default rate keeps one
        # message a second of margin for that.
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

    @asynccontextmanager
    async def turn(self, chat: str) -> AsyncIterator[None]:
        """One send to `chat`: sends to the same chat go one at a time, each a full interval
        after the previous one finished; sends to different chats overlap freely."""
        lock = self._locks.get(chat)
        if lock is None:
            lock = self._locks[chat] = asyncio.Lock()
        async with lock:
            await self.wait(chat)
            try:
                yield
            finally:
                self.done(chat)

    def held_for(self, chat: str) -> float:
        """Seconds until `chat` may get its next message (0 when it may now)."""
        return max(0.0, self._next_chat.get(chat, 0.0) - self._monotonic())

    def done(self, chat: str) -> None:
        """A send to `chat` finished: the next one waits a full interval from now, so a slow
        request cannot bring two messages to the platform closer than the interval."""
        until = self._monotonic() + self.per_chat_interval
        self._next_chat[chat] = max(self._next_chat.get(chat, 0.0), until)

    def hold_chat(self, chat: str, seconds: float) -> None:
        """After a 429 for this chat: nothing more to it for `seconds`."""
        until = self._monotonic() + seconds
        self._next_chat[chat] = max(self._next_chat.get(chat, 0.0), until)

    def hold_all(self, seconds: float) -> None:
        """After repeated 429s: the platform wants everyone to wait."""
        self._next_global = max(self._next_global, self._monotonic() + seconds)

    def _forget_before(self, now: float) -> None:
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
