"""Every scheduler tick may run in every process: two "processes" (each its own engine) run
all the ticks at the same moments, several times, and the outcome is the one of a single run.

Meeting and duty reminders are outbox rows keyed by what they are (`ON CONFLICT DO
NOTHING`); a self-check period is opened only by the tick whose insert of the period row
wins; job_state is an upsert; housekeeping deletes and empties old texts (repeating it
changes nothing).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from bot.harness import link_members
from core import duty_reminders, housekeeping, reminders, selfcheck_periods
from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.units import add_unit
from db.engine import Database
from db.models import (
    Duty,
    DutyAssignee,
    DutyKind,
    DutyStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Outbox,
    OutboxStatus,
    SelfCheck,
    SelfCheckPeriod,
    UnitKind,
)

MEMBERS = 300
ASSIGNED = 40  # members given one duty
ROUNDS = 3


async def all_ticks(services: Services) -> None:
    await reminders.tick(services)
    await selfcheck_periods.tick(services)
    await duty_reminders.tick(services)
    await housekeeping.sweep(services)


async def test_two_processes_ticking_together_queue_everything_once(
    services: Services,
    database_url: str,
    clock: ManualClock,
    config: CoreConfig,
    figure: Callable[[str], None],
) -> None:
    """Two processes running every scheduler tick at the same moments queue each reminder and
    self-check question once, and open each self-check period once."""
    await add_unit(services, kind=UnitKind.COMMITTEE, name="Đảng ủy", parent=None, code="du")
    cell = await add_unit(services, kind=UnitKind.CELL, name="Chi bộ", parent="du", code=None)
    linked = await link_members(services, cell.id, list(range(7000, 7000 + MEMBERS)))
    now = clock.now()
    async with services.db.unit_of_work() as uow:
        # Made 10 days ago, due tomorrow: its 7-day stage (stale) and 1-day stage fell due.
        duty = Duty(
            cell_id=cell.id,
            year=2026,
            kind=DutyKind.ASSIGNMENT,
            title="Kiểm tra sổ đảng phí",
            concerns=None,
            starts_on=(now - timedelta(days=10)).date(),
            due_on=(now + timedelta(days=1)).date(),
            status=DutyStatus.OPEN,
            created_at=now - timedelta(days=10),
            updated_at=now - timedelta(days=10),
        )
        uow.session.add(duty)
        await uow.session.flush()
        uow.session.add_all(
            DutyAssignee(duty_id=duty.id, member_id=m) for m in list(linked.values())[:ASSIGNED]
        )
        uow.session.add(
            Meeting(
                cell_id=cell.id,
                kind=MeetingKind.REGULAR,
                status=MeetingStatus.SCHEDULED,
                starts_at=now + timedelta(minutes=90),  # every offset fell due: 1 sent, 2 stale
                duration_minutes=90,
                place="Nhà văn hóa ấp",
                agenda="",
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        await uow.commit()
    processes = [Services(Database(database_url), clock, config) for _ in range(2)]
    try:
        for _ in range(ROUNDS):
            await asyncio.gather(*(all_ticks(p) for p in processes))
            clock.advance(timedelta(seconds=30))
    finally:
        for p in processes:
            await p.db.dispose()

    async with services.db.unit_of_work() as uow:
        s = uow.session
        by_kind = Counter(
            {
                (kind, status): n
                for kind, status, n in await s.execute(
                    select(Outbox.kind, Outbox.status, func.count()).group_by(
                        Outbox.kind, Outbox.status
                    )
                )
            }
        )
        periods = await s.scalar(select(func.count()).select_from(SelfCheckPeriod))
        checks = await s.scalar(select(func.count()).select_from(SelfCheck))
    assert by_kind == Counter(
        {
            ("reminder", OutboxStatus.PENDING): MEMBERS,
            ("reminder", OutboxStatus.SKIPPED): 2 * MEMBERS,
            ("selfcheck", OutboxStatus.PENDING): 2 * MEMBERS,  # monthly and quarterly
            ("duty", OutboxStatus.PENDING): ASSIGNED,
            ("duty", OutboxStatus.SKIPPED): ASSIGNED,
        }
    )
    figure(
        f"2 processes x {ROUNDS} rounds of every tick, {MEMBERS} members: "
        f"{sum(by_kind.values())} outbox rows, {periods} periods, {checks} self-checks "
        f"(expected, as for one run: {5 * MEMBERS + 2 * ASSIGNED}, 2, {2 * MEMBERS})"
    )
    assert periods == 2
    assert checks == 2 * MEMBERS
