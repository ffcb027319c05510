"""`chibo backup`, `chibo restore` and `chibo member forget` through click's CliRunner, on
real SQLite files (and the local PostgreSQL server for pg_dump)."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.cli_data import libpq_commands
from bot.seed import generate
from bot.settings import Settings
from core.texts import t
from db import migrate
from db.backup import fingerprint
from db.engine import Database

TODAY = date(2026, 11, 27)
Invoke = Callable[..., Result]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def db_file(workdir: Path) -> Path:
    return workdir / "data" / "chibo.db"


@pytest.fixture
def cli(db_file: Path) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        return runner.invoke(
            main,
            list(args),
            env={"DATABASE_URL": f"sqlite+aiosqlite:///{db_file}", **(env or {})},
            input=input,
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
async def seeded(db_file: Path, sqlite_template: Path) -> Path:
    db_file.parent.mkdir(parents=True)
    shutil.copy(sqlite_template, db_file)
    await generate(f"sqlite+aiosqlite:///{db_file}", "tiny", today=TODAY)
    return db_file


def _execute(path: Path, sql: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(sql)
        conn.commit()


def test_backup_modify_restore_gives_back_exactly_the_rows(
    cli: Invoke, seeded: Path, workdir: Path
) -> None:
    original = fingerprint(seeded)
    made = cli("backup", "backup.db")
    assert made.exit_code == 0, made.output
    assert "integrity_check" in made.output and "members" in made.output
    assert fingerprint(workdir / "backup.db") == original

    forgot = cli("member", "forget", "3", "--yes")
    assert forgot.exit_code == 0, forgot.output
    _execute(seeded, "DELETE FROM attendance WHERE id % 3 = 0")
    _execute(seeded, "UPDATE meetings SET place = 'Nhà văn hóa'")
    modified = fingerprint(seeded)
    assert modified != original

    restored = cli("restore", "backup.db", "--yes")
    assert restored.exit_code == 0, restored.output
    assert fingerprint(seeded) == original
    kept = list(seeded.parent.glob("chibo.db.before-restore-*"))
    assert len(kept) == 1 and fingerprint(kept[0]) == modified


def test_backup_refuses_to_overwrite_unless_forced(
    cli: Invoke, seeded: Path, workdir: Path
) -> None:
    (workdir / "old.db").write_bytes(b"precious")
    refused = cli("backup", "old.db")
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert (workdir / "old.db").read_bytes() == b"precious"
    forced = cli("backup", "old.db", "--force")
    assert forced.exit_code == 0, forced.output
    assert fingerprint(workdir / "old.db") == fingerprint(seeded)
    assert not list(workdir.glob(".old.db.part-*"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a database at all, just some bytes" * 200, "không phải tệp cơ sở dữ liệu SQLite"),
        (None, "không có phiên bản lược đồ"),
        ("9999", "bản chibo này không biết"),
    ],
)
def test_restore_refuses_what_is_not_a_chibo_database(
    cli: Invoke, seeded: Path, workdir: Path, content: bytes | str | None, reason: str
) -> None:
    before = fingerprint(seeded)
    bad = workdir / "bad.db"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        _execute(bad, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        if content is not None:
            _execute(bad, "CREATE TABLE alembic_version (version_num VARCHAR(32))")
            _execute(bad, f"INSERT INTO alembic_version VALUES ('{content}')")
    refused = cli("restore", "bad.db", "--yes")
    assert refused.exit_code == 1
    assert reason in refused.output
    assert fingerprint(seeded) == before
    assert not list(seeded.parent.glob("chibo.db.before-restore-*"))


def test_restore_refuses_while_the_database_is_open(
    cli: Invoke, seeded: Path, workdir: Path
) -> None:
    assert cli("backup", "backup.db").exit_code == 0
    with closing(sqlite3.connect(seeded)) as bot:  # as a running bot holds it: WAL, open
        bot.execute("PRAGMA journal_mode=WAL")
        bot.execute("SELECT COUNT(*) FROM members").fetchone()
        refused = cli("restore", "backup.db", "--yes")
    assert refused.exit_code == 1
    assert "đang được mở" in refused.output
    assert not list(seeded.parent.glob("chibo.db.before-restore-*"))


async def test_restore_refuses_while_the_bots_engine_holds_the_database(
    seeded: Path, workdir: Path
) -> None:
    """The bot's own engine (db/engine.py, pooled connections) counts as "in use"."""
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{seeded}"}
    made = await asyncio.to_thread(runner.invoke, main, ["backup", "backup.db"], env=env)
    assert made.exit_code == 0, made.output
    database = Database(env["DATABASE_URL"])
    try:
        async with database.engine.connect() as conn:
            await conn.execute(text("SELECT COUNT(*) FROM members"))
        refused = await asyncio.to_thread(
            runner.invoke, main, ["restore", "backup.db", "--yes"], env=env
        )
    finally:
        await database.dispose()
    assert refused.exit_code == 1
    assert "đang được mở" in refused.output
    allowed = await asyncio.to_thread(
        runner.invoke, main, ["restore", "backup.db", "--yes"], env=env
    )
    assert allowed.exit_code == 0, allowed.output


def test_restore_refuses_the_database_itself(cli: Invoke, seeded: Path) -> None:
    refused = cli("restore", str(seeded), "--yes")
    assert refused.exit_code == 1
    assert "chính là cơ sở dữ liệu đang dùng" in refused.output


def test_restore_asks_first(cli: Invoke, seeded: Path, workdir: Path) -> None:
    assert cli("backup", "backup.db").exit_code == 0
    _execute(seeded, "DELETE FROM rsvps")
    before = fingerprint(seeded)
    answered_no = cli("restore", "backup.db", input="n\n")
    assert answered_no.exit_code == 1
    assert t("cli_data_cancelled") in answered_no.output
    assert fingerprint(seeded) == before


def test_restoring_an_older_backup_upgrades_it(cli: Invoke, db_file: Path, workdir: Path) -> None:
    old = workdir / "old-schema.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{old}", "0005")
    restored = cli("restore", str(old), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "0005" in restored.output
    with closing(sqlite3.connect(db_file)) as conn:
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert found == migrate.head_revision()


def test_forget_asks_first_and_prints_what_it_removed(cli: Invoke, seeded: Path) -> None:
    before = fingerprint(seeded)
    answered_no = cli("member", "forget", "3", input="n\n")
    assert answered_no.exit_code == 1
    assert fingerprint(seeded) == before
    done = cli("member", "forget", "3", "--yes")
    assert done.exit_code == 0, done.output
    assert "channel_accounts: xóa 1 dòng" in done.output
    with closing(sqlite3.connect(seeded)) as conn:
        name = conn.execute("SELECT full_name FROM members WHERE id = 3").fetchone()[0]
    assert name == t("forgotten_name")
    unknown = cli("member", "forget", "99999", "--yes")
    assert unknown.exit_code == 1
    assert t("forget_not_found", id=99999) in unknown.output


def test_postgres_commands_mask_the_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://chibo:s3cret@db.example:5433/chibo"
    dump, restore, dump_shown, restore_shown, password = libpq_commands(url, tmp_path / "x")
    assert password == "s3cret"
    assert "s3cret" not in " ".join(dump + restore) + dump_shown + restore_shown
    assert "postgresql://chibo:***@db.example:5433/chibo" in dump_shown
    assert dump[-1] == "postgresql://chibo@db.example:5433/chibo"


def test_postgres_without_pg_dump_prints_the_commands(cli: Invoke, workdir: Path) -> None:
    url = "postgresql+asyncpg://chibo:s3cret@127.0.0.1:5432/chibo"
    env = {"DATABASE_URL": url, "PATH": str(workdir)}  # no pg_dump there
    made = cli("backup", "x.dump", env=env)
    assert made.exit_code == 2
    assert "pg_dump --format=custom" in made.output and "pg_restore" in made.output
    assert "s3cret" not in made.output
    (workdir / "x.dump").write_bytes(b"PGDMP")
    restore = cli("restore", "x.dump", env=env)
    assert restore.exit_code == 2
    assert "pg_restore --clean" in restore.output


@pytest.mark.postgres
def test_postgres_backup_runs_pg_dump(cli: Invoke, postgres_url: str, workdir: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not on PATH: install postgresql-client")
    made = cli("backup", "chibo.dump", env={"DATABASE_URL": postgres_url})
    assert made.exit_code == 0, made.output
    dump = workdir / "chibo.dump"
    assert dump.stat().st_size > 0
    assert make_url(postgres_url).database in made.output
    listed = shutil.which("pg_restore")
    assert listed is not None
    import subprocess

    toc = subprocess.run([listed, "--list", str(dump)], capture_output=True, text=True)
    assert toc.returncode == 0
    assert "TABLE public members" in toc.stdout
