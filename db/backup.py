"""SQLite backups and restores with SQLite's online backup API (`chibo backup|restore`).

The copy is taken inside one read transaction on the source, so it is a consistent snapshot
even while the bot writes (WAL mode lets writers go on meanwhile), and is written to a temporary
file that is checked (`PRAGMA integrity_check`) and made self-contained (journal mode DELETE)
before it is renamed into place. A restore copies pages the same way into the live file while
holding SQLite's exclusive lock, after keeping the current database beside it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from db.migrate import alembic_config

PAGES_PER_STEP = 4096  # 16 MB with 4 KB pages: progress several times a second
Progress = Callable[[int, int], None]  # pages copied, pages in all


class BackupError(Exception):
    """The file is not a usable chibo database, or the operation is refused. `key` names the
    catalogue text (core/catalogue/data.py) the command line shows, with `params`."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class Copy:
    """What a database file holds: its size, schema revision and rows per table."""

    path: Path
    size: int
    revision: str | None
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another engine (or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def _connect(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in rows]


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def describe(path: Path) -> Copy:
    """Check a database file and say what it holds; BackupError if it is not one."""
    if not path.is_file():
        raise BackupError("backup_no_file", path=path)
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if check != ["ok"]:
                raise BackupError("backup_damaged", path=path, detail="; ".join(check[:3]))
            counts = {
                name: int(conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])
                for name in _tables(conn)
            }
            revision = _revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError("backup_not_sqlite", path=path) from exc
    return Copy(path, path.stat().st_size, revision, counts)


def fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Rows and a SHA-256 of every row, per table, in primary key order: two files with the
    same fingerprint hold the same data."""
    result = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        for name in _tables(conn):
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                digest.update(repr(row).encode())
                count += 1
            result[name] = (count, digest.hexdigest())
    return result


def _copy(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress | None
) -> None:
    source.execute("BEGIN")  # one read transaction: the copy is one snapshot, never restarted
    try:
        source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        source.backup(target, pages=PAGES_PER_STEP, progress=step)
    finally:
        source.execute("COMMIT")


def _write_copy(source: sqlite3.Connection, target: Path, progress: Progress | None) -> Copy:
    """Copy into a temporary file beside `target`, check it, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with closing(_connect(partial)) as dst:
            _copy(source, dst, progress)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        copy = describe(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Copy(target, copy.size, copy.revision, copy.counts)


def backup(
    source: Path, target: Path, *, force: bool = False, progress: Progress | None = None
) -> Copy:
    """Copy the live database `source` to `target` (a new file unless `force`)."""
    if not source.is_file():
        raise BackupError("backup_no_file", path=source)
    if target.exists() and not force:
        raise BackupError("backup_target_exists", path=target)
    if target.resolve() == source.resolve():
        raise BackupError("backup_is_the_database", path=target)
    with closing(_connect(source)) as src:
        return _write_copy(src, target, progress)


def check_restorable(path: Path) -> Copy:
    """A backup may be restored when it is sound and at a revision this code knows."""
    copy = describe(path)
    if copy.revision is None:
        raise BackupError("backup_not_chibo", path=path)
    if copy.revision not in known_revisions():
        raise BackupError("backup_revision_unknown", path=path, revision=copy.revision)
    return copy


def _lock(target: Path) -> sqlite3.Connection:
    """The target database opened with SQLite's exclusive lock, or BackupError if another
    connection (a running bot, a `chibo` command) has it open."""
    conn = _connect(target, timeout=0.5)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.close()
        raise BackupError("backup_in_use", path=target) from exc
    return conn


def restore(
    source: Path, target: Path, keep_as: Path, progress: Progress | None = None
) -> tuple[Copy, Path | None]:
    """Replace the database `target` by the backup `source`. The current `target`, when it
    holds anything, is first copied to `keep_as` (returned). Refused while `target` is open
    elsewhere: the exclusive lock is held from the check to the end of the restore."""
    check_restorable(source)
    if target.exists() and source.resolve() == target.resolve():
        raise BackupError("backup_is_the_database", path=source)
    existed = target.is_file() and target.stat().st_size > 0
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    with closing(_lock(target)) as dst:
        if existed:
            _write_copy(dst, keep_as, None)
            kept = keep_as
        with closing(_connect(source)) as src:
            _copy(src, dst, progress)
        dst.execute("PRAGMA journal_mode=WAL")  # as the bot runs it
    return describe(target), kept
