"""Pushes pending updates to a bot's webhook URL, in order, with a few retries."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import aiohttp

from emulator.updates import JSONDict, UpdateQueue


class WebhookDeliverer:
    """Background task POSTing each update as JSON; an update is dropped after ``attempts``."""

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
        self.queue = queue
        self.url = url
        self.headers = headers
        self.attempts = attempts
        self.backoff = backoff
        self.request_timeout = request_timeout
        self.clock = clock
        self.delivered = 0
        self.dropped = 0
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
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
                update = self.queue.first()
                if update is None:
                    await self.queue.changed(60.0)
                    continue
                if await self._deliver(session, update):
                    self.delivered += 1
                else:
                    self.dropped += 1
                self.queue.remove(update["update_id"])

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
