"""A send that hangs does not hold up the delivery loop, and the in-flight bound holds."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import update

from core.clock import ManualClock
from core.context import Services
from core.messages import Address, Reply
from db.models import Outbox, OutboxStatus
from jobs.delivery import Deliverer, DeliveryConfig
from jobs.pacing import Pacer
from tests.jobs.helpers import CHANNELS, RecordingSender, note, put, row, statuses

STUCK = "stuck"


class HangingSender(RecordingSender):
    """Sends to STUCK wait until `release` is set (a request nobody answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.hanging = 0

    async def send(self, to: Address, reply: Reply) -> str:
        if to.chat_id == STUCK:
            self.hanging += 1
            await self.release.wait()
            self.hanging -= 1
        return await super().send(to, reply)


def worker(services: Services, sender: RecordingSender) -> Deliverer:
    config = DeliveryConfig(batch=10, straggle_after=0.2)
    return Deliverer(services, sender, CHANNELS, worker="w", config=config, pacer=Pacer(10_000, 0))


async def test_a_hung_send_is_left_behind_and_recorded_when_it_ends(
    services: Services, clock: ManualClock
) -> None:
    now = clock.now()
    sender = HangingSender()
    await put(services, [note("hung", now, to=Address("test", STUCK))])
    await put(services, [note(f"n{i:02d}", now, to=Address("test", f"c{i}")) for i in range(25)])
    deliverer = worker(services, sender)

    started = time.monotonic()
    first = await deliverer.deliver_once()  # the hung row and 9 others: 9 recorded
    assert (first, deliverer.in_flight, sender.hanging) == (9, 1, 1)
    second = await deliverer.deliver_once()  # room for 10 - 1 in flight
    third = await deliverer.deliver_once()
    assert (second, third) == (9, 7)
    assert time.monotonic() - started < 2.0  # not held by the hung send
    assert await statuses(services) == {"sent": 25, "sending": 1}

    sender.release.set()
    await asyncio.sleep(0.05)  # the answer comes
    assert await deliverer.deliver_once() == 1  # recorded in the next round
    assert deliverer.in_flight == 0
    assert (await row(services, "hung")).status is OutboxStatus.SENT
    assert sender.attempts[STUCK] == 1


async def test_rows_in_flight_never_exceed_the_batch(
    services: Services, clock: ManualClock
) -> None:
    now = clock.now()
    sender = HangingSender()
    stuck = [note(f"h{i:02d}", now, to=Address("test", STUCK)) for i in range(3)]
    await put(services, stuck)
    deliverer = worker(services, sender)
    # The three rows are for one chat: the first hangs, the two behind it wait their turn.
    assert await deliverer.deliver_once() == 0
    assert deliverer.in_flight == 3
    await put(services, [note(f"n{i:02d}", now, to=Address("test", f"c{i}")) for i in range(20)])
    assert await deliverer.deliver_once() == 7  # 10 - 3 in flight
    assert deliverer.in_flight == 3
    sender.release.set()
    assert await deliverer.drain() == 3 + 13
    assert await statuses(services) == {"sent": 23}
    assert sender.texts_to(STUCK) == ["h00", "h01", "h02"]  # in order


async def test_stopping_waits_for_the_stragglers_and_records_them(
    services: Services, clock: ManualClock
) -> None:
    sender = HangingSender()
    await put(services, [note("hung", clock.now(), to=Address("test", STUCK))])
    deliverer = worker(services, sender)
    stop = asyncio.Event()
    running = asyncio.create_task(deliverer.run(stop))
    await asyncio.sleep(0.5)  # the round gives up waiting after 0.2 s
    assert deliverer.in_flight == 1
    stop.set()
    await asyncio.sleep(0.3)
    assert not running.done()  # waiting for the hung send
    sender.release.set()
    await asyncio.wait_for(running, 5)
    assert await statuses(services) == {"sent": 1}


async def test_a_straggler_that_ends_in_quiet_hours_is_recorded_at_once(
    services: Services, clock: ManualClock
) -> None:
    """Left unrecorded until morning, its lease would run out and it would be sent again."""
    sender = HangingSender()
    await put(services, [note("hung", clock.now(), to=Address("test", STUCK))])
    deliverer = worker(services, sender)
    assert await deliverer.deliver_once() == 0
    clock.advance(timedelta(hours=7))  # 22:00 in Hà Nội: quiet hours
    sender.release.set()
    await asyncio.sleep(0.05)
    assert await deliverer.deliver_once() == 1
    assert (await row(services, "hung")).status is OutboxStatus.SENT


async def test_a_late_outcome_does_not_undo_what_happened_to_the_row_meanwhile(
    services: Services, clock: ManualClock
) -> None:
    """A member's data forgotten (the row skipped), or the lease run out and the row taken
    by another worker: the hung send's outcome, when it comes, changes neither."""
    sender = HangingSender()
    now = clock.now()
    await put(services, [note(key, now, to=Address("test", STUCK)) for key in ("a", "b")])
    deliverer = worker(services, sender)
    assert await deliverer.deliver_once() == 0
    assert deliverer.in_flight == 2
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Outbox).where(Outbox.dedupe_key == "a").values(status=OutboxStatus.SKIPPED)
        )
        await uow.session.execute(
            update(Outbox).where(Outbox.dedupe_key == "b").values(claimed_by="another")
        )
        await uow.commit()
    sender.release.set()
    await asyncio.sleep(0.05)
    await deliverer.deliver_once()
    assert deliverer.in_flight == 0
    assert (await row(services, "a")).status is OutboxStatus.SKIPPED
    taken = await row(services, "b")
    assert (taken.status, taken.claimed_by) == (OutboxStatus.SENDING, "another")
