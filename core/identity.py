"""Who is talking: turn a messenger account into an `Actor`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import CoreConfig
from core.errors import Refused
from core.policy import Action, Actor, Grant, allows
from db.models import ChannelAccount, Member, MemberStatus, Unit


async def load_actor(
    session: AsyncSession, config: CoreConfig, channel: str, external_id: str
) -> Actor:
    is_admin = (channel, external_id) in config.admin_accounts
    member = await session.scalar(
        select(Member)
        .join(ChannelAccount, ChannelAccount.member_id == Member.id)
        .where(ChannelAccount.channel == channel, ChannelAccount.external_id == external_id)
    )
    if member is None:
        return Actor(channel=channel, external_id=external_id, is_admin=is_admin)
    return Actor(
        channel=channel,
        external_id=external_id,
        member_id=member.id,
        full_name=member.full_name,
        cell_id=member.cell_id,
        status=member.status,
        grants=frozenset(Grant(r.role, r.unit_id) for r in member.roles),
        is_admin=is_admin,
    )


async def unit_path(session: AsyncSession, unit_id: int) -> list[int]:
    """Ids from the root of the tree down to `unit_id` (the tree is a few levels deep)."""
    path: list[int] = []
    current: int | None = unit_id
    while current is not None and len(path) < 16:
        path.append(current)
        current = await session.scalar(select(Unit.parent_id).where(Unit.id == current))
    return list(reversed(path))


async def require(session: AsyncSession, actor: Actor, action: Action, unit_id: int) -> None:
    """Raise `Refused` unless the policy allows `action` on the unit."""
    if not allows(actor, action, await unit_path(session, unit_id)):
        raise Refused("not_allowed")


def require_member(actor: Actor) -> int:
    """The actor's own cell, or a refusal explaining how to join."""
    if actor.member_id is None or actor.cell_id is None or actor.status is MemberStatus.LEFT:
        raise Refused("not_linked")
    if not actor.is_active:
        raise Refused("pending_approval")
    return actor.cell_id
