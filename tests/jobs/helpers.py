"""Shared pieces for the delivery tests: a recording sender (the outgoing channel) and reads."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from core.clock import ManualClock
from core.context import Services
from core.delivery import DeliveryError, Failure
from core.messages import Address, Reply
from core.outbox import Message, enqueue
from db.models import Outbox
from jobs.delivery import Deliverer, DeliveryConfig
from jobs.pacing import Pacer

CHANNELS = frozenset({"test"})


class RecordingSender:
    """The outgoing channel: records every message it accepts, fails when told to.

    `fail_next(chat, error, ...)` queues errors for the next calls to that chat;
    `refuse(chat)` makes every call to it fail with a 403 (the person blocked the bot).
    """

    def __init__(self) -> None:
        self.sent: list[tuple[Address, str]] = []
        self.attempts: Counter[str] = Counter()
        self._queued: dict[str, list[Exception]] = {}
        self._refused: set[str] = set()

    def fail_next(self, chat_id: str, *errors: Exception) -> None:
        self._queued.setdefault(chat_id, []).extend(errors)

    def refuse(self, chat_id: str) -> None:
        self._refused.add(chat_id)

    async def send(self, to: Address, reply: Reply) -> str:
        await asyncio.sleep(0)  # let other senders (and workers) run in between
        self.attempts[to.chat_id] += 1
        if to.chat_id in self._refused:
            raise DeliveryError(Failure.UNREACHABLE, "Forbidden: bot was blocked by the user")
        queued = self._queued.get(to.chat_id)
        if queued:
            raise queued.pop(0)
        self.sent.append((to, reply.text))
        return f"msg-{len(self.sent)}"

    def texts_to(self, chat_id: str) -> list[str]:
        return [text for to, text in self.sent if to.chat_id == chat_id]


def clock_pacer(clock: ManualClock) -> Pacer:
    """A fast pacer whose holds (after a 429) run on the test's clock, not the wall's."""
    return Pacer(10_000, 0, monotonic=lambda: clock.now().timestamp())


def deliverer(
    services: Services,
    sender: RecordingSender,
    *,
    worker: str = "worker-a",
    pacer: Pacer | None = None,
    **config: object,
) -> Deliverer:
    return Deliverer(
        services,
        sender,
        CHANNELS,
        worker=worker,
        config=DeliveryConfig(**config),  # type: ignore[arg-type]
        pacer=pacer or Pacer(10_000, 0),
    )


def note(key: str, now: datetime, **fields: object) -> Message:
    """A proactive message whose text is its key, so sends can be matched to rows."""
    return Message(key=key, kind="reminder", reply=Reply(key), not_before=now, **fields)  # type: ignore[arg-type]


async def put(services: Services, messages: Iterable[Message]) -> int:
    async with services.db.unit_of_work() as uow:
        count = await enqueue(uow.session, services, services.clock.now(), messages)
        await uow.commit()
        return count


async def row(services: Services, key: str) -> Outbox:
    async with services.db.unit_of_work() as uow:
        found = await uow.session.scalar(select(Outbox).where(Outbox.dedupe_key == key))
        assert found is not None, key
        return found


async def rows(services: Services, *where: object) -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        query = select(Outbox).where(*where).order_by(Outbox.id)  # type: ignore[arg-type]
        return list(await uow.session.scalars(query))


async def statuses(services: Services) -> dict[str, int]:
    async with services.db.unit_of_work() as uow:
        result = await uow.session.execute(
            select(Outbox.status, func.count()).group_by(Outbox.status)
        )
        return {str(status): int(n) for status, n in result}
