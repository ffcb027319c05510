"""The audit log: who did what to whom. Details never hold answers or phone numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
