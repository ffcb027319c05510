"""The real bot process killed with SIGKILL in the middle of sending 1,000 reminders.

The emulator runs in this test's event loop on 127.0.0.1; the bot is a real subprocess
(`python -m bot run`) configured through its environment, on a migrated SQLite file that
already holds one pending reminder per linked member. What a kill may cost is documented in
jobs/delivery.py: nothing lost, and at most one batch (DELIVERY_BATCH) of rows that were
claimed, perhaps sent, but not yet recorded are sent again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.harness import DEMO_TOKEN, link_members
from core.context import CoreConfig, Services
from core.messages import Button, Reply
from core.outbox import Message, enqueue
from core.quiet import NO_QUIET_HOURS
from core.units import add_unit
from db.engine import Database
from db.models import (
    Outbox,
    OutboxStatus,
    UnitKind,
)
from emulator import Emulator, EmulatorClient
from tests.reliability import helpers
from tests.reliability.helpers import Bot, Bots, kill, sent_per_chat, wait_for

pytestmark = pytest.mark.e2e

MEMBERS = 1000
FIRST_USER = 910_000
BATCH = 50  # DELIVERY_BATCH: the documented bound on what a crash may send twice
LEASE = 2  # DELIVERY_LEASE_SECONDS


# --- setting the scene ----------------------------------------------------------------------


async def seed_outbox(database_url: str) -> None:
    """A cell of MEMBERS linked members, each with one pending reminder (core.outbox)."""
    services = Services(
        Database(database_url), SystemClock(), CoreConfig(quiet_hours=NO_QUIET_HOURS)
    )
    try:
        await add_unit(
            services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã", parent=None, code="du-xa"
        )
        cell = await add_unit(
            services, kind=UnitKind.CELL, name="Chi bộ ấp Một", parent="du-xa", code=None
        )
        linked = await link_members(services, cell.id, [FIRST_USER + i for i in range(MEMBERS)])
        now = services.clock.now()
        async with services.db.unit_of_work() as uow:
            s = uow.session
            buttons = ((Button("Tôi sẽ dự", "rsvp:y:1"), Button("Xin vắng", "rsvp:n:1")),)
            messages = [
                Message(
                    key=f"crash:{member_id}",
                    kind="reminder",
                    reply=Reply(f"Nhắc họp chi bộ tối nay, 19:30 (#{member_id})", buttons),
                    member_id=member_id,
                    not_before=now,
                )
                for member_id in linked.values()
            ]
            assert await enqueue(s, services, now, messages) == MEMBERS
            await uow.commit()
    finally:
        await services.db.dispose()


@dataclass
class Outboxes:
    """Read-only looks at the outbox while the bot works (SQLite WAL: readers don't block)."""

    db: Database

    async def statuses(self) -> Counter[str]:
        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(Outbox.status, func.count()).group_by(Outbox.status)
            )
            return Counter({str(status): int(n) for status, n in rows})

    async def claimed(self) -> list[tuple[str | None, datetime | None]]:
        """(claimed_by, claimed_at) of every row in 'sending'."""
        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(Outbox.claimed_by, Outbox.claimed_at).where(
                    Outbox.status == OutboxStatus.SENDING
                )
            )
            return [(by, at) for by, at in rows]


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[Emulator, EmulatorClient]]:
    async with Emulator() as emu:
        client = EmulatorClient(emu.url, DEMO_TOKEN)
        try:
            await client.register_users(first_id=FIRST_USER, count=MEMBERS)
            yield emu, client
        finally:
            await client.aclose()


@pytest.fixture
async def bots(tmp_path: Path) -> AsyncIterator[Callable[[dict[str, str]], Awaitable[Bot]]]:
    """Starts bot processes (cwd = tmp_path: no .env is read); kills them all at the end."""
    started = Bots(tmp_path)
    try:
        yield started.start
    finally:
        await started.close()


def bot_env(database_url: str, api_url: str, lease: int) -> dict[str, str]:
    return helpers.bot_env(
        database_url, api_url, DELIVERY_LEASE_SECONDS=str(lease), DELIVERY_BATCH=str(BATCH)
    )


# --- the tests ------------------------------------------------------------------------------


async def test_sigkill_mid_send_loses_nothing_and_repeats_at_most_one_batch(
    sqlite_url: str,
    emulator: tuple[Emulator, EmulatorClient],
    bots: Callable[[dict[str, str]], Awaitable[Bot]],
    figure: Callable[[str], None],
) -> None:
    """SIGKILL during a 1,000-member broadcast: nothing lost, at most one batch sent twice."""
    emu, client = emulator
    await seed_outbox(sqlite_url)
    outbox = Outboxes(Database(sqlite_url))
    env = bot_env(sqlite_url, emu.url, LEASE)
    try:
        first = await bots(env)

        async def some_sent() -> bool:
            return sum((await sent_per_chat(client)).values()) >= 175  # mid-batch

        await wait_for("sending the first reminders", some_sent, 30, first)
        await kill(first)
        await asyncio.sleep(0.3)  # requests already on the wire are answered or dropped
        before = await sent_per_chat(client)
        in_flight = [c for c in await outbox.claimed() if c[0] == first.worker]
        assert 0 < sum(before.values()) < MEMBERS, "killed too late: nothing left to send"

        second = await bots(env)  # at once; the dead worker's claims return after the lease

        async def all_done() -> bool:
            left = await outbox.statuses()
            return left[OutboxStatus.PENDING] == 0 and left[OutboxStatus.SENDING] == 0

        await wait_for("finishing the outbox after the restart", all_done, 60, second)
        after = await sent_per_chat(client)
        final = await outbox.statuses()
    finally:
        await outbox.db.dispose()

    chats = range(FIRST_USER, FIRST_USER + MEMBERS)
    lost = [c for c in chats if after[c] == 0]
    duplicates = {c: n for c, n in after.items() if n > 1}
    figure(
        f"{MEMBERS} reminders, killed after {sum(before.values())} sent: lost {len(lost)}, "
        f"sent twice {len(duplicates)} (bound {BATCH}: the killed worker's batch held "
        f"{len(in_flight)})"
    )
    assert lost == []
    assert len(duplicates) <= BATCH
    assert max(after.values()) <= 2
    assert final == Counter({OutboxStatus.SENT.value: MEMBERS})
    # Only rows the killed worker had claimed may be repeated.
    assert set(duplicates) <= set(before)


async def test_claims_of_a_killed_worker_come_back_after_the_lease_without_another_restart(
    sqlite_url: str,
    emulator: tuple[Emulator, EmulatorClient],
    bots: Callable[[dict[str, str]], Awaitable[Bot]],
) -> None:
    """A supervisor restarts the bot at once, well within the lease: the dead worker's batch
    must not stay in 'sending' until some later start-up (it did, before claims took expired
    leases: start-up was the only place that released them)."""
    lease = 6  # long enough that the restart surely comes within it
    emu, client = emulator
    await seed_outbox(sqlite_url)
    outbox = Outboxes(Database(sqlite_url))
    env = bot_env(sqlite_url, emu.url, lease)
    # Slow sends, so that a batch takes seconds and the kill surely lands inside one even on
    # a loaded machine (at 1000/s a batch was over before the kill could follow the check).
    env["DELIVERY_RATE"] = "40"
    try:
        first = await bots(env)

        async def fresh_claim() -> bool:
            """Some reminders are out and the current batch was claimed moments ago."""
            if sum((await sent_per_chat(client)).values()) < 60:
                return False
            now = datetime.now(UTC)
            return any(
                by == first.worker and at is not None and now - at < timedelta(seconds=0.5)
                for by, at in await outbox.claimed()
            )

        await wait_for("claiming a batch", fresh_claim, 30, first)
        await kill(first)
        killed_at = time.monotonic()
        second = await bots(env)  # at once, as systemd's Restart=always would
        in_flight = [c for c in await outbox.claimed() if c[0] == first.worker]

        async def lease_over() -> bool:
            return time.monotonic() - killed_at > lease + 4  # + two rounds of the new worker

        await wait_for("waiting for the lease to run out", lease_over, lease + 30, second)
        stuck = [c for c in await outbox.claimed() if c[0] == first.worker]
        final = await outbox.statuses()
    finally:
        await outbox.db.dispose()
    print(
        f"\nrows claimed by the killed worker: {len(in_flight)} at the kill, {len(stuck)} "
        f"{lease + 4} s later; outbox then: {dict(final)}"
    )
    assert in_flight, "the kill came between two batches: nothing was claimed"
    assert stuck == []
