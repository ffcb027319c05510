"""The audit log: who did what to whom. Details never hold answers or phone numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.context import Services
from core.identity import load_actor
from core.messages import Incoming
from db.models import AuditEntry


def record(
    session: AsyncSession,
    at: datetime,
    action: str,
    *,
    actor_id: int | None = None,
    target_id: int | None = None,
    unit_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            action=action,
            actor_id=actor_id,
            target_id=target_id,
            unit_id=unit_id,
            detail=detail,
        )
    )


async def refusal(services: Services, who: Incoming, what: str) -> None:
    """A request the policy refused: the member behind the account (if any), the channel
    and what was asked (a command or a button kind, never what was typed)."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        record(
            s,
            services.clock.now(),
            "refused",
            actor_id=actor.member_id,
            unit_id=actor.cell_id,
            channel=who.channel,
            what=what,
        )
        await uow.commit()
