"""Pushes pending updates to a bot's webhook URL, in order, with a few retries."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Protocol

import aiohttp

from emulator.updates import JSONDict, UpdateQueue


class PendingQueue(Protocol):
    def first(self) -> JSONDict | None: ...

    async def changed(self, wait: float) -> None: ...


class QueueDrainer:
    """A background task that POSTs a queue's items to ``url``, one at a time, in order;
    subclasses say how one item is delivered (with retries) and how it leaves the queue."""

    def __init__(self, queue: PendingQueue, url: str, request_timeout: float) -> None:
        self.queue = queue
        self.url = url
        self.request_timeout = request_timeout
        self.delivered = 0
        self.dropped = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"webhook {self.url}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                item = self.queue.first()
                if item is None:
                    await self.queue.changed(60.0)
                    continue
                if await self._deliver(session, item):
                    self.delivered += 1
                else:
                    self.dropped += 1
                self._forget(item)

    async def _deliver(self, session: aiohttp.ClientSession, item: JSONDict) -> bool:
        raise NotImplementedError

    def _forget(self, item: JSONDict) -> None:
        raise NotImplementedError


class WebhookDeliverer(QueueDrainer):
    """Telegram: each update POSTed as JSON; an update is dropped after ``attempts``."""

    def __init__(
        self,
        queue: UpdateQueue,
        url: str,
        headers: dict[str, str],
        *,
        attempts: int = 4,
        backoff: float = 0.05,
        request_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(queue, url, request_timeout)
        self.updates = queue
        self.headers = headers
        self.attempts = attempts
        self.backoff = backoff
        self.clock = clock
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    def _forget(self, item: JSONDict) -> None:
        self.updates.remove(item["update_id"])

    async def _deliver(self, session: aiohttp.ClientSession, update: JSONDict) -> bool:
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                async with session.post(self.url, json=update, headers=self.headers) as resp:
                    await resp.read()
                    if 200 <= resp.status < 300:
                        return True
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            self.last_error_date = int(self.clock())
            self.last_error_message = error
        return False
