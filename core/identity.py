"""Who is talking: turn a messenger account into an `Actor`."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import CoreConfig
from core.errors import Refused
from core.policy import Action, Actor, Grant, allows
from db.models import ChannelAccount, Member, MemberRole, MemberStatus, Unit

# Built once: every update runs it, and building the statement cost more than running it.
_ACTOR = (
    select(
        Member.id,
        Member.full_name,
        Member.cell_id,
        Member.status,
        MemberRole.role,
        MemberRole.unit_id,
    )
    .join(ChannelAccount, ChannelAccount.member_id == Member.id)
    .outerjoin(MemberRole, MemberRole.member_id == Member.id)
    .where(
        ChannelAccount.channel == bindparam("channel"),
        ChannelAccount.external_id == bindparam("external_id"),
    )
)


async def load_actor(
    session: AsyncSession, config: CoreConfig, channel: str, external_id: str
) -> Actor:
    """One query (every update runs it): the member behind the account and their roles."""
    is_admin = (channel, external_id) in config.admin_accounts
    rows = (await session.execute(_ACTOR, {"channel": channel, "external_id": external_id})).all()
    if not rows:
        return Actor(channel=channel, external_id=external_id, is_admin=is_admin)
    first = rows[0]
    return Actor(
        channel=channel,
        external_id=external_id,
        member_id=first.id,
        full_name=first.full_name,
        cell_id=first.cell_id,
        status=first.status,
        grants=frozenset(Grant(r.role, r.unit_id) for r in rows if r.role is not None),
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
