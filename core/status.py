"""The secretary's status of a cell (/tinhhinh): a handful of aggregate queries, whatever
the cell's size, and the name lists behind its buttons.

`cell_status` is pure data (no permission check, no texts) so reports and benchmarks reuse
it; `status_for` and `drill_for` are the use cases behind the command and its buttons, for
the cell's secretary and deputy only. The lists show who has not done something, never
what anyone answered.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, ScalarSelect, and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import CoreConfig, Services
from core.duties import OPEN as OPEN_DUTIES
from core.errors import Refused
from core.identity import load_actor, require, require_member, unit_path
from core.messages import Incoming
from core.policy import Action, allows
from core.selfcheck_periods import active_forms
from db.models import (
    Attendance,
    ChannelAccount,
    Duty,
    DutyAssignee,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Presence,
    Rsvp,
    RsvpAnswer,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
)

DUE_SOON = timedelta(days=7)
DELIVERY_WINDOW = timedelta(days=30)
DELIVERY_PROBLEMS = (OutboxStatus.FAILED, OutboxStatus.UNREACHABLE)
ON_ROSTER = (MemberStatus.ACTIVE, MemberStatus.INVITED)  # attendance covers these
NOT_ACTIVATED = (MemberStatus.INVITED, MemberStatus.PENDING)
NAMES_MAX = 40  # names in one section of a list: a phone screen or two


@dataclass(frozen=True, slots=True)
class MemberCounts:
    active: int  # active and reachable on at least one channel
    not_activated: int  # invited (no account yet) or waiting for approval
    unreachable: int  # active, but every account blocked the bot or refused a message

    @property
    def total(self) -> int:
        return self.active + self.not_activated + self.unreachable

    @property
    def with_bot(self) -> int:
        """Active members, reachable or not: those who can answer and self-check."""
        return self.active + self.unreachable


@dataclass(frozen=True, slots=True)
class NextMeeting:
    id: int
    kind: MeetingKind
    starts_at: datetime
    attend: int
    excused: int
    unanswered: int


@dataclass(frozen=True, slots=True)
class LastMeeting:
    id: int
    kind: MeetingKind
    starts_at: datetime
    present: int
    excused: int
    absent: int
    unmarked: int
    roster: int


@dataclass(frozen=True, slots=True)
class PeriodProgress:
    id: int
    label: str
    ends_on: date
    done: int
    in_progress: int
    not_started: int


@dataclass(frozen=True, slots=True)
class DutyCounts:
    overdue: int
    due_soon: int  # open, due today or within DUE_SOON


@dataclass(frozen=True, slots=True)
class DeliveryProblems:
    messages: int  # failed or unreachable outbox rows in the window
    members: int


@dataclass(frozen=True, slots=True)
class CellStatus:
    cell_id: int
    cell_name: str
    today: date  # local date
    members: MemberCounts
    next_meeting: NextMeeting | None
    last_meeting: LastMeeting | None
    periods: list[PeriodProgress]
    open_flags: int  # members with flags nobody has followed up yet
    duties: DutyCounts
    delivery: DeliveryProblems
    selfcheck_names: bool = True  # whether the asker may see who has not done it


def local_today(config: CoreConfig, now: datetime) -> date:
    return now.astimezone(config.timezone).date()


def reachable() -> ColumnElement[bool]:
    """The member has an account that has not blocked the bot (for `select(Member)`)."""
    return exists().where(
        ChannelAccount.member_id == Member.id, ChannelAccount.blocked_at.is_(None)
    )


def takes_place() -> ColumnElement[bool]:
    """A meeting not cancelled. Not written as "scheduled" (the only other status): that
    equality makes SQLite walk the deployment-wide (status, starts_at) index instead of the
    cell's (cell_id, starts_at) one."""
    return Meeting.status != MeetingStatus.CANCELLED


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _members(s: AsyncSession, cell_id: int) -> MemberCounts:
    inner = (
        select(Member.status.label("status"), reachable().label("ok"))
        .where(Member.cell_id == cell_id, Member.status != MemberStatus.LEFT)
        .subquery()
    )
    rows = await s.execute(
        select(inner.c.status, inner.c.ok, func.count()).group_by(inner.c.status, inner.c.ok)
    )
    active = not_activated = unreachable = 0
    for status, ok, n in rows:
        if MemberStatus(status) is not MemberStatus.ACTIVE:
            not_activated += n
        elif ok:
            active += n
        else:
            unreachable += n
    return MemberCounts(active, not_activated, unreachable)


async def _next_meeting(
    s: AsyncSession, cell_id: int, now: datetime, with_bot: int
) -> NextMeeting | None:
    meeting = await s.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == cell_id,
            takes_place(),
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    if meeting is None:
        return None
    rows = await s.execute(
        select(Rsvp.answer, func.count())
        .join(Member, Member.id == Rsvp.member_id)
        .where(
            Rsvp.meeting_id == meeting.id,
            Member.cell_id == cell_id,
            Member.status == MemberStatus.ACTIVE,
        )
        .group_by(Rsvp.answer)
    )
    answers = {RsvpAnswer(a): n for a, n in rows}
    attend, excused = answers.get(RsvpAnswer.ATTEND, 0), answers.get(RsvpAnswer.EXCUSED, 0)
    unanswered = max(0, with_bot - attend - excused)
    return NextMeeting(meeting.id, meeting.kind, meeting.starts_at, attend, excused, unanswered)


async def _last_meeting(s: AsyncSession, cell_id: int, now: datetime) -> LastMeeting | None:
    meeting = await s.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == cell_id,
            takes_place(),
            Meeting.starts_at <= now,
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    if meeting is None:
        return None
    marked = (
        select(Attendance.presence)
        .where(Attendance.meeting_id == meeting.id, Attendance.member_id == Member.id)
        .scalar_subquery()
    )
    inner = (
        select(marked.label("presence"))
        .where(Member.cell_id == cell_id, Member.status.in_(ON_ROSTER))
        .subquery()
    )
    rows = await s.execute(select(inner.c.presence, func.count()).group_by(inner.c.presence))
    counts = {Presence(p) if p else None: n for p, n in rows}
    return LastMeeting(
        meeting.id,
        meeting.kind,
        meeting.starts_at,
        counts.get(Presence.PRESENT, 0),
        counts.get(Presence.EXCUSED, 0),
        counts.get(Presence.ABSENT, 0),
        counts.get(None, 0),
        sum(counts.values()),
    )


async def open_periods(s: AsyncSession, config: CoreConfig, today: date) -> list[SelfCheckPeriod]:
    """The self-check periods taking answers today, oldest form first."""
    names = [form.name for form in active_forms(config)]
    if not names:
        return []
    rows = await s.scalars(
        select(SelfCheckPeriod)
        .where(
            SelfCheckPeriod.starts_on <= today,
            SelfCheckPeriod.ends_on >= today,
            SelfCheckPeriod.form_name.in_(names),
        )
        .order_by(SelfCheckPeriod.starts_on, SelfCheckPeriod.id)
    )
    return list(rows)


def _has_answers() -> ColumnElement[bool]:
    return exists().where(SelfCheckAnswer.selfcheck_id == SelfCheck.id)


async def _periods(
    s: AsyncSession, config: CoreConfig, today: date, cell_id: int, with_bot: int
) -> list[PeriodProgress]:
    periods = await open_periods(s, config, today)
    if not periods:
        return []
    submitted = SelfCheck.status == SelfCheckStatus.SUBMITTED
    rows = await s.execute(
        select(
            SelfCheck.period_id,
            _count_if(submitted),
            _count_if(and_(~submitted, _has_answers())),
        )
        .join(Member, Member.id == SelfCheck.member_id)
        .where(
            SelfCheck.cell_id == cell_id,  # the (cell, period) index, not the whole period
            SelfCheck.period_id.in_([p.id for p in periods]),
            Member.cell_id == cell_id,
            Member.status == MemberStatus.ACTIVE,
        )
        .group_by(SelfCheck.period_id)
    )
    found = {period_id: (int(done), int(going)) for period_id, done, going in rows}
    result = []
    for p in periods:
        done, going = found.get(p.id, (0, 0))
        not_started = max(0, with_bot - done - going)
        result.append(PeriodProgress(p.id, p.label, p.ends_on, done, going, not_started))
    return result


def _open_flags(cell_id: int) -> ScalarSelect[int]:
    """Members with flags nobody has followed up yet."""
    return (
        select(func.count(func.distinct(Flag.member_id)))
        .join(Member, Member.id == Flag.member_id)
        .where(
            Flag.cell_id == cell_id,
            Flag.contacted_at.is_(None),
            Member.cell_id == cell_id,
            Member.status == MemberStatus.ACTIVE,
        )
        .scalar_subquery()
    )


def _duties(cell_id: int, today: date) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """Open duties overdue, and due today or within DUE_SOON."""
    open_ = select(func.count()).where(Duty.cell_id == cell_id, Duty.status.in_(OPEN_DUTIES))
    return (
        open_.where(Duty.due_on < today).scalar_subquery(),
        open_.where(Duty.due_on >= today, Duty.due_on <= today + DUE_SOON).scalar_subquery(),
    )


def _delivery(cell_id: int, now: datetime) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """Failed or unreachable messages in the window, and the members they were for. Driven
    from the cell's members, each looked up by the outbox's member index (a join lets SQLite
    start from every failed row of the deployment instead)."""
    failed = (
        select(func.count())
        .where(
            Outbox.member_id == Member.id,
            Outbox.status.in_(DELIVERY_PROBLEMS),
            Outbox.done_at >= now - DELIVERY_WINDOW,
        )
        .scalar_subquery()
    )
    per_member = select(failed.label("n")).where(Member.cell_id == cell_id).subquery()
    return (
        select(func.coalesce(func.sum(per_member.c.n), 0)).scalar_subquery(),
        select(_count_if(per_member.c.n > 0)).scalar_subquery(),
    )


@dataclass(frozen=True, slots=True)
class _Counts:
    name: str
    open_flags: int
    duties: DutyCounts
    delivery: DeliveryProblems


async def _counts(s: AsyncSession, cell_id: int, today: date, now: datetime) -> _Counts:
    """The cell's name and the plain counts, in one statement."""
    row = (
        await s.execute(
            select(
                select(Unit.name).where(Unit.id == cell_id).scalar_subquery(),
                _open_flags(cell_id),
                *_duties(cell_id, today),
                *_delivery(cell_id, now),
            )
        )
    ).one()
    name, flags, overdue, soon, messages, members = row
    return _Counts(
        name or "",
        int(flags or 0),
        DutyCounts(int(overdue or 0), int(soon or 0)),
        DeliveryProblems(int(messages or 0), int(members or 0)),
    )


async def cell_status(
    s: AsyncSession, config: CoreConfig, now: datetime, cell_id: int
) -> CellStatus:
    """Everything /tinhhinh shows, in eight statements whatever the cell's size."""
    today = local_today(config, now)
    members = await _members(s, cell_id)
    counts = await _counts(s, cell_id, today, now)
    return CellStatus(
        cell_id=cell_id,
        cell_name=counts.name,
        today=today,
        members=members,
        next_meeting=await _next_meeting(s, cell_id, now, members.with_bot),
        last_meeting=await _last_meeting(s, cell_id, now),
        periods=await _periods(s, config, today, cell_id, members.with_bot),
        open_flags=counts.open_flags,
        duties=counts.duties,
        delivery=counts.delivery,
    )


async def _leader_cell(services: Services, s: AsyncSession, who: Incoming) -> int:
    """The cell of a secretary or deputy; anyone else is refused."""
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    cell_id = require_member(actor)
    await require(s, actor, Action.VIEW_ROSTER, cell_id)
    return cell_id


async def status_for(services: Services, who: Incoming) -> CellStatus:
    """`/tinhhinh`: the status of the asker's own cell."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        path = await unit_path(s, cell_id)
        if not allows(actor, Action.VIEW_ROSTER, path):
            raise Refused("not_allowed")
        status = await cell_status(s, services.config, services.clock.now(), cell_id)
        names = allows(actor, Action.VIEW_SELFCHECK_PROGRESS, path)
        return replace(status, selfcheck_names=names)


# --- the lists behind the buttons -----------------------------------------------------------


class View(enum.StrEnum):
    RSVP = "r"  # the next meeting: not answered, asked to be excused
    ATTENDANCE = "a"  # the last meeting: absent, excused, not marked
    SELFCHECK = "s"  # s:<period>: not started, in progress
    DUTIES = "o"  # overdue and due soon, with assignees
    NOT_ACTIVATED = "i"  # invited, waiting for approval
    UNREACHABLE = "u"  # blocked the bot; messages that failed lately


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # catalogue key of the heading
    names: list[str]  # at most NAMES_MAX
    count: int  # all of them
    params: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class DutyLine:
    title: str
    due_on: date
    assignees: list[str]
    overdue: bool


@dataclass(frozen=True, slots=True)
class Drill:
    view: View
    sections: list[Section]
    duties: list[DutyLine] | None = None
    meeting_at: datetime | None = None  # the meeting a list is about
    label: str = ""  # the self-check period a list is about


def _section(key: str, names: list[str], **params: object) -> Section:
    return Section(key, names[:NAMES_MAX], len(names), params or None)


async def _names(s: AsyncSession, *where: ColumnElement[bool]) -> list[str]:
    rows = await s.scalars(select(Member.full_name).where(*where).order_by(Member.full_name))
    return list(rows)


async def _rsvp_lists(s: AsyncSession, cell_id: int, now: datetime) -> Drill:
    found = await _next_meeting(s, cell_id, now, 0)
    if found is None:
        raise Refused("status_no_next_meeting")
    mine = (Member.cell_id == cell_id, Member.status == MemberStatus.ACTIVE)
    answered = select(Rsvp.member_id).where(Rsvp.meeting_id == found.id)
    excused = answered.where(Rsvp.answer == RsvpAnswer.EXCUSED)
    sections = [
        _section("status_list_unanswered", await _names(s, *mine, Member.id.not_in(answered))),
        _section("status_list_excused", await _names(s, *mine, Member.id.in_(excused))),
    ]
    return Drill(View.RSVP, sections, meeting_at=found.starts_at)


async def _attendance_lists(s: AsyncSession, cell_id: int, now: datetime) -> Drill:
    found = await _last_meeting(s, cell_id, now)
    if found is None:
        raise Refused("status_no_last_meeting")
    roster = (Member.cell_id == cell_id, Member.status.in_(ON_ROSTER))

    def marked(presence: Presence) -> ColumnElement[bool]:
        return Member.id.in_(
            select(Attendance.member_id).where(
                Attendance.meeting_id == found.id, Attendance.presence == presence
            )
        )

    any_mark = select(Attendance.member_id).where(Attendance.meeting_id == found.id)
    sections = [
        _section("status_list_absent", await _names(s, *roster, marked(Presence.ABSENT))),
        _section("status_list_excused", await _names(s, *roster, marked(Presence.EXCUSED))),
        _section("status_list_unmarked", await _names(s, *roster, Member.id.not_in(any_mark))),
    ]
    return Drill(View.ATTENDANCE, sections, meeting_at=found.starts_at)


async def _selfcheck_lists(
    s: AsyncSession, config: CoreConfig, now: datetime, cell_id: int, period_id: int
) -> Drill:
    periods = await open_periods(s, config, local_today(config, now))
    period = next((p for p in periods if p.id == period_id), None)
    if period is None:
        raise Refused("status_period_closed")
    mine = (Member.cell_id == cell_id, Member.status == MemberStatus.ACTIVE)
    checks = select(SelfCheck.member_id).where(
        SelfCheck.cell_id == cell_id, SelfCheck.period_id == period.id
    )
    submitted = checks.where(SelfCheck.status == SelfCheckStatus.SUBMITTED)
    going = checks.where(SelfCheck.status != SelfCheckStatus.SUBMITTED, _has_answers())
    not_started = and_(Member.id.not_in(submitted), Member.id.not_in(going))
    sections = [
        _section("status_list_not_started", await _names(s, *mine, not_started)),
        _section("status_list_in_progress", await _names(s, *mine, Member.id.in_(going))),
    ]
    return Drill(View.SELFCHECK, sections, label=period.label)


async def _duty_lists(s: AsyncSession, cell_id: int, today: date) -> Drill:
    duties = list(
        await s.scalars(
            select(Duty)
            .where(
                Duty.cell_id == cell_id,
                Duty.status.in_(OPEN_DUTIES),
                Duty.due_on <= today + DUE_SOON,
            )
            .order_by(Duty.due_on, Duty.id)
            .limit(NAMES_MAX)
        )
    )
    rows = await s.execute(
        select(DutyAssignee.duty_id, Member.full_name)
        .join(Member, Member.id == DutyAssignee.member_id)
        .where(DutyAssignee.duty_id.in_([d.id for d in duties]))
        .order_by(DutyAssignee.id)
    )
    names: dict[int, list[str]] = {}
    for duty_id, name in rows:
        names.setdefault(duty_id, []).append(name)
    lines = [DutyLine(d.title, d.due_on, names.get(d.id, []), d.due_on < today) for d in duties]
    return Drill(View.DUTIES, [], duties=lines)


async def _activation_lists(s: AsyncSession, cell_id: int) -> Drill:
    mine = Member.cell_id == cell_id
    sections = [
        _section(
            "status_list_invited", await _names(s, mine, Member.status == MemberStatus.INVITED)
        ),
        _section(
            "status_list_pending", await _names(s, mine, Member.status == MemberStatus.PENDING)
        ),
    ]
    return Drill(View.NOT_ACTIVATED, sections)


async def _reach_lists(s: AsyncSession, cell_id: int, now: datetime) -> Drill:
    blocked = await _names(
        s, Member.cell_id == cell_id, Member.status == MemberStatus.ACTIVE, ~reachable()
    )
    failing = exists().where(
        Outbox.member_id == Member.id,
        Outbox.status.in_(DELIVERY_PROBLEMS),
        Outbox.done_at >= now - DELIVERY_WINDOW,
    )
    failed = await _names(s, Member.cell_id == cell_id, failing)
    days = DELIVERY_WINDOW.days
    sections = [
        _section("status_list_blocked", blocked),
        _section("status_list_failed", failed, days=days),
    ]
    return Drill(View.UNREACHABLE, sections)


async def drill_for(services: Services, who: Incoming, view: View, arg: int | None) -> Drill:
    """The names behind one of the status buttons, for the asker's own cell."""
    now = services.clock.now()
    config = services.config
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell_id = await _leader_cell(services, s, who)
        if view is View.RSVP:
            return await _rsvp_lists(s, cell_id, now)
        if view is View.ATTENDANCE:
            return await _attendance_lists(s, cell_id, now)
        if view is View.SELFCHECK:
            actor = await load_actor(s, config, who.channel, who.sender_id)
            await require(s, actor, Action.VIEW_SELFCHECK_PROGRESS, cell_id)
            return await _selfcheck_lists(s, config, now, cell_id, arg or 0)
        if view is View.DUTIES:
            return await _duty_lists(s, cell_id, local_today(config, now))
        if view is View.NOT_ACTIVATED:
            return await _activation_lists(s, cell_id)
        return await _reach_lists(s, cell_id, now)
