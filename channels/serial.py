"""Handle each chat's events in order, different chats side by side."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[None]]


class PerChat:
    """`submit(chat, job)`: jobs of one chat run one after another in submission order;
    at most `limit` chats are served at once. A failing job is logged and does not stop
    the chat's next ones."""

    def __init__(self, limit: int = 8) -> None:
        self._limit = asyncio.Semaphore(limit)
        self._queues: dict[str, deque[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, chat: str, job: Job) -> None:
        queue = self._queues.get(chat)
        if queue is not None:  # a runner is already draining this chat
            queue.append(job)
            return
        self._queues[chat] = deque([job])
        task = asyncio.create_task(self._drain(chat))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, chat: str) -> None:
        queue = self._queues[chat]
        async with self._limit:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except Exception as exc:
                    log.error("event handling failed: %s", type(exc).__name__, exc_info=exc)
        del self._queues[chat]

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def join(self, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait on stop
        """Wait for what is running and queued (at most `timeout` seconds)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
