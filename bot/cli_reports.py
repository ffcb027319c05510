"""`chibo report`: the cell's or unit's report workbook from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli import _run, main
from bot.cli_roster import operator_services
from core.texts import t

PERIOD_HELP = (
    'A month "2026-11", a quarter "2026-Q3", a year "2026", or days "2026-09-01..2026-11-30" '
    '(the Vietnamese forms "11/2026", "quý 3/2026", "01/09/2026 - 30/11/2026" work too).'
)


class _Bar:
    """A click progress bar on stderr, made when the first step is known."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command("report")
@click.option(
    "--cell",
    "--unit",
    "unit_ref",
    required=True,
    help="Code or id of the cell; a committee, district or province gives the roll-up.",
)
@click.option("--period", required=True, help=PERIOD_HELP)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The .xlsx file to write.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the 12-month chart here (.png; cells only).",
)
def report(unit_ref: str, period: str, out: Path, chart: Path | None) -> None:
    """Write the report of a cell (or the roll-up of a unit) for PERIOD to OUT.xlsx."""
    from core.report_periods import PeriodError, parse_period
    from core.reports import find_unit_kind, local_today, write_cell_report

    async def go() -> int:
        async with operator_services() as services:
            try:
                span = parse_period(period, today=local_today(services))
            except PeriodError as error:
                click.echo(t(error.code, **error.params), err=True)
                return 1
            unit_id, is_cell, name = await find_unit_kind(services, unit_ref)
            bar = _Bar()
            try:
                if is_cell:
                    await write_cell_report(services, unit_ref, span, out, chart, bar)
                else:
                    if chart is not None:
                        click.echo(t("cli_report_chart_cell_only"), err=True)
                        return 1
                    from core.rollup import write_rollup_workbook

                    await write_rollup_workbook(services, unit_id, span.start, span.end, out, bar)
            finally:
                bar.close()
            key = "cli_report_written" if is_cell else "cli_report_unit_written"
            click.echo(t(key, period=span.label(), cell=name, unit=name, path=out))
            if chart is not None:
                click.echo(t("cli_report_chart", path=chart))
            return 0

    if _run(go):
        sys.exit(1)
