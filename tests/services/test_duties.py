"""KT/GS duties through the real router on both engines: /giaoviec, /nhiemvu, reports, verdicts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import ManualClock
from core.context import Services
from core.duty_reports import DECIDE, FILE_MAX_BYTES
from core.members import import_rows
from core.messages import Incoming, Outcome, Received
from core.payloads import encode
from core.roster import RosterRow
from core.texts import t
from db.models import AuditEntry, Duty, DutyAssignee, DutyReport, DutyStatus, Outbox
from handlers.duties import OPEN, REPORT
from handlers.duty_wizard import WIZ
from tests.services.test_onboarding import count, join_as
from tests.support import Cell, Person, person, seed_cell, text_of

TAM, HOA = "Lê Văn Tám", "Phạm Thị Hoa"


async def setup(services: Services) -> tuple[Cell, Person, Person, Person, Person]:
    cell = await seed_cell(services)
    for name, user in (("Nguyễn Văn Hùng", "100"), ("Trần Thị Mai", "200"), (TAM, "300")):
        await join_as(services, cell, name, user)
    await join_as(services, cell, HOA, "400")
    people = [person(services, u) for u in ("100", "200", "300", "400")]
    return cell, people[0], people[1], people[2], people[3]


async def assign(
    secretary: Person,
    title: str = "Kiểm tra việc đóng đảng phí",
    names: tuple[str, ...] = (TAM,),
    start: str = "5/11",
    due: str = "30/11",
) -> str:
    await secretary.say("/giaoviec")
    await secretary.tap(t("duty_kind_inspection"))
    await secretary.say(title)
    await secretary.tap(t("btn_skip"))
    for name in names:
        await secretary.tap(t("dw_pick_off", name=name))
    await secretary.tap(t("dw_btn_done"))
    await secretary.say(start)
    await secretary.say(due)
    return text_of(await secretary.tap(t("btn_confirm")))


async def duties_of(services: Services) -> list[Duty]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Duty).order_by(Duty.id)))


async def duty_messages(services: Services) -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Outbox)
            .where(Outbox.kind == "duty", Outbox.dedupe_key.not_like("duty:new:%"))
            .order_by(Outbox.id)
        )
        return list(rows)


async def send_file(who: Person, received: Received, caption: str | None = None) -> Outcome:
    incoming = Incoming(who.channel, who.user_id, who.user_id, text=caption, received=received)
    who.last = await who.router.dispatch(incoming)
    return who.last


async def test_wizard_creates_a_duty_and_refuses_bad_dates(services: Services) -> None:
    cell, secretary, _, tam, _ = await setup(services)
    await secretary.say("/giaoviec")
    await secretary.tap(t("duty_kind_supervision"))
    assert text_of(await secretary.say("Giám sát việc tu dưỡng")) == t("dw_concerns")
    await secretary.say("Chi ủy viên phụ trách tổ dân cư")
    await secretary.tap(t("dw_pick_off", name=TAM))
    await secretary.tap(t("dw_pick_off", name=HOA))
    await secretary.tap(t("dw_pick_on", name=HOA))  # a second tap takes the name off again
    await secretary.tap(t("dw_btn_done"))
    assert text_of(await secretary.say("31/2")) == t("date_impossible", text="31/2")
    assert text_of(await secretary.say("1/11/2026")) == t("date_past", text="1/11/2026")
    assert text_of(await secretary.say("10/11")) == t("dw_due", date="10/11/2026")
    assert text_of(await secretary.say("5/11")) == t("duty_due_before_start")
    summary = text_of(await secretary.say("10/12"))
    assert TAM in summary and HOA not in summary and "10/12/2026" in summary
    assert await count(services, Duty) == 0  # nothing before «Xác nhận»
    done = text_of(await secretary.tap(t("btn_confirm")))
    assert done == t("dw_done", title="Giám sát việc tu dưỡng", date="10/12/2026")
    [duty] = await duties_of(services)
    assert (duty.kind.value, duty.status, duty.year) == ("supervision", DutyStatus.OPEN, 2026)
    assert duty.concerns == "Chi ủy viên phụ trách tổ dân cư"
    tam_id = cell.member_ids[TAM]
    assert await count(services, DutyAssignee, DutyAssignee.member_id == tam_id) == 1
    assert await count(services, AuditEntry, AuditEntry.action == "duty_created") == 1
    told = await count(services, Outbox, Outbox.dedupe_key == f"duty:new:{duty.id}:{tam_id}")
    assert told == 1  # the assignee learns of it at once
    # Aborting leaves nothing.
    await secretary.say("/giaoviec")
    await secretary.tap(t("duty_kind_assignment"))
    await secretary.say("/huy")
    assert await count(services, Duty) == 1
    assert text_of(await tam.say("/giaoviec")) == t("not_allowed")


async def test_only_the_cells_members_can_be_assigned(services: Services) -> None:
    _, secretary, _, _, _ = await setup(services)
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    await secretary.say("/giaoviec")
    await secretary.tap(t("duty_kind_assignment"))
    await secretary.say("Vận động đóng góp quỹ khuyến học")
    await secretary.tap(t("btn_skip"))
    stranger = other.member_ids[TAM]
    refused = await secretary.press(encode(WIZ, "pick", stranger, 0))
    assert text_of(refused) == t("duty_assignee_unknown")
    assert text_of(await secretary.press(encode(WIZ, "assignees", "done"))) == t(
        "duty_no_assignee"
    )
    assert await count(services, Duty) == 0


async def test_nhiemvu_lists_my_duties_and_the_cells_overdue_first(
    services: Services, clock: ManualClock
) -> None:
    _, secretary, deputy, tam, hoa = await setup(services)
    await assign(secretary, "Kiểm tra sổ sách", (TAM,), "3/11", "20/11")
    await assign(secretary, "Giám sát tổ 3", (TAM, HOA), "3/11", "6/11")
    assert t("duty_mine_empty") in text_of(await secretary.say("/nhiemvu"))
    mine = text_of(await tam.say("/nhiemvu"))
    assert mine.index("Giám sát tổ 3") < mine.index("Kiểm tra sổ sách")  # nearest due first
    assert t("duty_overdue_mark") not in mine
    clock.advance(timedelta(days=7))  # 09/11: the second is overdue
    mine = text_of(await hoa.say("/nhiemvu"))
    assert "Giám sát tổ 3" in mine and "Kiểm tra sổ sách" not in mine
    assert t("duty_overdue_mark") in mine
    listing = text_of(await deputy.say("/nhiemvu"))
    assert t("duty_cell_title", count=2) in listing
    cell_part = listing.split(t("duty_cell_title", count=2))[1]
    assert cell_part.index("Giám sát tổ 3") < cell_part.index("Kiểm tra sổ sách")
    assert cell_part.count(t("duty_overdue_mark")) == 1


async def test_reports_confirmation_and_sending_back(services: Services) -> None:
    cell, secretary, deputy, tam, hoa = await setup(services)
    await assign(secretary, names=(TAM,))
    [duty] = await duties_of(services)
    # Another member cannot report on it.
    assert text_of(await hoa.press(encode(REPORT, duty.id, "p"))) == t("duty_not_yours")
    assert text_of(await hoa.press(encode(OPEN, duty.id))) == t("duty_not_yours")
    # Progress, typed.
    await tam.say("/nhiemvu")
    await tam.tap(t("duty_open_button", n=1, title="Kiểm tra việc đóng đảng phí"))
    await tam.tap(t("duty_btn_progress"))
    assert text_of(await tam.say("Đã làm việc với 3 đồng chí")) == t("duty_reported_progress")
    notices = await duty_messages(services)
    leaders = {cell.member_ids["Nguyễn Văn Hùng"], cell.member_ids["Trần Thị Mai"]}
    assert {n.member_id for n in notices} == leaders
    assert all(not n.body["buttons"] for n in notices)
    # Completion with a photo; a file over the limit is refused and nothing is stored.
    await tam.press(encode(REPORT, duty.id, "c"))
    big = Received("document", "file-big", "bien-ban.pdf", FILE_MAX_BYTES + 1)
    assert text_of(await send_file(tam, big)) == t("duty_file_too_large", limit=10)
    assert await count(services, DutyReport) == 1
    photo = Received("photo", "AgACAgIAAxkBAAIB", "", 120_000)
    done = await send_file(tam, photo, "Biên bản kiểm tra")
    assert text_of(done) == t("duty_reported_completion")
    async with services.db.unit_of_work() as uow:
        report = await uow.session.scalar(select(DutyReport).order_by(DutyReport.id.desc()))
        assert report is not None
        assert (report.attachment_kind, report.attachment_ref) == ("photo", "AgACAgIAAxkBAAIB")
        assert report.text == "Biên bản kiểm tra" and report.attachment_size == 120_000
    assert (await duties_of(services))[0].status is DutyStatus.REPORTED
    asked = [n for n in await duty_messages(services) if n.body["buttons"]]
    assert {n.member_id for n in asked} == leaders
    # A plain member cannot decide; the secretary sends it back with a comment.
    assert text_of(await hoa.press(encode(DECIDE, report.id, "y"))) == t("not_allowed")
    await secretary.press(encode(DECIDE, report.id, "n"))
    assert text_of(await secretary.say("Thiếu chữ ký")) == t(
        "duty_returned", title="Kiểm tra việc đóng đảng phí"
    )
    assert (await duties_of(services))[0].status is DutyStatus.RETURNED
    told = [n for n in await duty_messages(services) if "Thiếu chữ ký" in n.body["text"]]
    assert [n.member_id for n in told] == [cell.member_ids[TAM]]
    # Reported again, confirmed by the deputy; the secretary's older button is stale.
    await tam.press(encode(REPORT, duty.id, "c"))
    await tam.say("Đã bổ sung chữ ký")
    async with services.db.unit_of_work() as uow:
        last = await uow.session.scalar(select(DutyReport).order_by(DutyReport.id.desc()))
        assert last is not None
    confirmed = await deputy.press(encode(DECIDE, last.id, "y"))
    assert text_of(confirmed) == t("duty_confirmed", title="Kiểm tra việc đóng đảng phí")
    assert text_of(await secretary.press(encode(DECIDE, last.id, "y"))) == t("already_decided")
    assert text_of(await secretary.press(encode(DECIDE, report.id, "y"))) == t("already_decided")
    [finished] = await duties_of(services)
    assert finished.status is DutyStatus.DONE and finished.done_at is not None
    assert text_of(await tam.press(encode(REPORT, duty.id, "p"))) == t("duty_already_done")
    async with services.db.unit_of_work() as uow:
        actions = list(await uow.session.scalars(select(AuditEntry.action)))
    assert actions.count("duty_reported") == 3
    assert {"duty_created", "duty_returned", "duty_confirmed"} <= set(actions)


async def test_a_completion_waits_for_the_decision(services: Services) -> None:
    _, secretary, _, tam, _ = await setup(services)
    await assign(secretary)
    [duty] = await duties_of(services)
    await tam.press(encode(REPORT, duty.id, "c"))
    assert text_of(await tam.say("   ")) == t("duty_report_empty")
    await tam.say("Xong")
    assert text_of(await tam.press(encode(REPORT, duty.id, "c"))) == t("duty_waiting_decision")
    shown = await secretary.press(encode(OPEN, duty.id))
    labels = [b.label for r in shown.replies for b in r.button_list()]
    assert labels == [t("duty_btn_confirm"), t("duty_btn_return")]
    assert "Xong" in text_of(shown)


async def test_the_roster_is_paged_and_choices_survive_paging(services: Services) -> None:
    cell, secretary, _, _, _ = await setup(services)
    extra = [f"Đảng Viên Số {chr(ord('A') + i)}" for i in range(8)]  # 12 on the roster
    rows = [
        RosterRow(line=i + 2, full_name=n, phone=None, role="member", membership="full")
        for i, n in enumerate(extra)
    ]
    await import_rows(services, cell.code, rows)
    await secretary.say("/giaoviec")
    await secretary.tap(t("duty_kind_assignment"))
    await secretary.say("Tuyên truyền nghị quyết")
    first = await secretary.tap(t("btn_skip"))
    assert t("dw_assignees", count=0, page=1, pages=2) in text_of(first)
    await secretary.tap(t("dw_pick_off", name=TAM))
    second = await secretary.tap(t("btn_next"))
    assert t("dw_assignees", count=1, page=2, pages=2) in text_of(second)
    await secretary.tap(t("dw_pick_off", name=extra[-1]))
    await secretary.tap(t("btn_prev"))
    await secretary.tap(t("dw_btn_done"))
    await secretary.say("10/11")
    summary = text_of(await secretary.say("20/11"))
    assert t("duty_line_assignees", names=f"{TAM}, {extra[-1]}") in summary
