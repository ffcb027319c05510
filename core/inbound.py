"""Events a platform gives us, kept in the database until handled.

Zalo sends no update ids and may repeat a webhook; a replay has the same key and is
dropped here. Telegram's updates are kept as each getUpdates batch arrives, before the next
call's offset confirms them to Telegram (and in webhook mode before the 200), so a crash
after fetching loses nothing: `unhandled` gives them back at the next start, and the same
update fetched again has the same key and is dropped. Handling is at least once: a crash in
the middle of one event handles it again after the restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.context import Services
from db.models import InboundEvent

KEEP_KEYS = timedelta(days=7)  # how long a handled event's key still stops a replay


@dataclass(frozen=True, slots=True)
class Stored:
    id: int
    body: dict[str, Any]


def storable(value: Any) -> Any:
    """`value` without NUL characters, which PostgreSQL cannot keep in text or JSONB (the
    insert fails); no person types one, so dropping it loses nothing."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


async def store(services: Services, channel: str, key: str, body: dict[str, Any]) -> int | None:
    """Keep one event; None when an event with this key was already received."""
    key, body = storable(key), storable(body)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(InboundEvent)
            .values(
                channel=channel, event_key=key[:128], body=body, received_at=services.clock.now()
            )
            .on_conflict_do_nothing(index_elements=["channel", "event_key"])
            .returning(InboundEvent.id)
        )
        new_id = (await s.execute(statement)).scalar_one_or_none()
        await uow.commit()
        return new_id


async def store_many(
    services: Services, channel: str, events: Sequence[tuple[str, dict[str, Any]]]
) -> dict[str, int | None]:
    """Keep a batch in one transaction: key (cut to 128 characters) -> the new id, or None
    for an event with this key already received."""
    found: dict[str, int | None] = {}
    rows = []
    for raw_key, body in events:
        key = storable(raw_key)
        if key[:128] in found:
            continue
        found[key[:128]] = None
        rows.append({"channel": channel, "event_key": key[:128], "body": storable(body)})
    if not rows:
        return {}
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(InboundEvent)
            .values([row | {"received_at": now} for row in rows])
            .on_conflict_do_nothing(index_elements=["channel", "event_key"])
            .returning(InboundEvent.event_key, InboundEvent.id)
        )
        for key, new_id in (await s.execute(statement)).all():
            found[key] = new_id
        await uow.commit()
    return found


async def load(services: Services, event_id: int) -> dict[str, Any] | None:
    async with services.db.unit_of_work() as uow:
        return await uow.session.scalar(
            select(InboundEvent.body).where(
                InboundEvent.id == event_id, InboundEvent.done_at.is_(None)
            )
        )


async def done(services: Services, event_id: int) -> None:
    """Handled: forget what was said, keep the key for a while."""
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == event_id)
            .values(done_at=services.clock.now(), body=None)
        )
        await uow.commit()


async def unhandled(services: Services, channel: str) -> list[Stored]:
    """Events received but not handled (the process stopped in between), oldest first."""
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(InboundEvent.id, InboundEvent.body)
            .where(InboundEvent.channel == channel, InboundEvent.done_at.is_(None))
            .order_by(InboundEvent.id)
        )
        return [Stored(row.id, row.body) for row in rows if row.body is not None]


async def forget_old(services: Services) -> int:
    async with services.db.unit_of_work() as uow:
        result = await uow.session.execute(
            delete(InboundEvent).where(
                InboundEvent.done_at.is_not(None),
                InboundEvent.done_at < services.clock.now() - KEEP_KEYS,
            )
        )
        await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)
