"""The committee roll-up (/tonghop) on both engines: figures against hand-computed data, a
constant number of statements whatever the number of cells, permissions, and the workbook."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import event

from core import rollup
from core.clock import ManualClock
from core.context import Services
from core.messages import Outcome
from core.payloads import encode
from core.texts import t
from db.models import (
    AppraisalOutcome,
    Attendance,
    ChannelAccount,
    Duty,
    DutyKind,
    DutyStatus,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Presence,
    ProgrammeRegistration,
    Role,
    SelfCheck,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
    UnitKind,
)
from handlers.committee import EXPORT, ROLLUP, UNITS
from tests.support import Person, person, text_of

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # 15:00 in Hà Nội, Friday 20/11/2026


def local(y: int, m: int, d: int, hh: int = 19, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=7)


@dataclass
class Tree:
    district: int
    commune_a: int
    commune_b: int
    cells: dict[str, int]  # A1, A2, A3, B1
    members: dict[str, list[int]]  # by cell, roster order


class Builder:
    """Rows straight into the database: the figures below are computed by hand from them."""

    def __init__(self, s: Any) -> None:
        self.s = s
        self.n = 0

    def _id(self) -> int:
        self.n += 1
        return self.n

    async def unit(self, kind: UnitKind, name: str, parent: int | None) -> int:
        unit = Unit(kind=kind, name=name, code=f"u{self._id()}", parent_id=parent, created_at=NOW)
        self.s.add(unit)
        await self.s.flush()
        return unit.id

    async def member(self, cell: int, name: str, status: MemberStatus, account: str | None) -> int:
        m = Member(
            cell_id=cell,
            full_name=name,
            status=status,
            membership=Membership.FULL,
            created_at=NOW,
            updated_at=NOW,
        )
        self.s.add(m)
        await self.s.flush()
        if account is not None:
            self.s.add(
                ChannelAccount(
                    member_id=m.id,
                    channel="test",
                    external_id=account,
                    chat_id=account,
                    linked_at=NOW,
                )
            )
        return m.id

    async def meeting(
        self,
        cell: int,
        at: datetime,
        kind: MeetingKind = MeetingKind.REGULAR,
        status: MeetingStatus = MeetingStatus.SCHEDULED,
    ) -> int:
        m = Meeting(
            cell_id=cell,
            kind=kind,
            status=status,
            starts_at=at,
            duration_minutes=120,
            place="Nhà văn hóa",
            agenda="Sinh hoạt",
            created_at=NOW,
            updated_at=NOW,
        )
        self.s.add(m)
        await self.s.flush()
        return m.id

    def attend(self, meeting: int, member: int, presence: Presence) -> None:
        self.s.add(
            Attendance(meeting_id=meeting, member_id=member, presence=presence, marked_at=NOW)
        )

    async def period(self, form: str, starts: date, ends: date, label: str) -> int:
        p = SelfCheckPeriod(
            form_name=form, starts_on=starts, ends_on=ends, label=label, opened_at=NOW
        )
        self.s.add(p)
        await self.s.flush()
        return p.id

    async def selfcheck(self, period: int, member: int, cell: int, status: SelfCheckStatus) -> int:
        c = SelfCheck(
            period_id=period,
            member_id=member,
            cell_id=cell,
            form_version=1,
            status=status,
            started_at=NOW,
            updated_at=NOW,
        )
        self.s.add(c)
        await self.s.flush()
        return c.id

    def flag(self, check: int, member: int, cell: int, question: str, contacted: bool) -> None:
        self.s.add(
            Flag(
                selfcheck_id=check,
                member_id=member,
                cell_id=cell,
                question_id=question,
                kind="support",
                value="c",
                created_at=NOW,
                contacted_at=NOW if contacted else None,
            )
        )

    def duty(self, cell: int, due: date, done_at: datetime | None = None) -> None:
        status = DutyStatus.DONE if done_at else DutyStatus.OPEN
        self.s.add(
            Duty(
                cell_id=cell,
                year=due.year,
                kind=DutyKind.INSPECTION,
                title="Kiểm tra",
                starts_on=due - timedelta(days=30),
                due_on=due,
                status=status,
                created_at=NOW,
                updated_at=NOW,
                done_at=done_at,
            )
        )

    def register(self, cell: int, outcome: AppraisalOutcome | None = None) -> None:
        self.s.add(
            ProgrammeRegistration(
                cell_id=cell,
                year=2026,
                resolution_on=date(2026, 1, 15),
                on_behalf=False,
                registered_at=NOW,
                outcome=outcome,
            )
        )

    def role(self, member: int, unit: int, role: Role) -> None:
        self.s.add(MemberRole(member_id=member, unit_id=unit, role=role))


async def build(services: Services) -> Tree:
    """District → commune A (cells A1, A2, A3) and commune B (cell B1)."""
    active, invited = MemberStatus.ACTIVE, MemberStatus.INVITED
    async with services.db.unit_of_work() as uow:
        b = Builder(uow.session)
        district = await b.unit(UnitKind.DISTRICT, "Huyện Phú Tân", None)
        a = await b.unit(UnitKind.COMMITTEE, "Đảng ủy xã Phú An", district)
        bb = await b.unit(UnitKind.COMMITTEE, "Đảng ủy xã Phú Bình", district)
        cells = {
            "A1": await b.unit(UnitKind.CELL, "Chi bộ Ấp An Lạc", a),
            "A2": await b.unit(UnitKind.CELL, "Chi bộ Ấp Bình Yên", a),
            "A3": await b.unit(UnitKind.CELL, "Chi bộ Ấp Cây Da", a),
            "B1": await b.unit(UnitKind.CELL, "Chi bộ Ấp Đông", bb),
        }
        members: dict[str, list[int]] = {}
        a1 = cells["A1"]
        members["A1"] = [
            await b.member(a1, "Nguyễn Văn Một", active, "101"),
            await b.member(a1, "Trần Văn Hai", active, "102"),
            await b.member(a1, "Lê Thị Ba", active, "103"),
            await b.member(a1, "Phạm Văn Bốn", invited, None),
            await b.member(a1, "Đỗ Văn Năm", MemberStatus.LEFT, None),  # not on the roster
        ]
        members["A2"] = [
            await b.member(cells["A2"], "Võ Văn Sáu", invited, None),
            await b.member(cells["A2"], "Hồ Thị Bảy", invited, None),
        ]
        members["A3"] = [
            await b.member(cells["A3"], f"Đảng viên A3 {i}", active, f"30{i}") for i in range(3)
        ]
        members["B1"] = [await b.member(cells["B1"], "Cán bộ xã Phú Bình", active, "401")]
        b.role(members["A1"][0], a1, Role.SECRETARY)
        b.role(members["A3"][0], a, Role.STAFF)  # commune A's staff, a member of A3
        b.role(members["A3"][1], a, Role.INSPECTION)
        b.role(members["B1"][0], bb, Role.STAFF)
        b.role(members["A3"][2], district, Role.STAFF)

        one, two, three, four = members["A1"][:4]
        held = await b.meeting(a1, local(2026, 11, 5))
        for m, p in (
            (one, Presence.PRESENT),
            (two, Presence.PRESENT),
            (three, Presence.EXCUSED),
            (four, Presence.ABSENT),
        ):
            b.attend(held, m, p)
        thematic = await b.meeting(a1, local(2026, 11, 10), MeetingKind.THEMATIC)
        for m in (one, two, three):
            b.attend(thematic, m, Presence.PRESENT)
        b.attend(thematic, four, Presence.ABSENT)
        cancelled = await b.meeting(a1, local(2026, 11, 12), status=MeetingStatus.CANCELLED)
        b.attend(cancelled, one, Presence.ABSENT)  # not counted: cancelled
        await b.meeting(a1, local(2026, 11, 25))  # still to come
        earlier = await b.meeting(a1, local(2026, 10, 28))  # last month
        b.attend(earlier, four, Presence.ABSENT)

        october = await b.period("monthly", date(2026, 10, 1), date(2026, 10, 31), "10/2026")
        await b.period("quarterly", date(2026, 10, 1), date(2026, 12, 31), "quý IV/2026")
        november = await b.period("monthly", date(2026, 11, 1), date(2026, 11, 30), "11/2026")
        submitted, going = SelfCheckStatus.SUBMITTED, SelfCheckStatus.IN_PROGRESS
        c1 = await b.selfcheck(november, one, a1, submitted)
        await b.selfcheck(november, two, a1, submitted)
        await b.selfcheck(november, three, a1, going)
        for m in (one, two, three):
            await b.selfcheck(october, m, a1, submitted)
        b.flag(c1, one, a1, "q1", contacted=False)
        b.flag(c1, one, a1, "q2", contacted=False)
        b.flag(c1, one, a1, "q3", contacted=True)

        b.duty(a1, date(2026, 3, 10), local(2026, 3, 9, 10))  # on time
        b.duty(a1, date(2026, 6, 15), local(2026, 6, 20, 10))  # late
        b.duty(a1, date(2026, 11, 1), local(2026, 11, 2, 1))  # 1/11 18:00 UTC: late locally
        b.duty(a1, date(2026, 11, 18))  # overdue
        b.duty(a1, date(2026, 11, 30))  # not due yet
        b.duty(a1, date(2025, 12, 10))  # last year's, still open: overdue only
        b.register(a1)

        a3 = cells["A3"]
        met = await b.meeting(a3, local(2026, 11, 3))
        for m in members["A3"]:
            b.attend(met, m, Presence.PRESENT)
            await b.selfcheck(november, m, a3, submitted)
        b.duty(a3, date(2026, 9, 30), local(2026, 9, 30, 22))  # the due day itself: on time
        b.duty(a3, date(2026, 12, 15), local(2026, 11, 10, 9))  # done before it is due: on time
        b.register(a3, AppraisalOutcome.RECOGNISED)
        await uow.commit()
    return Tree(district, a, bb, cells, members)


async def figures(services: Services, unit_id: int) -> dict[str, rollup.CellFigures]:
    today = NOW.astimezone(services.config.timezone).date()
    async with services.db.unit_of_work() as uow:
        found = await rollup.collect(
            uow.session,
            unit_id,
            rollup.month_window(today),
            now=NOW,
            zone=services.config.timezone,
        )
    assert found is not None
    return {c.name: c for c in found.cells}


async def test_figures_are_computed_by_cell(services: Services, clock: ManualClock) -> None:
    clock.set(NOW)
    tree = await build(services)
    cells = await figures(services, tree.commune_a)
    assert list(cells) == ["Chi bộ Ấp An Lạc", "Chi bộ Ấp Bình Yên", "Chi bộ Ấp Cây Da"]
    a1, a2, a3 = cells.values()
    assert (a1.roster, a1.active, a1.linked, a1.activated) == (4, 3, 3, True)
    assert (a1.meetings_held, a1.regular_held) == (2, 1)
    assert (a1.present, a1.marked, a1.unexcused_members) == (5, 8, 1)
    assert (a1.selfchecks_done, a1.selfchecks_expected) == (2, 3)
    assert a1.open_flags == 2
    assert (a1.duties_due, a1.duties_on_time, a1.duties_overdue) == (4, 1, 2)
    assert (a1.registered, a1.outcome) == (True, None)
    assert (a2.roster, a2.linked, a2.activated, a2.meetings_held) == (2, 0, False, 0)
    assert (a2.attendance_rate, a2.completion, a2.on_time_rate) == (None, None, None)
    assert (a3.present, a3.marked, a3.selfchecks_done, a3.selfchecks_expected) == (3, 3, 3, 3)
    assert (a3.duties_due, a3.duties_on_time, a3.outcome) == (2, 2, AppraisalOutcome.RECOGNISED)
    total = rollup.totals(list(cells.values()))
    assert (total.cells, total.registered, total.not_activated, total.with_meeting) == (3, 2, 1, 2)
    assert (total.present, total.marked, total.open_flags) == (8, 11, 2)
    assert (total.selfchecks_done, total.selfchecks_expected) == (5, 6)
    assert (total.duties_due, total.duties_on_time, total.duties_overdue) == (6, 3, 2)
    # Who needs help: the cell that has not activated first, then overdue duties; A3 is fine.
    assert [c.name for c in rollup.help_order(list(cells.values()))] == [a2.name, a1.name]
    # The district sees all four cells, grouped by commune.
    everything = await figures(services, tree.district)
    assert len(everything) == 4
    assert {c.group_name for c in everything.values()} == {
        "Đảng ủy xã Phú An",
        "Đảng ủy xã Phú Bình",
    }


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def commune_with(services: Services, cells: int, staff: str) -> int:
    async with services.db.unit_of_work() as uow:
        b = Builder(uow.session)
        b.n = 1000 * cells
        commune = await b.unit(UnitKind.COMMITTEE, f"Đảng ủy {cells}", None)
        for i in range(cells):
            cell = await b.unit(UnitKind.CELL, f"Chi bộ {i}", commune)
            m = await b.member(cell, f"Đảng viên {i}", MemberStatus.ACTIVE, f"{staff}{i:03d}")
            meeting = await b.meeting(cell, local(2026, 11, 5))
            b.attend(meeting, m, Presence.PRESENT)
            b.duty(cell, date(2026, 11, 1))
            if i == 0:
                b.role(m, commune, Role.STAFF)
        await uow.commit()
        return commune


async def test_statements_do_not_grow_with_the_cells(
    services: Services, clock: ManualClock
) -> None:
    clock.set(NOW)
    counts = []
    for cells, staff in ((3, "7"), (30, "8")):
        await commune_with(services, cells, staff)
        who = person(services, f"{staff}000")
        with statements(services) as seen:
            shown = text_of(await who.say("/tonghop"))
        assert t("rollup_meetings", held=cells, total=cells) in shown
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def labels(outcome: Outcome) -> list[str]:
    return [b.label for r in outcome.replies for b in r.button_list()]


async def test_tonghop_permissions_and_privacy(services: Services, clock: ManualClock) -> None:
    clock.set(NOW)
    tree = await build(services)
    secretary, staff_a, staff_b, district = (
        person(services, u) for u in ("101", "300", "401", "302")
    )
    assert text_of(await secretary.say("/tonghop")) == t("rollup_not_staff")
    shown = text_of(await staff_a.say("/tonghop"))
    assert shown.startswith(t("rollup_title", unit="Đảng ủy xã Phú An", month="11/2026"))
    assert t("rollup_cells", total=3, registered=2, idle=1) in shown
    assert t("rollup_meetings", held=2, total=3) in shown
    assert t("rollup_attendance", rate="73%") in shown  # 8/11
    assert t("rollup_selfcheck", period="11/2026", rate="83%") in shown  # 5/6
    assert t("rollup_flags", count=2) in shown
    assert t("rollup_duties", rate="50%", done=3, due=6, overdue=2) in shown
    assert (
        t(
            "rollup_help_item",
            n=1,
            name="Chi bộ Ấp Bình Yên",
            problems="; ".join([t("rollup_problem_idle"), t("rollup_problem_no_meeting")]),
        )
        in shown
    )
    assert t("rollup_problem_overdue", count=2) in shown
    # Counts only: no member's name, nothing answered.
    for name in ("Nguyễn Văn Một", "Trần Văn Hai", "Phạm Văn Bốn", "Võ Văn Sáu"):
        assert name not in shown
    assert t("rollup_btn_units") not in labels(staff_a.last)  # a commune: nothing below
    # Staff of another commune cannot see this one, not even with a forged button.
    assert text_of(await staff_b.press(encode(ROLLUP, tree.commune_a, 0))) == t("not_allowed")
    assert text_of(await staff_b.press(encode(EXPORT, tree.commune_a))) == t("not_allowed")
    assert text_of(await secretary.press(encode(ROLLUP, tree.commune_a, 0))) == t("not_allowed")
    # The district's staff drills into a commune.
    top = text_of(await district.say("/tonghop"))
    assert t("rollup_cells", total=4, registered=2, idle=1) in top
    await district.tap(t("rollup_btn_units"))
    assert text_of(district.last).startswith(
        t("rollup_units", unit="Huyện Phú Tân", page=1, pages=1)
    )
    drilled = text_of(await district.tap("Đảng ủy xã Phú An"))
    assert t("rollup_cells", total=3, registered=2, idle=1) in drilled
    assert text_of(await staff_a.press(encode(UNITS, tree.district, 0))) == t("not_allowed")


async def test_help_list_is_paged(services: Services, clock: ManualClock) -> None:
    clock.set(NOW)
    async with services.db.unit_of_work() as uow:
        b = Builder(uow.session)
        commune = await b.unit(UnitKind.COMMITTEE, "Đảng ủy xã Lớn", None)
        for i in range(13):  # none has activated
            await b.member(
                await b.unit(UnitKind.CELL, f"Chi bộ {i:02d}", commune),
                "A",
                MemberStatus.INVITED,
                None,
            )
        staff_cell = await b.unit(UnitKind.CELL, "Chi bộ Cơ quan", commune)
        staff = await b.member(staff_cell, "Cán bộ", MemberStatus.ACTIVE, "900")
        b.role(staff, commune, Role.STAFF)
        await uow.commit()
    who: Person = person(services, "900")
    first = text_of(await who.say("/tonghop"))
    assert t("rollup_help_title", first=1, last=10, count=14) in first
    second = await who.tap(t("rollup_btn_more"))
    assert second.replies[0].replace
    assert t("rollup_help_title", first=11, last=14, count=14) in text_of(second)
    assert "Chi bộ 12" in text_of(second) and "Chi bộ 00" not in text_of(second)
    assert t("rollup_btn_back") in labels(second)


async def test_workbook_matches_the_database(
    services: Services, clock: ManualClock, tmp_path: Path
) -> None:
    clock.set(NOW)
    tree = await build(services)
    path = tmp_path / "tonghop.xlsx"
    seen: list[tuple[int, int]] = []
    await rollup.write_rollup_workbook(
        services,
        tree.district,
        date(2026, 11, 1),
        date(2026, 11, 30),
        path,
        lambda d, n: seen.append((d, n)),
    )
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    book = load_workbook(path)
    sheet = book[t("rollup_xlsx_sheet")]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == [
        t("rollup_xlsx_h_stt"),
        t("rollup_xlsx_h_cell"),
        t("rollup_xlsx_h_roster"),
    ]
    assert rows[1][1] == "Đảng ủy xã Phú An"  # a group heading, then its cells
    by_name = {r[1]: r for r in rows if isinstance(r[0], int)}
    a1 = by_name["Chi bộ Ấp An Lạc"]
    assert a1[2:6] == [4, 3, 2, t("rollup_xlsx_yes")]
    assert abs(a1[6] - 5 / 8) < 1e-9 and a1[7] == 1
    assert a1[8:10] == [2, 3] and a1[11] == 2
    assert a1[12:14] == [2, 0] and a1[15] == 2 and a1[16] == t("rollup_xlsx_yes")
    assert by_name["Chi bộ Ấp Cây Da"][17] == t("programme_outcome_recognised")
    assert by_name["Chi bộ Ấp Bình Yên"][3] == 0
    subtotal = next(r for r in rows if r[1] == t("rollup_xlsx_subtotal", name="Đảng ủy xã Phú An"))
    assert subtotal[2:5] == [9, 6, 3] and subtotal[16] == "2/3"
    total = rows[-1]
    assert total[1] == t("rollup_xlsx_total") and total[2] == 10 and total[16] == "2/4"
    assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 34
    about = {r[0]: r[1] for r in book[t("rollup_xlsx_about_sheet")].iter_rows(values_only=True)}
    assert about[t("rollup_xlsx_from")] == datetime(2026, 11, 1)
    assert about[t("rollup_xlsx_to")] == datetime(2026, 11, 20)  # not past today


async def test_export_button_sends_the_workbook(services: Services, clock: ManualClock) -> None:
    clock.set(NOW)
    await build(services)
    staff = person(services, "300")
    await staff.say("/tonghop")
    sent = await staff.tap(t("rollup_btn_export"))
    reply = sent.replies[0]
    assert reply.file is not None and reply.file.filename.endswith("-2026-11.xlsx")
    assert reply.text == t(
        "rollup_exported", unit="Đảng ủy xã Phú An", start="01/11/2026", end="20/11/2026"
    )
    sheet = load_workbook(BytesIO(reply.file.content))[t("rollup_xlsx_sheet")]
    names = [r[1] for r in sheet.iter_rows(values_only=True)]
    assert "Chi bộ Ấp An Lạc" in names and "Chi bộ Ấp Đông" not in names
