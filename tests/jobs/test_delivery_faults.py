"""The delivery engine in the real bot against the emulator: faults and Telegram's limits.

Each test starts the emulator and the bot (PTB, gateway, delivery loop) on a fresh SQLite
file. Members are linked straight through the ORM (the onboarding flow has its own tests). The
emulator only knows a chat once its user has started the bot; "unblocking" through the control
API registers a user without an update, so the bot has no answers to send (saying hello to 300
chats would cost seconds of PTB's own 30/s limit) and each chat ends up with the reminders only.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from bot.harness import Harness, link_members, running_bot
from core.clock import ManualClock
from core.messages import Reply
from core.outbox import Message, enqueue
from db.models import (
    Outbox,
    OutboxStatus,
)
from tests.support import seed_cell

pytestmark = pytest.mark.e2e

FIRST_USER = 700_000
CHATS = 300
DEADLINE = 60.0  # seconds for the bot to work through the outbox


@pytest.fixture
async def h(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    """The bot on the test's clock, so back-off waits can be skipped (see `settled`)."""
    async with running_bot(sqlite_url, clock=clock, migrate_first=False) as harness:
        yield harness


def text_for(user_id: int, n: int = 0) -> str:
    return f"Nhắc họp chi bộ #{n} cho {user_id}"


async def linked_users(h: Harness, count: int) -> dict[int, int]:
    """`count` Telegram users who started the bot, linked to roster members (user: member id)."""
    users = list(range(FIRST_USER, FIRST_USER + count))
    started = await asyncio.gather(*(h.client.block(u, blocked=False) for u in users))
    assert started == [None] * count  # no my_chat_member update: nothing for the bot to do
    cell = await seed_cell(h.app.services)
    return await link_members(h.app.services, cell.id, users)


async def remind(h: Harness, users: dict[int, int], per_user: int = 1) -> None:
    services = h.app.services
    now = services.clock.now()
    messages = [
        Message(
            key=f"test:{u}:{n}",
            kind="reminder",
            reply=Reply(text_for(u, n)),
            member_id=member_id,
            not_before=now,
        )
        for n in range(per_user)
        for u, member_id in users.items()
    ]
    async with services.db.unit_of_work() as uow:
        assert await enqueue(uow.session, services, now, messages) == len(messages)
        await uow.commit()
    assert h.app.deliverer is not None
    h.app.deliverer.wake()


async def statuses(h: Harness) -> dict[str, int]:
    async with h.app.services.db.unit_of_work() as uow:
        result = await uow.session.execute(
            select(Outbox.status, func.count()).group_by(Outbox.status)
        )
        return {str(status): int(n) for status, n in result}


async def settled(h: Harness) -> dict[str, int]:
    """Wait (bounded) until no row is pending or being sent; the final counts by status.

    When the only rows left wait for a retry, the business clock jumps to the first one: a
    back-off of 2, 4, 8, 16 … s is the product's business time, while the wire's waits
    (PTB's and the pacer's hold after a 429) still run on the real clock.
    """
    assert isinstance(h.app.clock, ManualClock) and h.app.deliverer is not None
    deadline = time.monotonic() + DEADLINE
    while True:
        counts = await statuses(h)
        if not counts.get(OutboxStatus.PENDING) and not counts.get(OutboxStatus.SENDING):
            return counts
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox not drained within {DEADLINE:.0f} s: {counts}")
        if not counts.get(OutboxStatus.SENDING):
            due = await first_retry(h)
            if due is not None and due > h.app.clock.now():
                h.app.clock.set(due)
                h.app.deliverer.wake()
        await asyncio.sleep(0.1)


async def first_retry(h: Harness) -> datetime | None:
    async with h.app.services.db.unit_of_work() as uow:
        return await uow.session.scalar(
            select(func.min(Outbox.next_attempt_at)).where(Outbox.status == OutboxStatus.PENDING)
        )


async def delivered_texts(h: Harness, user: int) -> Counter[str]:
    return Counter(m.body for m in await h.client.messages(user))


async def test_every_reminder_arrives_once_despite_429s_5xx_and_timeouts(
    h: Harness, figure: Callable[[str], None]
) -> None:
    """Every reminder arrives exactly once although sends get 429s, 500s and dropped
    connections (10% each)."""
    users = await linked_users(h, CHATS)
    await h.client.add_fault("sendMessage", "429", retry_after=1, probability=0.1)
    await h.client.add_fault("sendMessage", "500", probability=0.1)
    await h.client.add_fault("sendMessage", "timeout", delay=0.3, probability=0.1)
    await remind(h, users)
    assert await settled(h) == {"sent": CHATS}
    await h.client.clear_faults()
    for u in users:
        assert await delivered_texts(h, u) == {text_for(u): 1}, u
    calls = await h.client.calls("sendMessage")
    faults = Counter(c.status for c in calls)
    assert faults[429] and faults[500] and faults[0], faults  # every kind of fault happened
    assert faults[200] == CHATS
    for earlier, later in pairwise(sorted(calls, key=lambda c: (c.chat_id or 0, c.at))):
        if earlier.chat_id == later.chat_id and earlier.status == 429:
            assert later.at - earlier.at >= 1.0 - 0.05, (earlier, later)  # retry_after honoured
    async with h.app.services.db.unit_of_work() as uow:
        retried = await uow.session.scalar(select(func.count()).where(Outbox.attempts > 1))
        assert retried, "some rows should have needed a second attempt"
    figure(
        f"{CHATS} reminders, {len(calls)} calls ({len(calls) - faults[200]} failed: "
        f"429×{faults[429]}, 500×{faults[500]}, dropped after 0.3 s×{faults[0]}); delivered "
        f"{faults[200]}, duplicates 0, retry_after honoured"
    )


async def test_default_pacing_never_trips_telegrams_limits(
    h: Harness, figure: Callable[[str], None]
) -> None:
    """The default pacing never trips Telegram's limits (30 msg/s, 1 msg/s per chat)."""
    users = await linked_users(h, 60)
    await h.client.set_rate_limit(True, overall_per_second=30, per_chat_per_second=1)
    started = time.monotonic()
    await remind(h, users)
    assert await settled(h) == {"sent": 60}
    elapsed = time.monotonic() - started
    status = await h.client.rate_limit_status()
    assert status["violations"] == 0, status["violation_log"]
    for u in users:
        assert await delivered_texts(h, u) == {text_for(u): 1}, u
    assert elapsed >= 59 / 30  # paced, not bursted
    figure(f"60 reminders in {elapsed:.1f} s, 429 from the emulator's limiter: 0")


async def test_a_slow_send_does_not_crowd_the_next_one_to_the_same_chat(
    h: Harness, figure: Callable[[str], None]
) -> None:
    """A slow send does not bring the next message to the same chat within 1 s of it."""
    users = await linked_users(h, 1)
    (user,) = users
    await h.client.set_rate_limit(True, overall_per_second=30, per_chat_per_second=1)
    await h.client.add_fault("sendMessage", "delay", chat_id=user, delay=0.3, count=1)
    await remind(h, users, per_user=2)
    assert await settled(h) == {"sent": 2}
    status = await h.client.rate_limit_status()
    assert status["violations"] == 0, status["violation_log"]
    sent = [c.at for c in await h.client.calls("sendMessage") if c.status == 200]
    figure(f"2 messages to one chat, the first 0.3 s slow: {sent[1] - sent[0]:.2f} s apart")


async def test_one_chats_429_does_not_hold_up_the_other_chats(
    h: Harness, figure: Callable[[str], None]
) -> None:
    """One chat's 429 (retry_after 3 s) does not hold up the other chats."""
    users = await linked_users(h, 31)
    slow, *others = users
    await h.client.add_fault("sendMessage", "429", chat_id=slow, retry_after=3, count=1)
    await remind(h, users)  # the slow chat's row comes first
    assert await settled(h) == {"sent": 31}
    calls = await h.client.calls("sendMessage")
    start = min(c.at for c in calls)
    done = max(c.at for c in calls if c.chat_id in set(others) and c.status == 200)
    assert done - start < 2.0  # 30 chats at 29/s; not 3 s of waiting for the slow one
    figure(f"30 other chats served {done - start:.2f} s after the start, during a 3 s hold")
    assert await delivered_texts(h, slow) == {text_for(slow): 1}
