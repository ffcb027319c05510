"""Writing printable xlsx workbooks people read (reports, roll-ups): one look for every sheet.

Workbooks are streamed (openpyxl write-only mode), so a province-wide export does not hold every
cell in memory: pass rows as any iterable, a generator is fine. Each sheet gets a bold header row
that stays frozen on screen and repeats on every printed page, set column widths, dates as
dd/mm/yyyy, landscape A4 fitted to the page width.

    book = new_workbook()
    add_sheet(book, "Đảng viên", ["Họ và tên", "Ngày vào Đảng"], rows, widths=[30, 14])
    save(book, path)          # or: data = to_bytes(book)

A write-only workbook can be saved once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0%"  # for ratios stored as 0..1
TITLE_MAX = 31  # Excel's limit on a sheet name
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = "DDEBF7"
_MIN_WIDTH = 8
_MAX_WIDTH = 60
A4 = "9"

Book = Any  # openpyxl.Workbook (write-only); openpyxl ships no type information
Sheet = Any


@dataclass(frozen=True, slots=True)
class Formatted:
    """One value with its own number format (e.g. a percentage in a column of counts)."""

    value: object
    number_format: str


def percent(ratio: float | None) -> Formatted | None:
    """A ratio 0..1 shown as "86%"; None stays an empty cell."""
    return None if ratio is None else Formatted(ratio, PERCENT_FORMAT)


def new_workbook() -> Book:
    """An empty streaming workbook (no default sheet)."""
    from openpyxl import Workbook  # deferred: only exports pay the import

    return Workbook(write_only=True)


def sheet_title(text: str) -> str:
    """A valid sheet name: forbidden characters replaced, cut to Excel's 31 characters."""
    cleaned = _TITLE_FORBIDDEN.sub("-", text).strip("'") or "Sheet"
    return cleaned[:TITLE_MAX]


def add_sheet(
    book: Book,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    widths: Sequence[float] | None = None,
    formats: Mapping[int, str] | None = None,
    landscape: bool = True,
    page_title: str | None = None,
) -> Sheet:
    """Append a sheet and write all its rows.

    `widths`: one per column (characters); by default from the header's length.
    `formats`: a number format per 0-based column (e.g. {3: PERCENT_FORMAT}); dates and
    datetimes get dd/mm/yyyy (hh:mm) everywhere without asking.
    `page_title`: printed at the top of every page (e.g. the cell and the period).
    """
    sheet = book.create_sheet(sheet_title(title))
    _layout(sheet, headers, widths, landscape, page_title)
    sheet.append([_header_cell(sheet, text) for text in headers])
    fixed = dict(formats or {})
    for row in rows:
        sheet.append([_cell(sheet, value, fixed.get(i)) for i, value in enumerate(row)])
    return sheet


def save(book: Book, path: Path | str) -> None:
    book.save(str(path))


def to_bytes(book: Book) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _layout(
    sheet: Sheet,
    headers: Sequence[str],
    widths: Sequence[float] | None,
    landscape: bool,
    page_title: str | None,
) -> None:
    # Column widths and page setup must be set before the first row is streamed.
    chosen = list(widths) if widths is not None else [_width(h) for h in headers]
    for index, width in enumerate(chosen, start=1):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    setup = sheet.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.6
    if page_title:
        sheet.oddHeader.center.text = page_title
    sheet.oddFooter.right.text = "&P/&N"


def _width(header: str) -> float:
    return float(min(max(len(header) + 4, _MIN_WIDTH), _MAX_WIDTH))


def _header_cell(sheet: Sheet, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    cell.border = Border(bottom=Side(style="thin"))
    return cell


def _cell(sheet: Sheet, value: object, number_format: str | None) -> object:
    if isinstance(value, Formatted):
        number_format, value = value.number_format, value.value
    if isinstance(value, datetime):
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        number_format = number_format or DATE_FORMAT
    if number_format is None or value is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell
