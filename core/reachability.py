"""Whether the bot can still reach a chat: blocked by the person, or unreachable on send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.messages import Address
from db.models import ChannelAccount


async def mark_accounts(
    session: AsyncSession, now: datetime, chat: Address, *, blocked: bool, action: str
) -> None:
    """Record that `chat` is (un)reachable; shown to the secretary as "đã chặn bot"."""
    accounts = await session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.channel == chat.channel, ChannelAccount.chat_id == chat.chat_id
        )
    )
    for account in accounts:
        if (account.blocked_at is not None) == blocked:
            continue
        account.blocked_at = now if blocked else None
        audit.record(session, now, action, target_id=account.member_id)


async def mark_chat(services: Services, chat: Address, *, blocked: bool, action: str) -> None:
    async with services.db.unit_of_work() as uow:
        await mark_accounts(
            uow.session, services.clock.now(), chat, blocked=blocked, action=action
        )
        await uow.commit()


async def blocked_by_person(services: Services, chat: Address, blocked: bool) -> None:
    action = "blocked_bot" if blocked else "unblocked_bot"
    await mark_chat(services, chat, blocked=blocked, action=action)


async def unreachable(services: Services, chat: Address) -> None:
    await mark_chat(services, chat, blocked=True, action="unreachable")
