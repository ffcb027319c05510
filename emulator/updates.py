"""Pending updates of one bot: long polling with offsets, also drained by webhooks."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from emulator.params import ApiError

JSONDict = dict[str, Any]

CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateQueue:
    """Updates wait here until confirmed by an offset or delivered to a webhook."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: list[JSONDict] = []
        self._next_id = first_update_id
        self._changed = asyncio.Event()
        self._poller = 0
        self._poller_reason = CONFLICT_OTHER_POLL
        self.allowed: set[str] | None = None

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, wait: float) -> None:
        """Wait until something changes or ``wait`` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), wait)

    def push(self, kind: str, payload: JSONDict) -> JSONDict:
        update: JSONDict = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self._notify()
        return update

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def first(self) -> JSONDict | None:
        return self._pending[0] if self._pending else None

    def remove(self, update_id: int) -> None:
        self._pending = [u for u in self._pending if u["update_id"] != update_id]

    def drop_all(self) -> None:
        self._pending.clear()
        self._notify()

    def confirm(self, offset: int) -> None:
        """Forget updates before ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset < 0:
            self._pending = self._pending[offset:]
            return
        if offset > self._next_id:
            # The client saw ids from an earlier run of the emulator: continue after them.
            self._next_id = offset
        self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise ApiError(400, "Bad Request: allowed_updates must be a list")
        self.allowed = {str(kind) for kind in allowed} or None

    def _visible(self, limit: int) -> list[JSONDict]:
        if self.allowed is not None:
            allowed = self.allowed
            self._pending = [u for u in self._pending if allowed.intersection(u)]
        return self._pending[:limit]

    def interrupt_pollers(self, reason: str) -> None:
        """Make any waiting ``poll`` give up with 409 ``reason`` (e.g. a webhook was set)."""
        self._poller_reason = reason
        self._poller += 1
        self._notify()

    async def poll(self, offset: int | None, limit: int, wait: float) -> list[JSONDict]:
        """getUpdates: answer now if updates are pending, else wait up to ``wait`` seconds."""
        if offset is not None:
            self.confirm(offset)
        limit = min(max(limit, 1), 100)
        self.interrupt_pollers(CONFLICT_OTHER_POLL)
        me = self._poller
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            if self._poller != me:
                raise ApiError(409, self._poller_reason)
            updates = self._visible(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0:
                return [dict(u) for u in updates]
            await self.changed(remaining)
