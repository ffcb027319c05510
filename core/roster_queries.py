"""Reads about the roster that several services share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Address
from core.policy import CELL_LEADERS
from db.models import ChannelAccount, Member, MemberRole, MemberStatus, Unit


async def cell_name(session: AsyncSession, cell_id: int) -> str:
    return (await session.scalar(select(Unit.name).where(Unit.id == cell_id))) or ""


async def leader_addresses(session: AsyncSession, cell_id: int) -> list[Address]:
    """Chats of the cell's active secretary and deputies that have not blocked the bot."""
    rows = await session.execute(
        select(ChannelAccount.channel, ChannelAccount.chat_id)
        .join(Member, Member.id == ChannelAccount.member_id)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.unit_id == cell_id,
            MemberRole.role.in_(CELL_LEADERS),
            Member.status == MemberStatus.ACTIVE,
            ChannelAccount.blocked_at.is_(None),
        )
        .order_by(ChannelAccount.channel, ChannelAccount.chat_id)
        .distinct()
    )
    return [Address(channel, chat_id) for channel, chat_id in rows]


async def member_addresses(session: AsyncSession, member_id: int) -> list[Address]:
    rows = await session.execute(
        select(ChannelAccount.channel, ChannelAccount.chat_id).where(
            ChannelAccount.member_id == member_id, ChannelAccount.blocked_at.is_(None)
        )
    )
    return [Address(channel, chat_id) for channel, chat_id in rows]


async def leader_members(session: AsyncSession, cell_id: int) -> list[int]:
    """Ids of the cell's active secretary and deputies."""
    rows = await session.scalars(
        select(Member.id)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.unit_id == cell_id,
            MemberRole.role.in_(CELL_LEADERS),
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(Member.id)
        .distinct()
    )
    return list(rows)
