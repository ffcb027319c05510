"""/baocao through the real router on both engines: the workbook's numbers against the
database, the chart's PNG, periods typed or chosen, who may have a report, and that the
queries do not grow with the number of members."""

from __future__ import annotations

import io
import struct
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from core.context import Services
from core.members import grant_role, import_rows
from core.messages import Outcome, Reply
from core.report_chart import HEIGHT, WIDTH
from core.report_periods import Span, choices
from core.reports import collect
from core.roster import RosterRow
from core.texts import t
from db.models import (
    Attendance,
    AuditEntry,
    Flag,
    Meeting,
    MeetingStatus,
    Member,
    Presence,
    Role,
    SelfCheck,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
)
from handlers.reports import PICK
from tests.services.report_seed import GONE, HOA, HUNG, MAI, TAM, Seeded, seed_report
from tests.services.test_onboarding import count
from tests.support import Cell, Person, person, seed_cell, text_of

OCTOBER = date(2026, 10, 1)  # the clock says 02/11/2026: "Tháng trước" is October
SHEETS = [
    "Tổng hợp",
    "Đảng viên",
    "Sinh hoạt",
    "Điểm danh",
    "Tự kiểm tra",
    "Theo dõi",
    "KT-GS",
    "12 tháng",
]


async def setup(services: Services) -> tuple[Cell, Cell, Seeded, Person]:
    cell = await seed_cell(services)
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    seeded = await seed_report(services, cell, other, OCTOBER)
    hung = person(services, "100", HUNG)
    hung.channel = "telegram"
    return cell, other, seeded, hung


def book_of(reply: Reply) -> dict[str, list[tuple[object, ...]]]:
    assert reply.file is not None and reply.file.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(reply.file.content))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def assert_printable(reply: Reply) -> None:
    """Every sheet: a bold header row frozen on screen and repeated on each printed page,
    column widths set, landscape and fitted to the page width, dates as dd/mm/yyyy."""
    assert reply.file is not None
    book = load_workbook(io.BytesIO(reply.file.content))
    dates = 0
    for ws in book:
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1", ws.title
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert all(cell.font.b for cell in ws[1]), ws.title
        assert all(ws.column_dimensions[c.column_letter].width for c in ws[1]), ws.title
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime):
                    dates += 1
                    assert cell.number_format in ("dd/mm/yyyy", "dd/mm/yyyy hh:mm"), ws.title
    assert dates > 10


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (signature, then the IHDR chunk)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def last_month(hung: Person) -> Outcome:
    menu = await hung.say("/baocao")
    assert text_of(menu) == t("report_choose", cell="Chi bộ Ấp Một")
    return await hung.tap(t("report_btn_last_month", label="10/2026"))


async def test_the_workbook_counts_what_the_database_holds(services: Services) -> None:
    cell, _, seeded, hung = await setup(services)
    done = await last_month(hung)
    workbook, chart = done.replies
    sheets = book_of(workbook)
    assert list(sheets) == SHEETS
    assert_printable(workbook)

    # Đảng viên: the roster now, no phone numbers; Mai blocked the bot, Hoa never linked.
    roster = sheets["Đảng viên"]
    assert roster[0] == (
        "STT", "Họ và tên", "Chức vụ", "Đảng viên", "Kích hoạt bot", "Nhận được tin qua bot",
        "Kênh",
    )  # fmt: skip
    assert roster[1:] == [
        (1, HUNG, "Bí thư", "Chính thức", "Đã kích hoạt", "Có", "Telegram"),
        (2, MAI, "Phó bí thư", "Chính thức", "Đã kích hoạt", "Không (đã chặn bot)", "Telegram"),
        (3, TAM, "Đảng viên", "Chính thức", "Đã kích hoạt", "Có", "Telegram"),
        (4, HOA, "Đảng viên", "Chính thức", "Chưa kích hoạt", "Không", None),
    ]

    # Sinh hoạt: the two held meetings of October (not the cancelled one, nor another cell's).
    meetings = sheets["Sinh hoạt"]
    assert [r[1:9] for r in meetings[1:3]] == [
        (_midnight(2026, 10, 5), "19:30", "Thường kỳ", "Nhà văn hóa ấp", 3, 1, 1, 0.6),
        (_midnight(2026, 10, 20), "19:30", "Chuyên đề", "Nhà văn hóa ấp", 3, 0, 1, 0.75),
    ]
    total = meetings[3]
    assert total[1] == "Cộng" and total[5:8] == (6, 1, 2)
    assert total[5:8] == await _attendance_in(services, cell, seeded)
    assert total[8] == pytest.approx(6 / 9)

    # Điểm danh: per member and meeting; Cũ has left but was there, so he is listed.
    presence = sheets["Điểm danh"]
    assert presence[0] == (
        "STT", "Họ và tên", "05/10/2026", "20/10/2026", "Có mặt", "Vắng có lý do",
        "Vắng không lý do",
    )  # fmt: skip
    assert presence[1:6] == [
        (1, HUNG, "x", "x", 2, 0, 0),
        (2, MAI, "x", "KP", 1, 0, 1),
        (3, TAM, "P", "x", 1, 1, 0),
        (4, HOA, "KP", "x", 1, 0, 1),
        (5, t("rv_left", name=GONE), "x", None, 1, 0, 0),
    ]
    assert presence[6][1] == t("rv_presence_legend")

    # Tự kiểm tra: completion only, per member and period (never an answer).
    checks = sheets["Tự kiểm tra"]
    assert checks[0] == ("STT", "Họ và tên", "10/2026", "quý IV/2026", "Số kỳ đã hoàn thành")
    assert checks[1:6] == [
        (1, HUNG, "Đã hoàn thành", "Đã hoàn thành", 2),
        (2, MAI, "Đang làm", "–", 0),
        (3, TAM, "Chưa làm", "Chưa làm", 0),
        (4, HOA, "–", "–", 0),
        (5, t("rv_left", name=GONE), "–", "–", 0),  # listed on every per-member sheet
    ]
    assert checks[6:10] == [
        (None, "Đã hoàn thành", 1, 1, None),
        (None, "Đang làm", 1, 0, None),
        (None, "Chưa làm", 1, 1, None),
        (None, "Tỷ lệ hoàn thành", pytest.approx(1 / 3), 0.5, 0.4),
    ]
    assert await _selfchecks_in(services, cell) == (1 + 1, 3 + 2)
    for row in checks:
        assert "a" not in row  # the seeded answers' value never shows

    # Theo dõi: counts per period, no topics.
    flags = sheets["Theo dõi"]
    assert flags[1] == ("10/2026", _midnight(2026, 10, 1), _midnight(2026, 10, 31), 2, 3, 1, 2)
    assert flags[2] == ("quý IV/2026", _midnight(2026, 10, 1), _midnight(2026, 12, 31), 0, 0, 0, 0)
    assert flags[3] == ("Cộng", None, None, None, 3, 1, 2)
    assert await count(services, Flag, Flag.cell_id == cell.id) == 3

    # KT-GS: items overlapping October; on time by the day completion was reported.
    duties = sheets["KT-GS"]
    assert [(r[1], r[4], r[7], r[8], r[9]) for r in duties[1:]] == [
        ("Kiểm tra đảng phí", TAM, "Đã hoàn thành", _midnight(2026, 10, 14), "Đúng hạn"),
        ("Giám sát tổ 1", f"{TAM}, {HOA}", "Đã hoàn thành", _midnight(2026, 10, 22), "Trễ hạn"),
        ("Kiểm tra sổ sách", HOA, "Đang thực hiện", None, "Quá hạn, chưa xong"),
        ("Giám sát cả năm", HUNG, "Đang thực hiện", None, "Chưa đến hạn"),
    ]

    # 12 tháng: 11/2025 … 10/2026; September and October have data, August a duty on time.
    trend = {row[0]: row[1:] for row in sheets["12 tháng"][1:]}
    assert [*trend][0::11] == ["11/2025", "10/2026"] and len(trend) == 12
    assert trend["09/2026"] == (1.0, 1.0, None)
    assert trend["10/2026"] == (pytest.approx(6 / 9), 0.4, pytest.approx(1 / 3))
    assert trend["08/2026"] == (None, None, 1.0)
    assert trend["05/2026"] == (None, None, None)

    # Tổng hợp, and the same figures in the message.
    summary = dict(r for r in sheets["Tổng hợp"][1:] if r[0])
    assert summary[t("rv_sum_members")] == 4 and summary[t("rv_sum_meetings")] == 2
    assert summary[t("rv_sum_flags_open")] == 2 and summary[t("rv_sum_duties")] == 4
    assert workbook.text.splitlines()[:6] == [
        t("report_ready", cell="Chi bộ Ấp Một", period="tháng 10/2026"),
        t("report_sum_members", total=4, active=3, reachable=2),
        t("report_sum_meetings", count=2, rate="67%"),
        t("report_sum_selfcheck", done=2, asked=5, rate="40%"),
        t("report_sum_flags", raised=3, contacted=1, open=2),
        t("report_sum_duties", count=4, on_time=1, judged=3, rate="33%"),
    ]
    assert workbook.file is not None
    assert workbook.file.filename == f"bao-cao-{cell.code}-2026-10.xlsx"

    # The chart: a real PNG of the fixed size.
    assert chart.file is not None and chart.file.kind == "photo"
    assert png_size(chart.file.content) == (WIDTH, HEIGHT) == (1200, 700)
    assert chart.text == t("report_chart_caption", from_month="11/2025", to_month="10/2026")
    assert await count(services, AuditEntry, AuditEntry.action == "report_exported") == 1


def _midnight(y: int, m: int, d: int) -> datetime:
    """How openpyxl reads back a date cell."""
    return datetime(y, m, d)


async def _attendance_in(services: Services, cell: Cell, seeded: Seeded) -> tuple[int, ...]:
    """Independent count: attendance of the cell's held October meetings, by presence."""
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Attendance.presence, func.count())
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(
                Meeting.cell_id == cell.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.id.in_(seeded.meeting_ids),
            )
            .group_by(Attendance.presence)
        )
        found = {p.value: n for p, n in rows}
    return found["present"], found["excused"], found["absent"]


async def _selfchecks_in(services: Services, cell: Cell) -> tuple[int, int]:
    async with services.db.unit_of_work() as uow:
        s = uow.session
        october = select(SelfCheckPeriod.id).where(SelfCheckPeriod.starts_on == OCTOBER)
        where = (SelfCheck.cell_id == cell.id, SelfCheck.period_id.in_(october))
        done = await s.scalar(
            select(func.count()).where(*where, SelfCheck.status == SelfCheckStatus.SUBMITTED)
        )
        asked = await s.scalar(select(func.count()).select_from(SelfCheck).where(*where))
    return int(done or 0), int(asked or 0)


async def test_a_typed_period_and_its_mistakes(services: Services) -> None:
    _, _, _, hung = await setup(services)
    await hung.say("/baocao")
    assert text_of(await hung.tap(t("report_btn_custom"))) == t("report_ask_custom")
    wrong = {
        "tháng mười": "report_period_unreadable",
        "31/02/2026 - 30/11/2026": "report_period_impossible",
        "30/11/2026 - 01/09/2026": "report_period_reversed",
        "12/2026": "report_period_future",
        "2020 - 2026": "report_period_unreadable",
        "01/01/2020 - 30/11/2026": "report_period_too_long",
    }
    for typed, key in wrong.items():
        answer = text_of(await hung.say(typed))
        assert answer == t(key, text=typed, years=3), typed
    assert await count(services, AuditEntry, AuditEntry.action == "report_exported") == 0
    done = await hung.say("Quý 3/2026")  # the flow waited through the mistakes
    assert done.replies[0].text.startswith(
        t("report_ready", cell="Chi bộ Ấp Một", period="quý III/2026")
    )
    sheets = book_of(done.replies[0])
    assert [r[1] for r in sheets["Sinh hoạt"][1:2]] == [_midnight(2026, 9, 10)]
    # The flow is over: a period typed now makes no report.
    assert all(r.file is None for r in (await hung.say("9/2026")).replies)
    await hung.say("/baocao")
    await hung.tap(t("report_btn_custom"))
    assert text_of(await hung.say("/huy")) == t("cancelled")


async def test_who_may_have_a_report(services: Services) -> None:
    cell, other, _, hung = await setup(services)
    tam = person(services, "300", TAM)
    tam.channel = "telegram"
    assert text_of(await tam.say("/baocao")) == t("not_allowed")
    span = choices(date(2026, 11, 2))["last_month"]
    forged = f"{PICK}:{span.start:%Y%m%d}:{span.end:%Y%m%d}"
    assert text_of(await tam.press(forged)) == t("not_allowed")
    assert text_of(await tam.press(f"{PICK}:c")) == t("not_allowed")
    # Committee staff see cells in aggregate (/tonghop), never this list of names.
    async with services.db.unit_of_work() as uow:
        committee = await uow.session.scalar(select(Unit.parent_id).where(Unit.id == cell.id))
    await grant_role(services, cell.member_ids[TAM], str(committee), Role.STAFF)
    assert text_of(await tam.say("/baocao")) == t("not_allowed")
    assert text_of(await tam.press(forged)) == t("not_allowed")
    stranger = person(services, "777")
    assert text_of(await stranger.say("/baocao")) == t("not_linked")
    # Another cell's secretary gets their own cell's report, with nobody of ours in it.
    from tests.services.test_onboarding import join_as

    await join_as(services, other, HUNG, "900")
    theirs = await person(services, "900").press(forged)
    sheets = book_of(theirs.replies[0])
    assert sheets["Sinh hoạt"][1][5:8] == (1, 0, 1)  # their one meeting
    assert all(GONE not in str(row) for rows in sheets.values() for row in rows)
    assert theirs.replies[0].text.startswith(
        t("report_ready", cell="Chi bộ Ấp Hai", period="tháng 10/2026")
    )
    # A button with a forged or impossible period is an old button.
    for bad in (f"{PICK}:20261301:20261331", f"{PICK}:20261201:20261231", f"{PICK}:x"):
        assert text_of(await hung.press(bad)) == t("stale_button")


async def _statements(services: Services, cell: Cell, span: Span) -> tuple[int, int]:
    """How many SQL statements one report's queries take, and the rows of its roster."""
    statements: list[object] = []

    def seen(*args: object) -> None:
        statements.append(args[2])

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with services.db.unit_of_work() as uow:
            report = await collect(uow.session, services, cell.id, span)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return len(statements), len(report.people)


async def _more_members(services: Services, cell: Cell, seeded: Seeded, n: int) -> None:
    """n more members, each marked at the first meeting and asked in October's period."""
    rows = [
        RosterRow(line=i + 2, full_name=f"Đảng Viên {chr(65 + i // 26)}{chr(65 + i % 26)}",
                  phone=None, role="member", membership="full")  # type: ignore[arg-type]
        for i in range(n)
    ]  # fmt: skip
    await import_rows(services, cell.code, rows)
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        ids = await s.scalars(select(Member.id).where(Member.full_name.like("Đảng Viên %")))
        october = await s.scalar(
            select(SelfCheckPeriod.id).where(
                SelfCheckPeriod.starts_on == OCTOBER, SelfCheckPeriod.form_name == "monthly"
            )
        )
        for member_id in ids:
            s.add(Attendance(meeting_id=seeded.meeting_ids[0], member_id=member_id,
                             presence=Presence.PRESENT, marked_at=now))  # fmt: skip
            s.add(SelfCheck(period_id=october, member_id=member_id, cell_id=cell.id,
                            form_version=1, status=SelfCheckStatus.SUBMITTED, started_at=now,
                            updated_at=now))  # fmt: skip
        await uow.commit()


async def test_queries_do_not_grow_with_the_roster(services: Services) -> None:
    cell, _, seeded, _ = await setup(services)
    year = choices(date(2026, 11, 2))["this_year"]
    before, people = await _statements(services, cell, year)
    await _more_members(services, cell, seeded, 60)
    after, more_people = await _statements(services, cell, year)
    assert (people, more_people) == (5, 65)
    assert before == after <= 12
