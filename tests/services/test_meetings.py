"""Scheduling, reminders and answers through the real router, on both engines, with a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from core import reminders
from core.calendar_settings import add_skip_date
from core.clock import ManualClock
from core.context import Services
from core.texts import t
from db.models import Meeting, Outbox, OutboxStatus, Rsvp, RsvpAnswer
from tests.services.test_onboarding import join_as
from tests.support import Person, person, seed_cell, text_of

HN = timedelta(hours=7)  # Hà Nội is UTC+7 all year


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - HN


async def wizard_once(secretary: Person, date: str, time: str) -> str:
    await secretary.say("/taohop")
    await secretary.tap(t("btn_kind_regular"))
    await secretary.tap(t("btn_repeat_once"))
    await secretary.say(date)
    await secretary.say(time)
    await secretary.say("Hội trường ấp")
    await secretary.say("Quán triệt nghị quyết tháng 11")
    return text_of(await secretary.tap(t("btn_confirm")))


async def setup(services: Services) -> tuple[Person, Person, Person]:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    await join_as(services, cell, "Lê Văn Tám", "300")
    await join_as(services, cell, "Phạm Thị Hoa", "400")
    return person(services, "100"), person(services, "300"), person(services, "400")


async def outbox(services: Services, kind: str = "reminder") -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)
        )
        return list(rows)


async def test_wizard_creates_a_meeting_and_rejects_bad_input(services: Services) -> None:
    secretary, member, _ = await setup(services)
    await secretary.say("/taohop")
    await secretary.tap(t("btn_kind_regular"))
    await secretary.tap(t("btn_repeat_once"))
    assert text_of(await secretary.say("31/2")) == t("date_impossible", text="31/2")
    assert text_of(await secretary.say("1/11/2026")) == t("date_past", text="1/11/2026")
    assert text_of(await secretary.say("5/11")) == t("wiz_time")
    assert text_of(await secretary.say("25h")) == t("time_impossible", text="25h")
    await secretary.say("19h30")
    await secretary.say("Hội trường ấp")
    summary = text_of(await secretary.tap(t("btn_skip")))
    assert "19:30, thứ Năm 05/11/2026" in summary and "Hội trường ấp" in summary
    done = text_of(await secretary.tap(t("btn_confirm")))
    assert done == t("wiz_done", when="19:30, thứ Năm 05/11/2026")
    async with services.db.unit_of_work() as uow:
        meeting = await uow.session.scalar(select(Meeting))
        assert meeting is not None and meeting.starts_at == local(2026, 11, 5, 19, 30)
    assert text_of(await member.say("/taohop")) == t("not_allowed")
    listing = text_of(await member.say("/lichhop"))
    assert "05/11/2026" in listing and t("answer_none") in listing


async def test_rule_on_the_31st_moves_to_month_ends_over_14_months(
    services: Services, clock: ManualClock
) -> None:
    secretary, _, _ = await setup(services)
    # A holiday on the last day of February 2027: the meeting cannot move within the month.
    await add_skip_date(services, date(2027, 2, 28), "Nghỉ bù", None)
    await secretary.say("/taohop")
    await secretary.tap(t("btn_kind_regular"))
    await secretary.tap(t("btn_repeat_1"))
    await secretary.tap(t("btn_rule_day_of_month"))
    assert text_of(await secretary.say("32")) == t("rule_bad_day")
    assert text_of(await secretary.say("²")) == t("rule_bad_day")  # a digit int() refuses
    await secretary.say("31")
    await secretary.say("19:30")
    await secretary.say("Nhà văn hóa")
    summary = text_of(await secretary.tap(t("btn_skip")))
    assert "ngày 31 hằng tháng" in summary
    await secretary.tap(t("btn_confirm"))
    for _ in range(14 * 4):  # the tick runs through 14 months, a week at a time
        clock.advance(timedelta(days=7))
        await reminders.tick(services)
    async with services.db.unit_of_work() as uow:
        starts = [m.starts_at + HN for m in await uow.session.scalars(select(Meeting))]
    days = sorted({(s.year, s.month, s.day) for s in starts})
    assert (2026, 11, 30) in days and (2027, 4, 30) in days and (2028, 2, 29) not in days
    assert (2026, 12, 31) in days and (2027, 1, 31) in days
    assert not [d for d in days if d[:2] == (2027, 2)]  # dropped, as documented
    assert (2027, 3, 31) in days and (2027, 12, 31) in days
    assert len({(y, m) for y, m, _ in days}) == len(days)  # one meeting a month


async def test_reminders_fall_due_at_local_times(services: Services, clock: ManualClock) -> None:
    secretary, _, other = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")  # Monday 9/11, 19:30 local
    clock.set(local(2026, 11, 6, 19, 29))
    await reminders.tick(services)
    assert await outbox(services) == []
    clock.set(local(2026, 11, 6, 19, 30))  # three days before
    first = await reminders.tick(services)
    assert first.queued == 3  # secretary and two members
    rows = await outbox(services)
    assert {r.not_before for r in rows} == {local(2026, 11, 6, 19, 30)}
    assert all(
        t("meeting_agenda", agenda="Quán triệt nghị quyết tháng 11") in r.body["text"]
        for r in rows
    )
    again = await reminders.tick(services)  # a double tick adds nothing
    assert again.queued == 0
    # Hoa asks to be excused: the later reminders skip her.
    await other.press(f"rsvp:n:{rows[0].meeting_id}")
    answered = await other.tap(t("reason_sick"))
    assert t("rsvp_excused_saved", reason=t("reason_sick")) in text_of(answered)
    clock.set(local(2026, 11, 8, 19, 31))
    await reminders.tick(services)
    clock.set(local(2026, 11, 9, 17, 30))
    await reminders.tick(services)
    keys = [r.dedupe_key.split(":")[-2:] for r in await outbox(services)]
    hoa = [k for k in keys if k[0] == str(rows[2].member_id)]
    assert [k[1] for k in hoa] == ["4320"]
    assert len(keys) == 3 + 2 + 2


async def test_after_downtime_only_the_freshest_reminder_is_sent(
    services: Services, clock: ManualClock
) -> None:
    secretary, _, _ = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")
    await reminders.tick(services)  # the last tick before the outage: nothing due yet
    clock.set(local(2026, 11, 9, 17, 45))  # down from Monday 2/11 to 15 minutes after 2h mark
    await reminders.tick(services)
    rows = await outbox(services)
    by_status: dict[OutboxStatus, set[str]] = {}
    for r in rows:
        by_status.setdefault(r.status, set()).add(r.dedupe_key.rsplit(":", 1)[1])
    assert by_status[OutboxStatus.PENDING] == {"120"}
    assert by_status[OutboxStatus.SKIPPED] == {"4320", "1440"}


async def test_quiet_hours_hold_reminders_until_morning(
    services: Services, clock: ManualClock
) -> None:
    secretary, _, _ = await setup(services)
    await wizard_once(secretary, "10/11", "7h")  # 07:00: the 2-hour reminder falls at 05:00
    clock.set(local(2026, 11, 10, 5, 0))
    await reminders.tick(services)
    rows = [r for r in await outbox(services) if r.dedupe_key.endswith(":120")]
    assert rows and {r.not_before for r in rows} == {local(2026, 11, 10, 6, 30)}
    assert all(r.status is OutboxStatus.PENDING for r in rows)


async def test_answers_change_until_the_meeting_starts(
    services: Services, clock: ManualClock
) -> None:
    secretary, member, _ = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")
    async with services.db.unit_of_work() as uow:
        meeting_id = (await uow.session.scalar(select(Meeting.id))) or 0
    assert t("rsvp_attend_saved", when="19:30, thứ Hai 09/11/2026") == text_of(
        await member.press(f"rsvp:y:{meeting_id}")
    )
    await member.press(f"rsvp:n:{meeting_id}")
    assert text_of(await member.tap(t("reason_other"))) == t("rsvp_type_reason")
    await member.say("Đi họp phụ huynh")
    await member.tap(t("btn_write_opinion"))
    saved = await member.say("Đề nghị bàn thêm việc thu đảng phí")
    assert text_of(saved) == t("rsvp_opinion_saved")
    assert [n.to.chat_id for n in saved.notices] == ["100"]
    assert "thu đảng phí" in saved.notices[0].reply.text
    async with services.db.unit_of_work() as uow:
        row = await uow.session.scalar(select(Rsvp))
        assert row is not None and row.answer is RsvpAnswer.EXCUSED
        assert row.note == "Đi họp phụ huynh" and row.opinion
    clock.set(local(2026, 11, 9, 19, 31))
    assert text_of(await member.press(f"rsvp:y:{meeting_id}")) == t("rsvp_too_late")


async def test_cancel_and_move_tell_only_the_reminded(
    services: Services, clock: ManualClock
) -> None:
    secretary, member, _ = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")
    clock.set(local(2026, 11, 6, 19, 30))
    await reminders.tick(services)
    async with services.db.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(Outbox)))
        for r in rows[:2]:  # two of three were delivered
            r.status = OutboxStatus.SENT
        meeting_id = rows[0].meeting_id
        await uow.commit()
    await secretary.press(f"mmov:{meeting_id}")
    moved = text_of(await secretary.say("12/11 lúc 19h"))
    assert moved == t("meeting_moved_done", when="19:00, thứ Năm 12/11/2026", count=2)
    notices = await outbox(services, "notice")
    assert len(notices) == 2
    assert all(r.status is not OutboxStatus.PENDING for r in await outbox(services))
    asked = await secretary.press(f"mcan:{meeting_id}")
    assert t("btn_yes_cancel") in [b.label for r in asked.replies for b in r.button_list()]
    done = text_of(await secretary.tap(t("btn_yes_cancel")))
    assert done == t("meeting_cancelled_done", count=2)
    assert len(await outbox(services, "notice")) == 4
    assert text_of(await member.press(f"rsvp:y:{meeting_id}")) == t("meeting_cancelled")


async def test_attendance_in_a_few_taps_and_early_warnings(
    services: Services, clock: ManualClock
) -> None:
    secretary, member, other = await setup(services)
    assert text_of(await secretary.say("/diemdanh")) == t("no_meeting_to_mark")
    for day in (5, 12, 19):  # three weekly meetings; Tám misses all, Hoa asks leave each time
        await wizard_once(secretary, f"{day}/11", "19h30")
        clock.set(local(2026, 11, day, 19, 0))
        async with services.db.unit_of_work() as uow:
            meeting_id = await uow.session.scalar(
                select(Meeting.id).order_by(Meeting.starts_at.desc()).limit(1)
            )
        await other.press(f"rsvp:n:{meeting_id}")
        await other.tap(t("reason_work"))
        clock.set(local(2026, 11, day, 21, 0))
        sheet = await secretary.say("/diemdanh")
        labels = [b.label for r in sheet.replies for b in r.button_list()]
        assert t("att_line_none_leave", name="Phạm Thị Hoa") in labels
        await secretary.tap(t("att_line_none", name="Nguyễn Văn Hùng"))
        assert t("att_line_present", name="Nguyễn Văn Hùng") in [
            b.label for r in secretary.last.replies for b in r.button_list()
        ]
        assert secretary.last.replies[0].replace  # updated in place
        done = text_of(await secretary.tap(t("btn_att_finish")))
        # Trần Thị Mai never linked the bot, yet she is on the roster and marked too.
        assert t("att_done", present=1, total=4, excused=1, absent=2) in done
    assert t("warn_unexcused", name="Lê Văn Tám", count=1) in done
    assert t("warn_streak", name="Lê Văn Tám", count=3) in done
    assert t("warn_streak", name="Phạm Thị Hoa", count=3) in done
    assert t("warn_year_limit", name="Lê Văn Tám", count=3) in done
    assert "Nguyễn Văn Hùng" not in done.split(t("att_warnings"))[1]
    assert text_of(await member.say("/diemdanh")) == t("not_allowed")


async def test_edit_place_tells_the_reminded(services: Services, clock: ManualClock) -> None:
    secretary, member, _ = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")
    clock.set(local(2026, 11, 6, 19, 30))
    await reminders.tick(services)
    async with services.db.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(Outbox)))
        rows[1].status = OutboxStatus.SENT  # one member had been reminded
        meeting_id = rows[0].meeting_id
        await uow.commit()
    await secretary.press(f"medt:{meeting_id}")
    assert text_of(await secretary.tap(t("btn_edit_place"))) == t("ask_new_place")
    assert text_of(await secretary.say("Nhà văn hóa ấp")) == t("meeting_edited_done", count=1)
    [notice] = await outbox(services, "notice")
    assert "Nhà văn hóa ấp" in notice.body["text"] and notice.member_id == rows[1].member_id
    assert "Nhà văn hóa ấp" in text_of(await member.say("/lichhop"))
    assert text_of(await member.press(f"medt:{meeting_id}:place")) == t("not_allowed")


async def test_stopping_a_rule_cancels_this_and_later_meetings(
    services: Services, clock: ManualClock
) -> None:
    secretary, _, _ = await setup(services)
    await secretary.say("/taohop")
    await secretary.tap(t("btn_kind_thematic"))
    await secretary.tap(t("btn_repeat_1"))
    await secretary.tap(t("btn_rule_nth_weekday"))
    await secretary.tap(t("weekday_name_5"))
    await secretary.tap(t("btn_nth_1"))
    await secretary.say("8h sáng")
    await secretary.say("Hội trường")
    summary = text_of(await secretary.tap(t("btn_skip")))
    assert "thứ Bảy đầu tiên của tháng, lúc 08:00" in summary
    await secretary.tap(t("btn_confirm"))
    listing = await secretary.say("/lichhop")
    labels = [b.label for r in listing.replies for b in r.button_list()]
    stop = next(label for label in labels if label.startswith("Dừng lặp lại"))
    await secretary.tap(stop)
    stopped = text_of(await secretary.tap(t("btn_yes_stop")))
    async with services.db.unit_of_work() as uow:
        made = list(await uow.session.scalars(select(Meeting)))
    assert stopped == t("rule_stopped", count=len(made)) and len(made) >= 1
    assert all(m.status.value == "cancelled" for m in made)
    clock.advance(timedelta(days=60))
    await reminders.tick(services)
    async with services.db.unit_of_work() as uow:
        assert len(list(await uow.session.scalars(select(Meeting)))) == len(made)


async def test_date_and_time_in_one_answer_and_a_document_link(services: Services) -> None:
    secretary, _, _ = await setup(services)
    await secretary.say("/taohop")
    await secretary.tap(t("btn_kind_extraordinary"))  # no repeat question for these
    assert text_of(await secretary.say("05/12/2026 19:30")) == t("wiz_place")
    await secretary.say("Hội trường")
    summary = text_of(await secretary.tap(t("btn_skip")))
    assert "19:30, thứ Bảy 05/12/2026" in summary
    await secretary.tap(t("btn_confirm"))
    async with services.db.unit_of_work() as uow:
        meeting_id = await uow.session.scalar(select(Meeting.id))
    await secretary.press(f"medt:{meeting_id}:document_url")
    assert text_of(await secretary.say("tai lieu")) == t("document_url_invalid")
    await secretary.say("https://example.vn/nghi-quyet.pdf")
    async with services.db.unit_of_work() as uow:
        meeting = await uow.session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.document_url == "https://example.vn/nghi-quyet.pdf"


async def test_a_meeting_at_short_notice_still_gets_its_reminder(
    services: Services, clock: ManualClock
) -> None:
    secretary, _, _ = await setup(services)
    clock.set(local(2026, 11, 2, 18, 0))
    await reminders.tick(services)  # ticks have been running all along
    await wizard_once(secretary, "hôm nay", "19h30")  # in 90 minutes: past the 2-hour mark
    await reminders.tick(services)
    rows = await outbox(services)
    sent = [r for r in rows if r.status is OutboxStatus.PENDING]
    assert len(sent) == 3 and {r.dedupe_key.rsplit(":", 1)[1] for r in sent} == {"120"}
    assert all("Quán triệt" in r.body["text"] for r in sent)  # the agenda comes along


async def test_changing_the_answer_ends_a_reason_being_typed(services: Services) -> None:
    secretary, member, _ = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")
    async with services.db.unit_of_work() as uow:
        meeting_id = await uow.session.scalar(select(Meeting.id))
    await member.press(f"rsvp:n:{meeting_id}")
    await member.tap(t("reason_other"))
    await member.press(f"rsvp:y:{meeting_id}")  # changed their mind
    assert text_of(await member.say("cảm ơn")) == t("unknown_text")
    async with services.db.unit_of_work() as uow:
        row = await uow.session.scalar(select(Rsvp))
        assert row is not None and row.answer is RsvpAnswer.ATTEND and row.note is None


async def test_a_move_for_a_meeting_cancelled_meanwhile_ends_the_step(
    services: Services,
) -> None:
    secretary, _, _ = await setup(services)
    await wizard_once(secretary, "9/11", "19h30")
    async with services.db.unit_of_work() as uow:
        meeting_id = await uow.session.scalar(select(Meeting.id))
    await secretary.press(f"mmov:{meeting_id}")
    deputy_cancels = await secretary.press(f"mcan:{meeting_id}:y")  # e.g. from another phone
    assert t("meeting_cancelled_done", count=0) == text_of(deputy_cancels)
    assert text_of(await secretary.say("12/11 lúc 19h")) == t("meeting_cancelled")
    assert text_of(await secretary.say("12/11 lúc 19h")) == t("unknown_text")  # not stuck
