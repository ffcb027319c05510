"""`chibo backup|restore` and `chibo member forget`: the operator's data commands.

SQLite is copied with SQLite's online backup API (db/backup.py), safe while the bot runs.
PostgreSQL is dumped with pg_dump when it is on PATH (the exact commands are printed
otherwise): the bot has no business reimplementing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.engine import URL, make_url

from bot.cli import _run, _settings, main
from bot.cli_roster import member, operator_services
from core.texts import t


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"


class _Shown:
    """Progress on stderr, at most once a second, and only for copies that take a while."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < 1.0 or now - self.last < 1.0 or not total:
            return
        self.last = now
        percent = done * 100 // total
        click.echo(t("cli_backup_progress", percent=percent, done=done, total=total), err=True)


def libpq_commands(url: str, file: Path) -> tuple[list[str], list[str], str, str, str | None]:
    """pg_dump and pg_restore commands for a SQLAlchemy PostgreSQL URL: (dump argv, restore
    argv, dump shown, restore shown, password). The argv carry no password (PGPASSWORD does);
    the shown commands mask it."""
    parsed = make_url(url).set(drivername="postgresql")
    bare = URL.create(
        "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database
    )
    plain = bare.render_as_string(hide_password=False)
    shown = parsed.render_as_string(hide_password=True)
    dump = ["pg_dump", "--format=custom", "--no-owner", "--file", str(file), plain]
    restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname", plain, str(file)]
    dump_shown = " ".join([*dump[:-1], f"'{shown}'"])
    restore_shown = " ".join([*restore[:-2], f"'{shown}'", str(file)])
    return dump, restore, dump_shown, restore_shown, parsed.password


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def backup_command(file: Path, force: bool) -> None:
    """Copy the database to FILE, safely while the bot runs (SQLite: online backup API,
    checked with integrity_check; PostgreSQL: pg_dump, custom format)."""
    from db import backup

    url = _settings().database_url
    source = backup.sqlite_file(url)
    started = time.perf_counter()
    if source is None:
        _pg_backup(url, file, force, started)
        return
    try:
        copy = backup.backup(source, file, force=force, progress=_Shown())
    except backup.BackupError as exc:
        click.echo(t("cli_backup_failed", reason=t(exc.key, **exc.params)), err=True)
        sys.exit(1)
    click.echo(
        t(
            "cli_backup_done",
            path=file,
            size=_size(copy.size),
            revision=copy.revision or "-",
            rows=f"{copy.rows:,}",
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    for table, count in copy.counts.items():
        click.echo(t("cli_backup_table", table=table, count=count))


def _pg_backup(url: str, file: Path, force: bool, started: float) -> None:
    dump, _, dump_shown, restore_shown, password = libpq_commands(url, file)
    if shutil.which("pg_dump") is None:
        click.echo(t("cli_backup_pg_manual", dump=dump_shown, restore=restore_shown), err=True)
        sys.exit(2)
    if file.exists() and not force:
        click.echo(t("cli_backup_failed", reason=f"{file} exists (--force)"), err=True)
        sys.exit(1)
    click.echo(t("cli_backup_pg_running", command=dump_shown), err=True)
    env = dict(os.environ, **({"PGPASSWORD": password} if password else {}))
    partial = file.with_name(f".{file.name}.part-{os.getpid()}")
    dump[dump.index("--file") + 1] = str(partial)
    try:
        done = subprocess.run(dump, env=env, check=False)
        if done.returncode != 0:
            click.echo(t("cli_backup_pg_failed", code=done.returncode), err=True)
            sys.exit(1)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    seconds = f"{time.perf_counter() - started:.1f}"
    size = _size(file.stat().st_size)
    click.echo(
        t("cli_backup_pg_done", path=file, size=size, seconds=seconds, command=restore_shown)
    )


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the SQLite database by the backup FILE (stop the bot first). The current
    database is kept as <database>.before-restore-<time>; an older backup is upgraded."""
    from db import backup, migrate

    url = _settings().database_url
    target = backup.sqlite_file(url)
    if target is None:
        _, _, _, restore_shown, _ = libpq_commands(url, file)
        click.echo(t("cli_restore_pg", restore=restore_shown), err=True)
        sys.exit(2)
    try:
        copy = backup.check_restorable(file)
    except backup.BackupError as exc:
        click.echo(t("cli_restore_failed", reason=t(exc.key, **exc.params)), err=True)
        sys.exit(1)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    keep = target.with_name(f"{target.name}.before-restore-{stamp}")
    size, rows = _size(copy.size), f"{copy.rows:,}"
    click.echo(t("cli_restore_about", path=file, size=size, revision=copy.revision, rows=rows))
    if not yes and not click.confirm(t("cli_restore_confirm", target=target, keep=keep)):
        click.echo(t("cli_data_cancelled"))
        sys.exit(1)
    started = time.perf_counter()
    try:
        restored, kept = backup.restore(file, target, keep, progress=_Shown())
    except backup.BackupError as exc:
        click.echo(t("cli_restore_failed", reason=t(exc.key, **exc.params)), err=True)
        sys.exit(1)
    if restored.revision != migrate.head_revision():
        click.echo(
            t("cli_restore_upgrading", revision=restored.revision, head=migrate.head_revision())
        )
        migrate.upgrade(url)
    seconds = f"{time.perf_counter() - started:.1f}"
    click.echo(t("cli_restore_done", target=target, rows=f"{restored.rows:,}", seconds=seconds))
    if kept is not None:
        click.echo(t("cli_restore_kept", keep=kept))


@member.command("forget")
@click.argument("member_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def member_forget(member_id: int, yes: bool) -> None:
    """Remove a member's personal data on request (name, phone, accounts, free texts,
    message texts); attendance, self-check states and reports keep counting them."""
    from core import forgetting

    async def about() -> forgetting.Subject:
        async with operator_services() as services:
            return await forgetting.subject(services, member_id)

    async def go() -> forgetting.Forgotten:
        async with operator_services() as services:
            return await forgetting.forget(services, member_id)

    who = _run(about)
    click.echo(t("cli_forget_about", id=member_id, name=who.name, cell=who.cell_name))
    if not yes and not click.confirm(t("cli_forget_confirm")):
        click.echo(t("cli_data_cancelled"))
        sys.exit(1)
    done = _run(go)
    click.echo(t("cli_forget_again" if done.again else "cli_forget_done", id=member_id))
    for table, count in sorted(done.deleted.items()):
        click.echo(t("cli_forget_deleted", table=table, count=count))
    for table, count in sorted(done.cleared.items()):
        click.echo(t("cli_forget_cleared", table=table, count=count))
