"""`chibo duty template|import`: a cell's yearly KT/GS plan from an .xlsx file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli import _run, main
from bot.cli_roster import operator_services
from core.texts import t


@main.group()
def duty() -> None:
    """KT/GS duties: the cell's yearly plan of inspections, supervisions and tasks."""


@duty.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def duty_template(out: Path) -> None:
    """Write an empty plan OUT.xlsx with the Vietnamese column headers."""
    from core.duty_import import write_template

    write_template(out)
    click.echo(t("cli_duty_template", path=out))


@duty.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cell", required=True, help="Code or id of the cell.")
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
def duty_import(file: Path, cell: str, skip_bad: bool) -> None:
    """Import the plan in FILE (.xlsx from `chibo duty template`); every row is checked first."""
    from core.duties import import_duties
    from core.duty_import import check_names, read_plan
    from core.roster import RosterFileError

    shown = [False]

    def progress(done: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r… {done}", nl=False, err=True)
            shown[0] = True

    try:
        rows, errors = read_plan(file, progress=progress)
    except RosterFileError as exc:
        click.echo(t("cli_file_error", reason=t(f"roster_{exc.code}")), err=True)
        sys.exit(1)
    if shown[0]:
        click.echo("", err=True)

    async def go() -> int:
        async with operator_services() as services:
            checked = await check_names(services, cell, rows)
            bad = sorted([*errors, *checked.errors], key=lambda e: e.line)
            if bad:
                key = "cli_duty_skipped_bad" if skip_bad else "cli_duty_bad_rows"
                click.echo(t(key, count=len({e.line for e in bad})), err=True)
                for error in bad:
                    click.echo(t("cli_row_error", line=error.line, reason=error.reason), err=True)
                if not skip_bad:
                    return 1
            added = await import_duties(services, cell, checked.drafts)
            click.echo(t("cli_duty_imported", count=added, cell=cell))
            return 0

    if _run(go):
        sys.exit(1)
