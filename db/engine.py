"""Engines, the unit of work, and engine-specific setup (SQLite pragmas)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.sqlite_driver import one_hop_dbapi

SQLITE_BUSY_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # One writer at a time: a busy writer is waited for (SQLite's backoff) rather than failed.
    # Under a burst of many chats at once (docs/BENCHMARKS.md, self-check under load) a
    # transaction can wait several seconds for its turn; 5 s was seen to run out.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """Create the async engine for `url`; SQLite gets WAL and foreign keys on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: errors must not carry ids, names or phone numbers into the logs.
        engine = create_async_engine(url, hide_parameters=True, module=one_hop_dbapi())
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)


class UnitOfWork:
    """One use case's transaction: commit explicitly; leaving without commit rolls back."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def commit(self) -> None:
        await self.session.commit()


class Database:
    """The engine and the session factory, owned by the composition root."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """Closing the session rolls back whatever was not committed; objects already loaded
        stay readable (detached), so read-only use cases can return them."""
        async with self._sessions() as session:
            yield UnitOfWork(session)

    async def dispose(self) -> None:
        await self.engine.dispose()
