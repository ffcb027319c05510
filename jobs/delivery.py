"""The delivery loop: claim due outbox rows, send them at a polite pace, record the results.

A crash between a send and its record can repeat at most the rows claimed but not yet
recorded: one batch per worker (`batch`, default 50). Those rows are claimed again after the
lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from core import deliveries
from core.context import Services
from core.deliveries import Claimed, Outcome, Result
from core.delivery import DeliveryError, Failure, Sender
from jobs.pacing import Pacer

log = logging.getLogger(__name__)
HOLD_IN_BATCH = 3.0  # seconds a row may wait for its chat inside a batch


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    per_second: float = 29.0
    per_chat_interval: float = 1.05
    batch: int = 50
    concurrency: int = 16
    max_attempts: int = 8
    lease: timedelta = timedelta(minutes=2)
    idle_poll: float = 1.0  # seconds between looks at the outbox when nothing woke us
    # Per channel (messages per second overall, seconds between two to one chat), for
    # channels whose limits differ from the defaults above (Zalo).
    pacing: Mapping[str, tuple[float, float]] = field(default_factory=dict)


class Deliverer:
    def __init__(
        self,
        services: Services,
        sender: Sender,
        channels: frozenset[str],
        *,
        worker: str,
        config: DeliveryConfig = DeliveryConfig(),
        pacer: Pacer | None = None,
    ) -> None:
        self.services = services
        self.sender = sender
        self.channels = channels
        self.worker = worker
        self.config = config
        self.pacer = pacer or Pacer(config.per_second, config.per_chat_interval)
        self.pacers = {name: Pacer(*pace) for name, pace in config.pacing.items()}
        self._wake = asyncio.Event()
        self._recent_429: dict[str, list[float]] = {}

    def pacer_for(self, channel: str) -> Pacer:
        """Each channel's limits are its own: a Zalo hold never slows Telegram."""
        return self.pacers.get(channel, self.pacer)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; crashes inside one round are logged, not fatal."""
        await deliveries.release_stale_claims(self.services, self.config.lease)
        while not stop.is_set():
            try:
                sent = await self.deliver_once()
            except Exception:
                log.exception("delivery round failed")
                sent = 0
            if sent == 0:
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiter, stopper},
                    timeout=self.config.idle_poll,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waiter.cancel()
                stopper.cancel()

    async def deliver_once(self) -> int:
        config, now = self.services.config, self.services.clock.now()
        if config.quiet_hours.contains(now.astimezone(config.timezone).time()):
            return 0  # proactive messages wait for the morning, retries included
        rows = await deliveries.claim(
            self.services, self.worker, self.config.batch, self.channels, self.config.lease
        )
        if not rows:
            return 0
        limit = asyncio.Semaphore(self.config.concurrency)
        outcomes = await asyncio.gather(*(self._send(row, limit) for row in rows))
        await deliveries.record(self.services, outcomes, self.config.max_attempts)
        return len(rows)

    async def drain(self, rounds: int = 1000) -> int:
        """Deliver everything that is due now (tests, the demo, the CLI)."""
        total = 0
        for _ in range(rounds):
            sent = await self.deliver_once()
            if sent == 0:
                break
            total += sent
        return total

    async def _send(self, row: Claimed, limit: asyncio.Semaphore) -> Outcome:
        if row.expires_at is not None and self.services.clock.now() >= row.expires_at:
            return Outcome(row, Result.EXPIRED)
        if row.to is None:
            return Outcome(row, Result.UNREACHABLE, error="no reachable chat")
        chat = f"{row.to.channel}:{row.to.chat_id}"
        pacer = self.pacer_for(row.to.channel)
        held = pacer.held_for(chat)
        if held > HOLD_IN_BATCH:  # a 429 hold: give the row back rather than stall the batch
            return Outcome(row, Result.RATE_LIMITED, wait=held, error="held")
        async with pacer.turn(chat), limit:
            try:
                message_id = await self.sender.send(row.to, row.reply)
            except DeliveryError as exc:
                return self._failed(row, chat, pacer, exc)
            except Exception as exc:  # a bug or an unexpected library error: retry later
                log.error("send failed unexpectedly: %s", type(exc).__name__)
                return Outcome(row, Result.RETRY, error=type(exc).__name__)
        return Outcome(row, Result.SENT, message_id=message_id)

    def _failed(self, row: Claimed, chat: str, pacer: Pacer, exc: DeliveryError) -> Outcome:
        if exc.failure is Failure.RATE_LIMITED:
            wait = max(exc.retry_after, 1.0)
            pacer.hold_chat(chat, wait)
            if self._flooded(chat.split(":", 1)[0]):
                pacer.hold_all(wait)
            return Outcome(row, Result.RATE_LIMITED, wait=wait, error="429")
        if exc.failure is Failure.UNREACHABLE:
            return Outcome(row, Result.UNREACHABLE, error=exc.detail)
        if exc.failure is Failure.BAD_REQUEST:
            return Outcome(row, Result.FAILED, error=exc.detail)
        return Outcome(row, Result.RETRY, error=exc.detail or exc.failure.value)

    def _flooded(self, channel: str) -> bool:
        """Two 429s within a second on one channel, for any chats, mean a limit of the
        whole bot there, not one chat's."""
        now = time.monotonic()
        recent = [t for t in self._recent_429.get(channel, []) if now - t < 1.0] + [now]
        self._recent_429[channel] = recent
        return len(recent) >= 2
