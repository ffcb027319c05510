"""KT/GS duties end to end, on Telegram (buttons) and Zalo (typed numbers), with the same
scenario code: the secretary gives a duty with /giaoviec; the assignee is told, reminded
before the due date (the tick the scheduler runs), reports progress and completion with a
photo; the secretary sends it back with a comment; the deputy confirms. A duty not done is
overdue the day after its due date: the assignee and the leaders are told, and it leads the
secretary's /nhiemvu."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.harness import Harness, running_bot
from bot.people import Person, Seen
from core import duty_reminders
from core.clock import ManualClock
from core.texts import t
from db.models import Duty, DutyReport, DutyStatus, DutyVerdict
from tests.e2e.people_helpers import (
    DEPUTY,
    MEMBER,
    SECRETARY,
    arrived,
    clock_of,
    join,
    local,
    mark,
    marks,
    only,
    since,
    wake,
)
from tests.support import seed_cell

pytestmark = pytest.mark.e2e
CHANNELS = ["telegram", "zalo"]
SUPERVISION, INSPECTION = t("duty_kind_supervision"), t("duty_kind_inspection")
TITLE = "Giám sát việc đóng đảng phí của tổ 1"
PROGRESS = "Đã làm việc với 5/10 đảng viên của tổ"
PHOTO = "Biên bản giám sát"
COMMENT = "Biên bản còn thiếu chữ ký của tổ trưởng"
AGAIN = "Đã bổ sung chữ ký của tổ trưởng vào biên bản"


async def give_duty(
    hung: Person, kind: str, title: str, assignee: str, start: int, due: int
) -> None:
    """/giaoviec, step by step: kind, title, no «đối tượng», one assignee, the start and due
    days of December 2026 (typed "1/12"), confirm."""
    assert only(await hung.say("/giaoviec")).body == t("dw_kind")
    assert only(await hung.tap(kind)).body == t("dw_title", limit=200)
    concerns = only(await hung.say(title))
    assert concerns.body == t("dw_concerns") and concerns.labels == [t("btn_skip")]
    pick = only(await hung.tap(t("btn_skip")))
    assert pick.body == t("dw_assignees", count=0, page=1, pages=1)
    chosen = only(await hung.tap(t("dw_pick_off", name=assignee)))
    assert t("dw_pick_on", name=assignee) in chosen.labels
    assert only(await hung.tap(t("dw_btn_done"))).body == t("dw_start")
    starts, ends = f"{start:02d}/12/2026", f"{due:02d}/12/2026"
    assert only(await hung.say(f"{start}/12")).body == t("dw_due", date=starts)
    confirm = only(await hung.say(f"{due}/12"))
    assert t("duty_line_title", title=title) in confirm.body
    assert t("duty_line_assignees", names=assignee) in confirm.body
    assert t("duty_line_dates", start=starts, due=ends) in confirm.body
    done = only(await hung.tap(t("btn_confirm")))
    assert done.replaced and done.body == t("dw_done", title=title, date=ends)


async def tick(h: Harness) -> int:
    """What the scheduler does every minute, then the deliverer's turn."""
    queued = await duty_reminders.tick(h.app.services)
    wake(h)
    return queued


async def reminded(h: Harness, person: Person, day: int) -> Seen:
    """Move the clock to 08:00 local that day of December and tick: exactly one reminder arrives; a
    second tick the same day queues nothing."""
    after = await mark(person)
    clock_of(h).set(local(2026, 12, day, 8))
    await tick(h)
    reminder = only(await arrived(h, person, after))
    assert reminder.labels == [t("duty_btn_show")]
    clock_of(h).set(local(2026, 12, day, 9))
    assert await tick(h) == 0
    return reminder


async def duty(h: Harness, title: str) -> Duty:
    async with h.app.services.db.unit_of_work() as uow:
        found = await uow.session.scalar(select(Duty).where(Duty.title == title))
        assert found is not None
        return found


async def report(tam: Person, kind: str) -> None:
    """From the duty's detail on screen: «Báo cáo tiến độ» / «Báo cáo hoàn thành»."""
    asked = only(await tam.tap(t(f"duty_btn_{kind}")))
    label = t(f"duty_report_{kind}")
    assert asked.body == t("duty_ask_report", kind=label, title=TITLE, limit=500)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_duty_from_creation_to_confirmation(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 12, 1, 9))
    async with running_bot(sqlite_url, migrate_first=False, clock=clock, channel=channel) as h:
        cell = await seed_cell(h.app.services)
        hung, mai, tam = [await join(h, cell, n) for n in (SECRETARY, DEPUTY, MEMBER)]
        leaders = [hung, mai]

        # 01/12: the secretary gives Tám a supervision duty due 20/12; Tám is told.
        after = await mark(tam)
        await give_duty(hung, SUPERVISION, TITLE, MEMBER, 1, 20)
        notice = only(await arrived(h, tam, after))
        due = "20/12/2026"
        assert notice.body == t("duty_assigned_notice", kind=SUPERVISION, title=TITLE, due=due)
        assert notice.labels == [t("duty_btn_show")]
        start = await marks(leaders)

        # 13/12 (due − 7): one reminder. Tám opens the duty from it and reports progress.
        first = await reminded(h, tam, 13)
        hint = t("duty_remind_hint")
        assert first.body == t("duty_remind_days", n=7, title=TITLE, due=due) + "\n" + hint
        shown = only(await tam.tap(t("duty_btn_show")))
        assert t("duty_line_status", state=t("duty_status_open")) in shown.body
        assert shown.labels == [t("duty_btn_progress"), t("duty_btn_completion")]
        await report(tam, "progress")
        before = await marks(leaders)
        assert only(await tam.say(PROGRESS)).body == t("duty_reported_progress")
        for leader, seq in zip(leaders, before, strict=True):
            told = only(await arrived(h, leader, seq))
            assert told.body == "\n".join(
                [
                    t("duty_notice_progress", name=MEMBER, title=TITLE),
                    t("duty_report_text", text=PROGRESS),
                ]
            )
            assert told.labels == []

        # 19/12 (due − 1): one reminder. Tám reports completion with a photo.
        last = await reminded(h, tam, 19)
        assert last.body == t("duty_remind_tomorrow", title=TITLE, due=due) + "\n" + hint
        shown = only(await tam.tap(t("duty_btn_show")))
        assert t("duty_recent") in shown.body and PROGRESS in shown.body
        await report(tam, "completion")
        before = await marks(leaders)
        done = only(await tam.send_photo(PHOTO))
        assert done.body == t("duty_reported_completion")
        for leader, seq in zip(leaders, before, strict=True):
            told = only(await arrived(h, leader, seq))
            assert told.body == "\n".join(
                [
                    t("duty_notice_completion", name=MEMBER, title=TITLE),
                    t("duty_report_text", text=PHOTO),
                    t("duty_report_file", name=t("duty_file_photo")),  # the photo stays with Tám
                ]
            )
            assert told.labels == [t("duty_btn_confirm"), t("duty_btn_return")]
        assert (await duty(h, TITLE)).status is DutyStatus.REPORTED

        # The secretary sends it back with a comment: Tám gets the comment.
        asked = only(await hung.tap(t("duty_btn_return")))
        assert asked.body == t("duty_ask_comment", title=TITLE)
        after = await mark(tam)
        assert only(await hung.say(COMMENT)).body == t("duty_returned", title=TITLE)
        back = only(await arrived(h, tam, after))
        assert back.body == t("duty_returned_notice", title=TITLE, name=SECRETARY, text=COMMENT)
        assert (await duty(h, TITLE)).status is DutyStatus.RETURNED

        # Tám reports completion again, from /nhiemvu; the deputy confirms; Tám is told.
        listed = only(await tam.say("/nhiemvu"))
        assert listed.body.startswith(t("duty_mine_title"))
        assert t("duty_item_state", state=t("duty_status_returned")) in listed.body
        shown = only(await tam.tap(t("duty_open_button", n=1, title=TITLE)))
        assert t("duty_verdict_returned", text=COMMENT) in shown.body
        await report(tam, "completion")
        before = await marks(leaders)
        assert only(await tam.say(AGAIN)).body == t("duty_reported_completion")
        for leader, seq in zip(leaders, before, strict=True):
            told = only(await arrived(h, leader, seq))
            assert t("duty_report_text", text=AGAIN) in told.body and "📎" not in told.body
        after = await mark(tam)
        confirmed = only(await mai.tap(t("duty_btn_confirm")))
        assert confirmed.replaced and confirmed.body == t("duty_confirmed", title=TITLE)
        told = only(await arrived(h, tam, after))
        assert told.body == t("duty_confirmed_notice", title=TITLE, name=DEPUTY)
        # The secretary's copy of the notice is decided already.
        assert only(await hung.tap(t("duty_btn_confirm"))).body == t("already_decided")

        # No reminders after done: not on the due date, not the day after.
        quiet = await marks([hung, mai, tam])
        for day in (20, 21, 22):
            clock.set(local(2026, 12, day, 8))
            assert await tick(h) == 0
        for person, seq in zip([hung, mai, tam], quiet, strict=True):
            assert await since(h, person, seq) == [], person.name
        # The leaders never got a reminder or an escalation about it.
        for leader, seq in zip(leaders, start, strict=True):
            bodies = [s.body for s in await since(h, leader, seq)]
            assert not [b for b in bodies if b.startswith(("⏰", "⚠️"))], bodies

        stored = await duty(h, TITLE)
        assert stored.status is DutyStatus.DONE
        async with h.app.services.db.unit_of_work() as uow:
            reports = list(
                await uow.session.scalars(
                    select(DutyReport)
                    .where(DutyReport.duty_id == stored.id)
                    .order_by(DutyReport.id)
                )
            )
        assert [(r.kind.value, r.verdict) for r in reports] == [
            ("progress", None),
            ("completion", DutyVerdict.RETURNED),
            ("completion", DutyVerdict.CONFIRMED),
        ]
        assert reports[1].attachment_ref and reports[1].verdict_comment == COMMENT
        assert reports[2].decided_by == cell.member_ids[DEPUTY]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_overdue_duty_is_escalated(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 12, 1, 9))
    late = "Kiểm tra sổ thu đảng phí quý IV"
    later = "Giám sát việc sinh hoạt của tổ 2"
    async with running_bot(sqlite_url, migrate_first=False, clock=clock, channel=channel) as h:
        cell = await seed_cell(h.app.services)
        hung, mai, tam = [await join(h, cell, n) for n in (SECRETARY, DEPUTY, MEMBER)]
        everyone = [hung, mai, tam]
        given = await marks(everyone)
        await give_duty(hung, SUPERVISION, later, DEPUTY, 1, 31)
        await give_duty(hung, INSPECTION, late, MEMBER, 1, 10)
        notices = {
            DEPUTY: t("duty_assigned_notice", kind=SUPERVISION, title=later, due="31/12/2026"),
            MEMBER: t("duty_assigned_notice", kind=INSPECTION, title=late, due="10/12/2026"),
        }
        for person, seq in zip([mai, tam], given[1:], strict=True):
            assert only(await arrived(h, person, seq)).body == notices[person.name]
        before = await marks(everyone)

        # 11/12, the day after the due date: the reminders due earlier (7 and 1 days
        # before) are stale and only the overdue notice goes, to Tám; the secretary and
        # the deputy get the escalation.
        clock.set(local(2026, 12, 11, 8))
        await tick(h)
        due = "10/12/2026"
        told = only(await arrived(h, tam, before[2]))
        assert told.body == t("duty_overdue", title=late, due=due)
        assert told.labels == [t("duty_btn_show")]
        escalation = t("duty_overdue_leader", title=late, names=MEMBER, due=due)
        for leader, seq in zip([hung, mai], before[:2], strict=True):
            assert [s.body for s in await arrived(h, leader, seq)] == [escalation]
        clock.set(local(2026, 12, 11, 10))
        assert await tick(h) == 0
        for person, seq in zip(everyone, before, strict=True):
            assert len(await since(h, person, seq)) == 1, person.name

        # The secretary's /nhiemvu: the overdue duty first, marked.
        listed = only(await hung.say("/nhiemvu"))
        cell_part = listed.body.split(t("duty_cell_title", count=2), 1)[1]
        mark_ = " " + t("duty_overdue_mark")
        first = t("duty_item", kind=INSPECTION, title=late, due=due, mark=mark_)
        second = t("duty_item", kind=SUPERVISION, title=later, due="31/12/2026", mark="")
        assert cell_part.index(first) < cell_part.index(second)
        assert listed.labels[:2] == [
            t("duty_open_button", n=1, title=late),
            t("duty_open_button", n=2, title=later),
        ]
        shown = only(await tam.say("/nhiemvu"))
        assert first in shown.body
