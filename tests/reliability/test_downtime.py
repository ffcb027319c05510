"""The bot down for six simulated hours over several reminder times, then started again.

A world of two cells with meetings (the deployment's reminder offsets, and a cell of its
own), an open monthly self-check period and KT/GS duties, on a controllable clock. Before the
gap the bot runs as it does every day: the scheduler's tick functions at each reminder time
and the delivery worker sending to the emulator, so everything due is sent on time. Then the
bot stops (the process, the emulator, everything), the clock moves six hours, and a new bot
starts on the same database: its first ticks find what fell due while it was down.

What must happen: per kind and per person, only the newest reminder that fell due is sent,
the older ones are stored as skipped (stale) and counted; a reminder for a meeting that began
during the gap is not sent at all; nothing goes out in quiet hours (21:00-06:30): when the gap
ends inside them, the useful reminders wait for the morning, and only the newest of each.
Six hours hold at most one self-check or duty reminder per person (they fall due at 07:30 on
their days), so a third check keeps the bot down five days to see those kinds skip too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.harness import Harness, link_members, running_bot
from core.clock import ManualClock
from core.context import Services
from core.units import add_unit
from db.engine import Database
from db.models import (
    CellSettings,
    Duty,
    DutyAssignee,
    DutyKind,
    DutyStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    Outbox,
    OutboxStatus,
    Role,
    SelfCheck,
    SelfCheckStatus,
    UnitKind,
)
from jobs.scheduler import run_duty_tick, run_reminder_tick, run_selfcheck_tick

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GAP = timedelta(hours=6)
QUIET = (time(21), time(6, 30))
FIRST_USER = 930_000
OWN_OFFSETS = [24 * 60, 240, 90]  # cell B's own reminders: a day, 4 h and 1 h 30 before


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def in_quiet_hours(instant: datetime) -> bool:
    at = instant.astimezone(TZ).time()
    return at >= QUIET[0] or at < QUIET[1]


def sent_at(row: Outbox) -> datetime:
    assert row.done_at is not None
    return row.done_at


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    cells: dict[str, int] = field(default_factory=dict)  # "A", "B" -> unit id
    members: dict[str, list[int]] = field(default_factory=dict)  # cell -> member ids
    users: dict[int, int] = field(default_factory=dict)  # member id -> Telegram user id
    leaders: list[int] = field(default_factory=list)  # cell A's secretary and deputy
    meetings: dict[str, int] = field(default_factory=dict)  # name -> meeting id
    duties: dict[str, int] = field(default_factory=dict)  # name -> duty id


async def build(services: Services, made: datetime, cell_b_offsets: list[int]) -> World:
    """Two cells, ten members (cell A's first two lead it), all linked to Telegram."""
    world = World()
    await add_unit(services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã", parent=None, code="du")
    user = FIRST_USER
    for name, size in (("A", 6), ("B", 4)):
        cell = await add_unit(
            services, kind=UnitKind.CELL, name=f"Chi bộ ấp {name}", parent="du", code=None
        )
        linked = await link_members(services, cell.id, list(range(user, user + size)))
        user += size
        world.cells[name] = cell.id
        world.members[name] = list(linked.values())
        world.users |= {member: chat for chat, member in linked.items()}
    async with services.db.unit_of_work() as uow:
        s = uow.session
        a = world.members["A"]
        world.leaders = a[:2]
        s.add(MemberRole(member_id=a[0], unit_id=world.cells["A"], role=Role.SECRETARY))
        s.add(MemberRole(member_id=a[1], unit_id=world.cells["A"], role=Role.DEPUTY))
        s.add(CellSettings(cell_id=world.cells["B"], reminder_offsets=cell_b_offsets))
        await uow.commit()
    return world


async def add_meeting(
    services: Services, world: World, name: str, cell: str, starts: datetime, made: datetime
) -> None:
    async with services.db.unit_of_work() as uow:
        meeting = Meeting(
            cell_id=world.cells[cell],
            rule_id=None,
            planned_on=None,
            kind=MeetingKind.REGULAR,
            status=MeetingStatus.SCHEDULED,
            starts_at=starts.astimezone(UTC),
            duration_minutes=120,
            place="Hội trường ấp",
            agenda="Kiểm điểm công việc tháng",
            document_url=None,
            version=1,
            created_by_id=None,
            created_at=made.astimezone(UTC),
            updated_at=made.astimezone(UTC),
        )
        uow.session.add(meeting)
        await uow.session.flush()
        world.meetings[name] = meeting.id
        await uow.commit()


async def add_duty(
    services: Services,
    world: World,
    name: str,
    kind: DutyKind,
    due: date,
    made: datetime,
    assignees: list[int],
) -> None:
    async with services.db.unit_of_work() as uow:
        duty = Duty(
            cell_id=world.cells["A"],
            year=due.year,
            kind=kind,
            title=f"{'Kiểm tra' if kind is DutyKind.INSPECTION else 'Giám sát'} {name}",
            concerns=None,
            starts_on=made.astimezone(TZ).date(),
            due_on=due,
            status=DutyStatus.OPEN,
            created_by=world.leaders[0],
            created_at=made.astimezone(UTC),
            updated_at=made.astimezone(UTC),
            done_at=None,
        )
        uow.session.add(duty)
        await uow.session.flush()
        uow.session.add_all(DutyAssignee(duty_id=duty.id, member_id=m) for m in assignees)
        world.duties[name] = duty.id
        await uow.commit()


# --- running the bot ------------------------------------------------------------------------


@asynccontextmanager
async def bot(url: str, clock: ManualClock, world: World | None) -> AsyncIterator[Harness]:
    """The bot (in this process) with quiet hours 21:00-06:30 and the monthly self-check,
    on a fresh emulator that knows every member's chat."""
    async with running_bot(
        url,
        migrate_first=False,
        clock=clock,
        quiet_hours="21:00-06:30",
        selfcheck_forms="monthly",
    ) as h:
        if world is not None:
            await h.client.register_users(sorted(world.users.values()))
        yield h


async def tick(h: Harness) -> None:
    """What the scheduler runs (jobs/scheduler.py), then the delivery worker until nothing
    due is left; in quiet hours the worker's round must send nothing."""
    services, deliverer = h.app.services, h.app.deliverer
    assert deliverer is not None
    await run_reminder_tick(services, deliverer.wake)
    await run_selfcheck_tick(services, deliverer.wake)
    await run_duty_tick(services, deliverer.wake)
    await deliverer.drain()
    await settled(services)


async def settled(services: Services) -> None:
    """No row left in 'sending' (the worker's own loop may hold a batch a moment)."""
    for _ in range(200):
        async with services.db.unit_of_work() as uow:
            busy = await uow.session.scalar(
                select(Outbox.id).where(Outbox.status == OutboxStatus.SENDING).limit(1)
            )
        if busy is None:
            return
        await asyncio.sleep(0.02)
    pytest.fail("rows stayed in 'sending'")


async def walk(h: Harness, clock: ManualClock, moments: list[datetime]) -> None:
    for moment in sorted(moments):
        clock.set(moment)
        await tick(h)


async def outbox(services: Services) -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Outbox).order_by(Outbox.id)))


async def sent_texts(h: Harness, world: World) -> Counter[int]:
    """Chat -> messages the emulator accepted from this bot process."""
    calls = await h.client.calls("sendMessage")
    return Counter(c.chat_id for c in calls if c.status == 200 and c.chat_id is not None)


def kind_of(key: str) -> str:
    if key.startswith("rem:"):
        return "meeting"
    if key.startswith("sc:rem:"):
        return "self-check"
    if key.startswith("sc:open:"):
        return "self-check opening"
    return "duty"


def tally(rows: list[Outbox]) -> str:
    """ "kind: N due, X sent, Y skipped as stale" for each kind, in a fixed order."""
    parts = []
    for kind in ("meeting", "self-check", "duty"):
        mine = [r for r in rows if kind_of(r.dedupe_key) == kind]
        sent = sum(1 for r in mine if r.status == OutboxStatus.SENT)
        skipped = sum(1 for r in mine if r.status == OutboxStatus.SKIPPED)
        parts.append(f"{kind} {len(mine)} due: {sent} sent, {skipped} skipped as stale")
    return "; ".join(parts)


# --- the checks -----------------------------------------------------------------------------


async def test_six_hours_down_over_the_morning_reminders(
    database: Database, database_url: str, figure: Callable[[str], None]
) -> None:
    """Down 6 h over the morning reminders: after the restart only the newest reminder of
    each kind goes to each person, older ones are skipped and counted, none for a meeting
    already begun, nothing twice."""
    day = date(2026, 12, 8)  # the monthly period opened on 01/12: its 7-day reminder is today
    made = local(date(2026, 11, 25), 12)
    down, back = local(day, 3), local(day, 3) + GAP  # 03:00 -> 09:00
    clock = ManualClock(made)

    async with bot(database_url, clock, None) as h:
        services = h.app.services
        world = await build(services, made, OWN_OFFSETS)
        await h.client.register_users(sorted(world.users.values()))
        a, b = world.members["A"], world.members["B"]
        # Meetings: M1 (cell A, 3d/1d/2h) at 09:30: its 2 h reminder (07:30) is in the gap.
        # M2 (cell B, 1d/4h/1h30) at 10:00: 06:00 and 08:30 are in the gap. M3 (cell A) at
        # 08:00 begins during the gap: its 06:00 reminder must never go.
        await add_meeting(services, world, "M1", "A", local(day, 9, 30), made)
        await add_meeting(services, world, "M2", "B", local(day, 10), made)
        await add_meeting(services, world, "M3", "A", local(day, 8), made)
        # Duties (stages at 07:30): K1 due tomorrow (the 1-day stage is today), K2 was due
        # yesterday (overdue today, escalated to the leaders), K3 due in 7 days.
        await add_duty(
            services, world, "K1", DutyKind.INSPECTION, day + timedelta(1), made, a[2:4]
        )
        await add_duty(
            services, world, "K2", DutyKind.SUPERVISION, day - timedelta(1), made, a[4:5]
        )
        await add_duty(
            services, world, "K3", DutyKind.INSPECTION, day + timedelta(7), made, a[5:6]
        )

        # Every day before the gap, the bot ticks at each reminder time and sends.
        moments = [made] + [
            local(made.date() + timedelta(n), hour, minute)
            for n in range(1, (day - made.date()).days)
            for hour, minute in ((7, 30), (8, 0), (9, 30), (10, 0))
        ]
        await walk(h, clock, [m for m in moments if m < down] + [down - timedelta(hours=1)])
        # Two members of cell A have sent their self-checks: no reminder for them.
        async with services.db.unit_of_work() as uow:
            await uow.session.execute(
                update(SelfCheck)
                .where(SelfCheck.member_id.in_(a[2:4]))
                .values(status=SelfCheckStatus.SUBMITTED)
            )
            await uow.commit()
        clock.set(down)
        await tick(h)
        before = await outbox(services)
        sent_before = sum((await sent_texts(h, world)).values())
    assert [r.dedupe_key for r in before if r.status == OutboxStatus.SKIPPED] == []
    assert all(r.status == OutboxStatus.SENT for r in before), "all sent before the gap"
    known = {r.dedupe_key for r in before}

    clock.set(back)  # six hours with nothing running
    async with bot(database_url, clock, world) as h:
        await tick(h)
        rows = [r for r in await outbox(h.app.services) if r.dedupe_key not in known]
        sent = await sent_texts(h, world)
        await tick(h)  # a second round (the scheduler runs every minute): nothing new
        again = await sent_texts(h, world)

    by_key = {r.dedupe_key: r for r in rows}
    m1, m2, m3 = (world.meetings[n] for n in ("M1", "M2", "M3"))
    k1, k2, k3 = (world.duties[n] for n in ("K1", "K2", "K3"))
    waiting = [m for m in a + b if m not in a[2:4]]  # self-checks not sent
    expected_sent = (
        {f"rem:{m1}:v1:{m}:120" for m in a}
        | {f"rem:{m2}:v1:{m}:90" for m in b}
        | {k for k in by_key if k.startswith("sc:rem:") and k.endswith(":7")}
        | {f"duty:rem:{k1}:{m}:1" for m in a[2:4]}
        | {f"duty:overdue:{k2}:{m}" for m in a[4:5]}
        | {f"duty:escalate:{k2}:{m}" for m in world.leaders}
        | {f"duty:rem:{k3}:{m}:7" for m in a[5:6]}
    )
    expected_skipped = {f"rem:{m2}:v1:{m}:240" for m in b}
    got_sent = {k for k, r in by_key.items() if r.status == OutboxStatus.SENT}
    got_skipped = {k for k, r in by_key.items() if r.status == OutboxStatus.SKIPPED}
    self_checks = {k for k in got_sent if k.startswith("sc:rem:")}
    quiet = [r for r in rows if r.status == OutboxStatus.SENT and in_quiet_hours(sent_at(r))]
    begun = [k for k in by_key if k.startswith(f"rem:{m3}:")]
    figure(
        f"down 03:00-09:00: {len(rows)} due during the gap: {len(got_sent)} sent, "
        f"{len(got_skipped)} skipped as stale, {len(quiet)} in quiet hours ({tally(rows)}); "
        f"for the meeting begun in the gap: {len(begun)} queued; sent again on the next "
        f"round: {sum(again.values()) - sum(sent.values())}"
    )
    assert len(self_checks) == len(waiting)
    assert got_sent == expected_sent
    assert got_skipped == expected_skipped
    assert all(r.last_error == "stale" for r in by_key.values() if r.status == "skipped")
    assert not any(k.startswith(f"rem:{m3}:") for k in by_key), (
        "a reminder for a meeting already begun"
    )
    assert set(by_key) == expected_sent | expected_skipped
    # One message per sent row, each person at most one per item, and nothing on a second round.
    assert sum(sent.values()) == len(expected_sent)
    assert again == sent
    assert sent_before > 0


async def test_six_hours_down_ending_in_quiet_hours(
    database: Database, database_url: str, figure: Callable[[str], None]
) -> None:
    """Down 6 h until 22:00, inside quiet hours: nothing goes out until 06:30, then only the
    newest reminder of each meeting for each person; the older ones are skipped and counted."""
    day = date(2026, 12, 10)
    made = local(date(2026, 12, 5), 12)
    down, back = local(day, 16), local(day, 16) + GAP  # 16:00 -> 22:00
    night_offsets = [840, 720, 360, 60]  # 17:00 and 19:00 (gap), 01:00 and 06:00 (quiet)
    clock = ManualClock(made)

    async with bot(database_url, clock, None) as h:
        services = h.app.services
        world = await build(services, made, night_offsets)
        await h.client.register_users(sorted(world.users.values()))
        a, b = world.members["A"], world.members["B"]
        tomorrow = day + timedelta(1)
        # M4 (cell B) at 07:00 tomorrow: two reminders in the gap, two more in quiet hours.
        # M5 (cell A) at 20:00 today begins during the gap. M6 (cell A) at 09:30 tomorrow:
        # its 2 h reminder is at 07:30, after quiet hours. K4 due the day after tomorrow:
        # its 1-day stage is tomorrow 07:30.
        await add_meeting(services, world, "M4", "B", local(tomorrow, 7), made)
        await add_meeting(services, world, "M5", "A", local(day, 20), made)
        await add_meeting(services, world, "M6", "A", local(tomorrow, 9, 30), made)
        await add_duty(
            services, world, "K4", DutyKind.SUPERVISION, day + timedelta(2), made, a[2:3]
        )
        moments = [made] + [
            local(made.date() + timedelta(n), hour, minute)
            for n in range(1, (day - made.date()).days + 1)
            for hour, minute in ((7, 0), (7, 30), (9, 30), (15, 0))
        ]
        await walk(h, clock, [m for m in moments if m < down] + [down])
        before = await outbox(services)
    assert all(r.status == OutboxStatus.SENT for r in before), "all sent before the gap"
    known = {r.dedupe_key for r in before}

    clock.set(back)
    night = [back + timedelta(minutes=30 * n) for n in range(0, 18)]  # 22:00 .. 06:30
    async with bot(database_url, clock, world) as h:
        in_quiet = 0
        for moment in night:
            clock.set(moment)
            await tick(h)
            if in_quiet_hours(moment):
                in_quiet = sum((await sent_texts(h, world)).values())
                assert in_quiet == 0, f"sent in quiet hours at {moment.astimezone(TZ):%H:%M}"
        at_release = await sent_texts(h, world)  # 06:30
        for hour, minute in ((7, 0), (7, 30), (8, 0)):
            clock.set(local(tomorrow, hour, minute))
            await tick(h)
        rows = [r for r in await outbox(h.app.services) if r.dedupe_key not in known]
        after = await sent_texts(h, world)

    m4, m5, m6 = (world.meetings[n] for n in ("M4", "M5", "M6"))
    k4 = world.duties["K4"]
    by_key = {r.dedupe_key: r for r in rows}
    got_sent = {k for k, r in by_key.items() if r.status == OutboxStatus.SENT}
    got_skipped = {k for k, r in by_key.items() if r.status == OutboxStatus.SKIPPED}
    gap_rows = [r for r in rows if r.created_at == back]
    reasons = Counter(r.last_error for r in rows if r.status == OutboxStatus.SKIPPED)
    figure(
        f"down 16:00-22:00, back in quiet hours: {len(gap_rows)} due during the gap, "
        f"{len(rows)} by 08:00: {len(got_sent)} sent, {reasons['stale']} skipped as stale, "
        f"{reasons['superseded']} superseded by a newer one before quiet hours ended, "
        f"{in_quiet} in quiet hours; at 06:30 {sum(at_release.values())} sent "
        f"(the newest of meeting M4 to each of its {len(b)} members)"
    )
    assert got_sent == (
        {f"rem:{m4}:v1:{m}:60" for m in b}
        | {f"rem:{m6}:v1:{m}:120" for m in a}
        | {f"duty:rem:{k4}:{m}:1" for m in a[2:3]}
    )
    assert got_skipped == {f"rem:{m4}:v1:{m}:{o}" for m in b for o in (840, 720, 360)}
    assert not any(k.startswith(f"rem:{m5}:") for k in by_key)
    assert at_release == Counter({world.users[m]: 1 for m in b})
    assert sum(after.values()) == len(got_sent)


async def test_five_days_down_each_kind_sends_only_its_newest_reminder(
    database: Database, database_url: str, figure: Callable[[str], None]
) -> None:
    """Down five days: of each kind (meeting, self-check, duty) only the newest reminder that
    fell due goes to each person; the older ones are skipped as stale and counted."""
    made = local(date(2026, 11, 25), 12)
    down, back = local(date(2026, 12, 3), 12), local(date(2026, 12, 8), 9)
    clock = ManualClock(made)

    async with bot(database_url, clock, None) as h:
        services = h.app.services
        world = await build(services, made, OWN_OFFSETS)
        await h.client.register_users(sorted(world.users.values()))
        a = world.members["A"]
        # M7 (cell A: 3d, 1d, 2h) at 10:00 on 08/12: all three fall in the gap. The monthly
        # period opens on 01/12 (the bot is up): its reminders on 04/12 and 08/12 fall in the
        # gap. K5 is due on 06/12: its 1-day stage (05/12) and overdue day (07/12) fall in it.
        await add_meeting(services, world, "M7", "A", local(date(2026, 12, 8), 10), made)
        await add_duty(services, world, "K5", DutyKind.INSPECTION, date(2026, 12, 6), made, a[2:4])
        moments = [made] + [
            local(made.date() + timedelta(n), 7, 30)
            for n in range(1, (down.date() - made.date()).days + 1)
        ]
        await walk(h, clock, [m for m in moments if m < down] + [down])
        before = await outbox(services)
    assert all(r.status == OutboxStatus.SENT for r in before), "all sent before the gap"
    known = {r.dedupe_key for r in before}

    clock.set(back)
    async with bot(database_url, clock, world) as h:
        await tick(h)
        rows = [r for r in await outbox(h.app.services) if r.dedupe_key not in known]
        sent = await sent_texts(h, world)

    m7, k5 = world.meetings["M7"], world.duties["K5"]
    everyone = a + world.members["B"]
    by_key = {r.dedupe_key: r for r in rows}
    got_sent = {k for k, r in by_key.items() if r.status == OutboxStatus.SENT}
    got_skipped = {k for k, r in by_key.items() if r.status == OutboxStatus.SKIPPED}
    figure(f"down 03/12 12:00-08/12 09:00: {len(rows)} due during the gap ({tally(rows)})")
    newest_self_check = {k for k in got_sent if k.startswith("sc:rem:")}
    assert {k.rsplit(":", 1)[1] for k in newest_self_check} == {"7"}
    assert len(newest_self_check) == len(everyone)
    assert got_sent == (
        {f"rem:{m7}:v1:{m}:120" for m in a}
        | newest_self_check
        | {f"duty:overdue:{k5}:{m}" for m in a[2:4]}
        | {f"duty:escalate:{k5}:{m}" for m in world.leaders}
    )
    assert {k for k in got_skipped if k.startswith("sc:rem:")} == {
        k[: -len("7")] + "3" for k in newest_self_check
    }
    assert {k for k in got_skipped if not k.startswith("sc:rem:")} == (
        {f"rem:{m7}:v1:{m}:{o}" for m in a for o in (4320, 1440)}
        | {f"duty:rem:{k5}:{m}:1" for m in a[2:4]}
    )
    assert sum(sent.values()) == len(got_sent)
