"""Inviting people: the cell's shared code and one-time codes for roster members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, invites
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.invites import InviteView, join_link
from core.members import Activation, RosterEntry, load_roster
from core.messages import Incoming
from core.policy import Action
from core.roster_queries import cell_name
from core.units import cell_unit
from db.models import Invite, Member, Role

PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class InvitablePage:
    entries: list[RosterEntry]
    page: int
    pages: int


async def _view(s: AsyncSession, services: Services, invite: Invite) -> InviteView:
    member = await s.get(Member, invite.member_id) if invite.member_id else None
    return InviteView(
        code=invite.code,
        cell_name=await cell_name(s, invite.unit_id),
        member_name=member.full_name if member else None,
        expires_at=invite.expires_at,
        link=join_link(services.config, invite.code),
    )


async def cell_invite(services: Services, who: Incoming) -> InviteView:
    """`/moi`: the cell's shared code (reused while it stays valid long enough)."""
    now, valid_for = services.clock.now(), services.config.invite_valid_for
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        await require(s, actor, Action.INVITE, cell_id)
        invite = await invites.reusable_cell_invite(
            s, now=now, unit_id=cell_id, valid_for=valid_for
        )
        if invite is None:
            invite = await invites.create_invite(
                s, now=now, unit_id=cell_id, valid_for=valid_for, created_by_id=actor.member_id
            )
            audit.record(s, now, "invite_created", actor_id=actor.member_id, unit_id=cell_id)
        view = await _view(s, services, invite)
        await uow.commit()
        return view


async def invitable(services: Services, who: Incoming, page: int) -> InvitablePage:
    """Roster members who have not linked a messenger yet, a page at a time."""
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        await require(uow.session, actor, Action.INVITE, cell_id)
        waiting = (await load_roster(uow.session, cell_id)).having(Activation.NOT_ACTIVATED)
    pages = max(1, -(-len(waiting) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return InvitablePage(waiting[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages)


async def member_invite(services: Services, who: Incoming, member_id: int) -> InviteView:
    """A one-time code for one roster member, made by their secretary."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        member = await s.get(Member, member_id)
        if member is None:
            raise Refused("member_unknown", ref=str(member_id))
        await require(s, actor, Action.INVITE, member.cell_id)
        if member.accounts:
            raise Refused("member_already_active", name=member.full_name)
        invite = await invites.create_invite(
            s,
            now=now,
            unit_id=member.cell_id,
            member_id=member.id,
            valid_for=services.config.invite_valid_for,
            created_by_id=actor.member_id,
        )
        audit.record(
            s,
            now,
            "invite_created",
            actor_id=actor.member_id,
            target_id=member.id,
            unit_id=member.cell_id,
        )
        view = await _view(s, services, invite)
        await uow.commit()
        return view


async def operator_invite(
    services: Services,
    *,
    cell_ref: str,
    member_id: int | None,
    role: Role,
    days: int,
    uses: int | None,
) -> InviteView:
    """`chibo invite`: the operator makes a code for a cell or one member."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell = await cell_unit(s, cell_ref)
        if member_id is not None:
            member = await s.get(Member, member_id)
            if member is None or member.cell_id != cell.id:
                raise Refused("member_unknown", ref=str(member_id))
        invite = await invites.create_invite(
            s,
            now=now,
            unit_id=cell.id,
            member_id=member_id,
            role=role,
            uses=uses,
            valid_for=timedelta(days=days),
        )
        audit.record(s, now, "invite_created", target_id=member_id, unit_id=cell.id, by="cli")
        view = await _view(s, services, invite)
        await uow.commit()
        return view
