"""The KT/GS model programme ("chi bộ thực hiện tốt công tác KT, GS và nói không với đảng viên
vi phạm"): cells register each year with the date of their resolution; the committee may
register on a cell's behalf; the appraising body records the outcome with a short note.

Which body appraises is a setting (`CoreConfig.appraisal_unit_kind`): the staff and the
inspection committee of the unit of that kind above the cell. The evidence shown next to the
appraisal is the cell's own figures for the year (`core.rollup`), counts only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, conversation
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, unit_path
from core.messages import Incoming
from core.policy import CELL_LEADERS, COMMITTEE_ROLES, Action, Actor, allows
from core.rollup import (
    CellFigures,
    UnitInfo,
    collect,
    committee_units,
    subtree,
    unit_info,
    year_window,
)
from core.units import cell_unit, find_unit
from core.vntext import fold
from db.models import AppraisalOutcome, ProgrammeRegistration, Unit, UnitKind

FLOW = "mohinh"
NOTE_MAX = 500
PAGE_SIZE = 8
# One letter per outcome in button payloads.
OUTCOME_CODES = {
    "r": AppraisalOutcome.REWARDED,
    "p": AppraisalOutcome.PRAISED,
    "c": AppraisalOutcome.RECOGNISED,
    "n": AppraisalOutcome.NOT_MET,
}
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass(frozen=True, slots=True)
class Registration:
    cell_id: int
    cell_name: str
    year: int
    registered: bool
    resolution_on: date | None = None
    registered_on: date | None = None
    on_behalf: bool = False
    outcome: AppraisalOutcome | None = None
    note: str | None = None
    appraised_on: date | None = None


@dataclass(frozen=True, slots=True)
class CellView:
    """A cell's registration; for the committee also the evidence and what it may do."""

    registration: Registration
    can_register: bool
    can_appraise: bool = False
    evidence: CellFigures | None = None


@dataclass(frozen=True, slots=True)
class UnitView:
    """The committee's roll-up of one year: registered / total, outcomes, one list page."""

    unit: UnitInfo
    year: int
    total: int
    registered: int
    outcomes: dict[AppraisalOutcome, int]
    listing: str  # "n": not registered, "r": registered
    page: int
    pages: int
    cells: list[Registration]


def parse_resolution(text: str, *, today: date, year: int) -> date:
    """A resolution date typed as dd/mm/yyyy: a real day, not in the future, not before the
    year preceding the programme's `year`."""
    match = _DATE.fullmatch(fold(text).strip())
    if match is None:
        raise Refused("programme_date_unreadable", text=text.strip()[:40])
    day, month, typed_year = (int(g) for g in match.groups())
    try:
        found = date(typed_year, month, day)
    except ValueError:
        raise Refused("programme_date_impossible", text=text.strip()[:40]) from None
    if found > today:
        raise Refused("programme_date_future", text=f"{found:%d/%m/%Y}")
    if found.year < year - 1:
        raise Refused("programme_date_old", text=f"{found:%d/%m/%Y}", year=year)
    return found


def local_today(services: Services) -> date:
    return services.clock.now().astimezone(services.config.timezone).date()


def _local(services: Services, instant: datetime | None) -> date | None:
    return instant.astimezone(services.config.timezone).date() if instant else None


# --- the records ----------------------------------------------------------------------------


async def registration(
    s: AsyncSession, services: Services, cell_id: int, year: int
) -> Registration:
    cell = await s.get(Unit, cell_id)
    if cell is None or cell.kind is not UnitKind.CELL:
        raise Refused("stale_button")
    row = await s.scalar(
        select(ProgrammeRegistration).where(
            ProgrammeRegistration.cell_id == cell_id, ProgrammeRegistration.year == year
        )
    )
    return _as_registration(services, cell_id, cell.name, year, row)


async def register(
    s: AsyncSession,
    now: datetime,
    cell_id: int,
    year: int,
    resolution_on: date | None,
    *,
    actor_id: int | None,
    on_behalf: bool,
) -> None:
    """Register the cell for the year (the caller commits); twice is refused."""
    found = await s.scalar(
        select(ProgrammeRegistration).where(
            ProgrammeRegistration.cell_id == cell_id, ProgrammeRegistration.year == year
        )
    )
    if found is not None:
        raise Refused("programme_already_registered", year=year)
    s.add(
        ProgrammeRegistration(
            cell_id=cell_id,
            year=year,
            resolution_on=resolution_on,
            registered_by=actor_id,
            on_behalf=on_behalf,
            registered_at=now,
        )
    )
    audit.record(
        s,
        now,
        "programme_registered",
        actor_id=actor_id,
        unit_id=cell_id,
        year=year,
        resolution_on=resolution_on.isoformat() if resolution_on else None,
        on_behalf=on_behalf,
    )


async def appraise(
    s: AsyncSession,
    now: datetime,
    cell_id: int,
    year: int,
    outcome: AppraisalOutcome,
    note: str | None,
    *,
    actor_id: int | None,
    appraising_unit_id: int | None,
) -> None:
    """Record (or change) the outcome; a cell that did not register is refused."""
    row = await s.scalar(
        select(ProgrammeRegistration).where(
            ProgrammeRegistration.cell_id == cell_id, ProgrammeRegistration.year == year
        )
    )
    if row is None:
        raise Refused("programme_not_registered", year=year)
    cleaned = " ".join((note or "").split()) or None
    if cleaned is not None and len(cleaned) > NOTE_MAX:
        raise Refused("text_too_long", limit=NOTE_MAX)
    previous = row.outcome
    row.outcome, row.outcome_note = outcome, cleaned
    row.appraised_by, row.appraising_unit_id, row.appraised_at = actor_id, appraising_unit_id, now
    audit.record(
        s,
        now,
        "programme_appraised",
        actor_id=actor_id,
        unit_id=cell_id,
        year=year,
        outcome=outcome.value,
        previous=previous.value if previous else None,
        appraising_unit=appraising_unit_id,
    )


async def appraising_unit(
    s: AsyncSession, services: Services, actor: Actor | None, cell_id: int
) -> int | None:
    """The unit on whose behalf `actor` appraises the cell (None from the CLI when the tree
    has no unit of the configured kind); anyone else is refused."""
    path = await unit_path(s, cell_id)
    kind = services.config.appraisal_unit_kind
    kinds = dict((await s.execute(select(Unit.id, Unit.kind).where(Unit.id.in_(path)))).all())
    candidates = [u for u in reversed(path[:-1]) if kinds.get(u) is kind]
    if actor is None or actor.is_admin:
        return candidates[0] if candidates else None
    if not allows(actor, Action.APPRAISE, path):
        raise Refused("not_allowed")
    for unit_id in candidates:
        if actor.roles_at(unit_id) & COMMITTEE_ROLES:
            return unit_id
    raise Refused("programme_not_appraiser", body=_kind_name(kind))


def _kind_name(kind: UnitKind) -> str:
    from core.texts import t

    return t(f"programme_kind_{kind.value}")


async def may_appraise(s: AsyncSession, services: Services, actor: Actor, cell_id: int) -> bool:
    try:
        await appraising_unit(s, services, actor, cell_id)
    except Refused:
        return False
    return True


# --- use cases from the chat ----------------------------------------------------------------


async def _actor(services: Services, s: AsyncSession, who: Incoming) -> Actor:
    return await load_actor(s, services.config, who.channel, who.sender_id)


async def start(services: Services, who: Incoming, year: int) -> list[UnitInfo] | CellView:
    """/mohinh: committee staff get their units; a secretary or deputy their cell's view."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        units = await committee_units(s, actor) if actor.is_active or actor.is_admin else []
        if units:
            return units
        cell_id = actor.cell_id
        if cell_id is None or not actor.is_active or not actor.roles_at(cell_id) & CELL_LEADERS:
            raise Refused("programme_not_allowed")
        reg = await registration(s, services, cell_id, year)
        return CellView(reg, can_register=not reg.registered)


async def unit_view(
    services: Services, who: Incoming, unit_id: int, year: int, listing: str = "n", page: int = 0
) -> UnitView:
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        await require(s, actor, Action.VIEW_AGGREGATE, unit_id)
        return await _unit_view(s, services, unit_id, year, listing, page)


async def _unit_view(
    s: AsyncSession, services: Services, unit_id: int, year: int, listing: str, page: int
) -> UnitView:
    unit = await unit_info(s, unit_id)
    if unit is None:
        raise Refused("stale_button")
    tree = subtree(unit_id)
    cells = select(Unit.id).where(Unit.id.in_(select(tree.c.id)), Unit.kind == UnitKind.CELL)
    total = await s.scalar(select(func.count()).select_from(cells.subquery())) or 0
    joined = (
        select(Unit.id, Unit.name, ProgrammeRegistration)
        .outerjoin(
            ProgrammeRegistration,
            (ProgrammeRegistration.cell_id == Unit.id) & (ProgrammeRegistration.year == year),
        )
        .where(Unit.id.in_(cells))
    )
    outcomes: dict[AppraisalOutcome, int] = {}
    registered = 0
    for outcome, n in await s.execute(
        select(ProgrammeRegistration.outcome, func.count())
        .where(ProgrammeRegistration.cell_id.in_(cells), ProgrammeRegistration.year == year)
        .group_by(ProgrammeRegistration.outcome)
    ):
        registered += n
        if outcome is not None:
            outcomes[outcome] = n
    registered_only = listing == "r"
    wanted = (
        ProgrammeRegistration.id.is_not(None)
        if registered_only
        else (ProgrammeRegistration.id.is_(None))
    )
    count = registered if listing == "r" else total - registered
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await s.execute(
        joined.where(wanted).order_by(Unit.name, Unit.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    )
    shown = [_as_registration(services, r.id, r.name, year, r.ProgrammeRegistration) for r in rows]
    return UnitView(unit, year, total, registered, outcomes, listing, page, pages, shown)


def _as_registration(
    services: Services, cell_id: int, name: str, year: int, row: ProgrammeRegistration | None
) -> Registration:
    if row is None:
        return Registration(cell_id, name, year, False)
    return Registration(
        cell_id,
        name,
        year,
        True,
        row.resolution_on,
        _local(services, row.registered_at),
        row.on_behalf,
        row.outcome,
        row.outcome_note,
        _local(services, row.appraised_at),
    )


async def cell_card(services: Services, who: Incoming, cell_id: int, year: int) -> CellView:
    """A committee member looks at one cell: registration, evidence for the year, actions."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        await require(s, actor, Action.VIEW_AGGREGATE, cell_id)
        reg = await registration(s, services, cell_id, year)
        path = await unit_path(s, cell_id)
        evidence = await collect(
            s,
            cell_id,
            year_window(year, local_today(services)),
            now=services.clock.now(),
            zone=services.config.timezone,
        )
        return CellView(
            reg,
            can_register=not reg.registered and allows(actor, Action.REGISTER_PROGRAMME, path),
            can_appraise=reg.registered and await may_appraise(s, services, actor, cell_id),
            evidence=evidence.cells[0] if evidence and evidence.cells else None,
        )


async def cell_name(services: Services, cell_id: int) -> str:
    async with services.db.unit_of_work() as uow:
        return (await unit_info(uow.session, cell_id) or UnitInfo(0, "", UnitKind.CELL)).name


async def ask_resolution(services: Services, who: Incoming, cell_id: int, year: int) -> bool:
    """«Đăng ký»: wait for the resolution date; True when registering on the cell's behalf."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        await require(s, actor, Action.REGISTER_PROGRAMME, cell_id)
        reg = await registration(s, services, cell_id, year)
        if reg.registered:
            raise Refused("programme_already_registered", year=year)
        on_behalf = not actor.roles_at(cell_id) & CELL_LEADERS
        data = {"cell": cell_id, "year": year, "on_behalf": on_behalf}
        state = conversation.State(FLOW, "resolution", data)
        await conversation.enter(s, now, actor.member_id or 0, who.channel, state)
        await uow.commit()
        return on_behalf


async def ask_note(
    services: Services, who: Incoming, cell_id: int, year: int, outcome: AppraisalOutcome
) -> Registration:
    """An outcome was chosen: wait for the short note."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        await appraising_unit(s, services, actor, cell_id)
        reg = await registration(s, services, cell_id, year)
        if not reg.registered:
            raise Refused("programme_not_registered", year=year)
        data = {"cell": cell_id, "year": year, "outcome": outcome.value}
        state = conversation.State(FLOW, "note", data)
        await conversation.enter(s, now, actor.member_id or 0, who.channel, state)
        await uow.commit()
        return reg


async def check_appraiser(
    services: Services, who: Incoming, cell_id: int, year: int
) -> Registration:
    """«Thẩm định»: only the appraising body, only a registered cell."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        await appraising_unit(s, services, actor, cell_id)
        reg = await registration(s, services, cell_id, year)
        if not reg.registered:
            raise Refused("programme_not_registered", year=year)
        return reg


@dataclass(frozen=True, slots=True)
class Done:
    """What a typed answer (or «Bỏ qua») finished."""

    step: str  # "resolution" or "note"
    registration: Registration


async def answer(services: Services, who: Incoming, text: str | None) -> Done:
    """The typed resolution date or note; None: «Bỏ qua» (no date, no note)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _actor(services, s, who)
        member_id = actor.member_id or 0
        state = await conversation.current(s, member_id, who.channel)
        if state is None or state.flow != FLOW:
            raise Refused("nothing_to_continue")
        cell_id, year = int(state.data["cell"]), int(state.data["year"])
        if state.step == "resolution":
            on_behalf = bool(state.data.get("on_behalf"))
            if text is None and not on_behalf:
                raise Refused("programme_date_needed")
            day = parse_resolution(text, today=local_today(services), year=year) if text else None
            await require(s, actor, Action.REGISTER_PROGRAMME, cell_id)
            await register(
                s, now, cell_id, year, day, actor_id=actor.member_id, on_behalf=on_behalf
            )
        else:
            if text is not None and len(" ".join(text.split())) > NOTE_MAX:
                raise Refused("text_too_long", limit=NOTE_MAX)
            unit_id = await appraising_unit(s, services, actor, cell_id)
            outcome = AppraisalOutcome(state.data["outcome"])
            await appraise(
                s, now, cell_id, year, outcome, text,
                actor_id=actor.member_id, appraising_unit_id=unit_id,
            )  # fmt: skip
        await conversation.leave(s, member_id, who.channel)
        await uow.commit()
        return Done(state.step, await registration(s, services, cell_id, year))


# --- the CLI --------------------------------------------------------------------------------


async def register_cli(services: Services, cell_ref: str, year: int, resolution: str) -> str:
    """`chibo programme register`: on the cell's behalf, by the operator. The cell's name."""
    now = services.clock.now()
    day = parse_resolution(resolution, today=local_today(services), year=year)
    async with services.db.unit_of_work() as uow:
        cell = await cell_unit(uow.session, cell_ref)
        await register(uow.session, now, cell.id, year, day, actor_id=None, on_behalf=True)
        await uow.commit()
        return cell.name


async def appraise_cli(
    services: Services, cell_ref: str, year: int, outcome: AppraisalOutcome, note: str | None
) -> str:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell = await cell_unit(s, cell_ref)
        unit_id = await appraising_unit(s, services, None, cell.id)
        await appraise(s, now, cell.id, year, outcome, note, actor_id=None,
                       appraising_unit_id=unit_id)  # fmt: skip
        await uow.commit()
        return cell.name


@dataclass(frozen=True, slots=True)
class Table:
    unit: UnitInfo
    year: int
    rows: list[Registration]

    @property
    def registered(self) -> int:
        return sum(r.registered for r in self.rows)


async def table(services: Services, unit_ref: str, year: int) -> Table:
    """`chibo programme list`: every cell below the unit with its registration and outcome."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        unit = await find_unit(s, unit_ref)
        tree = subtree(unit.id)
        cells = select(Unit.id).where(Unit.id.in_(select(tree.c.id)), Unit.kind == UnitKind.CELL)
        rows = await s.execute(
            select(Unit.id, Unit.name, ProgrammeRegistration)
            .outerjoin(
                ProgrammeRegistration,
                (ProgrammeRegistration.cell_id == Unit.id) & (ProgrammeRegistration.year == year),
            )
            .where(Unit.id.in_(cells))
            .order_by(Unit.name, Unit.id)
        )
        found = [_as_registration(services, r.id, r.name, year, r.ProgrammeRegistration)
                 for r in rows]  # fmt: skip
        return Table(UnitInfo(unit.id, unit.name, unit.kind), year, found)
