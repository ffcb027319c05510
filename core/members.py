"""The cell's roster: importing it, listing it with activation state, granting roles."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.messages import Incoming
from core.policy import Action
from core.roster import RosterRow
from core.roster_queries import cell_name
from core.units import cell_unit, find_unit
from core.vntext import fold
from db.models import (
    Conversation,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Role,
)


class Activation(enum.StrEnum):
    PENDING = "pending"  # asked to join, waits for approval
    JOINING = "joining"  # used the cell code, has not typed their name yet
    NOT_ACTIVATED = "not_activated"  # chưa kích hoạt
    ACTIVATED = "activated"  # đã kích hoạt
    BLOCKED = "blocked"  # đã chặn bot on every channel


@dataclass(frozen=True, slots=True)
class RosterEntry:
    member_id: int
    full_name: str
    roles: frozenset[Role]
    activation: Activation


@dataclass(frozen=True, slots=True)
class Roster:
    cell_id: int
    cell_name: str
    entries: list[RosterEntry]

    def having(self, activation: Activation) -> list[RosterEntry]:
        return [e for e in self.entries if e.activation is activation]


def activation_of(member: Member, joining: set[int]) -> Activation:
    if member.status is MemberStatus.PENDING:
        return Activation.JOINING if member.id in joining else Activation.PENDING
    if not member.accounts:
        return Activation.NOT_ACTIVATED
    if all(a.blocked_at is not None for a in member.accounts):
        return Activation.BLOCKED
    return Activation.ACTIVATED


async def load_roster(session: AsyncSession, cell_id: int) -> Roster:
    members = await session.scalars(
        select(Member)
        .where(Member.cell_id == cell_id, Member.status != MemberStatus.LEFT)
        .order_by(Member.id)
    )
    joining = set(
        await session.scalars(
            select(Conversation.member_id)
            .join(Member, Member.id == Conversation.member_id)
            .where(Member.cell_id == cell_id, Member.status == MemberStatus.PENDING)
        )
    )
    entries = [
        RosterEntry(
            m.id,
            m.full_name,
            frozenset(r.role for r in m.roles if r.unit_id == cell_id),
            activation_of(m, joining),
        )
        for m in members
    ]
    return Roster(cell_id, await cell_name(session, cell_id), entries)


async def roster_for(services: Services, who: Incoming) -> Roster:
    """`/dangvien`: the secretary's view of the cell's members."""
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        await require(uow.session, actor, Action.VIEW_ROSTER, cell_id)
        return await load_roster(uow.session, cell_id)


async def roster_of_cell(services: Services, cell_ref: str) -> Roster:
    """The CLI's view (the operator has the database, so no policy check)."""
    async with services.db.unit_of_work() as uow:
        unit = await find_unit(uow.session, cell_ref)
        return await load_roster(uow.session, unit.id)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    added: int
    already_there: int


async def import_rows(
    services: Services, cell_ref: str, rows: Sequence[RosterRow]
) -> ImportSummary:
    """Add roster rows to a cell in one transaction; people already on it are left alone.

    The same person as in the file check: a matching phone, or a matching name where one side
    has no phone. A phone the file adds to a known person is filled in.
    """
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell = await cell_unit(s, cell_ref)
        known = list(
            await s.scalars(
                select(Member).where(Member.cell_id == cell.id, Member.status != MemberStatus.LEFT)
            )
        )
        by_phone = {m.phone: m for m in known if m.phone}
        by_name: dict[str, list[Member]] = {}
        for m in known:
            by_name.setdefault(fold(m.full_name), []).append(m)
        added = 0
        for row in rows:
            same = _same_person(row, by_phone, by_name)
            if same is not None:
                if same.phone is None and row.phone:
                    same.phone, same.updated_at = row.phone, now
                    by_phone[row.phone] = same
                continue
            member = Member(
                cell_id=cell.id,
                full_name=row.full_name,
                phone=row.phone,
                status=MemberStatus.INVITED,
                membership=Membership(row.membership),
                created_at=now,
                updated_at=now,
                roles=[],
                accounts=[],
            )
            if row.role != "member":
                member.roles.append(MemberRole(unit_id=cell.id, role=Role(row.role)))
            s.add(member)
            by_name.setdefault(fold(row.full_name), []).append(member)
            if row.phone:
                by_phone[row.phone] = member
            added += 1
        audit.record(s, now, "roster_imported", unit_id=cell.id, added=added)
        await uow.commit()
        return ImportSummary(added, len(rows) - added)


def _same_person(
    row: RosterRow, by_phone: dict[str, Member], by_name: dict[str, list[Member]]
) -> Member | None:
    if row.phone and row.phone in by_phone:
        return by_phone[row.phone]
    for member in by_name.get(fold(row.full_name), []):
        if member.phone is None or row.phone is None:
            return member
    return None


async def grant_role(services: Services, member_id: int, unit_ref: str, role: Role) -> None:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        unit = await find_unit(s, unit_ref)
        member = await s.get(Member, member_id)
        if member is None:
            raise Refused("member_unknown", ref=str(member_id))
        if not any(r.unit_id == unit.id and r.role is role for r in member.roles):
            member.roles.append(MemberRole(unit_id=unit.id, role=role))
        audit.record(s, now, "role_granted", target_id=member.id, unit_id=unit.id, role=role.value)
        await uow.commit()
