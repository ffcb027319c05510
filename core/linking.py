"""A member's channels: which are linked, where reminders go, and linking another one.

A member has at most one account per channel. Reminders go to the preferred channel while the
bot can reach the member there, else to the earliest linked reachable one (`core.deliveries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, invites
from core.context import Services
from core.deliveries import route
from core.errors import Refused
from core.identity import load_actor, require_member
from core.invites import display_code, join_link
from core.messages import Address, Incoming
from db.models import Member

LINK_CODE_VALID_FOR = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LinkedChannel:
    channel: str
    blocked: bool  # the bot cannot reach the member there (403 or blocked)
    running: bool  # this deployment runs the channel


@dataclass(frozen=True, slots=True)
class ChannelsOverview:
    linked: list[LinkedChannel]  # in the order they were linked
    preferred: str | None  # where reminders go now; None when no running channel reaches
    unlinked: list[str]  # running channels the member has no account on yet

    @property
    def switchable(self) -> list[str]:
        """Other channels reminders could go to instead (linked, reachable, running)."""
        return [
            c.channel
            for c in self.linked
            if c.running and not c.blocked and c.channel != self.preferred
        ]


@dataclass(frozen=True, slots=True)
class LinkCode:
    """A one-time code to type on `channel`, and how to get there."""

    channel: str
    code: str  # as shown: ABCD-EFGH
    expires_at: datetime
    link: str | None  # Telegram deep link (None for other channels or without a template)
    bot_name: str | None  # how to find the bot on Zalo (None when not configured)


async def overview(services: Services, who: Incoming) -> ChannelsOverview:
    """`/kenh`: the member's channels and where reminders go."""
    async with services.db.unit_of_work() as uow:
        member = await _member(uow.session, services, who)
        return _overview(member, services.config.channels)


async def set_preferred(services: Services, who: Incoming, channel: str) -> ChannelsOverview:
    """Send reminders through `channel` from now on; it must be linked, reachable, running."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member = await _member(s, services, who)
        if channel not in services.config.channels:
            raise Refused("channel_not_running")
        account = next((a for a in member.accounts if a.channel == channel), None)
        if account is None:
            raise Refused("channel_not_linked")
        if account.blocked_at is not None:
            raise Refused("channel_blocked")
        member.preferred_channel, member.updated_at = channel, now
        audit.record(
            s,
            now,
            "preferred_channel",
            actor_id=member.id,
            unit_id=member.cell_id,
            channel=channel,
        )
        await uow.commit()
        return _overview(member, services.config.channels)


async def link_code(services: Services, who: Incoming, channel: str) -> LinkCode:
    """A one-time personal code (valid one day) to link the member's account on `channel`."""
    now, config = services.clock.now(), services.config
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member = await _member(s, services, who)
        if channel not in config.channels:
            raise Refused("channel_not_running")
        if any(a.channel == channel for a in member.accounts):
            raise Refused("channel_already_linked")
        invite = await invites.create_invite(
            s,
            now=now,
            unit_id=member.cell_id,
            member_id=member.id,
            valid_for=LINK_CODE_VALID_FOR,
            created_by_id=member.id,
        )
        audit.record(
            s,
            now,
            "link_code_created",
            actor_id=member.id,
            unit_id=member.cell_id,
            channel=channel,
        )
        await uow.commit()
        return LinkCode(
            channel=channel,
            code=display_code(invite.code),
            expires_at=invite.expires_at,
            link=join_link(config, invite.code) if channel == "telegram" else None,
            bot_name=config.zalo_bot_name if channel == "zalo" else None,
        )


async def _member(s: AsyncSession, services: Services, who: Incoming) -> Member:
    """The active member behind this account, or a refusal saying how to join."""
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    require_member(actor)
    member = await s.get(Member, actor.member_id)
    assert member is not None  # the actor was loaded from this member
    return member


def _overview(member: Member, running: frozenset[str]) -> ChannelsOverview:
    accounts = sorted(member.accounts, key=lambda a: (a.linked_at, a.id))
    reachable = [
        Address(a.channel, a.chat_id)
        for a in accounts
        if a.blocked_at is None and a.channel in running
    ]
    chosen, _ = route(reachable, member.preferred_channel)
    linked = [
        LinkedChannel(a.channel, a.blocked_at is not None, a.channel in running) for a in accounts
    ]
    mine = {a.channel for a in accounts}
    return ChannelsOverview(
        linked=linked,
        preferred=chosen.channel if chosen else None,
        unlinked=sorted(running - mine),
    )
