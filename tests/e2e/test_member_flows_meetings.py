"""Meeting flows on every channel: scheduling, reminders, answers, attendance, cancelling.

The same scenario runs on Telegram (buttons) and on Zalo (typed numbers); time moves only
when the scenario says so (a manual clock), and reminders go out through the app's own
deliverer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.harness import Harness
from bot.people import Person
from core import reminders
from core.clock import ManualClock
from core.texts import t
from db.models import (
    AbsenceReason,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Presence,
    Rsvp,
    RsvpAnswer,
)
from tests.e2e.people_helpers import (
    DEPUTY,
    MEMBER,
    OTHER,
    SECRETARY,
    arrived,
    join,
    mark,
    only,
)
from tests.support import Cell, seed_cell

pytestmark = pytest.mark.e2e
REGULAR = t("meeting_kind_regular")
WHEN = "19:00, thứ Sáu 06/11/2026"
REASONS = [t(f"reason_{r.value}") for r in AbsenceReason]
# Typed texts that start with a command's name ("huy", "kenh"): still text, not commands.
AGENDA = "Huy động nguồn lực làm đường"


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """A wall-clock time in Hà Nội, as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=7)


def clock_of(h: Harness) -> ManualClock:
    clock = h.app.services.clock
    assert isinstance(clock, ManualClock)
    return clock


async def remind_at(h: Harness, when: datetime, people: list[Person]) -> list[str]:
    """Move the clock, run the reminder job and the deliverer; each person's reminder."""
    marks = [await mark(p) for p in people]
    clock_of(h).set(when)
    await reminders.tick(h.app.services)
    assert h.app.deliverer is not None
    h.app.deliverer.wake()
    bodies = []
    for person, after in zip(people, marks, strict=True):
        reminder = only(await arrived(h, person, after))
        assert reminder.labels == [t("btn_will_attend"), t("btn_ask_leave")]
        bodies.append(reminder.body)
    return bodies


async def schedule_regular_meeting(hung: Person) -> None:
    """/taohop: a one-off regular meeting on Friday 06/11 at 19:00, with an agenda."""
    kinds = only(await hung.say("/taohop"))
    assert kinds.body == t("wiz_kind")
    assert kinds.labels == [t(f"btn_kind_{k.value}") for k in MeetingKind]
    assert only(await hung.tap(t("btn_kind_regular"))).body == t("wiz_repeat")
    assert only(await hung.tap(t("btn_repeat_once"))).body == t("wiz_date")
    assert only(await hung.say("ngày 6 tháng 11")).body == t("wiz_time")
    assert only(await hung.say("7h tối")).body == t("wiz_place")
    agenda = only(await hung.say("Hội trường ấp"))
    assert agenda.body == t("wiz_agenda") and agenda.labels == [t("btn_skip")]
    confirm = only(await hung.say(AGENDA))
    assert t("wiz_summary_once", when=WHEN) in confirm.body
    assert t("wiz_summary_agenda", agenda=AGENDA) in confirm.body
    assert confirm.labels == [t("btn_confirm"), t("btn_redo"), t("btn_abort")]
    done = only(await hung.tap(t("btn_confirm")))
    assert done.replaced and done.body == t("wiz_done", when=WHEN)


async def rsvps(h: Harness, cell: Cell) -> dict[str, Rsvp]:
    names = {member_id: name for name, member_id in cell.member_ids.items()}
    async with h.app.services.db.unit_of_work() as uow:
        return {names[r.member_id]: r for r in await uow.session.scalars(select(Rsvp))}


async def test_schedule_remind_answer_and_take_attendance(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    hung, tam, hoa = [await join(h, cell, name) for name in (SECRETARY, MEMBER, OTHER)]
    assert only(await tam.say("/lichhop")).body == t("schedule_empty")
    assert only(await hung.say("/lichhop")).body == t("schedule_empty_leader")

    await schedule_regular_meeting(hung)
    listed = only(await tam.say("/lichhop"))
    assert t("schedule_item", kind=REGULAR, when=WHEN, place="Hội trường ấp") in listed.body
    assert t("schedule_my_answer", answer=t("answer_none")) in listed.body
    assert listed.labels == [t("btn_attend_on", date="06/11"), t("btn_leave_on", date="06/11")]

    # Three days before, at 19:00: everyone linked is reminded, with the agenda.
    first = await remind_at(h, local(2026, 11, 3, 19), [hung, tam, hoa])
    title = t("reminder_title", kind=REGULAR, soon=t("soon_days", n=3))
    assert all(body.startswith(title) for body in first)
    assert t("meeting_agenda", agenda=AGENDA) in first[1]

    saved = only(await tam.tap(t("btn_will_attend")))
    assert saved.body == t("rsvp_attend_saved", when=WHEN)

    # Hoa asks leave for a reason of her own and sends an opinion to the secretary.
    reasons = only(await hoa.tap(t("btn_ask_leave")))
    assert reasons.body == t("rsvp_ask_reason") and reasons.labels == REASONS
    assert only(await hoa.tap(t("reason_other"))).body == t("rsvp_type_reason")
    offer = only(await hoa.say("Đưa con đi khám bệnh"))
    assert offer.body == t("rsvp_excused_saved", reason="Đưa con đi khám bệnh")
    assert offer.labels == [t("btn_write_opinion"), t("btn_no_thanks")]
    assert only(await hoa.tap(t("btn_write_opinion"))).body == t("rsvp_type_opinion")
    at_hung = await mark(hung)
    opinion = "Kênh mương   cũng cần bàn"
    assert only(await hoa.say(opinion)).body == t("rsvp_opinion_saved")
    notice = only(await arrived(h, hung, at_hung))
    assert notice.body == t(
        "opinion_notice", name=OTHER, kind=REGULAR, when=WHEN, opinion="Kênh mương cũng cần bàn"
    )

    # Tám changes his mind: he asks leave after all.
    assert only(await tam.tap(t("btn_ask_leave"))).labels == REASONS
    family = only(await tam.tap(t("reason_family")))
    assert family.body == t("rsvp_excused_saved", reason=t("reason_family"))
    assert only(await tam.tap(t("btn_no_thanks"))).body == t("rsvp_done")
    answers = await rsvps(h, cell)
    assert (answers[MEMBER].answer, answers[MEMBER].reason) == (
        RsvpAnswer.EXCUSED,
        AbsenceReason.FAMILY,
    )
    # ... and back again, from /lichhop (on Zalo the reminder's list is closed by now).
    listing = only(await tam.say("/lichhop"))
    assert t("schedule_my_answer", answer=t("answer_excused")) in listing.body
    assert listing.labels == [t("btn_attend_on", date="06/11")]
    again = only(await tam.tap(t("btn_attend_on", date="06/11")))
    assert again.body == t("rsvp_attend_saved", when=WHEN)
    answers = await rsvps(h, cell)
    assert (answers[MEMBER].answer, answers[MEMBER].reason) == (RsvpAnswer.ATTEND, None)
    assert (answers[OTHER].reason, answers[OTHER].note) == (
        AbsenceReason.OTHER,
        "Đưa con đi khám bệnh",
    )
    assert answers[OTHER].opinion == "Kênh mương cũng cần bàn"
    counts = t("schedule_counts", reminded=3, attend=1, excused=1, unreachable=0, failed=0)
    assert counts in only(await hung.say("/lichhop")).body

    # After the meeting the secretary marks who came.
    clock_of(h).set(local(2026, 11, 6, 21))
    sheet = only(await hung.say("/diemdanh"))
    assert sheet.body.startswith(t("att_header", kind=REGULAR, when=WHEN))
    assert sheet.labels == [
        t("att_line_none", name=MEMBER),
        t("att_line_none", name=SECRETARY),
        t("att_line_none_leave", name=OTHER),
        t("att_line_none", name=DEPUTY),
        t("btn_att_rest"),
        t("btn_att_finish"),
    ]
    marked = only(await hung.tap(t("att_line_none", name=SECRETARY)))
    assert marked.replaced and t("att_line_present", name=SECRETARY) in marked.labels
    assert t("att_progress", marked=1, total=4, page=1, pages=1) in marked.body
    await hung.tap(t("att_line_none_leave", name=OTHER))
    excused = only(await hung.tap(t("att_line_present", name=OTHER)))
    assert t("att_line_excused", name=OTHER) in excused.labels
    await hung.tap(t("att_line_none", name=MEMBER))
    summary = only(await hung.tap(t("btn_att_finish")))
    assert summary.replaced and summary.labels == []
    assert summary.body.startswith(t("att_done", present=2, total=4, excused=1, absent=1))
    assert t("warn_unexcused", name=DEPUTY, count=1) in summary.body
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(Attendance))
        presence = {row.member_id: row.presence for row in rows}
    assert presence == {
        cell.member_ids[SECRETARY]: Presence.PRESENT,
        cell.member_ids[MEMBER]: Presence.PRESENT,
        cell.member_ids[OTHER]: Presence.EXCUSED,
        cell.member_ids[DEPUTY]: Presence.ABSENT,
    }


async def test_cancelling_a_meeting_tells_the_reminded(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    hung, tam = await join(h, cell, SECRETARY), await join(h, cell, MEMBER)
    await schedule_regular_meeting(hung)
    await remind_at(h, local(2026, 11, 3, 19), [hung, tam])

    await hung.say("/lichhop")
    asked = only(await hung.tap(t("btn_cancel_meeting", date="06/11")))
    assert asked.body == t("confirm_cancel_meeting", kind=REGULAR, when=WHEN)
    assert asked.labels == [t("btn_yes_cancel"), t("btn_keep")]
    assert only(await hung.tap(t("btn_keep"))).body == t("kept")

    await hung.say("/lichhop")
    await hung.tap(t("btn_cancel_meeting", date="06/11"))
    at_hung, at_tam = await mark(hung), await mark(tam)
    done = (await hung.tap(t("btn_yes_cancel")))[0]
    assert done.replaced and done.body == t("meeting_cancelled_done", count=2)
    notice = t("meeting_cancelled_notice", kind=REGULAR, when=WHEN)
    assert only(await arrived(h, tam, at_tam)).body == notice
    # Hùng was reminded too, so he is told like everyone else (after his answer).
    shown = [s.body for s in await arrived(h, hung, at_hung, expect=2)]
    assert sorted(shown) == sorted([done.body, notice])
    async with h.app.services.db.unit_of_work() as uow:
        meeting = await uow.session.scalar(select(Meeting))
        assert meeting is not None and meeting.status is MeetingStatus.CANCELLED
    # The old reminder no longer takes answers; the schedule is empty again.
    assert only(await tam.tap(t("btn_will_attend"))).body == t("meeting_cancelled")
    assert only(await tam.say("/lichhop")).body == t("schedule_empty")
