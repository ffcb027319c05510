"""Periodic clean-up of short-lived rows, and the retention of old message texts.

Code attempts, text-channel menus, handled inbound events and expired download files are
deleted after a fixed while. After `CoreConfig.retention_days` (setting RETENTION_DAYS,
default 365; 0 keeps everything) the text of finished outbox rows and the details of audit
entries are emptied: the rows stay, so delivery counts, dedupe keys and "who did what to whom,
when" are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, delete, update

from core import files, inbound
from core.context import Services
from db.models import AuditEntry, CodeAttempt, Outbox, OutboxStatus, PendingMenu

KEEP_CODE_ATTEMPTS = timedelta(days=2)
KEEP_MENUS = timedelta(days=7)
UNFINISHED = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class Swept:
    code_attempts: int
    menus: int
    inbound_events: int = 0
    shared_files: int = 0
    outbox_texts: int = 0
    audit_details: int = 0


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
    texts, details = await apply_retention(services)
    return Swept(
        getattr(attempts, "rowcount", 0),
        getattr(menus, "rowcount", 0),
        await inbound.forget_old(services),
        await files.forget_expired(services),
        texts,
        details,
    )


async def apply_retention(services: Services) -> tuple[int, int]:
    """Empty old outbox texts and audit details; returns how many of each."""
    days = services.config.retention_days
    if days <= 0:
        return 0, 0
    cutoff = services.clock.now() - timedelta(days=days)
    async with services.db.unit_of_work() as uow:
        texts = await uow.session.execute(
            update(Outbox)
            .where(
                Outbox.done_at < cutoff,
                Outbox.status.not_in(UNFINISHED),
                Outbox.body.cast(String) != "{}",
            )
            .values(body={}, last_error=None)
            .execution_options(synchronize_session=False)
        )
        details = await uow.session.execute(
            update(AuditEntry)
            .where(AuditEntry.at < cutoff, AuditEntry.detail.cast(String) != "{}")
            .values(detail={})
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return int(getattr(texts, "rowcount", 0) or 0), int(getattr(details, "rowcount", 0) or 0)
