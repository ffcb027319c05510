"""What a person may do, for `/trogiup` and for per-person command menus."""

from __future__ import annotations

from sqlalchemy import select

from core.context import Services
from core.identity import load_actor
from core.messages import Address, Incoming
from core.policy import Audience, audiences
from db.models import ChannelAccount, Member, MemberRole, MemberStatus, Role


async def audiences_of(services: Services, who: Incoming) -> tuple[set[Audience], bool]:
    """What this person may see, and whether they are waiting for approval."""
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        return audiences(actor), actor.status is MemberStatus.PENDING


async def menu_audiences(services: Services, channel: str) -> dict[Address, frozenset[Audience]]:
    """Chats on `channel` that need more than the default (member) menu."""
    result: dict[Address, frozenset[Audience]] = {}
    async with services.db.unit_of_work() as uow:
        accounts = await uow.session.scalars(
            select(ChannelAccount)
            .join(Member, Member.id == ChannelAccount.member_id)
            .where(
                Member.id.in_(select(MemberRole.member_id).where(MemberRole.role != Role.MEMBER)),
                ChannelAccount.channel == channel,
                ChannelAccount.blocked_at.is_(None),
                Member.status == MemberStatus.ACTIVE,
            )
        )
        for account in accounts:
            actor = await load_actor(uow.session, services.config, channel, account.external_id)
            wanted = frozenset(audiences(actor))
            if wanted - {Audience.MEMBER}:
                result[Address(channel, account.chat_id)] = wanted
    return result
