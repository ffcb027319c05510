"""The KT/GS model programme (/mohinh) through the real router on both engines: registration
by the secretary and on the cell's behalf, the roll-up, appraisal by the configured body only."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from core.clock import ManualClock
from core.context import Services
from core.payloads import encode
from core.texts import t
from db.models import AppraisalOutcome, AuditEntry, ProgrammeRegistration, UnitKind
from handlers.committee import APPRAISE, CELL, OUTCOME, REGISTER
from tests.services.test_onboarding import count
from tests.services.test_rollup import NOW, Tree, build, labels
from tests.support import person, text_of

A1, A2, A3 = "Chi bộ Ấp An Lạc", "Chi bộ Ấp Bình Yên", "Chi bộ Ấp Cây Da"


async def registration(services: Services, cell: int) -> ProgrammeRegistration | None:
    async with services.db.unit_of_work() as uow:
        found: ProgrammeRegistration | None = await uow.session.scalar(
            select(ProgrammeRegistration).where(
                ProgrammeRegistration.cell_id == cell, ProgrammeRegistration.year == 2026
            )
        )
        return found


async def setup(services: Services, clock: ManualClock) -> Tree:
    clock.set(NOW)
    tree = await build(services)
    async with services.db.unit_of_work() as uow:  # A1 registers itself in these tests
        row = await uow.session.scalar(
            select(ProgrammeRegistration).where(ProgrammeRegistration.cell_id == tree.cells["A1"])
        )
        await uow.session.delete(row)
        await uow.commit()
    return tree


async def test_secretary_registers_the_cell(services: Services, clock: ManualClock) -> None:
    tree = await setup(services, clock)
    secretary = person(services, "101")
    shown = text_of(await secretary.say("/mohinh"))
    assert shown == "\n".join(
        [t("programme_title", year=2026), t("programme_cell_not_registered", cell=A1, year=2026)]
    )
    assert text_of(await secretary.tap(t("programme_btn_register"))) == t(
        "programme_ask_date", year=2026
    )
    assert text_of(await secretary.say("31/2/2026")) == t(
        "programme_date_impossible", text="31/2/2026"
    )
    assert text_of(await secretary.say("1/12/2026")) == t(
        "programme_date_future", text="01/12/2026"
    )
    assert text_of(await secretary.say("mai")) == t("programme_date_unreadable", text="mai")
    old = text_of(await secretary.say("20/12/2024"))
    assert old == t("programme_date_old", text="20/12/2024", year=2026)
    assert await registration(services, tree.cells["A1"]) is None  # nothing yet
    done = text_of(await secretary.say("15/01/2026"))
    assert done == t("programme_registered", cell=A1, year=2026)
    row = await registration(services, tree.cells["A1"])
    assert row is not None and row.resolution_on is not None
    assert (f"{row.resolution_on:%d/%m/%Y}", row.on_behalf) == ("15/01/2026", False)
    assert row.registered_by == tree.members["A1"][0]
    assert await count(services, AuditEntry, AuditEntry.action == "programme_registered") == 1
    again = await secretary.say("/mohinh")
    assert t("programme_cell_registered", cell=A1, date="20/11/2026", resolution="15/01/2026") in (
        text_of(again)
    )
    assert labels(again) == []
    # A forged «Đăng ký» for the same year is refused; the secretary sees no other cell.
    twice = await secretary.press(encode(REGISTER, tree.cells["A1"], 2026))
    assert text_of(twice) == t("programme_already_registered", year=2026)
    other = await secretary.press(encode(CELL, tree.cells["A2"], 2026))
    assert text_of(other) == t("not_allowed")
    assert text_of(await secretary.press(encode(REGISTER, tree.cells["A2"], 2026))) == t(
        "not_allowed"
    )
    # A member who is not a leader gets a clear refusal.
    assert text_of(await person(services, "102").say("/mohinh")) == t("programme_not_allowed")


async def test_committee_registers_on_behalf_and_appraises(
    services: Services, clock: ManualClock
) -> None:
    tree = await setup(services, clock)
    staff, inspection = person(services, "300"), person(services, "301")
    overview = await staff.say("/mohinh")
    shown = text_of(overview)
    assert t("programme_unit_summary", unit="Đảng ủy xã Phú An", registered=1, total=3) in shown
    assert (
        t(
            "programme_outcomes",
            items=t("programme_outcome_count", outcome=t("programme_outcome_recognised"), count=1),
        )
        in shown
    )
    assert t("programme_list_unregistered", page=1, pages=1) in shown
    assert labels(overview)[:2] == [A1, A2]
    card = text_of(await staff.tap(A2))
    assert t("programme_cell_not_registered", cell=A2, year=2026) in card
    assert t("programme_evidence_unexcused", count=0) in card
    assert labels(staff.last) == [t("programme_btn_register_for")]
    asked = await staff.tap(t("programme_btn_register_for"))
    assert text_of(asked) == t("programme_ask_date_for", cell=A2, year=2026)
    done = await staff.tap(t("programme_btn_no_date"))
    assert text_of(done) == t("programme_registered", cell=A2, year=2026)
    row = await registration(services, tree.cells["A2"])
    assert row is not None and row.on_behalf and row.resolution_on is None
    # Appraising a cell that did not register is refused.
    refused = await inspection.press(encode(APPRAISE, tree.cells["A1"], 2026))
    assert text_of(refused) == t("programme_not_registered", year=2026)
    refused = await inspection.press(encode(OUTCOME, tree.cells["A1"], 2026, "c"))
    assert text_of(refused) == t("programme_not_registered", year=2026)
    # The inspection committee of the commune appraises A2, with the evidence on screen.
    await inspection.say("/mohinh")
    await inspection.tap(t("programme_btn_registered"))
    card = text_of(await inspection.tap(A2))
    assert t("programme_evidence_title", year=2026) in card
    assert t("programme_btn_appraise") in labels(inspection.last)
    await inspection.tap(t("programme_btn_appraise"))
    asked = await inspection.tap(t("programme_outcome_recognised").capitalize())
    assert text_of(asked) == t(
        "programme_ask_note", outcome=t("programme_outcome_recognised"), limit=500
    )
    noted = text_of(await inspection.say("Thực hiện đủ kế hoạch kiểm tra, giám sát"))
    assert noted == t(
        "programme_appraised", cell=A2, year=2026, outcome=t("programme_outcome_recognised")
    )
    row = await registration(services, tree.cells["A2"])
    assert row is not None and row.outcome is AppraisalOutcome.RECOGNISED
    assert row.appraising_unit_id == tree.commune_a and row.outcome_note
    # Re-appraisal updates the outcome and is audited with the previous one.
    await inspection.press(encode(CELL, tree.cells["A2"], 2026))
    await inspection.tap(t("programme_btn_reappraise"))
    await inspection.tap(t("programme_outcome_rewarded").capitalize())
    await inspection.tap(t("btn_skip"))
    row = await registration(services, tree.cells["A2"])
    assert (
        row is not None and row.outcome is AppraisalOutcome.REWARDED and row.outcome_note is None
    )
    async with services.db.unit_of_work() as uow:
        audits = list(
            await uow.session.scalars(
                select(AuditEntry.detail)
                .where(AuditEntry.action == "programme_appraised")
                .order_by(AuditEntry.id)
            )
        )
    assert [(a["outcome"], a["previous"]) for a in audits] == [
        ("recognised", None),
        ("rewarded", "recognised"),
    ]


async def test_only_the_configured_body_appraises(services: Services, clock: ManualClock) -> None:
    tree = await setup(services, clock)
    district, other_commune = person(services, "302"), person(services, "401")
    a3 = tree.cells["A3"]
    card = await district.press(encode(CELL, a3, 2026))
    assert t("programme_btn_appraise") not in labels(card)
    assert t("programme_btn_reappraise") not in labels(card)
    refused = text_of(await district.press(encode(APPRAISE, a3, 2026)))
    assert refused == t("programme_not_appraiser", body=t("programme_kind_committee"))
    assert text_of(await district.press(encode(OUTCOME, a3, 2026, "r"))) == refused
    assert text_of(await other_commune.press(encode(APPRAISE, a3, 2026))) == t("not_allowed")
    assert text_of(await other_commune.press(encode(CELL, a3, 2026))) == t("not_allowed")
    row = await registration(services, a3)
    assert row is not None and row.outcome is AppraisalOutcome.RECOGNISED  # unchanged
    # With APPRAISAL_UNIT_KIND=district the district appraises, the commune no longer does.
    moved = replace(
        services, config=replace(services.config, appraisal_unit_kind=UnitKind.DISTRICT)
    )
    district, commune = person(moved, "302"), person(moved, "301")
    assert t("programme_btn_reappraise") in labels(await district.press(encode(CELL, a3, 2026)))
    await district.tap(t("programme_btn_reappraise"))
    await district.tap(t("programme_outcome_praised").capitalize())
    await district.tap(t("btn_skip"))
    row = await registration(services, a3)
    assert row is not None and row.outcome is AppraisalOutcome.PRAISED
    assert row.appraising_unit_id == tree.district
    refused = text_of(await commune.press(encode(APPRAISE, a3, 2026)))
    assert refused == t("programme_not_appraiser", body=t("programme_kind_district"))
