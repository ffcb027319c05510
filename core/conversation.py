"""Where a member is in a multi-step flow. Stored in the database, never in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation


@dataclass(frozen=True, slots=True)
class State:
    flow: str
    step: str
    data: dict[str, Any]


async def current(session: AsyncSession, member_id: int, channel: str) -> State | None:
    row = await session.scalar(
        select(Conversation).where(
            Conversation.member_id == member_id, Conversation.channel == channel
        )
    )
    return State(row.flow, row.step, dict(row.data)) if row else None


async def enter(
    session: AsyncSession,
    now: datetime,
    member_id: int,
    channel: str,
    state: State,
) -> None:
    row = await session.scalar(
        select(Conversation).where(
            Conversation.member_id == member_id, Conversation.channel == channel
        )
    )
    if row is None:
        row = Conversation(member_id=member_id, channel=channel)
        session.add(row)
    row.flow, row.step, row.data, row.updated_at = state.flow, state.step, state.data, now


async def leave(session: AsyncSession, member_id: int, channel: str) -> bool:
    """Forget the member's flow on this channel; True when there was one."""
    result = await session.execute(
        delete(Conversation).where(
            Conversation.member_id == member_id, Conversation.channel == channel
        )
    )
    return bool(getattr(result, "rowcount", 0))
