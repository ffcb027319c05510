"""Duty reminders on both engines: 7 and 1 days before, overdue with escalation, no doubles."""

from __future__ import annotations

from sqlalchemy import or_, select

from core import duty_reminders
from core.clock import ManualClock
from core.context import Services
from core.duty_reports import DECIDE
from core.payloads import encode
from core.texts import t
from db.models import Duty, DutyReport, Outbox, OutboxStatus
from handlers.duties import REPORT
from tests.services.test_duties import HOA, TAM, assign, setup
from tests.services.test_meetings import local

STAGES = ("rem", "overdue", "escalate")


async def reminders(services: Services) -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Outbox)
            .where(
                Outbox.kind == "duty",
                or_(*(Outbox.dedupe_key.like(f"duty:{k}:%") for k in STAGES)),
            )
            .order_by(Outbox.id)
        )
        return list(rows)


async def only_duty(services: Services) -> Duty:
    async with services.db.unit_of_work() as uow:
        duty = await uow.session.scalar(select(Duty))
        assert duty is not None
        return duty


async def test_seven_and_one_day_before_then_overdue_with_escalation(
    services: Services, clock: ManualClock
) -> None:
    cell, secretary, _, _, _ = await setup(services)
    await assign(secretary, "Kiểm tra sổ sách", (TAM,), "3/11", "20/11")
    duty = await only_duty(services)
    tam = cell.member_ids[TAM]
    async with services.db.unit_of_work() as uow:
        new = await uow.session.scalar(select(Outbox).where(Outbox.dedupe_key.like("duty:new:%")))
        assert new is not None and new.member_id == tam  # told when it was given
    clock.set(local(2026, 11, 13, 7, 29))
    assert await duty_reminders.tick(services) == 0
    clock.set(local(2026, 11, 13, 7, 30))
    assert await duty_reminders.tick(services) == 1
    [first] = await reminders(services)
    assert first.dedupe_key == f"duty:rem:{duty.id}:{tam}:7" and first.member_id == tam
    assert (
        t("duty_remind_days", n=7, title="Kiểm tra sổ sách", due="20/11/2026")
        in (first.body["text"])
    )
    assert await duty_reminders.tick(services) == 0  # a double tick adds nothing
    clock.set(local(2026, 11, 19, 9, 0))
    assert await duty_reminders.tick(services) == 1
    assert (
        t("duty_remind_tomorrow", title="Kiểm tra sổ sách", due="20/11/2026")
        in ((await reminders(services))[-1].body["text"])
    )
    clock.set(local(2026, 11, 20, 23, 0))  # the due day itself: nothing yet
    assert await duty_reminders.tick(services) == 0
    clock.set(local(2026, 11, 21, 7, 30))
    assert await duty_reminders.tick(services) == 3
    rows = (await reminders(services))[-3:]
    leaders = {cell.member_ids["Nguyễn Văn Hùng"], cell.member_ids["Trần Thị Mai"]}
    assert {r.member_id for r in rows if "escalate" in r.dedupe_key} == leaders
    [overdue] = [r for r in rows if r.dedupe_key.startswith("duty:overdue:")]
    assert overdue.member_id == tam
    assert TAM in next(r for r in rows if "escalate" in r.dedupe_key).body["text"]
    clock.set(local(2026, 11, 25, 8, 0))
    assert await duty_reminders.tick(services) == 0


async def test_none_for_a_done_or_waiting_duty(services: Services, clock: ManualClock) -> None:
    _, secretary, _, tam, hoa = await setup(services)
    await assign(secretary, "Việc một", (TAM,), "3/11", "20/11")
    await assign(secretary, "Việc hai", (HOA,), "3/11", "20/11")
    async with services.db.unit_of_work() as uow:
        first, second = list(await uow.session.scalars(select(Duty).order_by(Duty.id)))
    await tam.press(encode(REPORT, first.id, "c"))
    await tam.say("Đã xong")
    async with services.db.unit_of_work() as uow:
        report = await uow.session.scalar(select(DutyReport))
        assert report is not None
    await secretary.press(encode(DECIDE, report.id, "y"))
    await hoa.press(encode(REPORT, second.id, "c"))
    await hoa.say("Đã xong, chờ xác nhận")
    for day in (13, 19, 21, 22):
        clock.set(local(2026, 11, day, 8, 0))
        assert await duty_reminders.tick(services) == 0
    assert await reminders(services) == []


async def test_after_downtime_only_the_latest_is_sent(
    services: Services, clock: ManualClock
) -> None:
    cell, secretary, _, _, _ = await setup(services)
    await assign(secretary, "Giám sát tổ 3", (TAM, HOA), "3/11", "20/11")
    clock.set(local(2026, 11, 19, 12, 0))  # the bot was down from creation until now
    assert await duty_reminders.tick(services) == 4  # two stages for two members
    rows = await reminders(services)
    sent = [r for r in rows if r.status is OutboxStatus.PENDING]
    assert {r.dedupe_key.rsplit(":", 1)[1] for r in sent} == {"1"}
    assert {r.member_id for r in sent} == {cell.member_ids[TAM], cell.member_ids[HOA]}
    assert all(r.status is OutboxStatus.SKIPPED for r in rows if r.dedupe_key.endswith(":7"))
    clock.set(local(2026, 11, 24, 12, 0))  # down again over the overdue day
    assert await duty_reminders.tick(services) == 4  # two assignees, two leaders
    assert await duty_reminders.tick(services) == 0


async def test_stages_before_the_duty_was_given_are_not_sent(
    services: Services, clock: ManualClock
) -> None:
    _, secretary, _, _, _ = await setup(services)
    await assign(secretary, "Việc gấp", (TAM,), "3/11", "5/11")  # given on 02/11
    assert await duty_reminders.tick(services) == 0  # the 7-day stage was 29/10
    clock.set(local(2026, 11, 4, 7, 30))
    assert await duty_reminders.tick(services) == 1
