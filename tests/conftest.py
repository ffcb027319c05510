"""Shared fixtures: real databases (SQLite always, PostgreSQL on the local server), a clock."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.clock import ManualClock
from core.context import CoreConfig, Services
from db import migrate
from db.engine import Database
from db.models import Base

# `make test` points this at the local server; set it to "" to run SQLite only.
PG_ADMIN_URL = os.environ.get(
    "CHIBO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday, 15:00 in Hà Nội


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for every test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end."""
    if not PG_ADMIN_URL:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is empty: PostgreSQL tests not requested")
    name = f"chibo_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__}). Start it "
            "(see README) or set CHIBO_TEST_POSTGRES_URL= to run SQLite only."
        )
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_all(database: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty SQLite file (for tests that need only the embedded engine)."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    if db.dialect == "postgresql":
        await _truncate_all(db)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config() -> CoreConfig:
    return CoreConfig(
        admin_accounts=frozenset({("test", "9999")}),
        join_link_template="https://t.me/chibo_test_bot?start={code}",
    )


@pytest.fixture
def services(database: Database, clock: ManualClock, config: CoreConfig) -> Services:
    return Services(database, clock, config)


# --- reliability figures and the slow checks (`make reliability`) ---------------------------
#
# A reliability check records what it measured with the `figure` fixture. The figures are
# printed at the end of the run and, when CHIBO_RELIABILITY_FIGURES names a file, written
# there as JSON for bench/reliability.py to turn into docs/RELIABILITY.md. Checks marked
# `slow` are deselected (not skipped) unless pytest runs with --full, as `make reliability` does.

FIGURES_FILE = os.environ.get("CHIBO_RELIABILITY_FIGURES", "")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        help="also run the slow reliability checks (make reliability)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--full"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record one measured figure for this check, e.g. figure("lost 0, duplicated 12 ≤ 50")."""
    doc = (request.function.__doc__ or request.function.__name__).strip()
    promise = " ".join(doc.split("\n\n", 1)[0].split())

    def record(text: str) -> None:
        request.node.user_properties.append(("figure", text))
        request.node.user_properties.append(("promise", promise))

    return record


_figures: list[dict[str, object]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    props = dict(report.user_properties)
    if report.when != "call" or "figure" not in props:
        return
    texts = [str(v) for k, v in report.user_properties if k == "figure"]
    _figures.append(
        {
            "nodeid": report.nodeid,
            "promise": str(props["promise"]),
            "figure": "; ".join(texts),
            "outcome": report.outcome,
            "seconds": round(report.duration, 1),
        }
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _figures:
        return
    terminalreporter.section("reliability figures")
    for row in _figures:
        terminalreporter.write_line(f"{row['outcome']:7} {row['nodeid']}\n        {row['figure']}")
    if FIGURES_FILE:
        Path(FIGURES_FILE).write_text(json.dumps(_figures, ensure_ascii=False, indent=1))
