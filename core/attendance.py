"""Taking attendance after a meeting (điểm danh), and the early warnings it feeds.

Warnings are suggestions for the secretary to talk to someone, never verdicts: an unexcused
absence at the meeting just marked, absences (with or without reason) at the last N meetings
in a row, and the count of unexcused absences this year against the Party Statute threshold
(Điều lệ Điều 8: three times in a year; a setting, since rules change).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import CoreConfig, Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.messages import Incoming
from core.policy import Action
from db.models import (
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Presence,
    Rsvp,
    RsvpAnswer,
)

PAGE_SIZE = 10
# Attendance covers the whole roster, with or without the bot.
ON_ROSTER = (MemberStatus.ACTIVE, MemberStatus.INVITED)
RECENT = timedelta(days=45)  # how far back /diemdanh looks for the meeting to mark
CYCLE: dict[Presence | None, Presence | None] = {
    None: Presence.PRESENT,
    Presence.PRESENT: Presence.EXCUSED,
    Presence.EXCUSED: Presence.ABSENT,
    Presence.ABSENT: None,
}


@dataclass(frozen=True, slots=True)
class Line:
    member_id: int
    name: str
    presence: Presence | None
    asked_leave: bool  # answered "xin vắng" to the reminder


@dataclass(frozen=True, slots=True)
class Sheet:
    meeting_id: int
    kind: MeetingKind
    starts_at: datetime
    lines: list[Line]  # this page
    page: int
    pages: int
    marked: int
    total: int


class WarningKind(enum.StrEnum):
    UNEXCUSED = "unexcused"  # absent without reason at this meeting
    STREAK = "streak"  # absent at the last N meetings in a row
    YEAR_LIMIT = "year_limit"  # unexcused absences this year reached the threshold
    YEAR_NEAR = "year_near"  # one below the threshold


@dataclass(frozen=True, slots=True)
class Warning:
    name: str
    kind: WarningKind
    count: int


@dataclass(frozen=True, slots=True)
class Summary:
    present: int
    excused: int
    absent: int
    total: int
    warnings: list[Warning]


async def _meeting(
    services: Services, s: AsyncSession, who: Incoming, meeting_id: int | None
) -> Meeting:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    cell_id = require_member(actor)
    await require(s, actor, Action.MANAGE_MEETINGS, cell_id)
    now = services.clock.now()
    if meeting_id is None:
        meeting = await s.scalar(
            select(Meeting)
            .where(
                Meeting.cell_id == cell_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at <= now,
                Meeting.starts_at > now - RECENT,
            )
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )
        if meeting is None:
            raise Refused("no_meeting_to_mark")
        return meeting
    meeting = await s.get(Meeting, meeting_id)
    if meeting is None or meeting.cell_id != cell_id:
        raise Refused("meeting_unknown")
    if meeting.starts_at > now:
        raise Refused("meeting_not_started")
    return meeting


async def _lines(s: AsyncSession, meeting: Meeting) -> list[Line]:
    members = await s.execute(
        select(Member.id, Member.full_name)
        .where(Member.cell_id == meeting.cell_id, Member.status.in_(ON_ROSTER))
        .order_by(Member.full_name, Member.id)
    )
    marks = {
        m: p
        for m, p in await s.execute(
            select(Attendance.member_id, Attendance.presence).where(
                Attendance.meeting_id == meeting.id
            )
        )
    }
    leave = set(
        await s.scalars(
            select(Rsvp.member_id).where(
                Rsvp.meeting_id == meeting.id, Rsvp.answer == RsvpAnswer.EXCUSED
            )
        )
    )
    return [Line(i, n, marks.get(i), i in leave) for i, n in members]


def _sheet(meeting: Meeting, lines: list[Line], page: int) -> Sheet:
    pages = max(1, -(-len(lines) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = lines[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    marked = sum(1 for line in lines if line.presence is not None)
    return Sheet(
        meeting.id, meeting.kind, meeting.starts_at, shown, page, pages, marked, len(lines)
    )


async def sheet(
    services: Services, who: Incoming, meeting_id: int | None = None, page: int = 0
) -> Sheet:
    async with services.db.unit_of_work() as uow:
        meeting = await _meeting(services, uow.session, who, meeting_id)
        return _sheet(meeting, await _lines(uow.session, meeting), page)


async def _mark(
    s: AsyncSession,
    meeting_id: int,
    member_id: int,
    presence: Presence | None,
    by: int | None,
    now: datetime,
) -> None:
    row = await s.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == member_id
        )
    )
    if presence is None:
        if row is not None:
            await s.delete(row)
        return
    if row is None:
        row = Attendance(meeting_id=meeting_id, member_id=member_id)
        s.add(row)
    row.presence, row.marked_by_id, row.marked_at = presence, by, now


async def toggle(
    services: Services, who: Incoming, meeting_id: int, member_id: int, page: int
) -> Sheet:
    """One tap on a member: unmarked → present → excused → absent → unmarked."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        meeting = await _meeting(services, s, who, meeting_id)
        lines = await _lines(s, meeting)
        line = next((x for x in lines if x.member_id == member_id), None)
        if line is None:
            raise Refused("stale_button")
        by = (await load_actor(s, services.config, who.channel, who.sender_id)).member_id
        await _mark(s, meeting.id, member_id, CYCLE[line.presence], by, now)
        await uow.commit()
        return _sheet(meeting, await _lines(s, meeting), page)


async def mark_rest(
    services: Services, who: Incoming, meeting_id: int, page: int, *, finishing: bool
) -> Sheet:
    """Everyone not yet marked: excused if they asked leave, else present (or absent when
    `finishing`: whoever was not marked present by then did not come)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        meeting = await _meeting(services, s, who, meeting_id)
        by = (await load_actor(s, services.config, who.channel, who.sender_id)).member_id
        for line in await _lines(s, meeting):
            if line.presence is None:
                rest = Presence.ABSENT if finishing else Presence.PRESENT
                presence = Presence.EXCUSED if line.asked_leave else rest
                await _mark(s, meeting.id, line.member_id, presence, by, now)
        await uow.commit()
        return _sheet(meeting, await _lines(s, meeting), page)


async def finish(services: Services, who: Incoming, meeting_id: int) -> Summary:
    sheet_ = await mark_rest(services, who, meeting_id, 0, finishing=True)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        meeting = await _meeting(services, s, who, sheet_.meeting_id)
        counts = {
            p: n
            for p, n in await s.execute(
                select(Attendance.presence, func.count())
                .where(Attendance.meeting_id == meeting.id)
                .group_by(Attendance.presence)
            )
        }
        found = await early_warnings(s, services, meeting)
    return Summary(
        counts.get(Presence.PRESENT, 0),
        counts.get(Presence.EXCUSED, 0),
        counts.get(Presence.ABSENT, 0),
        sheet_.total,
        found,
    )


async def early_warnings(s: AsyncSession, services: Services, meeting: Meeting) -> list[Warning]:
    """Who the secretary may want to talk to, after the attendance of `meeting`."""
    config = services.config
    tz = config.timezone
    year_start = datetime(meeting.starts_at.astimezone(tz).year, 1, 1, tzinfo=tz).astimezone(UTC)
    history = await s.execute(
        select(Attendance.member_id, Member.full_name, Attendance.presence, Meeting.starts_at)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Member, Member.id == Attendance.member_id)
        .where(
            Meeting.cell_id == meeting.cell_id,
            Meeting.starts_at <= meeting.starts_at,
            Member.status.in_(ON_ROSTER),
        )
        .order_by(Attendance.member_id, Meeting.starts_at.desc())
    )
    per_member: dict[int, tuple[str, list[tuple[Presence, datetime]]]] = {}
    for member_id, name, presence, starts in history:
        per_member.setdefault(member_id, (name, []))[1].append((presence, starts))
    found: list[Warning] = []
    for name, marks in per_member.values():
        found += _warnings_for(name, marks, meeting.starts_at, year_start, config)
    return found


def _warnings_for(
    name: str,
    marks: list[tuple[Presence, datetime]],
    this: datetime,
    year_start: datetime,
    config: CoreConfig,
) -> list[Warning]:
    streak_limit, year_limit = config.absence_streak_limit, config.unexcused_year_limit
    out: list[Warning] = []
    latest = marks[0]
    if latest[1] == this and latest[0] is Presence.ABSENT:
        out.append(Warning(name, WarningKind.UNEXCUSED, 1))
    streak = 0
    for presence, _ in marks:
        if presence is Presence.PRESENT:
            break
        streak += 1
    if streak >= streak_limit:
        out.append(Warning(name, WarningKind.STREAK, streak))
    year = sum(1 for p, at in marks if p is Presence.ABSENT and at >= year_start)
    if year >= year_limit:
        out.append(Warning(name, WarningKind.YEAR_LIMIT, year))
    elif year == year_limit - 1 and year > 0:
        out.append(Warning(name, WarningKind.YEAR_NEAR, year))
    return out
