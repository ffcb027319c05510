"""KT/GS duties: the items of a cell's yearly plan (`DutyPlan`), made and listed.

A duty is carried out by one or more members of the cell. It is overdue from the day after
its due date until the secretary confirms it done. Reports and decisions: `core.duty_reports`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member, unit_path
from core.messages import Button, Incoming, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.policy import Action, Actor, allows
from core.texts import t
from core.units import cell_unit
from db.models import Duty, DutyAssignee, DutyKind, DutyStatus, Member, MemberStatus

TITLE_MAX, CONCERNS_MAX = 200, 200
OPEN = (DutyStatus.OPEN, DutyStatus.REPORTED, DutyStatus.RETURNED)
ON_ROSTER = (MemberStatus.ACTIVE, MemberStatus.INVITED)  # may be assigned
LIST_MAX = 20  # items in one answer: a phone screen
SHOW = "dut"  # dut:<duty>: the button that shows one duty (in lists and reminders)


@dataclass(frozen=True, slots=True)
class Draft:
    kind: DutyKind
    title: str
    concerns: str | None
    assignees: tuple[int, ...]
    starts_on: date
    due_on: date


@dataclass(frozen=True, slots=True)
class DutyView:
    id: int
    kind: DutyKind
    title: str
    concerns: str | None
    starts_on: date
    due_on: date
    status: DutyStatus
    assignees: tuple[str, ...]
    overdue: bool
    mine: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """`/nhiemvu`: my duties; for the secretary and deputy also the cell's open ones."""

    mine: list[DutyView]
    cell: list[DutyView] | None  # None: not a leader


def check(draft: Draft) -> None:
    """Raise `Refused` for a draft that cannot become a duty."""
    if not draft.title.strip() or len(draft.title) > TITLE_MAX:
        raise Refused("text_too_long", limit=TITLE_MAX)
    if draft.concerns is not None and len(draft.concerns) > CONCERNS_MAX:
        raise Refused("text_too_long", limit=CONCERNS_MAX)
    if not draft.assignees:
        raise Refused("duty_no_assignee")
    if draft.due_on < draft.starts_on:
        raise Refused("duty_due_before_start")


def local_today(services: Services) -> date:
    return services.clock.now().astimezone(services.config.timezone).date()


async def roster(s: AsyncSession, cell_id: int) -> dict[int, str]:
    """Members who may be given a duty, by id (roster order)."""
    rows = await s.execute(
        select(Member.id, Member.full_name)
        .where(Member.cell_id == cell_id, Member.status.in_(ON_ROSTER))
        .order_by(Member.id)
    )
    return {member_id: name for member_id, name in rows}


async def add(
    s: AsyncSession, now: datetime, cell_id: int, draft: Draft, actor_id: int | None
) -> Duty:
    """Insert one checked duty of the cell (the caller commits) and audit it."""
    check(draft)
    members = await roster(s, cell_id)
    if any(m not in members for m in draft.assignees):
        raise Refused("duty_assignee_unknown")
    duty = Duty(
        cell_id=cell_id,
        year=draft.starts_on.year,
        kind=draft.kind,
        title=draft.title,
        concerns=draft.concerns or None,
        starts_on=draft.starts_on,
        due_on=draft.due_on,
        status=DutyStatus.OPEN,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    s.add(duty)
    await s.flush()
    s.add_all(DutyAssignee(duty_id=duty.id, member_id=m) for m in sorted(set(draft.assignees)))
    audit.record(
        s,
        now,
        "duty_created",
        actor_id=actor_id,
        unit_id=cell_id,
        duty=duty.id,
        assignees=sorted(set(draft.assignees)),
    )
    return duty


async def leader(services: Services, s: AsyncSession, who: Incoming) -> Actor:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    await require(s, actor, Action.MANAGE_DUTIES, require_member(actor))
    return actor


async def create(services: Services, who: Incoming, draft: Draft) -> DutyView:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        actor = await leader(services, uow.session, who)
        duty = await add(uow.session, now, actor.cell_id or 0, draft, actor.member_id)
        await tell_assignees(uow.session, services, now, duty, draft.assignees)
        await uow.commit()
        views = await views_of(uow.session, [duty], local_today(services))
        return views[0]


async def import_duties(services: Services, cell_ref: str, drafts: Sequence[Draft]) -> int:
    """The CLI import: every draft of a file in one transaction (all or nothing)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        cell = await cell_unit(uow.session, cell_ref)
        for draft in drafts:
            duty = await add(uow.session, now, cell.id, draft, None)
            await tell_assignees(uow.session, services, now, duty, draft.assignees)
        await uow.commit()
        return len(drafts)


async def tell_assignees(
    s: AsyncSession, services: Services, now: datetime, duty: Duty, members: Sequence[int]
) -> None:
    """The assignees learn of a new duty (the reminders come later)."""
    text = t(
        "duty_assigned_notice",
        kind=t(f"duty_kind_{duty.kind.value}"),
        title=duty.title,
        due=f"{duty.due_on:%d/%m/%Y}",
    )
    reply = Reply(text, buttons([Button(t("duty_btn_show"), encode(SHOW, duty.id))]))
    messages = [
        Message(
            key=f"duty:new:{duty.id}:{m}", kind="duty", reply=reply, member_id=m, not_before=now
        )
        for m in sorted(set(members))
    ]
    await enqueue(s, services, now, messages)


async def views_of(
    s: AsyncSession, duties: Sequence[Duty], today: date, me: int | None = None
) -> list[DutyView]:
    ids = [d.id for d in duties]
    rows = await s.execute(
        select(DutyAssignee.duty_id, DutyAssignee.member_id, Member.full_name)
        .join(Member, Member.id == DutyAssignee.member_id)
        .where(DutyAssignee.duty_id.in_(ids))
        .order_by(DutyAssignee.id)
    )
    names: dict[int, list[str]] = {}
    mine: set[int] = set()
    for duty_id, member_id, name in rows:
        names.setdefault(duty_id, []).append(name)
        if member_id == me:
            mine.add(duty_id)
    return [
        DutyView(
            d.id,
            d.kind,
            d.title,
            d.concerns,
            d.starts_on,
            d.due_on,
            d.status,
            tuple(names.get(d.id, ())),
            is_overdue(d, today),
            d.id in mine,
        )
        for d in duties
    ]


def is_overdue(duty: Duty, today: date) -> bool:
    return duty.status is not DutyStatus.DONE and duty.due_on < today


async def listing(services: Services, who: Incoming) -> Listing:
    today = local_today(services)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        assigned = select(DutyAssignee.duty_id).where(DutyAssignee.member_id == actor.member_id)
        own = list(
            await s.scalars(
                select(Duty)
                .where(Duty.id.in_(assigned), Duty.status.in_(OPEN) | (Duty.year == today.year))
                .order_by(Duty.status == DutyStatus.DONE, Duty.due_on, Duty.id)
                .limit(LIST_MAX)
            )
        )
        mine = await views_of(s, own, today, actor.member_id)
        if not allows(actor, Action.MANAGE_DUTIES, await unit_path(s, cell_id)):
            return Listing(mine, None)
        open_ = list(
            await s.scalars(
                select(Duty)
                .where(Duty.cell_id == cell_id, Duty.status.in_(OPEN))
                .order_by(Duty.due_on, Duty.id)
            )
        )
        open_.sort(key=lambda d: (not is_overdue(d, today), d.due_on, d.id))
        return Listing(mine, await views_of(s, open_[:LIST_MAX], today, actor.member_id))


async def overdue_count(s: AsyncSession, cell_id: int, today: date) -> int:
    """Open duties past their due date: for the secretary's status view."""
    rows = await s.scalars(
        select(Duty.id).where(Duty.cell_id == cell_id, Duty.status.in_(OPEN), Duty.due_on < today)
    )
    return len(list(rows))
