"""`chibo` end to end through click's CliRunner, on a real SQLite file in a temporary directory."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook

from bot.cli import main
from bot.settings import Settings
from core.texts import t
from db import migrate

SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "sample" / "roster.csv"
TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz012345"
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")
HEADER = "Họ và tên;Số điện thoại;Chức vụ;Loại"
BAD_CSV = "\n".join(
    [
        HEADER,
        "Nguyễn Văn An;0911111111;Bí thư;Chính thức",  # line 2: good
        "Trần Văn 3;;Đảng viên;Chính thức",  # line 3: digit in the name
        "Lê Thị Bình;;Đảng viên;Dự bị",  # line 4: good
        "Phạm Văn Cường;12;Đảng viên;Chính thức",  # line 5: bad phone
        "Hồ Văn Dũng;;Thủ quỹ;Chính thức",  # line 6: unknown role
        "Đỗ Thị Em;0922222222;Đảng viên;Chính thức",  # line 7: good
    ]
)

Invoke = Callable[..., Result]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean cwd (no developer .env) and an environment without any chibo setting."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def db_url(workdir: Path) -> str:
    """An empty, not yet migrated SQLite file."""
    return f"sqlite+aiosqlite:///{workdir / 'chibo.db'}"


@pytest.fixture
def cli(db_url: str) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            main, list(args), env={"DATABASE_URL": db_url, **(env or {})}, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def migrated(workdir: Path, db_url: str, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, workdir / "chibo.db")


@pytest.fixture
def cell(cli: Invoke, migrated: None) -> str:
    """A committee with a cell under it; returns the cell's code."""
    committee = cli("unit", "add", "--kind", "committee", "--name", "Đảng ủy xã Phú Hữu")
    assert committee.exit_code == 0, committee.output
    added = cli(
        "unit",
        "add",
        "--kind",
        "cell",
        "--name",
        "Chi bộ Ấp Phú Hữu",
        "--parent",
        "dang-uy-xa-phu-huu",
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == t(
        "cli_unit_added", name="Chi bộ Ấp Phú Hữu", code="chi-bo-ap-phu-huu"
    )
    return "chi-bo-ap-phu-huu"


@pytest.fixture
def roster(cli: Invoke, cell: str) -> str:
    result = cli("member", "import", str(SAMPLE), "--cell", cell)
    assert result.exit_code == 0, result.output
    return cell


def _member_count(cli: Invoke, cell: str) -> int:
    result = cli("member", "list", "--cell", cell)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    pattern = (
        re.escape(t("roster_header", cell="CELLX", total="TOTALX"))
        .replace("CELLX", ".+")
        .replace("TOTALX", r"(\d+)")
    )
    match = re.fullmatch(pattern, first)
    assert match, first
    return int(match.group(1))


# --- database ---------------------------------------------------------------------------------


def test_db_upgrade_then_current_shows_the_head(cli: Invoke) -> None:
    head = migrate.head_revision()
    upgraded = cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.strip() == t("cli_db_upgraded", revision=head)

    current = cli("db", "current")
    assert current.exit_code == 0, current.output
    assert current.stdout.strip() == t("cli_db_current", revision=head, head=head)


def test_db_current_before_upgrade_shows_nothing(cli: Invoke) -> None:
    current = cli("db", "current")
    assert current.exit_code == 0, current.output
    head = migrate.head_revision()
    assert current.stdout.strip() == t("cli_db_current", revision="-", head=head)


def test_db_downgrade_base_makes_commands_refuse_again(cli: Invoke, migrated: None) -> None:
    assert cli("db", "downgrade", "base").exit_code == 0
    refused = cli("unit", "list")
    assert refused.exit_code == 2
    assert "chibo db upgrade" in refused.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["unit", "list"],
        ["unit", "add", "--kind", "committee", "--name", "Đảng ủy"],
        ["member", "list", "--cell", "x"],
        ["invite", "--cell", "x"],
    ],
)
def test_commands_before_upgrade_ask_for_it(cli: Invoke, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert "chibo db upgrade" in result.stderr
    assert result.stdout == ""


# --- units ------------------------------------------------------------------------------------


def test_unit_add_with_unknown_parent_is_refused(cli: Invoke, migrated: None) -> None:
    result = cli("unit", "add", "--kind", "cell", "--name", "Chi bộ Một", "--parent", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == t("unit_unknown", ref="nope")
    assert result.stdout == ""


def test_unit_add_under_a_cell_is_refused(cli: Invoke, cell: str) -> None:
    result = cli("unit", "add", "--kind", "cell", "--name", "Chi bộ Hai", "--parent", cell)
    assert result.exit_code == 1
    assert result.stderr.strip() == t("unit_bad_parent", kind="cell")


def test_unit_add_with_a_taken_code_is_refused(cli: Invoke, cell: str) -> None:
    result = cli("unit", "add", "--kind", "committee", "--name", "Khác", "--code", cell)
    assert result.exit_code == 1
    assert result.stderr.strip() == t("unit_code_taken", code=cell)


def test_unit_list_on_an_empty_database(cli: Invoke, migrated: None) -> None:
    result = cli("unit", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_unit_list_shows_every_unit_with_its_code(cli: Invoke, cell: str) -> None:
    result = cli("unit", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["1", "dang-uy-xa-phu-huu", "committee"]
    assert lines[1].split()[:3] == ["2", cell, "cell"]
    assert lines[1].endswith("Chi bộ Ấp Phú Hữu")


# --- members ----------------------------------------------------------------------------------


def test_member_import_sample_then_reimport_adds_nothing(cli: Invoke, cell: str) -> None:
    first = cli("member", "import", str(SAMPLE), "--cell", cell)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == t("cli_import_ok", added=9, cell=cell, skipped=0)

    again = cli("member", "import", str(SAMPLE), "--cell", cell)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == t("cli_import_ok", added=0, cell=cell, skipped=9)
    assert _member_count(cli, cell) == 9


def test_member_import_into_a_committee_is_refused(cli: Invoke, cell: str) -> None:
    result = cli("member", "import", str(SAMPLE), "--cell", "dang-uy-xa-phu-huu")
    assert result.exit_code == 1
    assert result.stderr.strip() == t("unit_not_cell", ref="dang-uy-xa-phu-huu")


def test_member_import_with_bad_rows_imports_nothing(
    cli: Invoke, cell: str, workdir: Path
) -> None:
    path = workdir / "ds.csv"
    path.write_text(BAD_CSV, encoding="utf-8")

    result = cli("member", "import", str(path), "--cell", cell)

    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0] == t("cli_import_bad_rows", count=3)
    assert [line for line in errors if "Dòng" in line] == [
        t("cli_row_error", line=3, reason=t("roster_name_has_digit", value="Trần Văn 3")),
        t("cli_row_error", line=5, reason=t("roster_phone_invalid", value="12")),
        t("cli_row_error", line=6, reason=t("roster_role_invalid", value="Thủ quỹ")),
    ]
    assert errors[-1] == t("cli_import_hint")
    assert result.stdout == ""
    assert _member_count(cli, cell) == 0


def test_member_import_skip_bad_imports_the_good_rows(
    cli: Invoke, cell: str, workdir: Path
) -> None:
    path = workdir / "ds.csv"
    path.write_text(BAD_CSV, encoding="utf-8")

    result = cli("member", "import", str(path), "--cell", cell, "--skip-bad")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == t("cli_import_skipped_bad", count=3)
    assert sum("Dòng" in line for line in result.stderr.splitlines()) == 3
    assert result.stdout.strip() == t("cli_import_ok", added=3, cell=cell, skipped=0)
    listing = cli("member", "list", "--cell", cell).stdout
    assert _member_count(cli, cell) == 3
    for name in ("Nguyễn Văn An", "Lê Thị Bình", "Đỗ Thị Em"):
        assert name in listing
    for name in ("Trần Văn 3", "Phạm Văn Cường", "Hồ Văn Dũng"):
        assert name not in listing


def test_member_import_xlsx(cli: Invoke, cell: str, workdir: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ ẤP PHÚ HỮU"])
    sheet.append(["Họ và tên", "Số điện thoại", "Chức vụ", "Loại"])
    sheet.append(["Nguyễn Văn Hùng", "0900000001", "Bí thư", "Chính thức"])
    sheet.append(["Trần Thị Mai", 900000002, "Phó bí thư", "Chính thức"])
    sheet.append(["Lê Văn Tám", None, "Đảng viên", "Dự bị"])
    path = workdir / "ds.xlsx"
    book.save(path)

    result = cli("member", "import", str(path), "--cell", cell)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == t("cli_import_ok", added=3, cell=cell, skipped=0)
    listing = cli("member", "list", "--cell", cell).stdout
    assert "Nguyễn Văn Hùng" in listing and t("role_secretary") in listing
    assert "Trần Thị Mai" in listing and t("role_deputy") in listing
    assert "Lê Văn Tám" in listing


def test_member_import_unsupported_file(cli: Invoke, cell: str, workdir: Path) -> None:
    path = workdir / "ds.txt"
    path.write_text(HEADER, encoding="utf-8")
    result = cli("member", "import", str(path), "--cell", cell)
    assert result.exit_code == 1
    assert result.stderr.strip() == t("cli_file_error", reason=t("roster_unsupported_format"))


def test_member_list(cli: Invoke, roster: str) -> None:
    result = cli("member", "list", "--cell", roster)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == t("roster_header", cell="Chi bộ Ấp Phú Hữu", total=9)
    state = t("state_not_activated")
    assert lines[1] == t(
        "cli_member_line", id=1, name="Nguyễn Văn Hùng", state=state, roles=t("role_secretary")
    )
    assert lines[2] == t(
        "cli_member_line", id=2, name="Trần Thị Mai", state=state, roles=t("role_deputy")
    )
    assert len(lines) == 10
    assert all(state in line for line in lines[1:])


def test_member_list_of_an_unknown_cell(cli: Invoke, migrated: None) -> None:
    result = cli("member", "list", "--cell", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == t("unit_unknown", ref="nope")


# --- invites and roles ------------------------------------------------------------------------


def _invite_line(stdout: str) -> str:
    line = stdout.splitlines()[0]
    pattern = (
        re.escape(t("cli_invite_code", code="CODEX", expires="DATEX"))
        .replace("CODEX", r"([A-Z0-9]{4}-[A-Z0-9]{4})")
        .replace("DATEX", r"\d{2}/\d{2}/\d{4}")
    )
    match = re.fullmatch(pattern, line)
    assert match, line
    return match.group(1)


def test_invite_for_a_member_with_qr(cli: Invoke, roster: str, workdir: Path) -> None:
    result = cli("invite", "--cell", roster, "--member", "1", "--qr", "out.png")

    assert result.exit_code == 0, result.output
    code = _invite_line(result.stdout)
    lines = result.stdout.splitlines()
    assert t("cli_invite_for", name="Nguyễn Văn Hùng") in lines
    assert t("cli_invite_no_link") in lines
    assert lines[-1] == t("cli_invite_qr", path="out.png")
    png = (workdir / "out.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert CODE.fullmatch(code)


def test_invite_prints_the_link_when_the_bot_username_is_known(cli: Invoke, roster: str) -> None:
    result = cli("invite", "--cell", roster, env={"BOT_USERNAME": "chibo_x_bot"})

    assert result.exit_code == 0, result.output
    code = _invite_line(result.stdout)
    link = f"https://t.me/chibo_x_bot?start={code.replace('-', '')}"
    assert t("cli_invite_link", link=link) in result.stdout.splitlines()


def test_invite_codes_differ(cli: Invoke, roster: str) -> None:
    codes = {_invite_line(cli("invite", "--cell", roster).stdout) for _ in range(3)}
    assert len(codes) == 3


def test_invite_for_a_member_of_another_cell_is_refused(cli: Invoke, roster: str) -> None:
    result = cli("invite", "--cell", roster, "--member", "99")
    assert result.exit_code == 1
    assert result.stderr.strip() == t("member_unknown", ref="99")


def test_invite_days_out_of_range_is_a_usage_error(cli: Invoke, roster: str) -> None:
    result = cli("invite", "--cell", roster, "--days", "0")
    assert result.exit_code == 2


def test_role_grant(cli: Invoke, roster: str) -> None:
    result = cli("role", "grant", "--member", "3", "--unit", roster, "--role", "inspection")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == t("cli_role_granted", role="inspection", unit=roster, member=3)
    # granting twice is harmless
    assert (
        cli("role", "grant", "--member", "3", "--unit", roster, "--role", "inspection").exit_code
        == 0
    )

    lines = cli("member", "list", "--cell", roster).stdout.splitlines()
    assert lines[3] == t(
        "cli_member_line",
        id=3,
        name="Lê Văn Tám",
        state=t("state_not_activated"),
        roles=t("role_inspection"),
    )


def test_role_grant_to_an_unknown_member(cli: Invoke, roster: str) -> None:
    result = cli("role", "grant", "--member", "99", "--unit", roster, "--role", "deputy")
    assert result.exit_code == 1
    assert result.stderr.strip() == t("member_unknown", ref="99")


# --- help and settings ------------------------------------------------------------------------


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


ALL_COMMANDS = list(_command_paths(main))


def test_every_command_is_walked() -> None:
    assert {"db", "unit", "member", "invite", "role", "run", "demo"} <= {
        p[0] for p in ALL_COMMANDS if p
    }
    assert ("member", "import") in ALL_COMMANDS


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "chibo")
def test_every_command_answers_help(cli: Invoke, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout


def test_a_malformed_setting_is_one_line_naming_it(cli: Invoke, migrated: None) -> None:
    result = cli("unit", "list", env={"QUIET_HOURS": "25:00-06:30"})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("configuration error: QUIET_HOURS:")
    assert result.stdout == ""


def test_a_malformed_setting_in_dotenv_is_reported(
    cli: Invoke, migrated: None, workdir: Path
) -> None:
    (workdir / ".env").write_text("TIMEZONE=Asia/Nowhere\n", encoding="utf-8")
    result = cli("db", "current")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "TIMEZONE" in result.stderr


@pytest.mark.parametrize(
    "token",
    ["12345:short", "abc:AAH-abcdefghijklmnopqrstuvwxyz012345", "123456789:AAH abcdefghijklmnop"],
)
def test_a_malformed_bot_token_is_named_not_echoed(
    cli: Invoke, migrated: None, token: str
) -> None:
    result = cli("unit", "list", env={"BOT_TOKEN": token})
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "BOT_TOKEN" in result.stderr
    assert token not in result.output
    assert token.split(":")[1] not in result.output


def test_a_valid_bot_token_never_appears_in_output(cli: Invoke, workdir: Path) -> None:
    env = {"BOT_TOKEN": TOKEN, "BOT_USERNAME": "chibo_x_bot"}
    path = workdir / "ds.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    results = [
        cli("unit", "list", env=env),  # before upgrade: refused
        cli("db", "upgrade", env=env),
        cli("db", "current", env=env),
        cli("unit", "add", "--kind", "cell", "--name", "Chi bộ Một", env=env),
        cli("unit", "add", "--kind", "cell", "--name", "X", "--parent", "nope", env=env),
        cli("member", "import", str(path), "--cell", "chi-bo-mot", env=env),
        cli("member", "import", str(SAMPLE), "--cell", "chi-bo-mot", env=env),
        cli("member", "list", "--cell", "chi-bo-mot", env=env),
        cli("invite", "--cell", "chi-bo-mot", "--member", "1", env=env),
        cli("role", "grant", "--member", "1", "--unit", "chi-bo-mot", "--role", "admin", env=env),
        cli("unit", "list", env={**env, "WEBHOOK_URL": "https://example.org"}),
    ]
    secret_part = TOKEN.split(":")[1]
    for result in results:
        assert secret_part not in result.output
        assert secret_part not in result.stderr
    assert results[-1].exit_code == 2 and "WEBHOOK_SECRET" in results[-1].stderr


# --- holidays and reminder times (issue 3) ----------------------------------------------------


def test_holidays_are_added_listed_and_not_doubled(cli: Invoke, cell: str) -> None:
    added = cli("holiday", "add", "2027-02-06", "--label", "Tết Nguyên đán")
    assert added.exit_code == 0, added.output
    assert t("cli_holiday_added", date="06/02/2027", label="Tết Nguyên đán") in added.output
    again = cli("holiday", "add", "06/02/2027", "--label", "Tết")
    assert again.exit_code == 1
    assert t("skip_date_exists", date="06/02/2027") in again.output
    assert (
        cli("holiday", "add", "2027-02-07", "--label", "Mùng hai", "--cell", cell).exit_code == 0
    )
    listing = cli("holiday", "list")
    assert "06/02/2027" in listing.output and "07/02/2027" in listing.output


def test_cell_reminder_times_are_checked(cli: Invoke, cell: str) -> None:
    ok = cli("cell", "reminders", "--cell", cell, "--offsets", "2d,3h")
    assert ok.exit_code == 0 and t("cli_reminders_set", cell=cell, offsets="2d,3h") in ok.output
    bad = cli("cell", "reminders", "--cell", cell, "--offsets", "2x")
    assert bad.exit_code == 2 and t("cli_bad_offsets", offsets="2x") in bad.output


# --- self-check form versions (issue 5) -----------------------------------------------------


def test_form_versions_are_listed_and_a_cell_switched(cli: Invoke, cell: str) -> None:
    listed = cli("form", "list")
    assert listed.exit_code == 0, listed.output
    assert t(
        "cli_form_line", form="monthly", version=1, title="Tự kiểm tra hằng tháng", count=14
    ) in (listed.output)
    used = cli("form", "use", "--cell", cell, "--form", "monthly", "--version", "1")
    assert used.exit_code == 0, used.output
    assert t("cli_form_set", cell="Chi bộ Ấp Phú Hữu", form="monthly", version=1) in used.output
    unknown = cli("form", "use", "--cell", cell, "--form", "monthly", "--version", "9")
    assert unknown.exit_code == 1
    assert t("form_unknown", form="monthly", version=9) in unknown.output
