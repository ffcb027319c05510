"""`chibo duty template|import` through click's CliRunner on a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.texts import t
from db.engine import Database
from db.models import Duty, DutyAssignee, DutyKind
from tests.test_cli import Invoke, cell, cli, db_url, migrated, roster, workdir  # noqa: F401

GOOD = [
    (
        "Kiểm tra việc đóng đảng phí",
        "Kiểm tra",
        "Chi bộ",
        "lê văn tám; PHAM THI HOA",
        "05/01/2027",
    ),
    ("Giám sát tu dưỡng", "giam sat", "", "Trần Thị Mai", datetime(2027, 3, 1)),
]


def _write(path: Path, rows: list[tuple[object, ...]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([t(f"duty_col_{c}") for c in ("title", "kind", "concerns", "assignees")])
    sheet["E1"], sheet["F1"] = t("duty_col_start"), t("duty_col_due")
    for title, kind, concerns, names, start in rows:
        sheet.append([title, kind, concerns, names, start, "30/06/2027"])
    book.save(path)
    return path


def _duties(db_url: str) -> list[tuple[str, DutyKind, int]]:  # noqa: F811
    async def go() -> list[tuple[str, DutyKind, int]]:
        database = Database(db_url)
        try:
            async with database.unit_of_work() as uow:
                rows = await uow.session.execute(
                    select(Duty.title, Duty.kind, func.count(DutyAssignee.id))
                    .join(DutyAssignee, DutyAssignee.duty_id == Duty.id)
                    .group_by(Duty.id)
                    .order_by(Duty.id)
                )
                return [(a, b, c) for a, b, c in rows]
        finally:
            await database.dispose()

    return asyncio.run(go())


def test_template_has_the_vietnamese_headers_and_imports_empty(
    cli: Invoke,  # noqa: F811
    roster: str,  # noqa: F811
    workdir: Path,  # noqa: F811
) -> None:
    out = workdir / "ke-hoach.xlsx"
    result = cli("duty", "template", str(out))
    assert result.exit_code == 0 and result.stdout.strip() == t("cli_duty_template", path=out)
    header = next(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert header == (
        "Nội dung",
        "Loại",
        "Đối tượng",
        "Người thực hiện",
        "Ngày bắt đầu",
        "Hạn hoàn thành",
    )
    again = cli("duty", "import", str(out), "--cell", roster)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == t("cli_duty_imported", count=0, cell=roster)


def test_import_matches_names_without_case_or_diacritics(
    cli: Invoke,  # noqa: F811
    roster: str,  # noqa: F811
    workdir: Path,  # noqa: F811
    db_url: str,  # noqa: F811
) -> None:
    path = _write(workdir / "plan.xlsx", GOOD)  # type: ignore[arg-type]
    result = cli("duty", "import", str(path), "--cell", roster)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == t("cli_duty_imported", count=2, cell=roster)
    assert _duties(db_url) == [
        ("Kiểm tra việc đóng đảng phí", DutyKind.INSPECTION, 2),
        ("Giám sát tu dưỡng", DutyKind.SUPERVISION, 1),
    ]


def test_a_file_with_bad_rows_imports_nothing(
    cli: Invoke,  # noqa: F811
    roster: str,  # noqa: F811
    workdir: Path,  # noqa: F811
    db_url: str,  # noqa: F811
) -> None:
    bad: list[tuple[object, ...]] = [
        *GOOD,
        ("Việc lạ", "Thi đua", "", "Lê Văn Tám", "01/02/2027"),  # line 4: unknown kind
        ("Việc của người ngoài", "Nhiệm vụ", "", "Nguyễn Văn Ngoài", "01/02/2027"),  # line 5
        ("Việc ngày sai", "Nhiệm vụ", "", "Lê Văn Tám", "31/02/2027"),  # line 6: no such day
        ("", "Nhiệm vụ", "", "Lê Văn Tám", "01/02/2027"),  # line 7: no title
        ("Hạn trước bắt đầu", "Nhiệm vụ", "", "Lê Văn Tám", "01/07/2027"),  # line 8
    ]
    path = _write(workdir / "plan.xlsx", bad)
    result = cli("duty", "import", str(path), "--cell", roster)
    assert result.exit_code == 1
    assert t("cli_duty_bad_rows", count=5) in result.stderr
    for line, reason in [
        (4, t("duty_err_kind", value="Thi đua")),
        (5, t("duty_err_name", value="Nguyễn Văn Ngoài")),
        (6, t("duty_err_date", value="31/02/2027")),
        (7, t("duty_err_title")),
        (8, t("duty_err_due_before_start")),
    ]:
        assert t("cli_row_error", line=line, reason=reason) in result.stderr
    assert _duties(db_url) == []
    skipped = cli("duty", "import", str(path), "--cell", roster, "--skip-bad")
    assert skipped.exit_code == 0, skipped.output
    assert t("cli_duty_skipped_bad", count=5) in skipped.stderr
    assert len(_duties(db_url)) == 2


def test_a_file_without_the_columns_names_them(
    cli: Invoke,  # noqa: F811
    roster: str,  # noqa: F811
    workdir: Path,  # noqa: F811
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Nội dung", "Loại"])  # type: ignore[union-attr]
    book.save(workdir / "short.xlsx")
    result = cli("duty", "import", str(workdir / "short.xlsx"), "--cell", roster)
    assert result.exit_code == 1
    assert t("duty_err_missing_column", column="Người thực hiện") in result.stderr
    csv = workdir / "plan.csv"
    csv.write_text("Nội dung\n", encoding="utf-8")
    refused = cli("duty", "import", str(csv), "--cell", roster)
    assert refused.exit_code == 1 and t("roster_unsupported_format") in refused.stderr
