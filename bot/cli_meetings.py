"""`chibo holiday|cell|form`: days without meetings, per-cell reminder times, form versions."""

from __future__ import annotations

import sys
from datetime import date

import click

from bot.cli import _run, main
from bot.cli_roster import operator_services
from bot.settings import parse_offsets
from core.texts import t


@main.group()
def holiday() -> None:
    """Days without meetings (Tết, holidays), for every cell or one cell."""


@holiday.command("add")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]))
@click.option("--label", required=True, help='e.g. "Tết Nguyên đán"')
@click.option("--cell", help="Only this cell (default: every cell).")
def holiday_add(day: object, label: str, cell: str | None) -> None:
    """Add DAY (2027-02-06 or 06/02/2027)."""
    from core.calendar_settings import add_skip_date

    assert hasattr(day, "date")
    on: date = day.date()

    async def go() -> None:
        async with operator_services() as services:
            await add_skip_date(services, on, label, cell)
            click.echo(t("cli_holiday_added", date=on.strftime("%d/%m/%Y"), label=label))

    _run(go)


@holiday.command("list")
def holiday_list() -> None:
    """List the days without meetings."""
    from core.calendar_settings import skip_dates

    async def go() -> None:
        async with operator_services() as services:
            for on, label, cell in await skip_dates(services):
                scope = str(cell) if cell is not None else "*"
                click.echo(f"{on:%d/%m/%Y}  {scope:>6}  {label}")

    _run(go)


@main.group()
def cell() -> None:
    """Per-cell settings."""


@cell.command("reminders")
@click.option("--cell", "cell_ref", required=True, help="Code or id of the cell.")
@click.option("--offsets", required=True, help='When to remind, e.g. "3d,1d,2h".')
def cell_reminders(cell_ref: str, offsets: str) -> None:
    """Set how long before each meeting this cell's members are reminded."""
    from core.calendar_settings import set_reminder_offsets

    try:
        minutes = parse_offsets(offsets)
    except ValueError:
        click.echo(t("cli_bad_offsets", offsets=offsets), err=True)
        sys.exit(2)

    async def go() -> None:
        async with operator_services() as services:
            await set_reminder_offsets(services, cell_ref, minutes)
            click.echo(t("cli_reminders_set", cell=cell_ref, offsets=offsets))

    _run(go)


@main.group()
def form() -> None:
    """Self-check forms (data/forms/*.yaml) and the version each cell uses."""


@form.command("list")
def form_list() -> None:
    """List the form versions this deployment has."""
    from core.form_choice import versions

    async def go() -> None:
        async with operator_services() as services:
            for found in versions(services):
                click.echo(
                    t(
                        "cli_form_line",
                        form=found.name,
                        version=found.version,
                        title=found.title,
                        count=found.questions,
                    )
                )

    _run(go)


@form.command("use")
@click.option("--cell", "cell_ref", required=True, help="Code or id of the cell.")
@click.option("--form", "name", required=True, help="Form name, e.g. monthly.")
@click.option("--version", type=int, required=True, help="Version number (see `form list`).")
def form_use(cell_ref: str, name: str, version: int) -> None:
    """Switch a cell to another version of a form (for self-checks started afterwards)."""
    from core.form_choice import use_version

    async def go() -> None:
        async with operator_services() as services:
            cell_name = await use_version(services, cell_ref, name, version)
            click.echo(t("cli_form_set", cell=cell_name, form=name, version=version))

    _run(go)
