"""POSTs a Zalo bot's events to its webhook, one event per request, with a few retries.

Body ``{"ok": true, "result": event}`` and header ``X-Bot-Api-Secret-Token`` as documented
(platforms.md A.4-A.5). The real retry policy is undocumented: the emulator tries
``1 + len(backoff)`` times, waiting ``backoff[i]`` seconds between tries, then drops the
event. Every attempt is recorded (``deliveries``) for the control API.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque

import aiohttp

from emulator.params import JSONDict
from emulator.webhook import QueueDrainer
from emulator.zalo_queue import ZaloEventQueue

SECRET_HEADER = "X-Bot-Api-Secret-Token"
BACKOFF = (0.2, 0.5)
MAX_DELIVERY_RECORDS = 10_000


class ZaloWebhook(QueueDrainer):
    """Background task draining ``queue`` into ``url`` while the webhook is set."""

    def __init__(
        self,
        queue: ZaloEventQueue,
        url: str,
        secret: str,
        updated_at: int,
        deliveries: deque[JSONDict],
        *,
        backoff: tuple[float, ...] = BACKOFF,
        request_timeout: float = 5.0,
    ) -> None:
        super().__init__(queue, url, request_timeout)
        self.events = queue
        self.secret = secret
        self.updated_at = updated_at
        self.deliveries = deliveries
        self.backoff = backoff

    def _forget(self, item: JSONDict) -> None:
        self.events.discard_first(item)

    async def _deliver(self, session: aiohttp.ClientSession, event: JSONDict) -> bool:
        headers = {SECRET_HEADER: self.secret, "Content-Type": "application/json"}
        body = json.dumps({"ok": True, "result": event}, ensure_ascii=False).encode()
        for attempt in range(1, len(self.backoff) + 2):
            if attempt > 1:
                await asyncio.sleep(self.backoff[attempt - 2])
            record: JSONDict = {
                "message_id": event["message"]["message_id"],
                "event_name": event["event_name"],
                "attempt": attempt,
            }
            try:
                async with session.post(self.url, data=body, headers=headers) as response:
                    await response.read()
                    record["status"] = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                record["error"] = f"{error.__class__.__name__}: {error}"
            self.deliveries.append(record)
            if 200 <= record.get("status", 0) < 300:
                return True
        return False
