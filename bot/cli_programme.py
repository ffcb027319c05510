"""`chibo programme ...`: the KT/GS model programme (registrations, appraisals) by CLI."""

from __future__ import annotations

import click

from bot.cli import _run, main
from bot.cli_roster import operator_services
from core.texts import t
from db.models import AppraisalOutcome

OUTCOMES = [o.value for o in AppraisalOutcome]


@main.group()
def programme() -> None:
    """The KT/GS model programme: cells register each year; the appraising body records
    the outcome (rewarded, praised, recognised, not_met)."""


@programme.command("register")
@click.option("--cell", required=True, help="Code or id of the cell.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--resolution", required=True, help="Date of the cell's resolution, dd/mm/yyyy.")
def programme_register(cell: str, year: int, resolution: str) -> None:
    """Register a cell for the year's programme on its behalf."""
    from core.programme import register_cli

    async def go() -> None:
        async with operator_services() as services:
            name = await register_cli(services, cell, year, resolution)
            click.echo(t("cli_programme_registered", cell=name, year=year))

    _run(go)


@programme.command("appraise")
@click.option("--cell", required=True, help="Code or id of the cell.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True)
@click.option("--note", default=None, help="A short note (at most 500 characters).")
def programme_appraise(cell: str, year: int, outcome: str, note: str | None) -> None:
    """Record (or change) the appraisal of a registered cell."""
    from core.programme import appraise_cli

    chosen = AppraisalOutcome(outcome)

    async def go() -> None:
        async with operator_services() as services:
            name = await appraise_cli(services, cell, year, chosen, note)
            label = t(f"programme_outcome_{chosen.value}")
            click.echo(t("cli_programme_appraised", cell=name, year=year, outcome=label))

    _run(go)


@programme.command("list")
@click.option("--unit", "unit_ref", required=True, help="Code or id of a unit (or a cell).")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def programme_list(unit_ref: str, year: int) -> None:
    """Every cell below the unit: registered or not, resolution date, outcome and note."""
    from core.programme import table

    async def go() -> None:
        async with operator_services() as services:
            found = await table(services, unit_ref, year)
        click.echo(
            t(
                "cli_programme_header",
                unit=found.unit.name,
                year=year,
                registered=found.registered,
                total=len(found.rows),
            )
        )
        click.echo(t("cli_programme_columns"))
        for row in found.rows:
            registered = (
                f"{row.registered_on:%d/%m/%Y}"
                if row.registered and row.registered_on
                else t("cli_programme_not_registered")
            )
            click.echo(
                t(
                    "cli_programme_row",
                    cell=row.cell_name,
                    registered=registered,
                    resolution=f"{row.resolution_on:%d/%m/%Y}" if row.resolution_on else "-",
                    outcome=t(f"programme_outcome_{row.outcome.value}") if row.outcome else "-",
                    note=row.note or "-",
                )
            )

    _run(go)
