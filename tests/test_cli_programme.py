"""`chibo programme register|appraise|list` through click's CliRunner on a real SQLite file."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from core.texts import t
from db.engine import Database
from db.models import AppraisalOutcome, AuditEntry, ProgrammeRegistration
from tests.test_cli import Invoke, cell, cli, db_url, migrated, workdir  # noqa: F401

CELL = "Chi bộ Ấp Phú Hữu"


def _rows(db_url: str) -> list[ProgrammeRegistration]:  # noqa: F811
    async def go() -> list[ProgrammeRegistration]:
        database = Database(db_url)
        try:
            async with database.unit_of_work() as uow:
                return list(await uow.session.scalars(select(ProgrammeRegistration)))
        finally:
            await database.dispose()

    return asyncio.run(go())


def _actions(db_url: str) -> list[str]:  # noqa: F811
    async def go() -> list[str]:
        database = Database(db_url)
        try:
            async with database.unit_of_work() as uow:
                rows = await uow.session.scalars(
                    select(AuditEntry.action)
                    .where(AuditEntry.action.like("programme_%"))
                    .order_by(AuditEntry.id)
                )
                return list(rows)
        finally:
            await database.dispose()

    return asyncio.run(go())


def test_register_appraise_and_list(cli: Invoke, cell: str, db_url: str) -> None:  # noqa: F811
    unit = "dang-uy-xa-phu-huu"
    listed = cli("programme", "list", "--unit", unit, "--year", "2026")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0] == t(
        "cli_programme_header", unit="Đảng ủy xã Phú Hữu", year=2026, registered=0, total=1
    )
    assert lines[1] == t("cli_programme_columns")
    not_yet = t("cli_programme_not_registered")
    assert lines[2] == t(
        "cli_programme_row", cell=CELL, registered=not_yet, resolution="-", outcome="-", note="-"
    )

    early = cli("programme", "appraise", "--cell", cell, "--year", "2026", "--outcome", "praised")
    assert early.exit_code == 1
    assert early.stderr.strip() == t("programme_not_registered", year=2026)

    bad = cli(
        "programme", "register", "--cell", cell, "--year", "2026", "--resolution", "31/2/2026"
    )
    assert bad.exit_code == 1
    assert bad.stderr.strip() == t("programme_date_impossible", text="31/2/2026")
    assert _rows(db_url) == []

    args = [
        "programme",
        "register",
        "--cell",
        cell,
        "--year",
        "2026",
        "--resolution",
        "15/01/2026",
    ]
    done = cli(*args)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == t("cli_programme_registered", cell=CELL, year=2026)
    again = cli(*args)
    assert again.exit_code == 1
    assert again.stderr.strip() == t("programme_already_registered", year=2026)

    note = "Hoàn thành tốt kế hoạch"
    appraised = cli(
        "programme",
        "appraise",
        "--cell",
        cell,
        "--year",
        "2026",
        "--outcome",
        "rewarded",
        "--note",
        note,
    )
    assert appraised.exit_code == 0, appraised.output
    rewarded = t("programme_outcome_rewarded")
    assert appraised.stdout.strip() == t(
        "cli_programme_appraised", cell=CELL, year=2026, outcome=rewarded
    )
    [row] = _rows(db_url)
    assert row.on_behalf and row.registered_by is None
    assert (row.outcome, row.outcome_note) == (AppraisalOutcome.REWARDED, note)
    assert row.appraising_unit_id is not None  # the commune committee above the cell
    assert _actions(db_url) == ["programme_registered", "programme_appraised"]

    listed = cli("programme", "list", "--unit", unit, "--year", "2026")
    lines = listed.stdout.splitlines()
    assert lines[0] == t(
        "cli_programme_header", unit="Đảng ủy xã Phú Hữu", year=2026, registered=1, total=1
    )
    assert lines[2].startswith(f"{CELL} | ") and lines[2].endswith(
        f"| 15/01/2026 | {rewarded} | {note}"
    )


def test_bad_options_are_refused(cli: Invoke, cell: str) -> None:  # noqa: F811
    wrong = cli("programme", "appraise", "--cell", cell, "--year", "2026", "--outcome", "gold")
    assert wrong.exit_code == 2
    unknown = cli("programme", "list", "--unit", "nowhere", "--year", "2026")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == t("unit_unknown", ref="nowhere")
    assert cli("programme", "--help").exit_code == 0
