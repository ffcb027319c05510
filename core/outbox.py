"""The outbox: every proactive message is a row, inserted once, delivered by the jobs.

Rows are keyed by what they are (`dedupe_key`), so inserting the same message twice, from a
double tick, a restart or a second worker, is a no-op.

`enqueue` is set-based: one `INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id` for
many rows at once (SQLAlchemy's "insertmanyvalues" batches of up to 1,000 rows, through the
session's Core connection), so 34,000 reminders are a few dozen statements, not one each.
The ORM bulk insert it replaces ran one statement per row and spliced every result onto the
previous ones (quadratic in the rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import Services
from core.messages import Address, Button, Notice, Reply
from db.models import Outbox, OutboxStatus


@dataclass(frozen=True, slots=True)
class Message:
    """One proactive message to enqueue: to a member (their reachable chat) or an address."""

    key: str
    kind: str
    reply: Reply
    not_before: datetime
    member_id: int | None = None
    to: Address | None = None
    meeting_id: int | None = None
    expires_at: datetime | None = None


def body_of(reply: Reply) -> dict[str, Any]:
    rows = [[[b.label, b.payload] for b in row] for row in reply.buttons]
    return {"text": reply.text, "buttons": rows}


def reply_of(body: dict[str, Any]) -> Reply:
    rows = tuple(
        tuple(Button(label, payload) for label, payload in row) for row in body["buttons"]
    )
    return Reply(str(body["text"]), rows)


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(Outbox)
    if dialect == "sqlite":
        return sqlite_insert(Outbox)
    return insert(Outbox)  # pragma: no cover - only SQLite and PostgreSQL are supported


async def enqueue(
    session: AsyncSession, services: Services, now: datetime, messages: Iterable[Message]
) -> int:
    """Insert messages that are not there yet; returns how many were new.

    Quiet hours move `not_before` to the local morning; a message whose useful life ends
    before it could be sent is stored as skipped, so it is counted and never sent late.
    """
    config = services.config
    rows: dict[str, dict[str, Any]] = {}  # by key: a key twice in one call is one row
    for m in messages:
        if m.key in rows:
            continue
        due = config.quiet_hours.release(max(m.not_before, now), config.timezone)
        stale = m.expires_at is not None and due >= m.expires_at
        rows[m.key] = {
            "dedupe_key": m.key,
            "kind": m.kind,
            "member_id": m.member_id,
            "channel": m.to.channel if m.to else None,
            "chat_id": m.to.chat_id if m.to else None,
            "meeting_id": m.meeting_id,
            "body": body_of(m.reply),
            "status": OutboxStatus.SKIPPED if stale else OutboxStatus.PENDING,
            "not_before": due,
            "expires_at": m.expires_at,
            "attempts": 0,
            "next_attempt_at": due,
            "last_error": "stale" if stale else None,
            "created_at": now,
            "done_at": now if stale else None,
        }
    if not rows:
        return 0
    # Core, not the ORM: the session's own connection (same transaction); rows the caller
    # added through the ORM (a meeting the messages refer to) are flushed first.
    await session.flush()
    connection = await session.connection()
    statement = (
        _insert(session).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Outbox.id)
    )
    return len((await connection.execute(statement, list(rows.values()))).all())


def notice_messages(notices: Iterable[Notice], now: datetime) -> list[Message]:
    """Notices caused by someone's action (e.g. "X asks to join") go out as soon as allowed."""
    return [
        Message(
            key=f"notice:{uuid.uuid4().hex}",
            kind="notice",
            reply=n.reply,
            to=n.to,
            not_before=now,
        )
        for n in notices
    ]


async def enqueue_notices(services: Services, notices: list[Notice]) -> int:
    if not notices:
        return 0
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        count = await enqueue(uow.session, services, now, notice_messages(notices, now))
        await uow.commit()
        return count
