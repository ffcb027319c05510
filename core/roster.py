"""Member roster files (CSV or XLSX) turned into validated rows.

A cell secretary uploads a spreadsheet of party members. This module reads it
and checks every row. It never produces user-facing text: problems are
reported as codes (see :data:`ROSTER_ERROR_CODES`) with parameters, and a
separate catalogue renders them in Vietnamese.

Line numbers are spreadsheet lines (1-based, the header is normally line 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.vntext import InvalidPhoneError, fold, normalize_name, normalize_phone

__all__ = [
    "FILE_ERROR_CODES",
    "ROSTER_ERROR_CODES",
    "ROW_ERROR_CODES",
    "MembershipName",
    "RoleName",
    "RosterFileError",
    "RosterResult",
    "RosterRow",
    "RowError",
    "parse_rows",
    "read_roster",
]

RoleName = Literal["secretary", "deputy", "member"]
MembershipName = Literal["full", "probationary"]
ProgressCallback = Callable[[int], None]

# --- error codes -----------------------------------------------------------------------------

ROW_ERROR_CODES: frozenset[str] = frozenset(
    {
        "missing_column",  # file level, reported on the header line
        "name_missing",
        "name_too_short",
        "name_too_long",
        "name_has_digit",
        "name_invalid_char",
        "name_no_letter",
        "phone_invalid",
        "role_invalid",
        "membership_invalid",
        "duplicate_in_file",
        "secretary_twice",
    }
)
FILE_ERROR_CODES: frozenset[str] = frozenset(
    {"unsupported_format", "unreadable", "encoding", "corrupt_file", "empty_file"}
)
ROSTER_ERROR_CODES: frozenset[str] = ROW_ERROR_CODES | FILE_ERROR_CODES

# --- columns ---------------------------------------------------------------------------------

FULL_NAME = "full_name"
NAME_PREFIX = "name_prefix"  # "Họ và tên đệm" when the given name sits in its own column
PHONE = "phone"
ROLE = "role"
MEMBERSHIP = "membership"

_GIVEN_NAME_ALIAS = "ten"

# Aliases in order of preference: when several columns match one field, the
# best-ranked alias wins, then the leftmost column. Compared after _key().
_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    FULL_NAME: (
        "họ và tên",
        "họ tên",
        "họ và tên đảng viên",
        "full name",
        "name",
        _GIVEN_NAME_ALIAS,
    ),
    NAME_PREFIX: ("họ và tên đệm", "họ và chữ đệm", "họ đệm", "họ lót", "họ và đệm", "họ"),
    PHONE: (
        "số điện thoại",
        "điện thoại",
        "sđt",
        "số đt",
        "điện thoại di động",
        "di động",
        "phone",
        "phone number",
        "mobile",
    ),
    ROLE: ("chức vụ", "vai trò", "chức vụ trong chi bộ", "chức danh", "role"),
    MEMBERSHIP: (
        "loại",
        "loại đảng viên",
        "đảng viên chính thức/dự bị",
        "chính thức/dự bị",
        "membership",
    ),
}

_ROLE_VALUES: dict[str, RoleName] = {
    "bí thư": "secretary",
    "bí thư chi bộ": "secretary",
    "secretary": "secretary",
    "phó bí thư": "deputy",
    "phó bí thư chi bộ": "deputy",
    "deputy": "deputy",
    "deputy secretary": "deputy",
    "đảng viên": "member",
    "member": "member",
    "": "member",
}
_MEMBERSHIP_VALUES: dict[str, MembershipName] = {
    "chính thức": "full",
    "đảng viên chính thức": "full",
    "full": "full",
    "": "full",
    "dự bị": "probationary",
    "đảng viên dự bị": "probationary",
    "probationary": "probationary",
}

# --- limits and formats ----------------------------------------------------------------------

NAME_MIN_LEN = 2
NAME_MAX_LEN = 100
VALUE_MAX_LEN = 40
PROGRESS_EVERY = 200
HEADER_SCAN_LINES = 10  # title rows ("DANH SÁCH ĐẢNG VIÊN ...") may sit above the header
CSV_DELIMITERS = (",", ";", "\t")
CSV_SNIFF_LINES = 10

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NAME_PUNCTUATION = frozenset(" -.'’")
_DROP_NAME_PUNCTUATION = str.maketrans(dict.fromkeys(_NAME_PUNCTUATION))
_PRIVATE_DIGITS = 7  # a value with this many digits may be a phone number: mask it
_KEPT_DIGITS = 3
_MASK = "*"
_ELLIPSIS = "…"
# Excel drops the leading 0 of a phone typed as a number: 912345678 -> 0912345678.
_LOST_ZERO = re.compile(r"[35789][0-9]{8}|2[0-9]{8,9}")


@functools.lru_cache(maxsize=1024)  # role and membership cells repeat on every line
def _key(text: str) -> str:
    """Folded form with punctuation collapsed: "Họ và tên (*)" -> "ho va ten"."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


_ALIAS_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(_key(alias) for alias in aliases) for name, aliases in _COLUMN_ALIASES.items()
}
_ROLE_KEYS: dict[str, RoleName] = {_key(k): v for k, v in _ROLE_VALUES.items()}
_MEMBERSHIP_KEYS: dict[str, MembershipName] = {_key(k): v for k, v in _MEMBERSHIP_VALUES.items()}

# --- public types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One valid member line."""

    line: int
    full_name: str
    phone: str | None
    role: RoleName
    membership: MembershipName


@dataclass(frozen=True)
class RowError:
    """A problem on one line; ``code`` is one of :data:`ROW_ERROR_CODES`.

    ``value`` is the offending cell text, truncated to 40 characters, with all
    but the last 3 digits of phone-like values masked. ``other_line`` names the
    earlier line for ``duplicate_in_file`` and ``secretary_twice``.
    """

    line: int
    column: str
    code: str
    value: str = ""
    other_line: int | None = None

    def params(self) -> dict[str, str | int]:
        """Placeholders for the message catalogue."""
        params: dict[str, str | int] = {
            "line": self.line,
            "column": self.column,
            "value": self.value,
        }
        if self.other_line is not None:
            params["other_line"] = self.other_line
        return params


@dataclass(frozen=True)
class RosterResult:
    """Valid rows, errors, and the count of non-empty data lines examined."""

    rows: list[RosterRow]
    errors: list[RowError]
    total_lines: int

    @property
    def ok(self) -> bool:
        return not self.errors


class RosterFileError(Exception):
    """The file as a whole cannot be read; ``code`` is one of :data:`FILE_ERROR_CODES`.

    ``detail`` is a technical English note for logs, never shown to users.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# --- cell helpers ----------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """Text of a spreadsheet cell: None -> "", 12.0 -> "12", stripped, NFC."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _is_blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _mask_digits(text: str) -> str:
    total = sum(ch.isdigit() for ch in text)
    seen = 0
    out: list[str] = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - _KEPT_DIGITS else _MASK)
        else:
            out.append(ch)
    return "".join(out)


def _shown_value(column: str, text: str) -> str:
    """Cell text safe for logs: phone-like digits masked, at most 40 characters."""
    if column == PHONE or sum(ch.isdigit() for ch in text) >= _PRIVATE_DIGITS:
        text = _mask_digits(text)
    if len(text) > VALUE_MAX_LEN:
        text = text[: VALUE_MAX_LEN - 1] + _ELLIPSIS
    return text


def _error(
    line: int, column: str, code: str, text: str = "", other_line: int | None = None
) -> RowError:
    return RowError(line, column, code, _shown_value(column, text), other_line)


# --- header ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Index of each recognised column in a row."""

    index: dict[str, int]
    given_name_only: bool  # the name column is "Tên" and a "Họ (và tên đệm)" column exists

    def text(self, cells: Sequence[object], name: str) -> str | None:
        """Cell text, or None when the column is absent from the header."""
        pos = self.index.get(name)
        if pos is None:
            return None
        return _cell_text(cells[pos]) if pos < len(cells) else ""


def _match_header(header: Sequence[object]) -> _Columns:
    best: dict[str, tuple[int, int]] = {}  # field -> (alias rank, column index)
    for pos, cell in enumerate(header):
        key = _key(_cell_text(cell))
        for name, keys in _ALIAS_KEYS.items():
            if key in keys:
                candidate = (keys.index(key), pos)
                best[name] = min(best.get(name, candidate), candidate)
    index = {name: pos for name, (_, pos) in best.items()}
    name_rank = best.get(FULL_NAME, (0, 0))[0]
    given_only = NAME_PREFIX in index and _ALIAS_KEYS[FULL_NAME][name_rank] == _GIVEN_NAME_ALIAS
    return _Columns(index, given_only and FULL_NAME in index)


def _is_header(cells: Sequence[object]) -> bool:
    return FULL_NAME in _match_header(cells).index


# --- field validation ------------------------------------------------------------------------


def name_problem(name: str) -> str | None:
    """Why `name` (already normalized) cannot be a person's full name, or None when it can."""
    if not name:
        return "name_missing"
    if any(map(str.isdigit, name)):
        return "name_has_digit"
    letters = name.translate(_DROP_NAME_PUNCTUATION)
    if not letters.isalpha() and not all(map(_is_name_char, name)):
        return "name_invalid_char"  # isalpha() is the fast path; marks need the slow one
    if not any(map(str.isalpha, letters)):
        return "name_no_letter"
    if len(name) < NAME_MIN_LEN:
        return "name_too_short"
    if len(name) > NAME_MAX_LEN:
        return "name_too_long"
    return None


def _is_name_char(ch: str) -> bool:
    return ch.isalpha() or unicodedata.category(ch).startswith("M") or ch in _NAME_PUNCTUATION


def _restore_lost_zero(text: str) -> str:
    """Give back the leading 0 Excel strips from a phone typed as a number.

    Applies to numeric XLSX cells and to CSV files saved from such a sheet alike.
    """
    return "0" + text if _LOST_ZERO.fullmatch(text) else text


@dataclass
class _LineCheck:
    """Field values of one line plus the errors found so far."""

    line: int
    errors: list[RowError] = field(default_factory=list)
    full_name: str = ""
    phone: str | None = None
    role: RoleName = "member"
    membership: MembershipName = "full"

    def fail(self, column: str, code: str, text: str) -> None:
        self.errors.append(_error(self.line, column, code, text))


def _check_name(check: _LineCheck, cols: _Columns, cells: Sequence[object]) -> None:
    raw = cols.text(cells, FULL_NAME) or ""
    if cols.given_name_only:
        raw = f"{cols.text(cells, NAME_PREFIX) or ''} {raw}"
    name = normalize_name(raw)
    problem = name_problem(name)
    if problem is not None:
        check.fail(FULL_NAME, problem, name)
    check.full_name = name


def _check_phone(check: _LineCheck, cols: _Columns, cells: Sequence[object]) -> None:
    text = cols.text(cells, PHONE)
    if not text:
        return
    try:
        check.phone = normalize_phone(_restore_lost_zero(text))
    except InvalidPhoneError:
        check.fail(PHONE, "phone_invalid", text)


def _check_role(check: _LineCheck, cols: _Columns, cells: Sequence[object]) -> None:
    text = cols.text(cells, ROLE) or ""
    role = _ROLE_KEYS.get(_key(text))
    if role is None:
        check.fail(ROLE, "role_invalid", text)
    else:
        check.role = role


def _check_membership(check: _LineCheck, cols: _Columns, cells: Sequence[object]) -> None:
    text = cols.text(cells, MEMBERSHIP) or ""
    membership = _MEMBERSHIP_KEYS.get(_key(text))
    if membership is None:
        check.fail(MEMBERSHIP, "membership_invalid", text)
    else:
        check.membership = membership


def _check_fields(line: int, cols: _Columns, cells: Sequence[object]) -> _LineCheck:
    check = _LineCheck(line)
    _check_name(check, cols, cells)
    _check_phone(check, cols, cells)
    _check_role(check, cols, cells)
    _check_membership(check, cols, cells)
    return check


# --- whole-file rules ------------------------------------------------------------------------


@dataclass
class _Seen:
    """Cross-row state: earlier lines by identity, and the first secretary."""

    by_phone: dict[str, int] = field(default_factory=dict)
    by_name_without_phone: dict[str, int] = field(default_factory=dict)
    secretary_line: int | None = None

    def conflict(self, row: RosterRow) -> RowError | None:
        """The error a valid row raises against earlier rows, or None (then remember it)."""
        name_key = fold(row.full_name)
        error = self._duplicate(row, name_key) or self._second_secretary(row)
        if error is None:
            self._remember(row, name_key)
        return error

    def _duplicate(self, row: RosterRow, name_key: str) -> RowError | None:
        # A shared phone is a duplicate whatever the names; the same name is one only
        # when neither line has a phone (namesakes with different phones are allowed).
        if row.phone is not None:
            earlier = self.by_phone.get(row.phone)
            column, value = PHONE, row.phone
        else:
            earlier = self.by_name_without_phone.get(name_key)
            column, value = FULL_NAME, row.full_name
        if earlier is None:
            return None
        return _error(row.line, column, "duplicate_in_file", value, earlier)

    def _second_secretary(self, row: RosterRow) -> RowError | None:
        if row.role != "secretary" or self.secretary_line is None:
            return None
        return _error(row.line, ROLE, "secretary_twice", row.full_name, self.secretary_line)

    def _remember(self, row: RosterRow, name_key: str) -> None:
        if row.phone is not None:
            self.by_phone[row.phone] = row.line
        else:
            self.by_name_without_phone[name_key] = row.line
        if row.role == "secretary":
            self.secretary_line = row.line


# --- the pure core ---------------------------------------------------------------------------


class _Progress:
    """Reports the number of data lines processed every PROGRESS_EVERY lines and at the end."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._count = 0
        self._reported = -1

    def step(self) -> None:
        self._count += 1
        if self._count % PROGRESS_EVERY == 0:
            self._report()

    def finish(self) -> None:
        if self._reported != self._count:
            self._report()

    def _report(self) -> None:
        if self._callback is not None:
            self._callback(self._count)
        self._reported = self._count


def parse_rows(
    header: Sequence[object],
    rows: Iterable[tuple[int, Sequence[object]]],
    *,
    header_line: int = 1,
    progress: ProgressCallback | None = None,
) -> RosterResult:
    """Validate data rows given as ``(line number, cells)`` against a header row.

    Blank rows are skipped. Without a name column the only error is
    ``missing_column`` on the header line and no row is examined.
    """
    cols = _match_header(header)
    if FULL_NAME not in cols.index:
        return RosterResult([], [RowError(header_line, FULL_NAME, "missing_column")], 0)
    valid: list[RosterRow] = []
    errors: list[RowError] = []
    seen = _Seen()
    counter = _Progress(progress)
    examined = 0
    for line, cells in rows:
        counter.step()
        if _is_blank(cells):
            continue
        examined += 1
        row, row_errors = _parse_line(line, cols, cells, seen)
        errors.extend(row_errors)
        if row is not None:
            valid.append(row)
    counter.finish()
    return RosterResult(valid, errors, examined)


def _parse_line(
    line: int, cols: _Columns, cells: Sequence[object], seen: _Seen
) -> tuple[RosterRow | None, list[RowError]]:
    check = _check_fields(line, cols, cells)
    if check.errors:
        return None, check.errors
    row = RosterRow(line, check.full_name, check.phone, check.role, check.membership)
    conflict = seen.conflict(row)
    if conflict is not None:
        return None, [conflict]
    return row, []


# --- files -----------------------------------------------------------------------------------

Lines = Iterator[tuple[int, Sequence[object]]]


def read_roster(path: Path, *, progress: ProgressCallback | None = None) -> RosterResult:
    """Read a ``.csv`` or ``.xlsx`` roster and validate it.

    Raises :class:`RosterFileError` when the file cannot be read at all.
    The header is the first line, or the first of the first 10 lines that has
    a name column (title rows above the header are tolerated).
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _parse_lines(_csv_lines(path), progress)
    if suffix == ".xlsx":
        return _read_xlsx(path, progress)
    raise RosterFileError("unsupported_format", f"extension {suffix or '(none)'!r}")


def _parse_lines(lines: Lines, progress: ProgressCallback | None) -> RosterResult:
    header_line, header, rest = _locate_header(lines)
    return parse_rows(header, rest, header_line=header_line, progress=progress)


def _locate_header(lines: Lines) -> tuple[int, Sequence[object], Lines]:
    """Header line, its cells and the lines after it.

    The header is the first of the first 10 lines that has a name column. Without
    one, the first non-blank line is returned so that :func:`parse_rows`
    reports ``missing_column`` on it.
    """
    scanned = list(itertools.islice(lines, HEADER_SCAN_LINES))
    found = next(((n, cells) for n, cells in scanned if _is_header(cells)), None)
    if found is None:
        everything = itertools.chain(scanned, lines)
        found = next(((n, cells) for n, cells in everything if not _is_blank(cells)), None)
    if found is None:
        raise RosterFileError("empty_file", "no non-blank line")
    header_line, header = found
    after = [(n, cells) for n, cells in scanned if n > header_line]
    return header_line, header, itertools.chain(after, lines)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RosterFileError("unreadable", type(exc).__name__) from exc


def _csv_lines(path: Path) -> Lines:
    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError("encoding", f"not UTF-8 at byte {exc.start}") from exc
    return _csv_records(text)


def _sniff_delimiter(text: str) -> str:
    """Pick ",", ";" (Vietnamese-locale Excel) or tab: the one that yields a header row.

    Among delimiters that do (or if none does), the most frequent one wins; ties
    go to ",".
    """
    sample = list(itertools.islice(io.StringIO(text, newline=""), CSV_SNIFF_LINES))
    return max(CSV_DELIMITERS, key=lambda delimiter: _delimiter_score(sample, delimiter))


def _delimiter_score(sample: list[str], delimiter: str) -> tuple[bool, int, int]:
    """(a header is found, its column count, occurrences of the delimiter)."""
    try:
        records = list(csv.reader(sample, delimiter=delimiter))
    except csv.Error:
        return False, 0, 0
    header = next((cells for cells in records if _is_header(cells)), [])
    return bool(header), len(header), sum(line.count(delimiter) for line in sample)


def _csv_records(text: str) -> Lines:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise RosterFileError("corrupt_file", f"csv: {exc}") from exc


def _read_xlsx(path: Path, progress: ProgressCallback | None) -> RosterResult:
    from openpyxl import load_workbook  # deferred: only xlsx uploads pay the import

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise RosterFileError("unreadable", type(exc).__name__) from exc
    except Exception as exc:  # untrusted upload: openpyxl fails in many different ways
        raise RosterFileError("corrupt_file", f"xlsx: {type(exc).__name__}") from exc
    try:
        if not workbook.worksheets:
            raise RosterFileError("empty_file", "no worksheet")
        return _parse_lines(_xlsx_records(workbook.worksheets[0]), progress)
    finally:
        workbook.close()


def _xlsx_records(sheet: Any) -> Lines:
    try:
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except Exception as exc:  # untrusted upload: openpyxl fails in many different ways
        raise RosterFileError("corrupt_file", f"xlsx: {type(exc).__name__}") from exc
