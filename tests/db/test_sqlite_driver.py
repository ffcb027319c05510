"""The one-hop SQLite cursor (db/sqlite_driver.py) behaves as SQLAlchemy's own adapter does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import exc, insert, select, text, update

from db.engine import Database
from db.models import Unit, UnitKind

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    yield database
    await database.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every call made to an aiosqlite connection's thread."""
    seen: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    yield seen


async def test_a_select_is_one_trip_to_the_thread(db: Database, hops: list[str]) -> None:
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("SELECT 1"))  # the connection is set up
        hops.clear()
        rows = (await uow.session.execute(text("SELECT 1, 'a' UNION ALL SELECT 2, 'b'"))).all()
        assert len(hops) == 1
    assert [tuple(r) for r in rows] == [(1, "a"), (2, "b")]


async def test_inserts_report_their_ids_and_updates_their_counts(db: Database) -> None:
    async with db.unit_of_work() as uow:
        s = uow.session
        unit = Unit(kind=UnitKind.COMMITTEE, name="Đảng ủy xã A", code="a", created_at=NOW)
        s.add(unit)
        await s.flush()
        assert unit.id is not None
        many = [
            {"kind": UnitKind.CELL, "name": f"Chi bộ {i}", "code": f"c{i}", "created_at": NOW}
            for i in range(5)
        ]
        await s.execute(insert(Unit), many)  # executemany
        changed = await s.execute(
            update(Unit).where(Unit.code.like("c%")).values(parent_id=unit.id)
        )
        assert changed.rowcount == 5  # type: ignore[attr-defined]
        await uow.commit()
    async with db.unit_of_work() as uow:
        count = len(
            (await uow.session.scalars(select(Unit).where(Unit.parent_id == unit.id))).all()
        )
    assert count == 5


async def test_errors_are_sqlalchemys_and_roll_back(db: Database) -> None:
    async with db.unit_of_work() as uow:
        uow.session.add(Unit(kind=UnitKind.COMMITTEE, name="A", code="same", created_at=NOW))
        await uow.commit()
    with pytest.raises(exc.IntegrityError):
        async with db.unit_of_work() as uow:
            uow.session.add(Unit(kind=UnitKind.COMMITTEE, name="B", code="same", created_at=NOW))
            await uow.commit()
    with pytest.raises(exc.OperationalError):
        async with db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT * FROM no_such_table"))
    async with db.unit_of_work() as uow:
        names = (await uow.session.scalars(select(Unit.name))).all()
    assert names == ["A"]


async def test_streaming_still_works(db: Database) -> None:
    """Server-side cursors keep SQLAlchemy's own cursor."""
    async with db.engine.connect() as conn:
        result = await conn.stream(text("SELECT 1 UNION ALL SELECT 2"))
        assert [row[0] async for row in result] == [1, 2]
