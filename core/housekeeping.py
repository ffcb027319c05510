"""Periodic clean-up of short-lived rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from core import files, inbound
from core.context import Services
from db.models import CodeAttempt, PendingMenu

KEEP_CODE_ATTEMPTS = timedelta(days=2)
KEEP_MENUS = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Swept:
    code_attempts: int
    menus: int
    inbound_events: int = 0
    shared_files: int = 0


async def sweep(services: Services) -> Swept:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        attempts = await uow.session.execute(
            delete(CodeAttempt).where(CodeAttempt.at < now - KEEP_CODE_ATTEMPTS)
        )
        menus = await uow.session.execute(
            delete(PendingMenu).where(PendingMenu.created_at < now - KEEP_MENUS)
        )
        await uow.commit()
    return Swept(
        getattr(attempts, "rowcount", 0),
        getattr(menus, "rowcount", 0),
        await inbound.forget_old(services),
        await files.forget_expired(services),
    )
