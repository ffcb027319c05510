"""A cell's report for a period (/baocao, `chibo report`): the data, in a fixed number of
set-based queries whatever the size of the cell, then the workbook and the chart.

Who is counted:
- Roster: members on the cell's roster now (active or not yet activated).
- Meetings held: meetings of the cell in the period, not cancelled, that have started.
  Attendance rate = present / marked (meetings never marked count as "not marked").
- Self-check periods overlapping the report's period. A period opens a self-check for every
  active member: submitted = completed, answers but not sent = in progress, nothing answered
  = not started; members without a self-check in a period were not asked (not yet on the bot).
- Flags of those periods: raised, contacted, open; counts only, never the topics.
- KT/GS items whose [start, due] overlaps the period. Done on time = the confirmed completion
  report was sent on or before the due date (or, without a report, confirmed by then).
- The 12 months ending with the period's last month (not after this month) give the chart:
  attendance rate by the meeting's month, self-check completion by the month a period opens,
  KT/GS on-time rate by the due month, counting items done or past due.

Per-member sheets list the roster, then anyone else with data in the period (moved away or
left), so their totals agree with the counts. Answers are never read here.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, conversation
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.messages import Attachment, Incoming
from core.policy import Action, Actor
from core.report_periods import PeriodError, Span, month_span, parse_period, shift_month
from core.units import cell_unit, find_unit
from db.models import (
    Attendance,
    ChannelAccount,
    Duty,
    DutyAssignee,
    DutyKind,
    DutyReport,
    DutyReportKind,
    DutyStatus,
    DutyVerdict,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Presence,
    Role,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
    UnitKind,
)

ON_ROSTER = (MemberStatus.ACTIVE, MemberStatus.INVITED)
FLOW = "report"  # waiting for a typed period («Khoảng khác…»)
TREND_MONTHS = 12
Progress = Callable[[int, int], None]  # (steps done, steps in all)


class SelfCheckState:
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


@dataclass(frozen=True, slots=True)
class RosterLine:
    member_id: int
    name: str
    role: Role | None  # secretary or deputy at the cell
    membership: Membership
    activated: bool
    channels: tuple[str, ...]  # linked and not blocked
    blocked: tuple[str, ...]  # linked but the bot is blocked there

    @property
    def reachable(self) -> bool:
        return bool(self.channels)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in a per-member sheet; `on_roster` False: has data but is no longer here."""

    member_id: int
    name: str
    on_roster: bool


@dataclass(frozen=True, slots=True)
class MeetingLine:
    meeting_id: int
    starts_at: datetime  # local
    kind: MeetingKind
    place: str
    present: int
    excused: int
    absent: int

    @property
    def marked(self) -> int:
        return self.present + self.excused + self.absent


@dataclass(frozen=True, slots=True)
class PeriodLine:
    period_id: int
    label: str
    form_name: str
    starts_on: date
    ends_on: date
    done: int
    in_progress: int
    not_started: int

    @property
    def asked(self) -> int:
        return self.done + self.in_progress + self.not_started


@dataclass(frozen=True, slots=True)
class FlagLine:
    period_id: int
    label: str
    members: int  # members with at least one flag
    raised: int
    contacted: int

    @property
    def open(self) -> int:
        return self.raised - self.contacted


@dataclass(frozen=True, slots=True)
class DutyLine:
    duty_id: int
    title: str
    kind: DutyKind
    concerns: str | None
    assignees: tuple[str, ...]
    starts_on: date
    due_on: date
    status: DutyStatus
    completed_on: date | None  # the day the confirmed completion was reported
    on_time: bool | None  # None: not done and not yet due


@dataclass(frozen=True, slots=True)
class MonthPoint:
    year: int
    month: int
    attendance: float | None  # 0..1, None: nothing to count that month
    selfcheck: float | None
    on_time: float | None

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True, slots=True)
class CellReport:
    cell_id: int
    cell_code: str
    cell_name: str
    parent_name: str | None
    span: Span
    made_at: datetime  # local
    roster: list[RosterLine]
    people: list[Person]  # rows of the per-member sheets
    meetings: list[MeetingLine]
    presence: dict[tuple[int, int], Presence]  # (member, meeting)
    periods: list[PeriodLine]
    selfchecks: dict[tuple[int, int], str]  # (member, period) → SelfCheckState
    flags: list[FlagLine]
    duties: list[DutyLine]
    trend: list[MonthPoint]

    @property
    def attendance_rate(self) -> float | None:
        return _rate(sum(m.present for m in self.meetings), sum(m.marked for m in self.meetings))

    @property
    def selfcheck_rate(self) -> float | None:
        return _rate(sum(p.done for p in self.periods), sum(p.asked for p in self.periods))

    @property
    def on_time_rate(self) -> float | None:
        judged = [d.on_time for d in self.duties if d.on_time is not None]
        return _rate(sum(judged), len(judged))

    def totals(self) -> Totals:
        judged = [d.on_time for d in self.duties if d.on_time is not None]
        return Totals(
            members=len(self.roster),
            activated=sum(line.activated for line in self.roster),
            reachable=sum(line.reachable for line in self.roster),
            meetings=len(self.meetings),
            selfcheck_asked=sum(p.asked for p in self.periods),
            selfcheck_done=sum(p.done for p in self.periods),
            flags_raised=sum(f.raised for f in self.flags),
            flags_contacted=sum(f.contacted for f in self.flags),
            duties=len(self.duties),
            duties_done=sum(d.status is DutyStatus.DONE for d in self.duties),
            duties_judged=len(judged),
            duties_on_time=sum(judged),
        )


@dataclass(frozen=True, slots=True)
class Totals:
    """The report's key figures (the phone message and the summary sheet)."""

    members: int
    activated: int
    reachable: int
    meetings: int
    selfcheck_asked: int
    selfcheck_done: int
    flags_raised: int
    flags_contacted: int
    duties: int
    duties_done: int
    duties_judged: int  # done, or past due
    duties_on_time: int

    @property
    def flags_open(self) -> int:
        return self.flags_raised - self.flags_contacted


@dataclass(frozen=True, slots=True)
class ReportFiles:
    report: CellReport
    workbook: Attachment
    chart: Attachment


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- entry points -----------------------------------------------------------------------------


async def _leader_cell(s: AsyncSession, actor: Actor) -> int:
    """The actor's own cell when they lead it. The report names members (who came, who
    finished the self-check), so committee staff, who see cells in aggregate, are refused
    too: the roll-up (/tonghop) is theirs; and so is an administrator who does not lead
    the cell (who finished the self-check is for the cell's leaders only)."""
    cell_id = require_member(actor)
    await require(s, actor, Action.VIEW_AGGREGATE, cell_id)
    await require(s, actor, Action.VIEW_ROSTER, cell_id)
    await require(s, actor, Action.VIEW_SELFCHECK_PROGRESS, cell_id)
    return cell_id


async def for_leader(services: Services, who: Incoming) -> tuple[int, str]:
    """The cell a secretary or deputy may report on (their own), and its name; else refused."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = await _leader_cell(s, actor)
        name = await s.scalar(select(Unit.name).where(Unit.id == cell_id))
        return cell_id, name or ""


def local_today(services: Services) -> date:
    return services.clock.now().astimezone(services.config.timezone).date()


async def ask_period(services: Services, who: Incoming) -> None:
    """«Khoảng khác…»: wait for the leader to type a period."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        await _leader_cell(s, actor)
        state = conversation.State(FLOW, "period", {})
        await conversation.enter(s, services.clock.now(), actor.member_id or 0, who.channel, state)
        await uow.commit()


async def typed_period(services: Services, who: Incoming, text: str) -> Span:
    """The period the waiting flow asked for; a bad one is refused and the flow waits on."""
    try:
        span = parse_period(text, today=local_today(services))
    except PeriodError as error:
        raise Refused(error.code, **error.params) from None
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        await conversation.leave(uow.session, actor.member_id or 0, who.channel)
        await uow.commit()
    return span


async def export(services: Services, who: Incoming, span: Span) -> ReportFiles:
    """/baocao: the leader's own cell; the queries, then the files in a worker thread."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = await _leader_cell(s, actor)
        report = await collect(s, services, cell_id, span)
        state = await conversation.current(s, actor.member_id or 0, who.channel)
        if state is not None and state.flow == FLOW:
            await conversation.leave(s, actor.member_id or 0, who.channel)
        audit.record(
            s,
            now,
            "report_exported",
            actor_id=actor.member_id,
            unit_id=cell_id,
            start=span.start.isoformat(),
            end=span.end.isoformat(),
        )
        await uow.commit()
    return await asyncio.to_thread(render, report)


async def find_unit_kind(services: Services, ref: str) -> tuple[int, bool, str]:
    """A unit by code or id for `chibo report`: its id, whether it is a cell, its name."""
    async with services.db.unit_of_work() as uow:
        unit = await find_unit(uow.session, ref)
        return unit.id, unit.kind is UnitKind.CELL, unit.name


async def write_cell_report(
    services: Services,
    cell_ref: str,
    span: Span,
    out: Path,
    chart: Path | None = None,
    progress: Progress | None = None,
) -> CellReport:
    """`chibo report` for a cell: the workbook (and chart) written to disk."""
    step = progress or (lambda done, total: None)
    total = 3 if chart else 2
    async with services.db.unit_of_work() as uow:
        cell = await cell_unit(uow.session, cell_ref)
        report = await collect(uow.session, services, cell.id, span)
        audit.record(
            uow.session,
            services.clock.now(),
            "report_exported",
            unit_id=cell.id,
            start=span.start.isoformat(),
            end=span.end.isoformat(),
            by="cli",
        )
        await uow.commit()
    step(1, total)
    from core.report_chart import chart_png
    from core.report_xlsx import workbook_bytes

    data = await asyncio.to_thread(workbook_bytes, report)
    await asyncio.to_thread(out.write_bytes, data)
    step(2, total)
    if chart is not None:
        png = await asyncio.to_thread(chart_png, report)
        await asyncio.to_thread(chart.write_bytes, png)
        step(3, total)
    return report


def render(report: CellReport) -> ReportFiles:
    """Both files (CPU-bound: call it in a thread)."""
    from core.report_chart import chart_png
    from core.report_xlsx import workbook_bytes

    stem = f"{report.cell_code}-{report.span.slug()}"
    return ReportFiles(
        report,
        Attachment(f"bao-cao-{stem}.xlsx", workbook_bytes(report)),
        Attachment(f"bieu-do-{stem}.png", chart_png(report), kind="photo"),
    )


# --- the queries ------------------------------------------------------------------------------


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def trend_months(span: Span, today: date) -> list[tuple[int, int]]:
    """The 12 (year, month) ending with the span's last month, never after this month."""
    last = min((span.end.year, span.end.month), (today.year, today.month))
    return [shift_month(*last, -i) for i in range(TREND_MONTHS - 1, -1, -1)]


async def collect(s: AsyncSession, services: Services, cell_id: int, span: Span) -> CellReport:
    """Every number of the report for one cell (the caller checked who may see it)."""
    tz = services.config.timezone
    now = services.clock.now()
    today = now.astimezone(tz).date()
    months = trend_months(span, today)
    window = Span(min(span.start, date(*months[0], 1)), max(span.end, month_span(*months[-1]).end))
    cell = (await s.execute(select(Unit).where(Unit.id == cell_id))).scalar_one()
    parent = await s.scalar(select(Unit.name).where(Unit.id == cell.parent_id))
    roster = await _roster(s, cell_id)
    names = {line.member_id: line.name for line in roster}

    meetings, attendance = await _meetings(s, cell_id, window, now, tz)
    in_span = [m for m in meetings if span.start <= m.starts_at.date() <= span.end]
    span_ids = {m.meeting_id for m in in_span}
    presence = {(mem, mid): p for mid, mem, _, p in attendance if mid in span_ids}
    periods, checks = await _selfchecks(s, cell_id, window)
    span_periods = [p for p in periods if p.starts_on <= span.end and p.ends_on >= span.start]
    span_period_ids = {p.id for p in span_periods}
    states = {(mem, pid): st for pid, mem, _, st in checks if pid in span_period_ids}
    for _, mem, name, _ in attendance:
        names.setdefault(mem, name)
    for _, mem, name, _ in checks:
        names.setdefault(mem, name)
    people = _people(roster, names, {m for m, _ in presence} | {m for m, _ in states})
    duties = await _duties(s, cell_id, window, today, tz)
    period_lines = _period_lines(span_periods, states)
    span_duties = [d for d in duties if d.starts_on <= span.end and d.due_on >= span.start]
    return CellReport(
        cell_id=cell_id,
        cell_code=cell.code,
        cell_name=cell.name,
        parent_name=parent,
        span=span,
        made_at=now.astimezone(tz),
        roster=roster,
        people=people,
        meetings=_meeting_lines(in_span, presence),
        presence=presence,
        periods=period_lines,
        selfchecks=states,
        flags=await _flags(s, cell_id, period_lines),
        duties=span_duties,
        trend=_trend(months, meetings, attendance, periods, checks, duties),
    )


async def _roster(s: AsyncSession, cell_id: int) -> list[RosterLine]:
    members = (
        await s.execute(
            select(Member.id, Member.full_name, Member.membership, Member.status)
            .where(Member.cell_id == cell_id, Member.status.in_(ON_ROSTER))
            .order_by(Member.id)
        )
    ).all()
    ids = select(Member.id).where(Member.cell_id == cell_id, Member.status.in_(ON_ROSTER))
    accounts = await s.execute(
        select(ChannelAccount.member_id, ChannelAccount.channel, ChannelAccount.blocked_at)
        .where(ChannelAccount.member_id.in_(ids))
        .order_by(ChannelAccount.channel)
    )
    open_: dict[int, list[str]] = defaultdict(list)
    blocked: dict[int, list[str]] = defaultdict(list)
    for member_id, channel, blocked_at in accounts:
        (blocked if blocked_at is not None else open_)[member_id].append(channel)
    roles = await s.execute(
        select(MemberRole.member_id, MemberRole.role).where(
            MemberRole.unit_id == cell_id, MemberRole.role.in_((Role.SECRETARY, Role.DEPUTY))
        )
    )
    held: dict[int, Role] = {}
    for member_id, role in roles:
        if held.get(member_id) is not Role.SECRETARY:
            held[member_id] = role
    return [
        RosterLine(
            m.id,
            m.full_name,
            held.get(m.id),
            m.membership,
            m.status is MemberStatus.ACTIVE,
            tuple(open_.get(m.id, ())),
            tuple(blocked.get(m.id, ())),
        )
        for m in members
    ]


def _people(roster: list[RosterLine], names: dict[int, str], with_data: set[int]) -> list[Person]:
    here = [Person(r.member_id, r.name, True) for r in roster]
    on_roster = {r.member_id for r in roster}
    gone = sorted((m for m in with_data if m not in on_roster), key=lambda m: (names[m], m))
    return here + [Person(m, names[m], False) for m in gone]


@dataclass(frozen=True, slots=True)
class _Meeting:
    meeting_id: int
    starts_at: datetime
    kind: MeetingKind
    place: str


async def _meetings(
    s: AsyncSession, cell_id: int, window: Span, now: datetime, tz: ZoneInfo
) -> tuple[list[_Meeting], list[tuple[int, int, str, Presence]]]:
    """Held meetings in the window, and every attendance mark of them (with the name)."""
    held = (
        Meeting.cell_id == cell_id,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at >= _utc(window.start, tz),
        Meeting.starts_at < _utc(window.end + timedelta(days=1), tz),
        Meeting.starts_at <= now,
    )
    rows = await s.execute(
        select(Meeting.id, Meeting.starts_at, Meeting.kind, Meeting.place)
        .where(*held)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    meetings = [_Meeting(i, at.astimezone(tz), kind, place) for i, at, kind, place in rows]
    marks = await s.execute(
        select(Attendance.meeting_id, Attendance.member_id, Member.full_name, Attendance.presence)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Member, Member.id == Attendance.member_id)
        .where(*held)
    )
    return meetings, [(a, b, c, d) for a, b, c, d in marks]


def _meeting_lines(
    meetings: list[_Meeting], presence: dict[tuple[int, int], Presence]
) -> list[MeetingLine]:
    counts = Counter((meeting_id, p) for (_, meeting_id), p in presence.items())
    return [
        MeetingLine(
            m.meeting_id,
            m.starts_at,
            m.kind,
            m.place,
            counts[m.meeting_id, Presence.PRESENT],
            counts[m.meeting_id, Presence.EXCUSED],
            counts[m.meeting_id, Presence.ABSENT],
        )
        for m in meetings
    ]


async def _selfchecks(
    s: AsyncSession, cell_id: int, window: Span
) -> tuple[list[SelfCheckPeriod], list[tuple[int, int, str, str]]]:
    """Periods overlapping the window, and each member's state in them (never the answers:
    only whether any exists)."""
    periods = list(
        await s.scalars(
            select(SelfCheckPeriod)
            .where(
                SelfCheckPeriod.starts_on <= window.end, SelfCheckPeriod.ends_on >= window.start
            )
            .order_by(SelfCheckPeriod.starts_on, SelfCheckPeriod.form_name)
        )
    )
    if not periods:
        return [], []
    answered = exists().where(SelfCheckAnswer.selfcheck_id == SelfCheck.id)
    rows = await s.execute(
        select(
            SelfCheck.period_id, SelfCheck.member_id, Member.full_name, SelfCheck.status, answered
        )
        .join(Member, Member.id == SelfCheck.member_id)
        .where(SelfCheck.cell_id == cell_id, SelfCheck.period_id.in_([p.id for p in periods]))
    )
    checks = [
        (pid, mid, name, _state(status, bool(any_answer)))
        for pid, mid, name, status, any_answer in rows
    ]
    return periods, checks


def _state(status: SelfCheckStatus, answered: bool) -> str:
    if status is SelfCheckStatus.SUBMITTED:
        return SelfCheckState.DONE
    return SelfCheckState.IN_PROGRESS if answered else SelfCheckState.NOT_STARTED


def _period_lines(
    periods: list[SelfCheckPeriod], states: dict[tuple[int, int], str]
) -> list[PeriodLine]:
    counts = Counter((period_id, state) for (_, period_id), state in states.items())
    return [
        PeriodLine(
            p.id,
            p.label,
            p.form_name,
            p.starts_on,
            p.ends_on,
            counts[p.id, SelfCheckState.DONE],
            counts[p.id, SelfCheckState.IN_PROGRESS],
            counts[p.id, SelfCheckState.NOT_STARTED],
        )
        for p in periods
    ]


async def _flags(s: AsyncSession, cell_id: int, periods: list[PeriodLine]) -> list[FlagLine]:
    """Per period: members with flags, flags raised, flags contacted (never the topics)."""
    if not periods:
        return []
    rows = await s.execute(
        select(
            SelfCheck.period_id,
            func.count(func.distinct(Flag.member_id)),
            func.count(Flag.id),
            func.count(Flag.contacted_at),
        )
        .join(SelfCheck, SelfCheck.id == Flag.selfcheck_id)
        .where(Flag.cell_id == cell_id, SelfCheck.period_id.in_([p.period_id for p in periods]))
        .group_by(SelfCheck.period_id)
    )
    found = {pid: (members, raised, contacted) for pid, members, raised, contacted in rows}
    return [FlagLine(p.period_id, p.label, *found.get(p.period_id, (0, 0, 0))) for p in periods]


async def _duties(
    s: AsyncSession, cell_id: int, window: Span, today: date, tz: ZoneInfo
) -> list[DutyLine]:
    """Duties overlapping the window, their assignees, and when completion was reported."""
    reported = (
        select(func.min(DutyReport.created_at))
        .where(
            DutyReport.duty_id == Duty.id,
            DutyReport.kind == DutyReportKind.COMPLETION,
            DutyReport.verdict == DutyVerdict.CONFIRMED,
        )
        .scalar_subquery()
    )
    overlap = and_(Duty.starts_on <= window.end, Duty.due_on >= window.start)
    rows = (
        await s.execute(
            select(Duty, reported)
            .where(Duty.cell_id == cell_id, overlap)
            .order_by(Duty.due_on, Duty.id)
        )
    ).all()
    names: dict[int, list[str]] = defaultdict(list)
    assigned = await s.execute(
        select(DutyAssignee.duty_id, Member.full_name)
        .join(Member, Member.id == DutyAssignee.member_id)
        .join(Duty, Duty.id == DutyAssignee.duty_id)
        .where(Duty.cell_id == cell_id, overlap)
        .order_by(DutyAssignee.id)
    )
    for duty_id, name in assigned:
        names[duty_id].append(name)
    return [_duty_line(d, at, tuple(names[d.id]), today, tz) for d, at in rows]


def _duty_line(
    d: Duty, reported_at: datetime | None, names: tuple[str, ...], today: date, tz: ZoneInfo
) -> DutyLine:
    completed: date | None = None
    if d.status is DutyStatus.DONE:
        at = reported_at or d.done_at
        completed = at.astimezone(tz).date() if at is not None else None
    if completed is not None:
        on_time: bool | None = completed <= d.due_on
    elif d.status is DutyStatus.DONE:
        on_time = True  # confirmed without any date: nothing says it was late
    else:
        on_time = False if d.due_on < today else None
    return DutyLine(
        d.id,
        d.title,
        d.kind,
        d.concerns,
        names,
        d.starts_on,
        d.due_on,
        d.status,
        completed,
        on_time,
    )


def _trend(
    months: list[tuple[int, int]],
    meetings: list[_Meeting],
    attendance: list[tuple[int, int, str, Presence]],
    periods: list[SelfCheckPeriod],
    checks: list[tuple[int, int, str, str]],
    duties: list[DutyLine],
) -> list[MonthPoint]:
    month_of_meeting = {m.meeting_id: (m.starts_at.year, m.starts_at.month) for m in meetings}
    present: Counter[tuple[int, int]] = Counter()
    marked: Counter[tuple[int, int]] = Counter()
    for meeting_id, _, _, presence in attendance:
        month = month_of_meeting[meeting_id]
        marked[month] += 1
        present[month] += presence is Presence.PRESENT
    month_of_period = {p.id: (p.starts_on.year, p.starts_on.month) for p in periods}
    done: Counter[tuple[int, int]] = Counter()
    asked: Counter[tuple[int, int]] = Counter()
    for period_id, _, _, state in checks:
        month = month_of_period[period_id]
        asked[month] += 1
        done[month] += state == SelfCheckState.DONE
    on_time: Counter[tuple[int, int]] = Counter()
    judged: Counter[tuple[int, int]] = Counter()
    for duty in duties:
        if duty.on_time is not None:
            month = (duty.due_on.year, duty.due_on.month)
            judged[month] += 1
            on_time[month] += duty.on_time
    return [
        MonthPoint(
            y,
            m,
            _rate(present[y, m], marked[y, m]),
            _rate(done[y, m], asked[y, m]),
            _rate(on_time[y, m], judged[y, m]),
        )
        for y, m in months
    ]
