"""Meetings over Telegram: scheduling, reminders at local times, answers, cancellation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.harness import Harness, running_bot
from core import reminders
from core.calendar_settings import add_skip_date
from core.clock import ManualClock
from core.texts import t
from db.models import Meeting
from tests.e2e.helpers import chat_seq, events_after, link, only
from tests.support import seed_cell

pytestmark = pytest.mark.e2e
HN = timedelta(hours=7)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - HN


@pytest.fixture
async def hc(sqlite_url: str) -> AsyncIterator[tuple[Harness, ManualClock]]:
    clock = ManualClock(local(2026, 11, 2, 9, 0))
    async with running_bot(
        sqlite_url, migrate_first=False, clock=clock, quiet_hours="21:00-06:30"
    ) as harness:
        yield harness, clock


async def tick(h: Harness) -> None:
    await reminders.tick(h.app.services)
    assert h.app.deliverer is not None
    h.app.deliverer.wake()


async def test_reminders_answers_and_cancellation_over_telegram(
    hc: tuple[Harness, ManualClock],
) -> None:
    h, clock = hc
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, "Nguyễn Văn Hùng", 2001)
    tam = await link(h, cell, "Lê Văn Tám", 2003)
    await hung.say("/taohop")
    await hung.tap(t("btn_kind_regular"))
    await hung.tap(t("btn_repeat_once"))
    await hung.say("ngày 6 tháng 11")
    await hung.say("7h tối")
    await hung.say("Hội trường ấp")
    await hung.tap(t("btn_skip"))
    done = only(await hung.tap(t("btn_confirm")))
    assert done.body == t("wiz_done", when="19:00, thứ Sáu 06/11/2026")

    # Three days before, at 19:00 local: the first reminder, with buttons.
    seq = await chat_seq(tam)
    clock.set(local(2026, 11, 3, 19, 0))
    await tick(h)
    reminder = only(await events_after(h, tam, seq))
    assert reminder.body.startswith(
        t("reminder_title", kind=t("meeting_kind_regular"), soon=t("soon_days", n=3))
    )
    assert reminder.labels == [t("btn_will_attend"), t("btn_ask_leave")]
    saved = only(await tam.tap(t("btn_will_attend")))
    assert saved.body == t("rsvp_attend_saved", when="19:00, thứ Sáu 06/11/2026")

    # The 2-hour reminder falls at 17:00; a second tick sends nothing more.
    seq = await chat_seq(tam)
    clock.set(local(2026, 11, 6, 17, 0))
    await tick(h)
    assert t("soon_hours", n=2) in only(await events_after(h, tam, seq)).body
    await tick(h)
    assert await tam.say("/lichhop", expect=1)  # nothing else arrived in between
    assert [e.body for e in await h.client.events(tam.chat_id, after=seq)].count(
        reminder.body
    ) == 0

    # The secretary cancels: Tám, who was reminded, is told once.
    seq = await chat_seq(tam)
    listing = await hung.say("/lichhop")
    assert t("schedule_counts", reminded=2, attend=1, excused=0, unreachable=0, failed=0) in (
        listing[-1].body
    )
    await hung.tap(t("btn_cancel_meeting", date="06/11"))
    assert only(await hung.tap(t("btn_yes_cancel"))).body == t("meeting_cancelled_done", count=2)
    told = only(await events_after(h, tam, seq))
    assert told.body == t(
        "meeting_cancelled_notice",
        kind=t("meeting_kind_regular"),
        when="19:00, thứ Sáu 06/11/2026",
    )
    assert await h.client.unanswered_callbacks() == []


async def test_monthly_rule_on_the_31st_over_14_months_over_telegram(
    hc: tuple[Harness, ManualClock],
) -> None:
    h, clock = hc
    cell = await seed_cell(h.app.services)
    await add_skip_date(h.app.services, date(2027, 1, 31), "Nghỉ bù Tết", None)
    hung = await link(h, cell, "Nguyễn Văn Hùng", 2001)
    await hung.say("/taohop")
    await hung.tap(t("btn_kind_regular"))
    await hung.tap(t("btn_repeat_1"))
    await hung.tap(t("btn_rule_day_of_month"))
    await hung.say("31")
    await hung.say("19h30")
    await hung.say("Hội trường ấp")
    summary = only(await hung.tap(t("btn_skip"))).body
    assert "ngày 31 hằng tháng" in summary
    await hung.tap(t("btn_confirm"))
    for _ in range(61):  # 14 months, a week at a time
        clock.advance(timedelta(days=7))
        await tick(h)
    async with h.app.services.db.unit_of_work() as uow:
        starts = sorted(m.starts_at + HN for m in await uow.session.scalars(select(Meeting)))
    days = [(s.year, s.month, s.day) for s in starts]
    assert days[:4] == [(2026, 11, 30), (2026, 12, 31), (2027, 2, 28), (2027, 3, 31)]
    assert (2027, 4, 30) in days and (2027, 6, 30) in days and (2028, 1, 31) in days
    assert all(s.hour == 19 and s.minute == 30 for s in starts)
    assert not [d for d in days if d[:2] == (2027, 1)]  # the 31st was a holiday: dropped
