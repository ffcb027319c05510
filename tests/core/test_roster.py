"""Tests for core.roster: roster spreadsheets (CSV/XLSX) to validated rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.roster import (
    FILE_ERROR_CODES,
    ROSTER_ERROR_CODES,
    ROW_ERROR_CODES,
    RosterFileError,
    RosterResult,
    RosterRow,
    RowError,
    parse_rows,
    read_roster,
)

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "bot" / "sample"
HEADER = ("Họ và tên", "Số điện thoại", "Chức vụ", "Loại")


def parse(header: Sequence[object], *rows: Sequence[object]) -> RosterResult:
    """parse_rows with data lines numbered from 2, like a spreadsheet."""
    return parse_rows(header, enumerate(rows, start=2))


def codes(result: RosterResult) -> list[tuple[int, str]]:
    return [(e.line, e.code) for e in result.errors]


def write_csv(tmp_path: Path, text: str, *, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    return path


# --- header matching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ("Họ và tên", "Số điện thoại", "Chức vụ", "Loại"),
        ("HỌ VÀ TÊN", "SỐ ĐIỆN THOẠI", "CHỨC VỤ", "LOẠI"),
        ("ho va ten", "so dien thoai", "chuc vu", "loai"),
        ("  Họ   tên ", " SĐT ", "Vai trò", "Loại đảng viên"),
        ("Ho ten", "sdt", "role", "Đảng viên chính thức/dự bị"),
        ("full_name", "phone", "role", "membership"),
        ("Name", "Điện thoại", "ROLE", "Membership"),
        ("Tên", "Phone", "Chức vụ", "Loại"),
        ("Họ và tên (*)", "Số điện thoại:", "Chức vụ", "Loại"),
    ],
)
def test_header_aliases(header: tuple[str, ...]) -> None:
    result = parse(header, ("Lê Văn Tám", "0900000003", "Phó bí thư", "Dự bị"))
    assert result.errors == []
    assert result.rows == [RosterRow(2, "Lê Văn Tám", "0900000003", "deputy", "probationary")]


def test_columns_in_any_order_and_extra_columns_ignored() -> None:
    header = ("STT", "Loại", "Ghi chú", "SĐT", "Họ và tên", "Chức vụ")
    result = parse(header, (1, "Chính thức", "chuyển đến 2024", "0900000001", "Trần Thị Mai", ""))
    assert result.errors == []
    assert result.rows == [RosterRow(2, "Trần Thị Mai", "0900000001", "member", "full")]


def test_only_name_column_is_required() -> None:
    result = parse(("Họ và tên",), ("nguyễn văn  an",))
    assert result.rows == [RosterRow(2, "Nguyễn Văn An", None, "member", "full")]


def test_missing_name_column_is_a_file_level_error() -> None:
    result = parse(("Số điện thoại", "Chức vụ"), ("0900000001", "Bí thư"))
    assert result.rows == []
    assert result.errors == [RowError(1, "full_name", "missing_column")]
    assert result.total_lines == 0


def test_full_name_column_preferred_over_given_name() -> None:
    header = ("Tên", "Họ và tên")
    assert parse(header, ("Mai", "Trần Thị Mai")).rows[0].full_name == "Trần Thị Mai"


def test_family_and_given_name_columns_are_joined() -> None:
    header = ("Họ và tên đệm", "Tên", "SĐT")
    result = parse(header, ("Trần Thị", "Mai", "0900000002"))
    assert result.rows[0].full_name == "Trần Thị Mai"


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Bí thư", "secretary"),
        ("bi thu", "secretary"),
        ("SECRETARY", "secretary"),
        ("Phó Bí Thư", "deputy"),
        ("pho bi thu", "deputy"),
        ("deputy", "deputy"),
        ("Đảng viên", "member"),
        ("dang vien", "member"),
        ("member", "member"),
        ("", "member"),
        (None, "member"),
    ],
)
def test_role_values(role: str | None, expected: str) -> None:
    assert parse(HEADER, ("Lê Văn Tám", None, role, None)).rows[0].role == expected


@pytest.mark.parametrize(
    ("membership", "expected"),
    [
        ("Chính thức", "full"),
        ("chinh thuc", "full"),
        ("full", "full"),
        ("", "full"),
        ("Dự bị", "probationary"),
        ("du bi", "probationary"),
        ("Probationary", "probationary"),
    ],
)
def test_membership_values(membership: str, expected: str) -> None:
    assert parse(HEADER, ("Lê Văn Tám", "", "", membership)).rows[0].membership == expected


def test_phone_is_normalised() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "+84 900 000 003", "", ""))
    assert result.rows[0].phone == "0900000003"


# --- row errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "code"),
    [
        (("", "0900000001", "", ""), "full_name", "name_missing"),
        (("A", "", "", ""), "full_name", "name_too_short"),
        (("Nguyễn " + "a" * 100, "", "", ""), "full_name", "name_too_long"),
        (("Nguyễn Văn 2", "", "", ""), "full_name", "name_has_digit"),
        (("Lan/Hoa", "", "", ""), "full_name", "name_invalid_char"),
        (("- . -", "", "", ""), "full_name", "name_no_letter"),
        (("Lê Văn Tám", "0912 34", "", ""), "phone", "phone_invalid"),
        (("Lê Văn Tám", "không có", "", ""), "phone", "phone_invalid"),
        (("Lê Văn Tám", "", "Chủ tịch", ""), "role", "role_invalid"),
        (("Lê Văn Tám", "", "", "Dự khuyết"), "membership", "membership_invalid"),
    ],
)
def test_field_errors(cells: tuple[str, ...], column: str, code: str) -> None:
    result = parse(HEADER, ("Bùi Thị Thu", "", "", ""), cells)
    assert [(e.line, e.column, e.code) for e in result.errors] == [(3, column, code)]
    assert [r.line for r in result.rows] == [2]


def test_several_field_errors_on_one_line() -> None:
    result = parse(HEADER, ("", "abc", "x", "y"))
    assert [e.code for e in result.errors] == [
        "name_missing",
        "phone_invalid",
        "role_invalid",
        "membership_invalid",
    ]
    assert result.rows == []
    assert result.total_lines == 1


def test_error_value_is_the_cell_text() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "", "  Chủ tịch ", ""))
    assert result.errors[0].value == "Chủ tịch"


def test_error_value_is_truncated() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "", "x" * 100, ""))
    assert len(result.errors[0].value) == 40


def test_phone_errors_mask_all_but_last_three_digits() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "0912 345 67x", "", ""))
    assert result.errors[0].value == "**** **5 67x"


def test_phone_like_values_in_other_columns_are_masked() -> None:
    result = parse(HEADER, ("0912345678", "", "", ""))
    assert result.errors[0].code == "name_has_digit"
    assert result.errors[0].value == "*******678"


def test_duplicate_same_name_and_phone() -> None:
    result = parse(
        HEADER,
        ("Lê Văn Tám", "0900000003", "", ""),
        ("Trần Thị Mai", "", "", ""),
        ("LÊ VĂN TÁM", "0900 000 003", "", ""),
    )
    assert result.errors == [RowError(4, "phone", "duplicate_in_file", "*******003", 2)]
    assert [r.line for r in result.rows] == [2, 3]


def test_duplicate_same_name_without_phone() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "", "", ""), ("le van tam", None, "", ""))
    assert result.errors == [RowError(3, "full_name", "duplicate_in_file", "Le Van Tam", 2)]


def test_duplicate_phone_with_different_name() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "0900000003", "", ""), ("Lê Văn Tâm", "0900000003"))
    assert codes(result) == [(3, "duplicate_in_file")]
    assert result.errors[0].other_line == 2
    assert result.errors[0].params() == {
        "line": 3,
        "column": "phone",
        "value": "*******003",
        "other_line": 2,
    }


def test_same_name_with_different_phones_is_not_a_duplicate() -> None:
    result = parse(HEADER, ("Lê Văn Tám", "0900000003", "", ""), ("Lê Văn Tám", "0900000004"))
    assert result.errors == []
    assert len(result.rows) == 2


def test_second_secretary_is_an_error() -> None:
    result = parse(
        HEADER,
        ("Nguyễn Văn Hùng", "", "Bí thư", ""),
        ("Trần Thị Mai", "", "Phó bí thư", ""),
        ("Lê Văn Tám", "", "bi thu", ""),
    )
    assert result.errors == [RowError(4, "role", "secretary_twice", "Lê Văn Tám", 2)]
    assert [r.role for r in result.rows] == ["secretary", "deputy"]


def test_invalid_first_secretary_does_not_block_the_second() -> None:
    result = parse(HEADER, ("Nguyễn Văn 1", "", "Bí thư", ""), ("Lê Văn Tám", "", "Bí thư", ""))
    assert codes(result) == [(2, "name_has_digit")]
    assert result.rows[0].role == "secretary"


def test_every_row_error_code_is_reachable() -> None:
    result = parse(
        HEADER,
        ("", "", "", ""),
        ("", "0900000001", "", ""),
        ("A", "", "", ""),
        ("A" * 101, "", "", ""),
        ("An 2", "", "", ""),
        ("An@x", "", "", ""),
        ("--", "", "", ""),
        ("Lê Văn Tám", "12", "", ""),
        ("Lê Văn Tám", "", "x", ""),
        ("Lê Văn Tám", "", "", "x"),
        ("Lê Văn Tám", "0900000003", "Bí thư", ""),
        ("Lê Văn Tám", "0900000003", "", ""),
        ("Trần Thị Mai", "", "Bí thư", ""),
    )
    missing = parse(("Số điện thoại",), ("0900000001",))
    found = {e.code for e in result.errors} | {e.code for e in missing.errors}
    assert found == ROW_ERROR_CODES


def test_error_code_sets() -> None:
    assert ROSTER_ERROR_CODES == ROW_ERROR_CODES | FILE_ERROR_CODES
    assert not ROW_ERROR_CODES & FILE_ERROR_CODES
    assert all(code.isascii() and code == code.lower() for code in ROSTER_ERROR_CODES)


# --- lines and counting ----------------------------------------------------------------------


def test_blank_rows_are_skipped_and_lines_kept() -> None:
    result = parse(
        HEADER,
        ("Nguyễn Văn Hùng", "", "", ""),
        ("", None, "  ", ""),
        (),
        ("Trần Thị Mai", "abc", "", ""),
        ("Lê Văn Tám",),
    )
    assert [r.line for r in result.rows] == [2, 6]
    assert codes(result) == [(5, "phone_invalid")]
    assert result.total_lines == 3


def test_short_rows_are_padded() -> None:
    result = parse(("Chức vụ", "Họ và tên", "SĐT"), ("Bí thư", "Nguyễn Văn Hùng"))
    assert result.rows == [RosterRow(2, "Nguyễn Văn Hùng", None, "secretary", "full")]


def test_progress_every_200_rows_and_at_end() -> None:
    calls: list[int] = []
    rows = ((n, (f"Đảng Viên {chr(0x61 + n % 26)}", "", "", "")) for n in range(2, 452))
    parse_rows(HEADER, rows, progress=calls.append)
    assert calls == [200, 400, 450]


def test_progress_called_once_for_empty_data() -> None:
    calls: list[int] = []
    parse_rows(HEADER, [], progress=calls.append)
    assert calls == [0]


# --- CSV files -------------------------------------------------------------------------------


def test_sample_csv() -> None:
    path = SAMPLE_DIR / "roster.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    check_sample(read_roster(path))


def test_sample_xlsx() -> None:
    check_sample(read_roster(SAMPLE_DIR / "roster.xlsx"))


def check_sample(result: RosterResult) -> None:
    assert result.errors == []
    assert result.total_lines == len(result.rows) == 9
    assert result.rows[0] == RosterRow(2, "Nguyễn Văn Hùng", "0900000001", "secretary", "full")
    assert [r.role for r in result.rows].count("deputy") == 1
    assert any(r.phone is None for r in result.rows)
    assert any(r.membership == "probationary" for r in result.rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    lines = [HEADER, ("Phạm Thị Hoa", "0900000004", "Đảng viên", "Dự bị")]
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    result = read_roster(write_csv(tmp_path, text, encoding=encoding))
    assert result.rows == [RosterRow(2, "Phạm Thị Hoa", "0900000004", "member", "probationary")]


def test_csv_quoted_fields_with_delimiters(tmp_path: Path) -> None:
    text = 'Họ và tên,Ghi chú,SĐT\n"Võ Minh Tuấn","chuyển đến, 2024","0900 000 005"\n'
    result = read_roster(write_csv(tmp_path, text))
    assert result.rows == [RosterRow(2, "Võ Minh Tuấn", "0900000005", "member", "full")]


def test_csv_semicolon_header_with_comma_in_data(tmp_path: Path) -> None:
    text = "Họ và tên;Ghi chú\nLê Văn Tám;a, b, c, d, e\nBùi Thị Thu;x, y\n"
    assert len(read_roster(write_csv(tmp_path, text)).rows) == 2


def test_csv_title_rows_above_header(tmp_path: Path) -> None:
    text = "DANH SÁCH ĐẢNG VIÊN;;\nChi bộ Ấp Phú Hữu;;\n;;\nHọ và tên;SĐT;Chức vụ\nLê Văn Tám;;\n"
    result = read_roster(write_csv(tmp_path, text))
    assert result.rows == [RosterRow(5, "Lê Văn Tám", None, "member", "full")]


def test_csv_without_name_column(tmp_path: Path) -> None:
    result = read_roster(write_csv(tmp_path, "\n\nSĐT;Chức vụ\n0900000001;Bí thư\n"))
    assert result.errors == [RowError(3, "full_name", "missing_column")]


def test_csv_lost_leading_zero_is_restored(tmp_path: Path) -> None:
    result = read_roster(write_csv(tmp_path, "Họ và tên,SĐT\nLê Văn Tám,900000003\n"))
    assert result.rows[0].phone == "0900000003"


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Họ và tên;SĐT\nLê Văn Tám;\n", encoding="utf-16")
    with pytest.raises(RosterFileError) as info:
        read_roster(path)
    assert info.value.code == "encoding"


def test_csv_cp1258_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("Tên;SĐT\nĐào Văn Phúc;\n".encode("cp1258"))
    with pytest.raises(RosterFileError) as info:
        read_roster(path)
    assert info.value.code == "encoding"


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n;;\n"])
def test_csv_empty(tmp_path: Path, text: str) -> None:
    with pytest.raises(RosterFileError) as info:
        read_roster(write_csv(tmp_path, text, encoding="utf-8"))
    assert info.value.code == "empty_file"


def test_csv_header_only(tmp_path: Path) -> None:
    result = read_roster(write_csv(tmp_path, ";".join(HEADER) + "\n"))
    assert result == RosterResult([], [], 0)


def test_large_csv(tmp_path: Path) -> None:
    count = 50_000
    lines = [";".join(HEADER)]
    lines += [f"Đảng Viên Số {_letters(n)};09{n:08d};Đảng viên;Chính thức" for n in range(count)]
    path = write_csv(tmp_path, "\r\n".join(lines) + "\r\n")
    calls: list[int] = []
    result = read_roster(path, progress=calls.append)
    assert result.errors == []
    assert len(result.rows) == result.total_lines == count
    assert result.rows[-1].line == count + 1
    assert calls[0] == 200
    assert calls[-1] == count
    assert len(calls) == count // 200


def _letters(n: int) -> str:
    """A digit-free spelling of n for unique names."""
    digits = "abcdeghik"
    return "".join(digits[int(d) - 1] if d != "0" else "o" for d in str(n)).capitalize()


# --- XLSX files ------------------------------------------------------------------------------


def test_xlsx_numeric_phones(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            HEADER,
            ("Lê Văn Tám", 900000003, "Đảng viên", None),
            ("Bùi Thị Thu", 900000008.0, None, None),
            ("Ngô Quốc Bảo", 84900000009, None, None),
            ("Huỳnh Thị Lan", 2438251234, None, None),
            ("Võ Minh Tuấn", 12345, None, None),
        ],
    )
    result = read_roster(path)
    assert [r.phone for r in result.rows] == [
        "0900000003",
        "0900000008",
        "0900000009",
        "02438251234",
    ]
    assert codes(result) == [(6, "phone_invalid")]
    assert result.errors[0].value == "**345"


def test_xlsx_none_cells_and_blank_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [("Tiêu đề",), (), HEADER, (None, None, None, None), ("Lê Văn Tám",), ("Trần Thị Mai",)],
    )
    result = read_roster(path)
    assert [r.line for r in result.rows] == [5, 6]


def test_xlsx_first_worksheet_is_read(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["Họ và tên"])
    first.append(["Lê Văn Tám"])
    second = workbook.create_sheet("Khác")
    second.append(["Họ và tên"])
    second.append(["Trần Thị Mai"])
    workbook.active = 1
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert [r.full_name for r in read_roster(path).rows] == ["Lê Văn Tám"]


def test_xlsx_progress(tmp_path: Path) -> None:
    rows: list[Sequence[object]] = [HEADER]
    rows += [(f"Đảng Viên {_letters(n)}", None, None, None) for n in range(1, 251)]
    calls: list[int] = []
    result = read_roster(write_xlsx(tmp_path, rows), progress=calls.append)
    assert len(result.rows) == 250
    assert calls == [200, 250]


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip file at all", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0legacy-ole"],
)
def test_corrupt_xlsx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content)
    with pytest.raises(RosterFileError) as info:
        read_roster(path)
    assert info.value.code == "corrupt_file"


def test_xlsx_zip_without_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(RosterFileError) as info:
        read_roster(path)
    assert info.value.code == "corrupt_file"


# --- unsupported or unreadable files ---------------------------------------------------------


@pytest.mark.parametrize("name", ["roster.xls", "roster.ods", "roster.txt", "roster"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Họ và tên\nLê Văn Tám\n", encoding="utf-8")
    with pytest.raises(RosterFileError) as info:
        read_roster(path)
    assert info.value.code == "unsupported_format"


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "ROSTER.CSV"
    path.write_text("Họ và tên\nLê Văn Tám\n", encoding="utf-8")
    assert len(read_roster(path).rows) == 1


@pytest.mark.parametrize("name", ["missing.csv", "missing.xlsx"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(RosterFileError) as info:
        read_roster(tmp_path / name)
    assert info.value.code == "unreadable"


def test_file_error_codes_are_declared() -> None:
    error = RosterFileError("encoding", "not UTF-8 at byte 3")
    assert error.code in FILE_ERROR_CODES
    assert str(error) == "encoding: not UTF-8 at byte 3"
