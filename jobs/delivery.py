"""The delivery loop: claim due outbox rows, send them at a polite pace, record the results.

A crash between a send and its record can repeat at most the rows claimed but not yet
recorded: one batch per worker (`batch`, default 50). Those rows are claimed again after the
lease runs out.

A send that hangs (no answer until the HTTP client gives up, 20 s) does not hold up the
loop: when no send of a batch has finished for `straggle_after` seconds, the batch's finished
sends are recorded and the unfinished ones go on in the background, recorded in a later
round; the next claim takes only as many rows as leave the total in flight at `batch`.
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
    # Seconds without any finished send after which a batch's unfinished sends are left to
    # finish in the background (a batch paces one message a second per chat at most).
    straggle_after: float = 2.0
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
        self._stragglers: set[asyncio.Future[Outcome]] = set()

    @property
    def in_flight(self) -> int:
        """Sends of earlier batches still waiting for an answer (claimed, not recorded)."""
        return len(self._stragglers)

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
        try:
            await self.finish()
        except Exception:
            log.exception("recording the last sends failed")

    async def deliver_once(self) -> int:
        """One round: record the stragglers that finished, claim and send a batch; the
        number of rows recorded."""
        recorded = await self._record_stragglers()  # quiet hours or not: they were sent
        config, now = self.services.config, self.services.clock.now()
        if config.quiet_hours.contains(now.astimezone(config.timezone).time()):
            return recorded  # proactive messages wait for the morning, retries included
        room = self.config.batch - len(self._stragglers)
        rows: list[Claimed] = []
        if room > 0:
            rows = await deliveries.claim(
                self.services, self.worker, room, self.channels, self.config.lease
            )
        outcomes: list[Outcome] = []
        if rows:
            limit = asyncio.Semaphore(self.config.concurrency)
            sends: list[asyncio.Future[Outcome]] = [
                asyncio.ensure_future(self._send(row, limit)) for row in rows
            ]
            outcomes = await self._settle(sends)
        if outcomes:
            await self._record(outcomes)
        return recorded + len(outcomes)

    async def _record(self, outcomes: list[Outcome]) -> None:
        await deliveries.record(self.services, outcomes, self.config.max_attempts, self.worker)

    async def _record_stragglers(self) -> int:
        """Record the sends of earlier batches that have ended; they leave the set only once
        recorded (a failed write is tried again next round, not forgotten)."""
        finished = [s for s in self._stragglers if s.done()]
        if finished:
            await self._record([s.result() for s in finished])
            self._stragglers.difference_update(finished)
        return len(finished)

    async def _settle(self, sends: list[asyncio.Future[Outcome]]) -> list[Outcome]:
        """Wait for the batch's sends while they keep finishing; leave the hung ones."""
        pending = set(sends)
        while pending:
            done, pending = await asyncio.wait(
                pending, timeout=self.config.straggle_after, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                log.info("%d sends without an answer yet: recorded when they end", len(pending))
                for straggler in pending:
                    straggler.add_done_callback(lambda _: self.wake())
                self._stragglers.update(pending)
                break
        return [s.result() for s in sends if s.done()]

    async def drain(self, rounds: int = 1000) -> int:
        """Deliver everything that is due now (tests, the demo, the CLI), stragglers too."""
        total = 0
        for _ in range(rounds):
            sent = await self.deliver_once()
            if sent == 0:
                waiting = {s for s in self._stragglers if not s.done()}
                if not waiting:  # nothing left, or quiet hours
                    break
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            total += sent
        return total

    async def finish(self) -> int:
        """At shutdown: wait for the stragglers (the HTTP client bounds them) and record them."""
        if not self._stragglers:
            return 0
        await asyncio.wait(set(self._stragglers))
        return await self._record_stragglers()

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
