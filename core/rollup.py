"""The committee roll-up: counts and rates for every cell below a unit, never a member's answers.

Every metric is one GROUP BY over all the cells at once (the cells are the unit's descendants,
found with a recursive CTE that each statement carries), so the number of statements does not
grow with the number of cells. Definitions:

- meetings held: meetings not cancelled whose start falls in the window and is already past;
  "regular" tells whether the monthly (thường kỳ) meeting was among them;
- attendance rate: present / marked, over the attendance of those meetings;
- members with unexcused absences: distinct members marked absent at those meetings;
- self-check completion: submitted self-checks of the window's periods / (periods × active
  members); /tonghop uses the latest period that has opened;
- open flags: flags nobody has marked contacted yet (a count, never what was answered);
- KT/GS on time: duties due in the window (due date already past) that were confirmed done
  by their due date (local day), over all of them; overdue: open duties past their due date;
- activation: roster members (active or invited) with a messenger account; a cell without
  any is "not activated".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CTE, ColumnElement, Executable, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import xlsx
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require
from core.messages import Incoming
from core.policy import COMMITTEE_ROLES, Action, Actor
from core.texts import t
from db.models import (
    AppraisalOutcome,
    Attendance,
    ChannelAccount,
    Duty,
    DutyStatus,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Presence,
    ProgrammeRegistration,
    SelfCheck,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
    UnitKind,
)

ROSTER = (MemberStatus.ACTIVE, MemberStatus.INVITED)
OPEN_DUTIES = (DutyStatus.OPEN, DutyStatus.REPORTED, DutyStatus.RETURNED)
LOW_COMPLETION = 0.5  # below this share of self-checks a cell needs help
LISTED_CELLS = 1000  # up to this many cells the queries name them; beyond, the subtree query


@dataclass(frozen=True, slots=True)
class Window:
    """What the figures cover (local dates, both ends included)."""

    meetings_from: date
    meetings_to: date
    duties_from: date
    duties_to: date  # the last due date that counts (before today: still open is not late)
    periods_from: date | None  # periods opened in [periods_from, periods_to]; None: the latest
    periods_to: date
    year: int  # the model programme's year


def month_window(today: date) -> Window:
    """/tonghop: meetings this month, duties due so far this year, the latest period."""
    first = today.replace(day=1)
    return Window(first, today, date(today.year, 1, 1), today - timedelta(days=1), None, today,
                  today.year)  # fmt: skip


def range_window(start: date, end: date, today: date) -> Window:
    """An export for [start, end]: the periods opened then (else the latest before end)."""
    last = min(end, today)
    return Window(start, last, start, min(end, today - timedelta(days=1)), start, last, end.year)


def year_window(year: int, today: date) -> Window:
    """A cell's year, as evidence for the appraisal."""
    return range_window(date(year, 1, 1), date(year, 12, 31), today)


@dataclass(frozen=True, slots=True)
class CellFigures:
    cell_id: int
    name: str
    code: str
    group_id: int | None  # the unit right above the cell (the commune), for grouping
    group_name: str
    roster: int = 0
    active: int = 0
    linked: int = 0
    meetings_held: int = 0
    regular_held: int = 0
    present: int = 0
    marked: int = 0
    unexcused_members: int = 0
    selfchecks_done: int = 0
    selfchecks_expected: int = 0
    open_flags: int = 0
    duties_due: int = 0
    duties_on_time: int = 0
    duties_overdue: int = 0
    registered: bool = False
    outcome: AppraisalOutcome | None = None

    @property
    def activated(self) -> bool:
        return self.linked > 0

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.marked if self.marked else None

    @property
    def completion(self) -> float | None:
        if not self.selfchecks_expected:
            return None
        return min(self.selfchecks_done, self.selfchecks_expected) / self.selfchecks_expected

    @property
    def on_time_rate(self) -> float | None:
        return self.duties_on_time / self.duties_due if self.duties_due else None

    @property
    def needs_help(self) -> bool:
        low = self.completion is not None and self.completion < LOW_COMPLETION
        return not self.activated or not self.meetings_held or low or self.duties_overdue > 0


@dataclass(frozen=True, slots=True)
class Totals:
    """The same figures summed over cells (rates are over the summed counts)."""

    cells: int
    registered: int
    not_activated: int
    with_meeting: int
    roster: int
    linked: int
    meetings_held: int
    present: int
    marked: int
    unexcused_members: int
    selfchecks_done: int
    selfchecks_expected: int
    open_flags: int
    duties_due: int
    duties_on_time: int
    duties_overdue: int

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.marked if self.marked else None

    @property
    def completion(self) -> float | None:
        return (
            self.selfchecks_done / self.selfchecks_expected if self.selfchecks_expected else None
        )

    @property
    def on_time_rate(self) -> float | None:
        return self.duties_on_time / self.duties_due if self.duties_due else None


def totals(cells: Sequence[CellFigures]) -> Totals:
    def total(name: str) -> int:
        return sum(int(getattr(c, name)) for c in cells)

    return Totals(
        cells=len(cells),
        registered=sum(c.registered for c in cells),
        not_activated=sum(not c.activated for c in cells),
        with_meeting=sum(c.meetings_held > 0 for c in cells),
        roster=total("roster"),
        linked=total("linked"),
        meetings_held=total("meetings_held"),
        present=total("present"),
        marked=total("marked"),
        unexcused_members=total("unexcused_members"),
        selfchecks_done=sum(min(c.selfchecks_done, c.selfchecks_expected) for c in cells),
        selfchecks_expected=total("selfchecks_expected"),
        open_flags=total("open_flags"),
        duties_due=total("duties_due"),
        duties_on_time=total("duties_on_time"),
        duties_overdue=total("duties_overdue"),
    )


def help_order(cells: Sequence[CellFigures]) -> list[CellFigures]:
    """The cells that need help, the most urgent first: not activated, no meeting this month,
    low self-check completion, overdue duties."""
    return sorted(
        (c for c in cells if c.needs_help),
        key=lambda c: (
            c.activated,
            c.meetings_held > 0,
            c.completion if c.completion is not None else 1.0,
            -c.duties_overdue,
            c.name,
        ),
    )


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    name: str
    kind: UnitKind


@dataclass(frozen=True, slots=True)
class Rollup:
    unit: UnitInfo
    window: Window
    period_labels: tuple[str, ...]  # the self-check periods counted
    cells: list[CellFigures]

    @property
    def totals(self) -> Totals:
        return totals(self.cells)

    @property
    def groups(self) -> list[tuple[int | None, str]]:
        """The units right above the cells (communes), in order of appearance."""
        return list(dict.fromkeys((c.group_id, c.group_name) for c in self.cells))


# --- queries ---------------------------------------------------------------------------------


def subtree(unit_id: int) -> CTE:
    """The unit and every unit below it (a recursive CTE: SQLite and PostgreSQL)."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("tree", recursive=True)
    below = aliased(Unit)
    return tree.union_all(select(below.id).where(below.parent_id == tree.c.id))


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _local_day(dialect: str, column: Any, zone: ZoneInfo, now: datetime) -> ColumnElement[Any]:
    """The local calendar day of a UTC timestamp column, computed by the database."""
    if dialect == "postgresql":
        return func.date(func.timezone(zone.key, column))
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")  # SQLite stores naive UTC text


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _by_cell(s: AsyncSession, query: Executable) -> dict[int, tuple[int, ...]]:
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in await s.execute(query)}


async def unit_info(s: AsyncSession, unit_id: int) -> UnitInfo | None:
    row = (
        await s.execute(select(Unit.id, Unit.name, Unit.kind).where(Unit.id == unit_id))
    ).first()
    return UnitInfo(row.id, row.name, row.kind) if row else None


async def _periods(s: AsyncSession, window: Window) -> list[tuple[int, str]]:
    query = select(SelfCheckPeriod.id, SelfCheckPeriod.label).where(
        SelfCheckPeriod.starts_on <= window.periods_to
    )
    if window.periods_from is not None:
        found = await s.execute(
            query.where(SelfCheckPeriod.starts_on >= window.periods_from).order_by(
                SelfCheckPeriod.starts_on, SelfCheckPeriod.id
            )
        )
        return [(r.id, r.label) for r in found]
    # The latest period that has opened; the monthly one when a quarter opens the same day.
    latest = await s.execute(
        query.order_by(
            SelfCheckPeriod.starts_on.desc(),
            (SelfCheckPeriod.form_name == "monthly").desc(),
            SelfCheckPeriod.id.desc(),
        ).limit(1)
    )
    return [(r.id, r.label) for r in latest]


async def collect(
    s: AsyncSession, unit_id: int, window: Window, *, now: datetime, zone: ZoneInfo
) -> Rollup | None:
    """Every cell below `unit_id` (the unit itself when it is a cell) with its figures."""
    unit = await unit_info(s, unit_id)
    if unit is None:
        return None
    tree = subtree(unit_id)
    cell_ids = select(Unit.id).where(Unit.id.in_(select(tree.c.id)), Unit.kind == UnitKind.CELL)
    parent = aliased(Unit)
    cells = (
        await s.execute(
            select(Unit.id, Unit.name, Unit.code, Unit.parent_id, parent.name.label("group_name"))
            .outerjoin(parent, parent.id == Unit.parent_id)
            .where(Unit.id.in_(cell_ids))
            .order_by(parent.name, Unit.parent_id, Unit.name, Unit.id)
        )
    ).all()
    if not cells:
        return Rollup(unit, window, (), [])
    if len(cells) <= LISTED_CELLS:  # exact ids: the planner knows how few rows to expect
        cell_ids = [c.id for c in cells]  # type: ignore[assignment]
    periods = await _periods(s, window)
    dialect = s.get_bind().dialect.name
    lo = _utc(window.meetings_from, zone)
    hi = min(_utc(window.meetings_to + timedelta(days=1), zone), now)

    has_account = exists().where(ChannelAccount.member_id == Member.id)
    members = await _by_cell(
        s,
        select(
            Member.cell_id,
            func.count(),
            _count_if(Member.status == MemberStatus.ACTIVE),
            _count_if(has_account),
        )
        .where(Member.cell_id.in_(cell_ids), Member.status.in_(ROSTER))
        .group_by(Member.cell_id),
    )
    held = (
        Meeting.cell_id.in_(cell_ids),
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at >= lo,
        Meeting.starts_at < hi,
    )
    meetings = await _by_cell(
        s,
        select(Meeting.cell_id, func.count(), _count_if(Meeting.kind == MeetingKind.REGULAR))
        .where(*held)
        .group_by(Meeting.cell_id),
    )
    absent = case((Attendance.presence == Presence.ABSENT, Attendance.member_id))
    attendance = await _by_cell(
        s,
        select(
            Meeting.cell_id,
            _count_if(Attendance.presence == Presence.PRESENT),
            func.count(),
            func.count(func.distinct(absent)),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(*held)
        .group_by(Meeting.cell_id),
    )
    selfchecks = await _by_cell(
        s,
        select(SelfCheck.cell_id, func.count())
        .join(Member, Member.id == SelfCheck.member_id)
        .where(
            SelfCheck.cell_id.in_(cell_ids),
            SelfCheck.period_id.in_([p for p, _ in periods]),
            SelfCheck.status == SelfCheckStatus.SUBMITTED,
            Member.status == MemberStatus.ACTIVE,
        )
        .group_by(SelfCheck.cell_id),
    )
    flags = await _by_cell(
        s,
        select(Flag.cell_id, func.count())
        .where(Flag.cell_id.in_(cell_ids), Flag.contacted_at.is_(None))
        .group_by(Flag.cell_id),
    )
    on_time = (Duty.status == DutyStatus.DONE) & (
        _local_day(dialect, Duty.done_at, zone, now) <= Duty.due_on
    )
    # Judged, as in /baocao: due in the window, or confirmed done already (on time, then)
    # although due later in the window's year.
    past_due = (Duty.due_on >= window.duties_from) & (Duty.due_on <= window.duties_to)
    done_early = (
        (Duty.status == DutyStatus.DONE)
        & (Duty.due_on > window.duties_to)
        & (Duty.due_on <= date(window.year, 12, 31))
    )
    judged = past_due | done_early
    late_open = Duty.status.in_(OPEN_DUTIES) & (Duty.due_on <= window.duties_to)
    duties = await _by_cell(
        s,
        select(
            Duty.cell_id,
            _count_if(judged),
            _count_if(judged & on_time),
            _count_if(late_open),
        )
        .where(Duty.cell_id.in_(cell_ids), judged | late_open)
        .group_by(Duty.cell_id),
    )
    registrations = {
        row.cell_id: row.outcome
        for row in await s.execute(
            select(ProgrammeRegistration.cell_id, ProgrammeRegistration.outcome).where(
                ProgrammeRegistration.cell_id.in_(cell_ids),
                ProgrammeRegistration.year == window.year,
            )
        )
    }
    figures = []
    for c in cells:
        roster, active, linked = members.get(c.id, (0, 0, 0))
        held_count, regular = meetings.get(c.id, (0, 0))
        present, marked, unexcused = attendance.get(c.id, (0, 0, 0))
        due, timely, overdue = duties.get(c.id, (0, 0, 0))
        figures.append(
            CellFigures(
                cell_id=c.id,
                name=c.name,
                code=c.code,
                group_id=c.parent_id,
                group_name=c.group_name or "",
                roster=roster,
                active=active,
                linked=linked,
                meetings_held=held_count,
                regular_held=regular,
                present=present,
                marked=marked,
                unexcused_members=unexcused,
                selfchecks_done=selfchecks.get(c.id, (0,))[0],
                selfchecks_expected=len(periods) * active,
                open_flags=flags.get(c.id, (0,))[0],
                duties_due=due,
                duties_on_time=timely,
                duties_overdue=overdue,
                registered=c.id in registrations,
                outcome=registrations.get(c.id),
            )
        )
    return Rollup(unit, window, tuple(label for _, label in periods), figures)


# --- use cases ------------------------------------------------------------------------------


def local_today(services: Services) -> date:
    return services.clock.now().astimezone(services.config.timezone).date()


async def committee_units(s: AsyncSession, actor: Actor) -> list[UnitInfo]:
    """Where the actor is committee staff or inspection (an administrator: the top units)."""
    ids = sorted({g.unit_id for g in actor.grants if g.role in COMMITTEE_ROLES})
    query = select(Unit.id, Unit.name, Unit.kind).where(Unit.kind != UnitKind.CELL)
    if ids:
        query = query.where(Unit.id.in_(ids))
    elif actor.is_admin:
        query = query.where(Unit.parent_id.is_(None))
    else:
        return []
    rows = await s.execute(query.order_by(Unit.name, Unit.id))
    return [UnitInfo(r.id, r.name, r.kind) for r in rows]


async def pick_unit(services: Services, who: Incoming) -> list[UnitInfo]:
    """The committee units the person may look at; refused for anyone without one."""
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        units = (
            await committee_units(uow.session, actor) if actor.is_active or actor.is_admin else []
        )
        if not units:
            raise Refused("rollup_not_staff")
        return units


async def view(services: Services, who: Incoming, unit_id: int) -> Rollup:
    """/tonghop for one unit this month (staff of the unit or above; counts only)."""
    today = local_today(services)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        await require(s, actor, Action.VIEW_AGGREGATE, unit_id)
        found = await collect(
            s, unit_id, month_window(today), now=services.clock.now(),
            zone=services.config.timezone,
        )  # fmt: skip
        if found is None:
            raise Refused("stale_button")
        return found


async def view_name(services: Services, unit_id: int) -> str | None:
    async with services.db.unit_of_work() as uow:
        found = await unit_info(uow.session, unit_id)
        return found.name if found else None


async def children(services: Services, who: Incoming, unit_id: int) -> list[UnitInfo]:
    """The units right below (communes of a district, ...), to drill into; cells excluded."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        await require(s, actor, Action.VIEW_AGGREGATE, unit_id)
        rows = await s.execute(
            select(Unit.id, Unit.name, Unit.kind)
            .where(Unit.parent_id == unit_id, Unit.kind != UnitKind.CELL)
            .order_by(Unit.name, Unit.id)
        )
        return [UnitInfo(r.id, r.name, r.kind) for r in rows]


async def export(services: Services, who: Incoming, unit_id: int) -> tuple[UnitInfo, bytes]:
    """«Xuất Excel»: this month's workbook of the unit."""
    today = local_today(services)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        await require(s, actor, Action.VIEW_AGGREGATE, unit_id)
    found = await _collect_range(services, unit_id, today.replace(day=1), today)
    # Built in a worker thread: a province's workbook must not hold up other chats.
    content = await asyncio.to_thread(lambda: xlsx.to_bytes(_workbook(found, None)))
    return found.unit, content


async def _collect_range(services: Services, unit_id: int, start: date, end: date) -> Rollup:
    if end < start:
        raise Refused("rollup_bad_range")
    window = range_window(start, end, local_today(services))
    async with services.db.unit_of_work() as uow:
        found = await collect(
            uow.session, unit_id, window, now=services.clock.now(),
            zone=services.config.timezone,
        )  # fmt: skip
    if found is None:
        raise Refused("unit_unknown", ref=str(unit_id))
    return found


# --- the workbook ---------------------------------------------------------------------------

Progress = Callable[[int, int], None]
HEADERS = (
    "stt", "cell", "roster", "linked", "meetings", "regular", "attendance", "unexcused",
    "sc_done", "sc_expected", "completion", "flags", "duties_due", "duties_on_time",
    "on_time", "overdue", "registered", "outcome",
)  # fmt: skip
WIDTHS = (6, 34, 10, 11, 11, 12, 11, 13, 11, 11, 11, 11, 11, 11, 11, 10, 12, 14)
PERCENT_COLUMNS = (6, 10, 14)


async def write_rollup_workbook(
    services: Services,
    unit_id: int,
    start: date,
    end: date,
    path: Path | str,
    progress: Progress | None = None,
) -> None:
    """The roll-up of every cell below the unit for [start, end] as a printable .xlsx: one
    row per cell, grouped by commune with a subtotal each, and the totals at the end."""
    found = await _collect_range(services, unit_id, start, end)
    await asyncio.to_thread(lambda: xlsx.save(_workbook(found, progress), path))


def _workbook(found: Rollup, progress: Progress | None) -> xlsx.Book:
    book = xlsx.new_workbook()
    w = found.window
    span = t(
        "rollup_xlsx_span", start=f"{w.meetings_from:%d/%m/%Y}", end=f"{w.meetings_to:%d/%m/%Y}"
    )
    title = t("rollup_xlsx_title", unit=found.unit.name, span=span)
    xlsx.add_sheet(
        book,
        t("rollup_xlsx_sheet"),
        [t(f"rollup_xlsx_h_{h}") for h in HEADERS],
        _rows(found, progress),
        widths=WIDTHS,
        formats={i: xlsx.PERCENT_FORMAT for i in PERCENT_COLUMNS},
        page_title=title,
    )
    about = [
        (t("rollup_xlsx_unit"), found.unit.name),
        (t("rollup_xlsx_from"), w.meetings_from),
        (t("rollup_xlsx_to"), w.meetings_to),
        (t("rollup_xlsx_periods"), ", ".join(found.period_labels) or "-"),
        (t("rollup_xlsx_year"), w.year),
        (t("rollup_xlsx_note"), t("rollup_xlsx_privacy")),
    ]
    xlsx.add_sheet(book, t("rollup_xlsx_about_sheet"), [t("rollup_xlsx_item"), ""], about,
                   widths=[26, 90], landscape=False, page_title=title)  # fmt: skip
    return book


def _rows(found: Rollup, progress: Progress | None) -> Iterator[list[object]]:
    grouped = len(found.groups) > 1
    total = len(found.cells)
    if progress:
        progress(0, total)
    group: list[CellFigures] = []
    for n, cell in enumerate(found.cells, start=1):
        if grouped and group and group[-1].group_id != cell.group_id:
            yield _total_row(t("rollup_xlsx_subtotal", name=group[-1].group_name), group)
            group = []
        if grouped and not group:
            yield ["", cell.group_name]
        group.append(cell)
        yield _cell_row(n, cell)
        if progress and (n % 200 == 0 or n == total):
            progress(n, total)
    if grouped and group:
        yield _total_row(t("rollup_xlsx_subtotal", name=group[-1].group_name), group)
    yield _total_row(t("rollup_xlsx_total"), found.cells)


def _cell_row(n: int, c: CellFigures) -> list[object]:
    outcome = t(f"programme_outcome_{c.outcome.value}") if c.outcome else ""
    return [
        n,
        c.name,
        c.roster,
        c.linked,
        c.meetings_held,
        _yes(c.regular_held > 0),
        c.attendance_rate,
        c.unexcused_members,
        min(c.selfchecks_done, c.selfchecks_expected),
        c.selfchecks_expected,
        c.completion,
        c.open_flags,
        c.duties_due,
        c.duties_on_time,
        c.on_time_rate,
        c.duties_overdue,
        _yes(c.registered),
        outcome,
    ]


def _yes(value: bool) -> str:
    return t("rollup_xlsx_yes" if value else "rollup_xlsx_no")


def _total_row(label: str, cells: Sequence[CellFigures]) -> list[object]:
    s = totals(cells)
    regular = sum(c.regular_held > 0 for c in cells)
    return [
        "", label, s.roster, s.linked, s.meetings_held, f"{regular}/{s.cells}", s.attendance_rate,
        s.unexcused_members, s.selfchecks_done, s.selfchecks_expected, s.completion, s.open_flags,
        s.duties_due, s.duties_on_time, s.on_time_rate, s.duties_overdue,
        f"{s.registered}/{s.cells}", "",
    ]  # fmt: skip
