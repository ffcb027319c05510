"""`chibo`: the command line for operators (run the bot, the demo, the database, the roster)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from bot.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    from core.errors import Refused
    from core.texts import t
    from db.migrate import SchemaOutOfDate

    async def main() -> T:
        return await coro_factory()

    try:
        return asyncio.run(main())
    except SchemaOutOfDate as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Refused as exc:
        click.echo(t(exc.key, **exc.params), err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Chi bộ bot: reminders, self-checks and KT/GS duties for party cells."""


@main.command()
def run() -> None:
    """Run the bot with the settings from the environment and .env."""
    from bot.logs import secrets_of, setup_logging

    settings = _settings()
    setup_logging(settings.log_level, secrets_of(settings), settings.log_format)
    _run(lambda: _serve(settings))


async def _serve(settings: Settings) -> None:
    from bot.app import BotApp

    app = BotApp(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()


@main.command()
@click.option("--pause", default=0.0, help="Seconds to wait between steps (for watching).")
@click.option(
    "--channel",
    type=click.Choice(["telegram", "zalo"]),
    default="telegram",
    show_default=True,
    help="Which messenger the people in the demo use (Zalo: typed numbers, no buttons).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out") / "demo",
    show_default=True,
    help="Where the files the bot sends (the report workbook, the chart) are saved.",
)
def demo(pause: float, channel: str, out: Path) -> None:
    """Offline demo: emulator + real bot + a scripted conversation, printed as a transcript."""
    from bot.demo import run_demo

    asyncio.run(run_demo(pause=pause, channel=channel, out=out))


@main.command()
@click.option("--port", default=8081, show_default=True)
def emulator(port: int) -> None:
    """Run the local Bot API emulator on 127.0.0.1 (TELEGRAM_API_URL=http://127.0.0.1:PORT)."""
    from emulator.__main__ import main as emulator_main

    emulator_main(["--port", str(port)])


# --- database -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from core.texts import t
    from db import migrate

    migrate.upgrade(_settings().database_url, revision)
    click.echo(
        t("cli_db_upgraded", revision=revision if revision != "head" else migrate.head_revision())
    )


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ("base" removes everything)."""
    from db import migrate

    migrate.downgrade(_settings().database_url, revision)


@db.command("current")
def db_current() -> None:
    """Show the schema version of the database and the one the code needs."""
    from core.texts import t
    from db import migrate
    from db.engine import Database

    async def current() -> str | None:
        database = Database(_settings().database_url)
        try:
            return await migrate.current_revision(database)
        finally:
            await database.dispose()

    revision = _run(current)
    click.echo(t("cli_db_current", revision=revision or "-", head=migrate.head_revision()))


from bot import (  # noqa: E402  (they register their commands on `main`)
    cli_data,
    cli_doctor,
    cli_duties,
    cli_meetings,
    cli_programme,
    cli_reports,
    cli_roster,
    cli_seed,
)

__all__ = [
    "cli_data",
    "cli_doctor",
    "cli_duties",
    "cli_meetings",
    "cli_programme",
    "cli_reports",
    "cli_roster",
    "cli_seed",
    "main",
]
