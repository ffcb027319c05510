"""Joining the cell: invite codes, confirming identity, approving join requests.

State changes that two people could race for (using the last use of a code, deciding a
request) are single conditional UPDATEs, so exactly one of them wins on either engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, conversation, invites
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require
from core.messages import Address, Incoming
from core.policy import Action, Actor
from core.roster import name_problem
from core.roster_queries import cell_name, leader_addresses, member_addresses
from core.vntext import fold, normalize_name
from db.models import (
    ChannelAccount,
    Invite,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Role,
)

JOIN_FLOW = "join"
NAME_STEP = "name"
NAME_MIN, NAME_MAX = 4, 100


@dataclass(frozen=True, slots=True)
class Greeting:
    """`/start` without a code: who the bot thinks this person is."""

    actor: Actor
    cell_name: str


@dataclass(frozen=True, slots=True)
class ConfirmIdentity:
    code: str
    member_name: str
    cell_name: str


@dataclass(frozen=True, slots=True)
class AskName:
    cell_name: str


@dataclass(frozen=True, slots=True)
class Joined:
    actor: Actor
    cell_name: str


@dataclass(frozen=True, slots=True)
class JoinRequested:
    member_id: int
    member_name: str
    cell_name: str
    leaders: list[Address]
    role: Role  # what the shared code grants (usually plain member)
    roster_match: bool  # an unlinked roster entry has the same name: approval links to it


@dataclass(frozen=True, slots=True)
class Decided:
    approved: bool
    member_name: str
    member_chats: list[Address]
    member_actor: Actor | None


async def greet(services: Services, who: Incoming) -> Greeting:
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        name = await cell_name(uow.session, actor.cell_id) if actor.cell_id else ""
        return Greeting(actor, name)


async def use_code(services: Services, who: Incoming, code: str) -> ConfirmIdentity | AskName:
    """`/start CODE`: check the code and start the matching join flow."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        if actor.status is MemberStatus.PENDING:
            raise Refused("pending_approval")
        if actor.member_id is not None:
            raise Refused("already_linked", name=actor.full_name)
        await invites.check_throttle(s, services.config, now, who.channel, who.sender_id)
        try:
            invite = await invites.usable_invite(s, now, code)
        except Refused:
            invites.note_attempt(s, now, who.channel, who.sender_id, ok=False)
            await uow.commit()
            raise
        invites.note_attempt(s, now, who.channel, who.sender_id, ok=True)
        cell = await cell_name(s, invite.unit_id)
        if invite.member_id is not None:
            member = await s.get(Member, invite.member_id)
            assert member is not None
            await uow.commit()
            return ConfirmIdentity(invite.code, member.full_name, cell)
        await _request_to_join(s, now, invite, who)
        await uow.commit()
        return AskName(cell)


async def confirm_identity(services: Services, who: Incoming, code: str) -> Joined:
    """The person pressed "that's me" on a one-time member invite."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        if actor.member_id is not None:
            raise Refused("already_linked", name=actor.full_name)
        # The code comes back in the button's payload, which a modified client can forge:
        # the same throttle as a typed code.
        await invites.check_throttle(s, services.config, now, who.channel, who.sender_id)
        try:
            invite = await invites.usable_invite(s, now, code)
            member = await s.get(Member, invite.member_id) if invite.member_id else None
            if member is None:
                raise Refused("code_unknown")
        except Refused:
            invites.note_attempt(s, now, who.channel, who.sender_id, ok=False)
            await uow.commit()
            raise
        if any(a.channel == who.channel for a in member.accounts):
            raise Refused("code_used")
        await invites.consume(s, invite.id)
        _link(s, member, who, now)
        if invite.role is not Role.MEMBER:
            _grant(member, invite.unit_id, invite.role)
        member.status, member.updated_at = MemberStatus.ACTIVE, now
        audit.record(s, now, "joined", actor_id=member.id, unit_id=member.cell_id)
        try:
            await uow.commit()
        except IntegrityError as exc:  # the same person tapped twice, or a race on the code
            raise Refused("code_used") from exc
        joined = await load_actor(s, services.config, who.channel, who.sender_id)
        return Joined(joined, await cell_name(s, member.cell_id))


async def submit_name(services: Services, who: Incoming, text: str) -> JoinRequested:
    """A person who joined with a cell code typed their full name."""
    now = services.clock.now()
    name = normalize_name(text)
    if name_problem(name) is not None or not NAME_MIN <= len(name) <= NAME_MAX:
        raise Refused("name_invalid")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member = await _account_member(s, who)
        if member is None or member.status is not MemberStatus.PENDING:
            raise Refused("nothing_to_continue")
        member.full_name, member.updated_at = name, now
        await conversation.leave(s, member.id, who.channel)
        match = await _roster_match(s, member)
        role = next((r.role for r in member.roles), Role.MEMBER)
        leaders = await leader_addresses(s, member.cell_id)
        cell = await cell_name(s, member.cell_id)
        await uow.commit()
        return JoinRequested(member.id, name, cell, leaders, role, match is not None)


async def decide(services: Services, who: Incoming, member_id: int, approve: bool) -> Decided:
    """A secretary approves or turns down a pending join request (exactly once)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        member = await s.get(Member, member_id)
        if member is None:
            raise Refused("already_decided")
        await require(s, actor, Action.APPROVE_MEMBER, member.cell_id)
        if member.status is MemberStatus.PENDING and await _still_typing_name(s, member):
            raise Refused("request_incomplete", name=member.full_name)
        target = MemberStatus.ACTIVE if approve else MemberStatus.LEFT
        await _transition(s, member.id, target, now)
        chats = await member_addresses(s, member.id)
        action = "join_approved" if approve else "join_rejected"
        audit.record(
            s, now, action, actor_id=actor.member_id, target_id=member.id, unit_id=member.cell_id
        )
        kept = await _merge_into_roster(s, member, now) if approve else member
        if not approve:
            member.accounts.clear()
            member.roles.clear()
        await uow.commit()
        member_actor = None
        if approve and chats:
            account = kept.accounts[0]
            member_actor = await load_actor(
                s, services.config, account.channel, account.external_id
            )
        return Decided(approve, kept.full_name, chats, member_actor)


async def cancel(services: Services, who: Incoming) -> bool:
    """`/huy`: leave the current step; a join request not yet decided is withdrawn."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member = await _account_member(s, who)
        if member is None:
            return False
        state = await conversation.current(s, member.id, who.channel)
        had_flow = await conversation.leave(s, member.id, who.channel)
        if member.status is MemberStatus.PENDING:
            invite_id = state.data.get("invite") if state else None
            if isinstance(invite_id, int):
                await invites.give_back(s, invite_id)
            await _transition(s, member.id, MemberStatus.LEFT, now)
            member.accounts.clear()
            member.roles.clear()
            audit.record(s, now, "join_withdrawn", target_id=member.id, unit_id=member.cell_id)
            had_flow = True
        await uow.commit()
        return had_flow


async def waiting_flow(services: Services, who: Incoming) -> str | None:
    """The flow that is waiting for this person's free text, if any."""
    async with services.db.unit_of_work() as uow:
        member = await _account_member(uow.session, who)
        if member is None:
            return None
        state = await conversation.current(uow.session, member.id, who.channel)
        return state.flow if state else None


async def _transition(s: AsyncSession, member_id: int, to: MemberStatus, now: datetime) -> None:
    """pending → `to`, or a refusal when someone else already decided."""
    result = await s.execute(
        update(Member)
        .where(Member.id == member_id, Member.status == MemberStatus.PENDING)
        .values(status=to, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Refused("already_decided")


async def _still_typing_name(s: AsyncSession, member: Member) -> bool:
    for account in member.accounts:
        state = await conversation.current(s, member.id, account.channel)
        if state is not None and state.flow == JOIN_FLOW:
            return True
    return False


async def _roster_match(s: AsyncSession, pending: Member) -> Member | None:
    """An unlinked roster entry of the same cell with the same name (the same person)."""
    candidates = await s.scalars(
        select(Member).where(
            Member.cell_id == pending.cell_id,
            Member.status == MemberStatus.INVITED,
            Member.id != pending.id,
        )
    )
    wanted = fold(pending.full_name)
    return next((m for m in candidates if fold(m.full_name) == wanted and not m.accounts), None)


async def _merge_into_roster(s: AsyncSession, pending: Member, now: datetime) -> Member:
    """On approval, someone already on the roster keeps their row; the request row is closed."""
    match = await _roster_match(s, pending)
    if match is None:
        return pending
    for account in list(pending.accounts):
        pending.accounts.remove(account)
        match.accounts.append(account)
    for role in list(pending.roles):
        _grant(match, role.unit_id, role.role)
    pending.roles.clear()
    pending.status, pending.updated_at = MemberStatus.LEFT, now
    match.status, match.updated_at = MemberStatus.ACTIVE, now
    await s.flush()
    return match


async def _account_member(s: AsyncSession, who: Incoming) -> Member | None:
    return await s.scalar(
        select(Member)
        .join(ChannelAccount, ChannelAccount.member_id == Member.id)
        .where(ChannelAccount.channel == who.channel, ChannelAccount.external_id == who.sender_id)
    )


async def _request_to_join(s: AsyncSession, now: datetime, invite: Invite, who: Incoming) -> None:
    await invites.consume(s, invite.id)
    member = Member(
        cell_id=invite.unit_id,
        full_name=normalize_name(who.sender_name)[:NAME_MAX] or "?",
        status=MemberStatus.PENDING,
        membership=Membership.FULL,
        created_at=now,
        updated_at=now,
        roles=[],
        accounts=[],
    )
    s.add(member)
    await s.flush()
    _link(s, member, who, now)
    if invite.role is not Role.MEMBER:
        _grant(member, invite.unit_id, invite.role)
    state = conversation.State(JOIN_FLOW, NAME_STEP, {"invite": invite.id})
    await conversation.enter(s, now, member.id, who.channel, state)
    audit.record(s, now, "join_requested", target_id=member.id, unit_id=invite.unit_id)


def _grant(member: Member, unit_id: int, role: Role) -> None:
    if not any(r.unit_id == unit_id and r.role is role for r in member.roles):
        member.roles.append(MemberRole(unit_id=unit_id, role=role))


def _link(s: AsyncSession, member: Member, who: Incoming, now: datetime) -> None:
    account = ChannelAccount(
        channel=who.channel,
        external_id=who.sender_id,
        chat_id=who.chat_id,
        display_name=who.sender_name[:120] or None,
        linked_at=now,
    )
    member.accounts.append(account)
