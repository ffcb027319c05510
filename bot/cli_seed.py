"""`chibo seed --scale district|province`: fill a database with realistic generated data."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import click

from bot.cli import _settings, main


@main.command("seed")
@click.option(
    "--scale",
    type=click.Choice(["tiny", "district", "province"]),
    required=True,
    help="district: 10,000 members in 263 cells; province: 150,000 in 5,000; tiny: 3 cells.",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="The database to fill (empty and migrated). Default: DATABASE_URL of the settings.",
)
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed.")
@click.option("--months", default=12, show_default=True, help="Months of history.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the data leads up to (default: today in Asia/Ho_Chi_Minh).",
)
def seed(
    scale: str, database_url: str | None, seed_value: int, months: int, today: datetime | None
) -> None:
    """Fill an EMPTY, migrated database with a generated party organisation and a year of its
    meetings, attendance, self-checks, KT/GS duties and programme registrations (for
    benchmarks and demos; never on a real deployment's database). Refuses a database that
    already holds units."""
    from bot.seed import SeedError, generate

    url = database_url or _settings().database_url

    def say(message: str) -> None:
        click.echo(message, err=True)

    try:
        summary = asyncio.run(
            generate(
                url,
                scale,
                seed=seed_value,
                months=months,
                today=today.date() if today else None,
                progress=say,
            )
        )
    except SeedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    width = max(len(name) for name in summary.rows)
    for name, count in summary.rows.items():
        click.echo(f"{name:<{width}}  {count:>10,}")
    click.echo(f"{summary.scale} on {summary.engine}: {summary.seconds:.1f} s")
