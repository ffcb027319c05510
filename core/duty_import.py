"""A cell's yearly KT/GS plan as an .xlsx file: the template, and reading it back.

Columns (matched without case or diacritics): Nội dung, Loại (Kiểm tra / Giám sát / Nhiệm
vụ), Đối tượng, Người thực hiện (full names separated by ";", matched to the cell's roster),
Ngày bắt đầu, Hạn hoàn thành (dd/mm/yyyy or real Excel dates). Every row is checked; the
caller imports nothing when any row is bad, unless told to skip the bad ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.context import Services
from core.duties import CONCERNS_MAX, ON_ROSTER, TITLE_MAX, Draft
from core.roster import RosterFileError
from core.texts import t
from core.units import cell_unit
from core.vntext import fold
from db.models import DutyKind, Member

COLUMNS = ("title", "kind", "concerns", "assignees", "start", "due")
REQUIRED = ("title", "kind", "assignees", "start", "due")
KINDS = {
    "kiem tra": DutyKind.INSPECTION,
    "giam sat": DutyKind.SUPERVISION,
    "nhiem vu": DutyKind.ASSIGNMENT,
    **{k.value: k for k in DutyKind},
}
PROGRESS_EVERY = 200
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class PlanRow:
    line: int
    title: str
    kind: DutyKind
    concerns: str
    names: tuple[str, ...]
    starts_on: date
    due_on: date


@dataclass(frozen=True, slots=True)
class PlanError:
    line: int
    code: str  # duty_err_<code> in the catalogue
    value: str = ""

    @property
    def reason(self) -> str:
        return t(f"duty_err_{self.code}", value=self.value, column=self.value)


@dataclass(frozen=True, slots=True)
class Checked:
    drafts: list[Draft]
    errors: list[PlanError]


def header() -> list[str]:
    return [t(f"duty_col_{c}") for c in COLUMNS]


def write_template(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KT-GS"
    sheet.append(header())
    for letter, width in zip("ABCDEF", (50, 14, 30, 40, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    book.save(path)


def read_plan(
    path: Path, progress: Progress | None = None
) -> tuple[list[PlanRow], list[PlanError]]:
    """Rows of the file, each checked on its own (names are matched later, to a roster)."""
    if path.suffix.lower() != ".xlsx":
        raise RosterFileError("unsupported_format", path.suffix)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise RosterFileError("unreadable", type(exc).__name__) from exc
    except Exception as exc:  # an untrusted file: openpyxl fails in many ways
        raise RosterFileError("corrupt_file", type(exc).__name__) from exc
    try:
        lines = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        return _parse(lines, progress)
    finally:
        book.close()


def _parse(
    lines: Iterator[tuple[int, Sequence[Any]]], progress: Progress | None
) -> tuple[list[PlanRow], list[PlanError]]:
    first = next(lines, None)
    if first is None:
        raise RosterFileError("empty_file")
    wanted = {fold(name): key for key, name in zip(COLUMNS, header(), strict=True)}
    index = {
        wanted[fold(str(v))]: i for i, v in enumerate(first[1]) if fold(str(v or "")) in wanted
    }
    missing = [t(f"duty_col_{c}") for c in REQUIRED if c not in index]
    if missing:
        return [], [PlanError(first[0], "missing_column", m) for m in missing]
    rows: list[PlanRow] = []
    errors: list[PlanError] = []
    for count, (line, cells) in enumerate(lines, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        values = {k: (cells[i] if i < len(cells) else None) for k, i in index.items()}
        if all(_text(v) == "" for v in values.values()):
            continue
        row, problems = _row(line, values)
        errors += problems
        if row is not None:
            rows.append(row)
    return rows, errors


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(_text(value), "%d/%m/%Y").date()
    except ValueError:
        return None


def _row(line: int, values: dict[str, object]) -> tuple[PlanRow | None, list[PlanError]]:
    problems: list[PlanError] = []
    title, concerns = _text(values.get("title")), _text(values.get("concerns"))
    if not title or len(title) > TITLE_MAX:
        problems.append(PlanError(line, "title"))
    if len(concerns) > CONCERNS_MAX:
        problems.append(PlanError(line, "concerns"))
    kind = KINDS.get(fold(_text(values.get("kind"))))
    if kind is None:
        problems.append(PlanError(line, "kind", _text(values.get("kind"))[:40]))
    raw_names = _text(values.get("assignees")).replace("\n", ";").split(";")
    names = tuple(n.strip() for n in raw_names if n.strip())
    if not names:
        problems.append(PlanError(line, "assignees"))
    start, due = _date(values.get("start")), _date(values.get("due"))
    for raw, found in ((values.get("start"), start), (values.get("due"), due)):
        if found is None:
            problems.append(PlanError(line, "date", _text(raw)[:40]))
    if start and due and due < start:
        problems.append(PlanError(line, "due_before_start"))
    if problems or kind is None or start is None or due is None:
        return None, problems
    return PlanRow(line, title, kind, concerns, names, start, due), []


async def check_names(services: Services, cell_ref: str, rows: Sequence[PlanRow]) -> Checked:
    """Match every row's names to the cell's roster (case and diacritics do not matter)."""
    async with services.db.unit_of_work() as uow:
        cell = await cell_unit(uow.session, cell_ref)
        members = await uow.session.execute(
            select(Member.id, Member.full_name).where(
                Member.cell_id == cell.id, Member.status.in_(ON_ROSTER)
            )
        )
        by_name: dict[str, list[int]] = {}
        for member_id, name in members:
            by_name.setdefault(fold(name), []).append(member_id)
    drafts: list[Draft] = []
    errors: list[PlanError] = []
    for row in rows:
        ids: list[int] = []
        for name in row.names:
            found = by_name.get(fold(name), [])
            if len(found) != 1:
                errors.append(PlanError(row.line, "name" if not found else "name_twice", name))
            ids += found[:1]
        if len(ids) == len(row.names):
            concerns = row.concerns or None
            drafts.append(
                Draft(row.kind, row.title, concerns, tuple(ids), row.starts_on, row.due_on)
            )
    return Checked(drafts, errors)
