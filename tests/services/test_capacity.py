"""Meeting reminders that cannot be delivered before the meeting: the secretary is warned once.

Real database (both engines), the real reminder tick; a backlog is queued ahead of the
reminders, and the delivery rate is set low so that the numbers stay small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from core import capacity, deliveries, reminders
from core.clock import ManualClock
from core.context import Services
from core.messages import Address, Reply
from core.outbox import Message, enqueue
from core.texts import t, when_text
from db.models import (
    ChannelAccount,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Role,
)
from tests.services.test_onboarding import join_as
from tests.support import Cell, seed_cell

HUNG, MAI, TAM = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám"  # secretary, deputy, member
BACKLOG = 3000
RATE = 2.0  # messages per second


async def scene(services: Services, clock: ManualClock, backlog: int) -> tuple[Cell, Meeting]:
    """Hùng and Tám linked; `backlog` rows due now; a meeting in 20 minutes (its 2-hour
    reminder falls due at once, the older ones are stale)."""
    cell = await seed_cell(services)
    await join_as(services, cell, HUNG, "100")
    await join_as(services, cell, TAM, "300")
    now = clock.now()
    async with services.db.unit_of_work() as uow:
        flood = [
            Message(
                f"bulk:{i}", "announcement", Reply("Thông báo"), now, to=Address("test", f"{i}")
            )
            for i in range(backlog)
        ]
        await enqueue(uow.session, services, now, flood)
        meeting = Meeting(
            cell_id=cell.id,
            kind=MeetingKind.REGULAR,
            status=MeetingStatus.SCHEDULED,
            starts_at=now + timedelta(minutes=20),
            duration_minutes=90,
            place="Hội trường ấp",
            agenda="",
            version=1,
            created_at=now,
            updated_at=now,
        )
        uow.session.add(meeting)
        await uow.commit()
    return cell, meeting


async def warnings(services: Services) -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Outbox).where(Outbox.kind == capacity.KIND)))


def slow(services: Services) -> Services:
    return replace(services, config=replace(services.config, delivery_rate=RATE))


async def test_reminders_that_fit_bring_no_warning(services: Services, clock: ManualClock) -> None:
    await scene(services, clock, backlog=100)  # 102 rows at 29/s: 4 s for 20 minutes
    await reminders.tick(services)
    assert await warnings(services) == []


async def test_reminders_behind_a_backlog_warn_the_secretary_once_with_the_numbers(
    services: Services, clock: ManualClock, figure: Callable[[str], None]
) -> None:
    """Meeting reminders that cannot be delivered before the meeting bring the cell's
    secretary exactly one warning, with the numbers, ahead of the backlog."""
    services = slow(services)
    cell, meeting = await scene(services, clock, backlog=BACKLOG)
    now = clock.now()
    await reminders.tick(services)
    clock.advance(timedelta(seconds=30))
    await reminders.tick(services)  # a second tick (or process) adds nothing

    found = await warnings(services)
    assert [w.member_id for w in found] == [cell.member_ids[HUNG]]
    finish = now + timedelta(seconds=(BACKLOG + 2) / RATE)  # 25 min for a meeting in 20
    tz = services.config.timezone
    expected = t(
        "capacity_reminders_late",
        count=2,
        when=when_text(meeting.starts_at, tz),
        ahead=BACKLOG,
        rate=2,
        until=finish.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
    )
    assert found[0].body["text"] == expected
    # The warning goes first, before the backlog it is about.
    claimed = await deliveries.claim(services, "w", 1, frozenset({"test"}))
    assert [row.id for row in claimed] == [found[0].id]
    late = (finish - meeting.starts_at).total_seconds() / 60
    figure(
        f"2 reminders behind {BACKLOG} rows at {RATE:g} msg/s: last expected {late:.0f} min "
        f"after the meeting starts; warnings {len(found)} after two ticks (to the secretary, "
        "first in the queue)"
    )


async def test_a_backlog_that_drains_in_time_brings_no_warning(
    services: Services, clock: ManualClock
) -> None:
    """2,000 rows at 2/s take 16.7 minutes: inside the 18 minutes a 20-minute lead allows."""
    await scene(slow(services), clock, backlog=2000)
    await reminders.tick(slow(services))
    assert await warnings(services) == []


async def test_a_meeting_without_a_secretary_warns_its_deputy(
    services: Services, clock: ManualClock
) -> None:
    services = slow(services)
    cell, _ = await scene(services, clock, backlog=BACKLOG)
    await join_as(services, cell, MAI, "200")
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            MemberRole.__table__.delete().where(MemberRole.role == Role.SECRETARY)
        )
        await uow.commit()
    await reminders.tick(services)
    assert [w.member_id for w in await warnings(services)] == [cell.member_ids[MAI]]
    assert (await warnings(services))[0].status is OutboxStatus.PENDING


async def test_rows_for_zalo_only_members_count_at_zalos_rate(
    services: Services, clock: ManualClock
) -> None:
    """Most members never choose a channel (/kenh): their rows go to their one account, and
    the estimate must pace Zalo's rows at Zalo's rate, not Telegram's."""
    cell = await seed_cell(services)
    now = clock.now()
    async with services.db.unit_of_work() as uow:
        for i in range(30):
            member = Member(
                cell_id=cell.id,
                full_name=f"Đảng viên {i}",
                status=MemberStatus.ACTIVE,
                membership=Membership.FULL,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(member)
            await uow.session.flush()
            uow.session.add(
                ChannelAccount(
                    member_id=member.id,
                    channel="zalo",
                    external_id=f"z{i}",
                    chat_id=f"z{i}",
                    linked_at=now,
                )
            )
            await enqueue(
                uow.session,
                services,
                now,
                [Message(f"z:{i}", "announcement", Reply("Thông báo"), now, member_id=member.id)],
            )
        await uow.commit()
    config = replace(services.config, delivery_rate=1000.0, delivery_rates={"zalo": 0.01})
    async with services.db.unit_of_work() as uow:
        found = await capacity.estimate(
            uow.session, config, now, 0, now, now + timedelta(minutes=20)
        )
    assert found.ahead == 30
    assert found.finish - found.starts == timedelta(seconds=3000)  # 30 rows at 0.01/s
    assert found.late
