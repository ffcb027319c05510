"""/tinhhinh and /nhacnho end to end, on Telegram (buttons) and Zalo (typed numbers), with the
same scenario code: the secretary's status on one screen, the names behind a count and back,
who is refused (a member, committee staff) and what another cell's secretary sees; a nudge
confirmed, arriving with buttons that work, not repeated the same day, allowed the next."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.harness import Harness, running_bot
from bot.people import Person
from core.clock import ManualClock
from core.members import grant_role
from core.texts import t, when_text
from db.models import (
    Duty,
    DutyAssignee,
    DutyKind,
    DutyStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Role,
    SelfCheckPeriod,
    Unit,
)
from tests.e2e.helpers import member_code
from tests.e2e.people_helpers import (
    DEPUTY,
    MEMBER,
    OTHER,
    SECRETARY,
    arrived,
    join,
    local,
    mark,
    marks,
    only,
    since,
)
from tests.support import Cell, seed_cell

pytestmark = pytest.mark.e2e
CHANNELS = ["telegram", "zalo"]
NOT_ALLOWED = t("not_allowed")
DUTY = "Kiểm tra sổ thu đảng phí"


async def seed(h: Harness, cell: Cell) -> None:
    """The monthly self-check 11/2026 is open, a meeting is set for 05/11 19:00, and Tám has
    a duty that was due 30/10."""
    now = h.app.services.clock.now()
    async with h.app.services.db.unit_of_work() as uow:
        s = uow.session
        s.add(
            SelfCheckPeriod(
                form_name="monthly",
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30),
                label="11/2026",
                opened_at=now,
            )
        )
        s.add(
            Meeting(
                cell_id=cell.id,
                kind=MeetingKind.REGULAR,
                status=MeetingStatus.SCHEDULED,
                starts_at=local(2026, 11, 5, 19),
                duration_minutes=90,
                place="Hội trường ấp",
                agenda="Sinh hoạt thường kỳ",
                created_at=now,
                updated_at=now,
            )
        )
        duty = Duty(
            cell_id=cell.id,
            year=2026,
            kind=DutyKind.INSPECTION,
            title=DUTY,
            starts_on=date(2026, 10, 1),
            due_on=date(2026, 10, 30),
            status=DutyStatus.OPEN,
            created_at=now,
            updated_at=now,
        )
        s.add(duty)
        await s.flush()
        s.add(DutyAssignee(duty_id=duty.id, member_id=cell.member_ids[MEMBER]))
        await uow.commit()


async def other_secretary(h: Harness) -> Person:
    """The secretary of another cell, Chi bộ Ấp Hai, joined with his own code."""
    other = await seed_cell(h.app.services, "Chi bộ Ấp Hai")
    them = h.person(2101, SECRETARY)
    await them.say(f"/start {await member_code(h, other, SECRETARY)}")
    await them.tap(t("btn_its_me", name=SECRETARY))
    return them


async def staff_role(h: Harness, cell: Cell, name: str) -> None:
    """`name` becomes staff of the committee above the cell (a plain member of the cell)."""
    async with h.app.services.db.unit_of_work() as uow:
        committee = await uow.session.scalar(select(Unit.parent_id).where(Unit.id == cell.id))
    await grant_role(h.app.services, cell.member_ids[name], str(committee), Role.STAFF)


def section(key: str, names: list[str]) -> list[str]:
    if not names:
        return [t("status_section_empty", title=t(key))]
    return [t("status_section", title=t(key), count=len(names)), ", ".join(names)]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_status_and_nudges(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 11, 2, 15))
    async with running_bot(
        sqlite_url, migrate_first=False, clock=clock, channel=channel, selfcheck_forms="monthly"
    ) as h:
        tz = h.app.services.config.timezone
        cell = await seed_cell(h.app.services)
        hung, mai, tam, hoa = [await join(h, cell, n) for n in (SECRETARY, DEPUTY, MEMBER, OTHER)]
        await staff_role(h, cell, OTHER)
        await seed(h, cell)
        meeting_at = when_text(local(2026, 11, 5, 19), tz)

        # The secretary's status: one screen, the overdue duty right under the title.
        shown = only(await hung.say("/tinhhinh"))
        status = shown.body
        assert status.split("\n") == [
            t("status_title", cell="Chi bộ Ấp Một", date="02/11/2026"),
            t("status_overdue_alert", count=1),
            t("status_members", total=4, active=4, not_activated=0, unreachable=0),
            t("status_next_meeting", when=f"{t('meeting_kind_regular')}, {meeting_at}"),
            t("status_next_answers", attend=0, excused=0, unanswered=4),
            t("status_no_last"),
            t("status_period", label="11/2026", until="30/11", done=0, going=0, not_started=4),
            t("status_no_flags"),
            t("status_duties", overdue=1, days=7, soon=0),
            t("status_no_delivery", days=30),
            t("status_hint"),
        ]
        assert shown.labels == [
            t("status_btn_unanswered", count=4),
            t("status_btn_selfcheck", label="11/2026", count=4),
            t("status_btn_overdue", count=1),
            t("status_btn_nudge"),
        ]

        # The names behind a count, in place of the status; «Quay lại» brings it back.
        names = only(await hung.tap(t("status_btn_selfcheck", label="11/2026", count=4)))
        assert names.replaced and names.labels == [t("status_btn_back")]
        assert names.body.split("\n") == [
            t("status_list_selfcheck_title", label="11/2026"),
            t("status_list_selfcheck_note"),
            *section("status_list_not_started", [MEMBER, SECRETARY, OTHER, DEPUTY]),
            *section("status_list_in_progress", []),
        ]
        back = only(await hung.tap(t("status_btn_back")))
        assert back.replaced and back.body == status
        overdue = only(await hung.tap(t("status_btn_overdue", count=1)))
        assert overdue.body.split("\n") == [
            t("status_list_duties_title"),
            t(
                "status_list_duty",
                mark=t("status_list_duty_overdue"),
                title=DUTY,
                due="30/10/2026",
                names=MEMBER,
            ),
        ]

        # A member and committee staff are refused both commands; another cell's secretary
        # sees his own cell only.
        for who in (tam, hoa):
            assert only(await who.say("/tinhhinh")).body == NOT_ALLOWED
            assert only(await who.say("/nhacnho")).body == NOT_ALLOWED
        them = await other_secretary(h)
        theirs = only(await them.say("/tinhhinh")).body
        assert theirs.startswith(t("status_title", cell="Chi bộ Ấp Hai", date="02/11/2026"))
        assert t("status_no_next") in theirs and DUTY not in theirs

        # /nhacnho: how many and why, then «Gửi nhắc»; each arrives with working buttons.
        plan = only(await hung.say("/nhacnho"))
        assert plan.body.split("\n") == [
            t("nudge_plan_title", count=3),
            t("nudge_plan_selfcheck", count=3, labels="11/2026"),
            t("nudge_plan_rsvp", count=3, when=meeting_at),
            t("nudge_plan_ask"),
        ]
        assert plan.labels == [t("nudge_btn_send"), t("nudge_btn_cancel")]
        before = await marks([mai, tam, hoa])
        sent = only(await hung.tap(t("nudge_btn_send")))
        assert sent.replaced and sent.body == t("nudge_sent", count=3)
        nudge_body = "\n".join(
            [
                t("nudge_title", cell="Chi bộ Ấp Một"),
                t("nudge_selfcheck", label="11/2026", until="30/11/2026"),
                t("nudge_rsvp", kind=t("meeting_kind_regular"), when=meeting_at),
                t("nudge_thanks"),
            ]
        )
        for who, seq in zip([mai, tam, hoa], before, strict=True):
            nudge = only(await arrived(h, who, seq))
            assert nudge.body == nudge_body
            assert nudge.labels == [
                t("nudge_btn_selfcheck", label="11/2026"),
                t("btn_will_attend"),
                t("btn_ask_leave"),
            ]
        answered = only(await mai.tap(t("btn_will_attend")))
        assert answered.body == t("rsvp_attend_saved", when=meeting_at)

        # The same day: nobody is nudged twice. The deputy may nudge only the secretary.
        again = only(await mai.say("/nhacnho"))
        assert again.body.split("\n") == [
            t("nudge_plan_title", count=1),
            t("nudge_plan_selfcheck", count=1, labels="11/2026"),
            t("nudge_plan_rsvp", count=1, when=meeting_at),
            t("nudge_plan_already", count=2),
            t("nudge_plan_ask"),
        ]
        cancelled = only(await mai.tap(t("nudge_btn_cancel")))
        assert cancelled.replaced and cancelled.body == t("nudge_cancelled")
        tam_seq = await mark(tam)
        assert only(await hung.say("/nhacnho")).body == t("nudge_all_done_today", count=3)
        assert await since(h, tam, tam_seq) == []
        answers = only(await hung.say("/tinhhinh")).body
        assert t("status_next_answers", attend=1, excused=0, unanswered=3) in answers

        # The next day they may be nudged again (Mai now only about the self-check).
        clock.set(local(2026, 11, 3, 8))
        plan = only(await hung.say("/nhacnho"))
        assert plan.body.split("\n")[:3] == [
            t("nudge_plan_title", count=3),
            t("nudge_plan_selfcheck", count=3, labels="11/2026"),
            t("nudge_plan_rsvp", count=2, when=meeting_at),
        ]
        before = await marks([mai, tam, hoa])
        assert only(await hung.tap(t("nudge_btn_send"))).body == t("nudge_sent", count=3)
        for who, seq in zip([mai, tam, hoa], before, strict=True):
            only(await arrived(h, who, seq))
        mai_nudge = (await since(h, mai, before[0]))[0]
        assert mai_nudge.labels == [t("nudge_btn_selfcheck", label="11/2026")]
