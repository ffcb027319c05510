"""The database layer on real engines: migrations, schema check, UTC timestamps, constraints."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError

from bot.app import BotApp
from bot.harness import harness_settings
from db import migrate
from db.backup import known_revisions
from db.engine import SQLITE_BUSY_MS, Database
from db.migrate import SchemaOutOfDate, check_schema, current_revision
from db.models import (
    Base,
    ChannelAccount,
    Member,
    Membership,
    MemberStatus,
    Unit,
    UnitKind,
)
from tests.conftest import PG_ADMIN_URL, _pg_admin

HANOI = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=HANOI)  # 08:00 UTC


@pytest.fixture
async def fresh_url(database: Database, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, never migrated database on the same engine as `database`."""
    if database.dialect == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"chibo_fresh_{uuid.uuid4().hex[:10]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _unit(database: Database, code: str = "chi-bo-mot", at: datetime = NOW) -> int:
    async with database.unit_of_work() as uow:
        unit = Unit(kind=UnitKind.CELL, name="Chi bộ Một", code=code, created_at=at)
        uow.session.add(unit)
        await uow.session.flush()
        await uow.commit()
        return unit.id


async def _member(database: Database, cell_id: int, name: str = "Nguyễn Văn An") -> int:
    async with database.unit_of_work() as uow:
        member = Member(
            cell_id=cell_id,
            full_name=name,
            phone=None,
            status=MemberStatus.INVITED,
            membership=Membership.FULL,
            created_at=NOW,
            updated_at=NOW,
        )
        uow.session.add(member)
        await uow.session.flush()
        await uow.commit()
        return member.id


# --- migrations and the schema check ----------------------------------------------------------


async def test_migrations_up_down_up_on_a_fresh_database(
    fresh_url: str, figure: Callable[[str], None]
) -> None:
    """Migrations run up, down to nothing and up again on SQLite and PostgreSQL, and the
    migrated schema is the models' (Alembic's autogenerate comparison finds no difference)."""
    head = migrate.head_revision()
    fresh = Database(fresh_url)
    revisions = len(known_revisions())
    try:
        assert await current_revision(fresh) is None
        with pytest.raises(SchemaOutOfDate, match="chibo db upgrade"):
            await check_schema(fresh)

        await asyncio.to_thread(migrate.upgrade, fresh_url)
        assert await current_revision(fresh) == head
        await check_schema(fresh)
        async with fresh.engine.connect() as conn:
            assert await conn.run_sync(_tables) == set(Base.metadata.tables)
            assert await conn.run_sync(_drift) == []

        await asyncio.to_thread(migrate.downgrade, fresh_url, "base")
        assert await current_revision(fresh) is None
        async with fresh.engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
        with pytest.raises(SchemaOutOfDate) as caught:
            await check_schema(fresh)
        assert "chibo db upgrade" in str(caught.value)
        assert head in str(caught.value)

        await asyncio.to_thread(migrate.upgrade, fresh_url)
        await fresh.engine.dispose()  # cached statements may name the dropped tables
        await check_schema(fresh)
        async with fresh.engine.connect() as conn:
            assert await conn.run_sync(_drift) == []
        assert await _unit(fresh) == 1
        figure(
            f"{revisions} revisions up, down to base, up again on {fresh.dialect}: "
            f"{len(Base.metadata.tables)} tables, 0 differences from the models"
        )
    finally:
        await fresh.dispose()


async def test_check_schema_passes_at_head(database: Database) -> None:
    await check_schema(database)
    assert await current_revision(database) == migrate.head_revision()


async def test_check_schema_refuses_a_database_behind_the_code(
    database: Database, fresh_url: str
) -> None:
    await asyncio.to_thread(migrate.upgrade, fresh_url)
    await asyncio.to_thread(migrate.downgrade, fresh_url, "base")
    behind = Database(fresh_url)
    try:
        with pytest.raises(SchemaOutOfDate, match=r"at nothing, .*run `chibo db upgrade` first"):
            await check_schema(behind)
    finally:
        await behind.dispose()


async def test_bot_app_refuses_to_start_on_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'chibo.db'}"
    app = BotApp(harness_settings(url, "http://127.0.0.1:9"))
    try:
        with pytest.raises(SchemaOutOfDate, match="chibo db upgrade"):
            await app.start()
        assert app.telegram is None and app.scheduler is None
    finally:
        await app.stop()


# --- UTCDateTime ------------------------------------------------------------------------------


async def test_utc_datetime_round_trip(database: Database) -> None:
    earlier = datetime(2026, 11, 2, 7, 30, 15, 123456, tzinfo=UTC)  # before NOW
    await _unit(database, "b-later", NOW)
    await _unit(database, "a-earlier", earlier)

    async with database.unit_of_work() as uow:
        rows = (
            await uow.session.execute(select(Unit.code, Unit.created_at).order_by(Unit.created_at))
        ).all()
    assert [code for code, _ in rows] == ["a-earlier", "b-later"]
    read_earlier, read_now = (at for _, at in rows)
    assert read_now == NOW
    assert read_now.utcoffset() == timedelta(0)
    assert read_now.replace(tzinfo=None) == datetime(2026, 11, 2, 8, 0)
    assert read_earlier == earlier and read_earlier.tzinfo is not None

    if database.dialect == "sqlite":  # stored as naive UTC text
        async with database.engine.connect() as conn:
            raw = await conn.scalar(text("SELECT created_at FROM units WHERE code = 'b-later'"))
        assert str(raw).startswith("2026-11-02 08:00:00")


async def test_utc_datetime_keeps_null(database: Database) -> None:
    member_id = await _member(database, await _unit(database))
    async with database.unit_of_work() as uow:
        uow.session.add(
            ChannelAccount(
                member_id=member_id, channel="test", external_id="1", chat_id="1", linked_at=NOW
            )
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        blocked = await uow.session.scalar(select(ChannelAccount.blocked_at))
    assert blocked is None


async def test_utc_datetime_refuses_a_naive_datetime(database: Database) -> None:
    with pytest.raises(StatementError) as caught:
        await _unit(database, at=datetime(2026, 11, 2, 15, 0))
    assert isinstance(caught.value.orig, ValueError)
    assert "naive" in str(caught.value.orig)
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(Unit.id)) is None


# --- engine set-up and constraints ------------------------------------------------------------


async def test_sqlite_pragmas_on_every_connection(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        for _ in range(2):
            async with database.engine.connect() as conn:
                assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
                assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
                assert await conn.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
                assert await conn.scalar(text("PRAGMA busy_timeout")) == SQLITE_BUSY_MS
            await database.engine.dispose()  # the second round uses a new connection
    finally:
        await database.dispose()


async def test_sqlite_creates_the_file_directory(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'a' / 'b' / 'chibo.db'}")
    try:
        async with database.engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
        assert (tmp_path / "a" / "b" / "chibo.db").exists()
    finally:
        await database.dispose()


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError):
        await _member(database, cell_id=999)
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(Member.id)) is None


async def test_deleting_a_unit_with_members_is_restricted(database: Database) -> None:
    cell_id = await _unit(database)
    await _member(database, cell_id)
    with pytest.raises(IntegrityError):
        async with database.engine.begin() as conn:
            await conn.execute(text("DELETE FROM units WHERE id = :id"), {"id": cell_id})


async def test_channel_account_is_unique_per_channel(database: Database) -> None:
    cell_id = await _unit(database)
    first, second = await _member(database, cell_id), await _member(database, cell_id, "Lê Bình")

    def account(member_id: int, channel: str) -> ChannelAccount:
        return ChannelAccount(
            member_id=member_id, channel=channel, external_id="42", chat_id="42", linked_at=NOW
        )

    async with database.unit_of_work() as uow:
        uow.session.add_all([account(first, "telegram"), account(second, "zalo")])
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            uow.session.add(account(second, "telegram"))
            await uow.commit()
    async with database.unit_of_work() as uow:
        owners = (
            await uow.session.execute(select(ChannelAccount.channel, ChannelAccount.member_id))
        ).all()
    assert sorted(owners) == [("telegram", first), ("zalo", second)]


async def test_leaving_a_unit_of_work_without_commit_rolls_back(database: Database) -> None:
    async with database.unit_of_work() as uow:
        uow.session.add(Unit(kind=UnitKind.CELL, name="Tạm", code="tam", created_at=NOW))
        await uow.session.flush()
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(Unit.id)) is None
