"""The committee's /tonghop and /mohinh end to end, on Telegram (buttons) and Zalo (typed
numbers), with the same scenario: the secretary of cell A cannot see the roll-up and registers
the cell in the model programme; the committee's staff (also its inspection committee) sees
the roll-up (counts only), exports it, registers cell B on its behalf and appraises cell A;
the secretary of cell B cannot look at cell A."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.harness import Harness, running_bot
from bot.people import Person
from core.clock import ManualClock
from core.members import grant_role, import_rows
from core.roster import RosterRow
from core.texts import t
from core.units import add_unit
from db.models import AppraisalOutcome, Member, ProgrammeRegistration, Role, UnitKind
from tests.e2e.helpers import member_code
from tests.e2e.people_helpers import local, only
from tests.support import Cell

pytestmark = pytest.mark.e2e
CHANNELS = ["telegram", "zalo"]
COMMUNE = "Đảng ủy xã Phú An"
CELL_A, CELL_B, OFFICE = "Chi bộ Ấp Một", "Chi bộ Ấp Hai", "Chi bộ Cơ quan Đảng ủy"
HUNG, LAN, BINH = "Nguyễn Văn Hùng", "Võ Thị Lan", "Đặng Văn Bình"
NOTE = "Thực hiện đủ kế hoạch kiểm tra, giám sát năm"


async def cell_with(h: Harness, commune: str, name: str, rows: list[tuple[str, str]]) -> Cell:
    services = h.app.services
    unit = await add_unit(services, kind=UnitKind.CELL, name=name, parent=commune, code=None)
    roster = [
        RosterRow(line=i + 2, full_name=n, phone=None, role=r, membership="full")  # type: ignore[arg-type]
        for i, (n, r) in enumerate(rows)
    ]
    await import_rows(services, unit.code, roster)
    async with services.db.unit_of_work() as uow:
        found = await uow.session.scalars(select(Member).where(Member.cell_id == unit.id))
        return Cell(unit.code, unit.id, {m.full_name: m.id for m in found})


async def join(h: Harness, cell: Cell, name: str, cell_name: str, number: int) -> Person:
    person = h.person(number, name)
    asked = only(await person.say(f"/start {await member_code(h, cell, name)}"))
    assert asked.body == t("confirm_identity", name=name, cell=cell_name)
    done = only(await person.tap(t("btn_its_me", name=name)))
    assert done.body == t("joined", name=name, cell=cell_name)
    return person


async def registration(h: Harness, cell: Cell) -> ProgrammeRegistration | None:
    async with h.app.services.db.unit_of_work() as uow:
        found: ProgrammeRegistration | None = await uow.session.scalar(
            select(ProgrammeRegistration).where(ProgrammeRegistration.cell_id == cell.id)
        )
        return found


@pytest.mark.parametrize("channel", CHANNELS)
async def test_rollup_and_model_programme(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 11, 20, 9))
    async with running_bot(sqlite_url, migrate_first=False, clock=clock, channel=channel) as h:
        services = h.app.services
        commune = await add_unit(
            services, kind=UnitKind.COMMITTEE, name=COMMUNE, parent=None, code="phu-an"
        )
        a = await cell_with(
            h, commune.code, CELL_A, [(HUNG, "secretary"), ("Lê Văn Tám", "member")]
        )
        b = await cell_with(h, commune.code, CELL_B, [(BINH, "secretary")])
        office = await cell_with(h, commune.code, OFFICE, [(LAN, "member")])
        for role in (Role.STAFF, Role.INSPECTION):
            await grant_role(services, office.member_ids[LAN], commune.code, role)
        hung = await join(h, a, HUNG, CELL_A, 3001)
        binh = await join(h, b, BINH, CELL_B, 3002)
        lan = await join(h, office, LAN, OFFICE, 3003)

        # The secretary of cell A: no roll-up; registers the cell with its resolution date.
        assert only(await hung.say("/tonghop")).body == t("rollup_not_staff")
        own = only(await hung.say("/mohinh"))
        assert own.body == "\n".join(
            [
                t("programme_title", year=2026),
                t("programme_cell_not_registered", cell=CELL_A, year=2026),
            ]
        )
        assert own.labels == [t("programme_btn_register")]
        asked = only(await hung.tap(t("programme_btn_register")))
        assert asked.body == t("programme_ask_date", year=2026)
        wrong = only(await hung.say("30/02/2026"))
        assert wrong.body == t("programme_date_impossible", text="30/02/2026")
        done = only(await hung.say("15/01/2026"))
        assert done.body == t("programme_registered", cell=CELL_A, year=2026)

        # The committee's staff: the roll-up, counts only, with the cells needing help.
        rolled = only(await lan.say("/tonghop"))
        assert rolled.body.startswith(t("rollup_title", unit=COMMUNE, month="11/2026"))
        assert t("rollup_cells", total=3, registered=1, idle=0) in rolled.body
        assert t("rollup_meetings", held=0, total=3) in rolled.body
        assert t("rollup_help_title", first=1, last=3, count=3) in rolled.body
        for name in (HUNG, BINH, "Lê Văn Tám"):
            assert name not in rolled.body
        assert t("rollup_btn_export") in rolled.labels
        exported = only(await lan.tap(t("rollup_btn_export")))
        sent = t("rollup_exported", unit=COMMUNE, start="01/11/2026", end="20/11/2026")
        if channel == "telegram":
            assert exported.kind == "document" and exported.body == sent
            assert (exported.file_name or "").endswith("-2026-11.xlsx") and exported.size > 0
        else:  # no public address configured: the text says where to get the file
            assert exported.body.startswith(sent)

        # /mohinh: 1/3 registered; the staff registers cell B on its behalf, without a date.
        overview = only(await lan.say("/mohinh"))
        assert t("programme_unit_summary", unit=COMMUNE, registered=1, total=3) in overview.body
        assert CELL_B in overview.labels and CELL_A not in overview.labels
        card = only(await lan.tap(CELL_B))
        assert t("programme_cell_not_registered", cell=CELL_B, year=2026) in card.body
        only(await lan.tap(t("programme_btn_register_for")))
        done = only(await lan.tap(t("programme_btn_no_date")))
        assert done.body == t("programme_registered", cell=CELL_B, year=2026)
        found = await registration(h, b)
        assert found is not None and found.on_behalf

        # The inspection committee appraises cell A, with the cell's figures as evidence.
        only(await lan.say("/mohinh"))
        listed = only(await lan.tap(t("programme_btn_registered")))
        assert listed.labels[:2] == [CELL_B, CELL_A]  # by name
        card = only(await lan.tap(CELL_A))
        assert t("programme_evidence_title", year=2026) in card.body
        assert t("programme_evidence_unexcused", count=0) in card.body
        assert card.labels == [t("programme_btn_appraise")]
        choose = only(await lan.tap(t("programme_btn_appraise")))
        praised = t("programme_outcome_praised").capitalize()
        assert praised in choose.labels and len(choose.labels) == 4
        note = only(await lan.tap(praised))
        assert note.body == t(
            "programme_ask_note", outcome=t("programme_outcome_praised"), limit=500
        )
        done = only(await lan.say(NOTE))
        assert done.body == t(
            "programme_appraised", cell=CELL_A, year=2026, outcome=t("programme_outcome_praised")
        )
        found = await registration(h, a)
        assert found is not None and found.outcome is AppraisalOutcome.PRAISED
        assert found.outcome_note == NOTE

        # The secretaries see their own cell's result; cell B's cannot look at cell A.
        own = only(await hung.say("/mohinh"))
        assert t("programme_outcome_note", note=NOTE) in own.body
        assert only(await binh.say("/tonghop")).body == t("rollup_not_staff")
        theirs = only(await binh.say("/mohinh"))
        assert (
            t(
                "programme_cell_registered_by_committee",
                cell=CELL_B,
                date="20/11/2026",
                resolution=t("programme_no_resolution"),
            )
            in theirs.body
        )
        assert CELL_A not in theirs.body and NOTE not in theirs.body and theirs.labels == []
