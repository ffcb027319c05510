"""`chibo report` through click's CliRunner on a real SQLite file: a cell's workbook and chart,
a committee's roll-up, and the mistakes an operator can make."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.texts import t
from db.engine import Database
from tests.services.report_seed import seed_report
from tests.services.test_reports import png_size
from tests.support import Cell, seed_cell
from tests.test_cli import Invoke, cli, db_url, migrated, workdir  # noqa: F401

# Long past, so the real clock of the CLI sees every date of the seed behind it.
MONTH = date(2025, 10, 1)


def _seed(db_url: str) -> tuple[Cell, Cell]:  # noqa: F811
    async def go() -> tuple[Cell, Cell]:
        database = Database(db_url)
        try:
            clock = ManualClock(datetime(2025, 11, 2, 8, tzinfo=UTC))
            services = Services(database, clock, CoreConfig())
            cell = await seed_cell(services)
            other = await seed_cell(services, "Chi bộ Ấp Hai")
            await seed_report(services, cell, other, MONTH)
            return cell, other
        finally:
            await database.dispose()

    return asyncio.run(go())


def test_a_cells_workbook_and_chart(
    cli: Invoke,  # noqa: F811
    db_url: str,  # noqa: F811
    migrated: None,  # noqa: F811
    workdir: Path,  # noqa: F811
) -> None:
    cell, _ = _seed(db_url)
    out, png = workdir / "bao-cao.xlsx", workdir / "bieu-do.png"
    args = ("--period", "2025-10", "--out", str(out), "--chart", str(png))
    result = cli("report", "--cell", cell.code, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        t("cli_report_written", period="tháng 10/2025", cell="Chi bộ Ấp Một", path=out),
        t("cli_report_chart", path=png),
    ]
    book = load_workbook(out)
    meetings = [tuple(r) for r in book["Sinh hoạt"].iter_rows(values_only=True)]
    assert meetings[3][1] == "Cộng" and meetings[3][5:8] == (6, 1, 2)
    checks = [tuple(r) for r in book["Tự kiểm tra"].iter_rows(values_only=True)]
    assert checks[0][2:4] == ("10/2025", "quý IV/2025")
    assert checks[6:9] == [
        (None, "Đã hoàn thành", 1, 1, None),
        (None, "Đang làm", 1, 0, None),
        (None, "Chưa làm", 1, 1, None),
    ]
    duties = [r[9] for r in book["KT-GS"].iter_rows(min_row=2, values_only=True)]
    assert duties == ["Đúng hạn", "Trễ hạn", "Quá hạn, chưa xong", "Quá hạn, chưa xong"]
    trend = [r[0] for r in book["12 tháng"].iter_rows(min_row=2, values_only=True)]
    assert (trend[0], trend[-1]) == ("11/2024", "10/2025")
    assert png_size(png.read_bytes()) == (1200, 700)
    # The same by id, with --unit, for a quarter typed the Vietnamese way.
    again = cli("report", "--unit", str(cell.id), "--period", "quý 4/2025", "--out", str(out))
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == t(
        "cli_report_written", period="quý IV/2025", cell="Chi bộ Ấp Một", path=out
    )


def test_a_committee_gets_the_roll_up(
    cli: Invoke,  # noqa: F811
    db_url: str,  # noqa: F811
    migrated: None,  # noqa: F811
    workdir: Path,  # noqa: F811
) -> None:
    _seed(db_url)
    out = workdir / "tong-hop.xlsx"
    committee = "dang-uy-chi-bo-ap-mot"
    result = cli("report", "--unit", committee, "--period", "2025", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == t(
        "cli_report_unit_written", period="năm 2025", unit="Đảng ủy Chi bộ Ấp Một", path=out
    )
    assert load_workbook(out).sheetnames  # the roll-up's own sheets (core.rollup)
    chart = cli(
        "report", "--unit", committee, "--period", "2025", "--out", str(out), "--chart", "x.png"
    )
    assert chart.exit_code == 1 and chart.stderr.strip() == t("cli_report_chart_cell_only")


def test_mistakes_are_named_and_nothing_is_written(
    cli: Invoke,  # noqa: F811
    db_url: str,  # noqa: F811
    migrated: None,  # noqa: F811
    workdir: Path,  # noqa: F811
) -> None:
    cell, _ = _seed(db_url)
    out = workdir / "x.xlsx"
    for period, key in (
        ("2025-13", "report_period_impossible"),
        ("hôm qua", "report_period_unreadable"),
        ("2025-11-30..2025-09-01", "report_period_reversed"),
        ("2999", "report_period_future"),
    ):
        result = cli("report", "--cell", cell.code, "--period", period, "--out", str(out))
        assert result.exit_code == 1, period
        assert result.stderr.strip() == t(key, text=period, years=3)
    unknown = cli("report", "--cell", "khong-co", "--period", "2025", "--out", str(out))
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == t("unit_unknown", ref="khong-co")
    assert not out.exists()
    helped = cli("report", "--help")
    assert helped.exit_code == 0 and "2026-Q3" in helped.stdout and "--unit" in helped.stdout
