"""Files offered as short-lived download links, for channels that cannot carry a file.

The link's token is 256 random bits; the file is gone after `expires_at` (housekeeping
deletes it, and an expired token is refused before that).
"""

from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from core.context import Services
from core.messages import Attachment
from db.models import SharedFile


@dataclass(frozen=True, slots=True)
class Shared:
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    content_type: str
    content: bytes


def content_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


async def share(services: Services, file: Attachment, valid_for: timedelta) -> Shared:
    now = services.clock.now()
    shared = Shared(secrets.token_urlsafe(32), now + valid_for)
    async with services.db.unit_of_work() as uow:
        uow.session.add(
            SharedFile(
                token=shared.token,
                filename=file.filename[:120],
                content_type=content_type(file.filename),
                content=file.content,
                created_at=now,
                expires_at=shared.expires_at,
            )
        )
        await uow.commit()
    return shared


async def fetch(services: Services, token: str) -> Download | None:
    """The file behind a link that has not expired, else None."""
    async with services.db.unit_of_work() as uow:
        row = (
            await uow.session.execute(
                select(SharedFile.filename, SharedFile.content_type, SharedFile.content).where(
                    SharedFile.token == token, SharedFile.expires_at > services.clock.now()
                )
            )
        ).first()
        return Download(row.filename, row.content_type, row.content) if row else None


async def forget_expired(services: Services) -> int:
    async with services.db.unit_of_work() as uow:
        result = await uow.session.execute(
            delete(SharedFile).where(SharedFile.expires_at <= services.clock.now())
        )
        await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)
