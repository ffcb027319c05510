"""Data promises: `chibo backup` / `chibo restore` round-trip a database exactly (a tiny one in
`make test`, the generated district with --full), and a backup taken while a writer keeps
writing is one consistent snapshot that did not hold the writer up."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import main
from bot.cli_data import libpq_commands
from bot.seed import generate
from bot.settings import Settings
from db import backup, migrate
from db.models import Base
from tests.conftest import PG_ADMIN_URL, _pg_admin

TODAY = date(2026, 11, 27)
Figure = Callable[[str], None]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _chibo(db_file: Path, *args: str) -> tuple[str, float]:
    started = time.perf_counter()
    result = CliRunner().invoke(
        main, list(args), env={"DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return result.output, seconds


def _execute(path: Path, sql: str) -> None:
    with closing(backup._connect(path)) as conn:
        conn.execute(sql)


def _round_trip(scale: str, workdir: Path, template: Path, figure: Figure) -> None:
    db_file = workdir / "data" / "chibo.db"
    db_file.parent.mkdir()
    shutil.copy(template, db_file)
    summary = asyncio.run(generate(f"sqlite+aiosqlite:///{db_file}", scale, today=TODAY))
    original = backup.fingerprint(db_file)

    _, backup_s = _chibo(db_file, "backup", "backup.db")
    size = (workdir / "backup.db").stat().st_size
    _chibo(db_file, "member", "forget", "5", "--yes")  # then some everyday damage
    _execute(db_file, "DELETE FROM attendance WHERE id % 7 = 0")
    _execute(db_file, "UPDATE selfchecks SET status = 'in_progress' WHERE id % 11 = 0")
    _execute(
        db_file, "INSERT INTO skip_dates (cell_id, \"on\", label) VALUES (NULL, '2027-01-01', 'x')"
    )
    assert backup.fingerprint(db_file) != original
    _, restore_s = _chibo(db_file, "restore", "backup.db", "--yes")

    restored = backup.fingerprint(db_file)
    differing = sorted(t for t in original if restored.get(t) != original[t])
    assert restored.keys() == original.keys() and differing == []
    rows = sum(count for count, _ in original.values())
    figure(
        f"{scale}: {summary.rows['members']:,} members, {rows:,} rows in {len(original)} "
        f"tables, backup {backup_s:.1f} s, {size / 2**20:.1f} MB, restore {restore_s:.1f} s, "
        "rows identical (count and SHA-256 of every table)"
    )


def test_backup_restore_round_trip_tiny(
    workdir: Path, sqlite_template: Path, figure: Figure
) -> None:
    """`chibo backup` then changes then `chibo restore` gives back exactly the rows backed up
    (tiny generated database; the district one runs with --full)."""
    _round_trip("tiny", workdir, sqlite_template, figure)


@pytest.mark.slow
def test_backup_restore_round_trip_district(
    workdir: Path, sqlite_template: Path, figure: Figure
) -> None:
    """`chibo backup` / `chibo restore` round-trip a district-scale database exactly
    (SQLite online backup; PostgreSQL is dumped with pg_dump)."""
    _round_trip("district", workdir, sqlite_template, figure)


WRITER = """
import json, sqlite3, sys, time
from pathlib import Path
db, stop, seen = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
conn = sqlite3.connect(db, timeout=30, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
n = 0
while not stop.exists():
    conn.execute("BEGIN IMMEDIATE")
    for half in (0, 1):
        conn.execute(
            "INSERT INTO audit_log (at, action, detail) VALUES ('2026-11-27 05:00:00', 'w', ?)",
            (json.dumps({"seq": n, "half": half}),),
        )
    conn.execute("COMMIT")
    n += 1
    part = seen.with_suffix(".part")
    part.write_text(str(n))
    part.replace(seen)  # atomic: a reader never sees the file empty (it once read 0)
"""


@pytest.fixture
def writer(workdir: Path, sqlite_template: Path) -> Iterator[tuple[Path, Callable[[], int]]]:
    """A migrated database and another process writing two audit rows per transaction."""
    db_file = workdir / "live.db"
    shutil.copy(sqlite_template, db_file)
    _execute(db_file, "PRAGMA journal_mode=WAL")
    _execute(db_file, "CREATE TABLE ballast (id INTEGER PRIMARY KEY, blob BLOB)")
    _execute(db_file, "INSERT INTO ballast (blob) SELECT randomblob(4000) FROM "
             "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
             "SELECT i FROM n)")  # fmt: skip
    stop, seen = workdir / "stop", workdir / "seen"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_file), str(stop), str(seen)])

    def commits() -> int:
        try:
            return int(seen.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    try:
        yield db_file, commits
    finally:
        stop.touch()
        proc.wait(timeout=30)


def test_backup_while_a_writer_writes_is_consistent(
    writer: tuple[Path, Callable[[], int]],
    workdir: Path,
    figure: Figure,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A backup taken while the bot writes is one consistent snapshot (no transaction torn in
    half, integrity check passes) and does not stop the writer."""
    db_file, commits = writer
    deadline = time.monotonic() + 30
    while commits() < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 64)
    steps = []

    def slow_terminal(done: int, total: int) -> None:  # progress shown on a slow terminal
        steps.append(done)
        time.sleep(0.01)

    before, started = commits(), time.perf_counter()
    copy = backup.backup(db_file, workdir / "copy.db", progress=slow_terminal)
    seconds, during = time.perf_counter() - started, commits() - before
    with closing(backup._connect(copy.path)) as conn:
        rows = conn.execute(
            "SELECT json_extract(detail, '$.seq'), COUNT(*) FROM audit_log "
            "WHERE action = 'w' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    seqs = [seq for seq, _ in rows]
    torn = [seq for seq, count in rows if count != 2]
    assert torn == [] and seqs == list(range(len(seqs)))  # whole transactions, a prefix
    assert len(seqs) >= before  # everything committed before the backup started
    assert len(steps) > 10 and during > 0  # the writer went on while the copy was made
    figure(
        f"{copy.size / 2**20:.0f} MB copied in {len(steps)} steps over {seconds:.1f} s while "
        f"another process committed {during} transactions: copy holds {len(seqs)} whole "
        "transactions (0 torn), integrity check ok"
    )


async def _pg_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    engine = create_async_engine(url)
    found = {}
    try:
        async with engine.connect() as conn:
            for name in [*Base.metadata.tables, "alembic_version"]:
                digest, count = hashlib.sha256(), 0
                for row in await conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')):
                    digest.update(repr(tuple(row)).encode())
                    count += 1
                found[name] = (count, digest.hexdigest())
    finally:
        await engine.dispose()
    return found


@pytest.fixture
async def fresh_pg() -> AsyncIterator[str]:
    """A new, migrated PostgreSQL database of its own (the generator wants an empty one)."""
    if not PG_ADMIN_URL:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is empty: PostgreSQL tests not requested")
    name = f"chibo_backup_{uuid.uuid4().hex[:10]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
async def test_backup_restore_round_trip_postgres(
    fresh_pg: str, workdir: Path, figure: Figure
) -> None:
    """On PostgreSQL `chibo backup` runs pg_dump, and the pg_restore command it prints gives
    back exactly the rows backed up."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump/pg_restore not on PATH: install postgresql-client")
    await generate(fresh_pg, "tiny", today=TODAY)
    original = await _pg_fingerprint(fresh_pg)
    dump = workdir / "chibo.dump"
    started = time.perf_counter()
    made = await asyncio.to_thread(
        CliRunner().invoke, main, ["backup", str(dump)], env={"DATABASE_URL": fresh_pg}
    )
    backup_s = time.perf_counter() - started
    assert made.exit_code == 0, made.output
    assert "pg_restore --clean --if-exists" in made.output
    engine = create_async_engine(fresh_pg)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM attendance WHERE id % 7 = 0"))
            await conn.execute(text("UPDATE members SET full_name = 'X' WHERE id % 5 = 0"))
    finally:
        await engine.dispose()
    assert await _pg_fingerprint(fresh_pg) != original
    _, restore_argv, _, _, _ = libpq_commands(fresh_pg, dump)
    started = time.perf_counter()
    restored = await asyncio.to_thread(subprocess.run, restore_argv, capture_output=True)
    restore_s = time.perf_counter() - started
    assert restored.returncode == 0, restored.stderr
    again = await _pg_fingerprint(fresh_pg)
    assert sorted(t for t in original if again.get(t) != original[t]) == []
    rows = sum(count for count, _ in original.values())
    figure(
        f"postgresql tiny: {rows:,} rows in {len(original)} tables, backup (pg_dump) "
        f"{backup_s:.1f} s, {dump.stat().st_size / 2**20:.1f} MB, restore (pg_restore) "
        f"{restore_s:.1f} s, rows identical (count and SHA-256 of every table)"
    )
