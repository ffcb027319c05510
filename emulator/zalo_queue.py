"""Pending user events of one Zalo bot, handed out one at a time (getUpdates or webhook).

Zalo has no update ids, offsets or acknowledgements: an event leaves the queue when it is
returned by getUpdates (or delivered to the webhook, or given up). Only one getUpdates waits
at a time: a newer call ends the older one with error 409 (the emulator's choice; the real
platform's behaviour is unknown).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from emulator.params import JSONDict
from emulator.zalo_common import OTHER_POLL, PollTimeout, api_error

MAX_PENDING = 100_000


class ZaloEventQueue:
    def __init__(self) -> None:
        self._pending: deque[JSONDict] = deque(maxlen=MAX_PENDING)
        self._changed = asyncio.Event()
        self._poller = 0
        self._poller_error = (409, OTHER_POLL)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, wait: float) -> None:
        """Wait until something changes or ``wait`` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), wait)

    def push(self, event: JSONDict) -> None:
        self._pending.append(event)
        self._notify()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def first(self) -> JSONDict | None:
        return self._pending[0] if self._pending else None

    def discard_first(self, event: JSONDict) -> None:
        """Forget ``event`` if it is still the first one (it was delivered or given up)."""
        if self._pending and self._pending[0] is event:
            self._pending.popleft()

    def clear(self) -> None:
        self._pending.clear()
        self._notify()

    def interrupt_pollers(self, code: int, description: str) -> None:
        """Make a waiting ``poll`` fail with this error (e.g. a webhook was just set)."""
        self._poller_error = (code, description)
        self._poller += 1
        self._notify()

    async def poll(self, wait: float) -> JSONDict:
        """The oldest event, waiting up to ``wait`` seconds for one; else ``PollTimeout``."""
        self.interrupt_pollers(409, OTHER_POLL)
        me = self._poller
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            if self._poller != me:
                raise api_error(*self._poller_error)
            if self._pending:
                return self._pending.popleft()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise PollTimeout
            await self.changed(remaining)
