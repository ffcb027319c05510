"""/tinhhinh on both engines with real data: every number of the status, the names behind
its buttons, who may see it, and a statement count that does not grow with the cell."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from core.context import Services
from core.members import grant_role
from core.messages import Reply
from core.payloads import encode
from core.status import CellStatus, cell_status
from core.texts import t, when_text
from db.models import (
    Attendance,
    ChannelAccount,
    Duty,
    DutyAssignee,
    DutyKind,
    DutyStatus,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    Membership,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Presence,
    Role,
    Rsvp,
    RsvpAnswer,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
)
from handlers.status import DRILL
from tests.services.test_onboarding import join_as
from tests.support import Cell, Person, only, person, seed_cell, text_of

HUNG, MAI, TAM, HOA = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"
BAY, NAM, SAU = "Võ Văn Bảy", "Đỗ Thị Năm", "Ngô Văn Sáu"
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # the conftest clock: 15:00 in Hà Nội


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class World:
    cell: Cell
    ids: dict[str, int]  # every member of the first cell by name
    period: int  # the open monthly period 11/2026
    closed_period: int  # 10/2026
    next_meeting: int
    last_meeting: int
    hung: Person
    mai: Person
    tam: Person


def member(cell_id: int, name: str, status: MemberStatus) -> Member:
    return Member(
        cell_id=cell_id,
        full_name=name,
        status=status,
        membership=Membership.FULL,
        created_at=NOW,
        updated_at=NOW,
    )


def meeting(
    cell_id: int, starts: datetime, status: MeetingStatus = MeetingStatus.SCHEDULED
) -> Meeting:
    return Meeting(
        cell_id=cell_id,
        kind=MeetingKind.REGULAR,
        status=status,
        starts_at=starts,
        duration_minutes=90,
        place="Hội trường ấp",
        agenda="Sinh hoạt thường kỳ",
        created_at=NOW,
        updated_at=NOW,
    )


def period(label: str, starts: date, ends: date) -> SelfCheckPeriod:
    return SelfCheckPeriod(
        form_name="monthly", starts_on=starts, ends_on=ends, label=label, opened_at=NOW
    )


def check(period_id: int, member_id: int, cell_id: int, status: SelfCheckStatus) -> SelfCheck:
    return SelfCheck(
        period_id=period_id,
        member_id=member_id,
        cell_id=cell_id,
        form_version=1,
        status=status,
        started_at=NOW,
        updated_at=NOW,
        submitted_at=NOW if status is SelfCheckStatus.SUBMITTED else None,
    )


def duty(cell_id: int, title: str, due: date, status: DutyStatus = DutyStatus.OPEN) -> Duty:
    return Duty(
        cell_id=cell_id,
        year=2026,
        kind=DutyKind.INSPECTION,
        title=title,
        starts_on=date(2026, 9, 1),
        due_on=due,
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )


def outbox(key: str, member_id: int, status: OutboxStatus, done: datetime) -> Outbox:
    return Outbox(
        dedupe_key=key,
        kind="reminder",
        member_id=member_id,
        body={"text": "x", "buttons": []},
        status=status,
        not_before=done,
        next_attempt_at=done,
        attempts=1,
        created_at=done,
        done_at=done,
    )


async def setup(services: Services) -> World:
    """Ấp Một: Hùng (secretary), Mai (deputy), Tám active and reachable; Bảy active but has
    blocked the bot; Hoa invited; Năm waiting for approval; Sáu has left. Ấp Hai: its own
    secretary and data that must never show in Ấp Một's status."""
    cell = await seed_cell(services)
    for name, user in ((HUNG, "100"), (MAI, "200"), (TAM, "300")):
        await join_as(services, cell, name, user)
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    await join_as(services, other, HUNG, "900")
    await join_as(services, other, TAM, "930")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        bay = member(cell.id, BAY, MemberStatus.ACTIVE)
        s.add_all([bay, member(cell.id, NAM, MemberStatus.PENDING)])
        s.add(member(cell.id, SAU, MemberStatus.LEFT))
        await s.flush()
        s.add(
            ChannelAccount(
                member_id=bay.id,
                channel="test",
                external_id="700",
                chat_id="700",
                linked_at=NOW,
                blocked_at=NOW - timedelta(days=2),
            )
        )
        ids = {**cell.member_ids, BAY: bay.id}
        hung, mai, tam, hoa = ids[HUNG], ids[MAI], ids[TAM], ids[HOA]
        other_tam = other.member_ids[TAM]
        # Meetings: an older one, a cancelled one, the last held, the next, a later one.
        older, cancelled = meeting(cell.id, at(9, 5)), meeting(cell.id, at(10, 20))
        cancelled.status = MeetingStatus.CANCELLED
        last, nxt, later = (
            meeting(cell.id, at(10, 5)),
            meeting(cell.id, at(11, 5)),
            meeting(cell.id, at(12, 5)),
        )
        theirs = meeting(other.id, at(11, 3))
        s.add_all([older, cancelled, last, nxt, later, theirs])
        await s.flush()
        marks = {hung: Presence.PRESENT, mai: Presence.PRESENT, tam: Presence.ABSENT}
        marks[hoa] = Presence.EXCUSED
        s.add_all(
            Attendance(meeting_id=last.id, member_id=m, presence=p, marked_at=NOW)
            for m, p in marks.items()
        )
        s.add(
            Attendance(
                meeting_id=older.id, member_id=bay.id, presence=Presence.ABSENT, marked_at=NOW
            )
        )
        s.add_all(
            Rsvp(meeting_id=meeting_id, member_id=m, answer=a, answered_at=NOW)
            for meeting_id, m, a in (
                (nxt.id, hung, RsvpAnswer.ATTEND),
                (nxt.id, tam, RsvpAnswer.EXCUSED),
                (later.id, mai, RsvpAnswer.ATTEND),
                (theirs.id, other_tam, RsvpAnswer.ATTEND),
            )
        )
        # Self-checks: 11/2026 is open (Hùng sent, Mai answered one question, Tám opened it
        # only); 10/2026 is closed and holds the flags.
        open_, closed = (
            period("11/2026", date(2026, 11, 1), date(2026, 11, 30)),
            period("10/2026", date(2026, 10, 1), date(2026, 10, 31)),
        )
        s.add_all([open_, closed])
        await s.flush()
        checks = [
            check(open_.id, hung, cell.id, SelfCheckStatus.SUBMITTED),
            check(open_.id, mai, cell.id, SelfCheckStatus.IN_PROGRESS),
            check(open_.id, tam, cell.id, SelfCheckStatus.IN_PROGRESS),
            check(open_.id, other_tam, other.id, SelfCheckStatus.SUBMITTED),
            check(closed.id, tam, cell.id, SelfCheckStatus.SUBMITTED),
            check(closed.id, mai, cell.id, SelfCheckStatus.SUBMITTED),
        ]
        s.add_all(checks)
        await s.flush()
        s.add(
            SelfCheckAnswer(
                selfcheck_id=checks[1].id, question_id="q1", value="a", answered_at=NOW
            )
        )
        s.add_all(
            Flag(
                selfcheck_id=c.id,
                member_id=c.member_id,
                cell_id=cell.id,
                question_id=q,
                kind="support",
                value="c",
                created_at=NOW,
                contacted_at=contacted,
            )
            for c, q, contacted in (
                (checks[4], "q1", None),
                (checks[4], "q2", None),
                (checks[5], "q1", NOW),
            )
        )
        # Duties: two overdue (one reported, waiting), two due within 7 days (one today,
        # returned), one later, one done long ago; one of the other cell, overdue.
        duties = [
            duty(cell.id, "Kiểm tra sổ đảng phí", date(2026, 10, 30)),
            duty(cell.id, "Giám sát tổ 3", date(2026, 11, 1), DutyStatus.REPORTED),
            duty(cell.id, "Kiểm tra hồ sơ đảng viên", date(2026, 11, 9)),
            duty(cell.id, "Giám sát việc học nghị quyết", date(2026, 11, 2), DutyStatus.RETURNED),
            duty(cell.id, "Kiểm tra quỹ khuyến học", date(2026, 11, 20)),
            duty(cell.id, "Giám sát tổ 1", date(2026, 10, 1), DutyStatus.DONE),
            duty(other.id, "Việc của Ấp Hai", date(2026, 10, 1)),
        ]
        s.add_all(duties)
        await s.flush()
        s.add_all(
            DutyAssignee(duty_id=d.id, member_id=m)
            for d, m in (
                (duties[0], tam),
                (duties[1], mai),
                (duties[1], tam),
                (duties[2], hung),
                (duties[3], mai),
                (duties[6], other_tam),
            )
        )
        # Delivery: Bảy unreachable twice and Tám failed once in the last 30 days; an older
        # failure, a sent message and the other cell's failure do not count.
        s.add_all(
            [
                outbox("a", bay.id, OutboxStatus.UNREACHABLE, NOW - timedelta(days=1)),
                outbox("b", bay.id, OutboxStatus.UNREACHABLE, NOW - timedelta(days=5)),
                outbox("c", tam, OutboxStatus.FAILED, NOW - timedelta(days=3)),
                outbox("d", mai, OutboxStatus.FAILED, NOW - timedelta(days=40)),
                outbox("e", hung, OutboxStatus.SENT, NOW - timedelta(days=1)),
                outbox("f", other_tam, OutboxStatus.FAILED, NOW - timedelta(days=1)),
            ]
        )
        await uow.commit()
        world = World(
            cell,
            ids,
            open_.id,
            closed.id,
            nxt.id,
            last.id,
            person(services, "100"),
            person(services, "200"),
            person(services, "300"),
        )
    return world


async def status_of(services: Services, cell_id: int) -> CellStatus:
    async with services.db.unit_of_work() as uow:
        return await cell_status(uow.session, services.config, services.clock.now(), cell_id)


async def test_every_number_of_the_status(services: Services) -> None:
    w = await setup(services)
    st = await status_of(services, w.cell.id)
    assert st.cell_name == "Chi bộ Ấp Một" and st.today == date(2026, 11, 2)
    m = st.members
    assert (m.active, m.not_activated, m.unreachable, m.total) == (3, 2, 1, 6)
    assert st.next_meeting is not None and st.next_meeting.id == w.next_meeting
    nxt = st.next_meeting
    # Hùng attends, Tám excused; Mai and Bảy (active, unreachable) have not answered.
    assert (nxt.attend, nxt.excused, nxt.unanswered) == (1, 1, 2)
    last = st.last_meeting
    assert last is not None and last.id == w.last_meeting
    # Roster: the active and the invited (Hùng, Mai, Tám, Bảy, Hoa); Bảy was not marked.
    assert (last.present, last.excused, last.absent, last.unmarked, last.roster) == (2, 1, 1, 1, 5)
    [p] = st.periods
    assert (p.id, p.label, p.ends_on) == (w.period, "11/2026", date(2026, 11, 30))
    assert (p.done, p.in_progress, p.not_started) == (1, 1, 2)  # Tám opened it only
    assert st.open_flags == 1  # Tám; Mai's flag was followed up
    assert (st.duties.overdue, st.duties.due_soon) == (2, 2)
    assert (st.delivery.messages, st.delivery.members) == (3, 2)


async def test_the_status_screen_for_the_secretary_and_the_deputy(services: Services) -> None:
    w = await setup(services)
    tz = services.config.timezone
    reply = only(await w.hung.say("/tinhhinh"))
    assert not reply.replace
    lines = reply.text.split("\n")
    assert lines[0] == t("status_title", cell="Chi bộ Ấp Một", date="02/11/2026")
    assert lines[1] == t("status_overdue_alert", count=2)  # overdue first, prominently
    expected = [
        t("status_members", total=6, active=3, not_activated=2, unreachable=1),
        t("status_next_meeting", when=f"{t('meeting_kind_regular')}, {when_text(at(11, 5), tz)}"),
        t("status_next_answers", attend=1, excused=1, unanswered=2),
        t("status_last_meeting", date="05/10/2026", present=2, total=5, excused=1, absent=1)
        + t("status_last_unmarked", count=1),
        t("status_period", label="11/2026", until="30/11", done=1, going=1, not_started=2),
        t("status_flags", count=1),
        t("status_duties", overdue=2, days=7, soon=2),
        t("status_delivery", days=30, count=3, members=2),
        t("status_hint"),
    ]
    assert lines[2:] == expected
    assert len(lines) <= 20
    assert [b.label for b in reply.button_list()] == [
        t("status_btn_unanswered", count=2),
        t("status_btn_absent", count=2),
        t("status_btn_selfcheck", label="11/2026", count=3),
        t("status_btn_overdue", count=2),
        t("status_btn_not_activated", count=2),
        t("status_btn_unreachable", count=2),
        t("status_btn_nudge"),
    ]
    # The deputy sees the same; /status is the same command.
    assert text_of(await w.mai.say("/status")) == reply.text


def section(key: str, names: list[str], **params: Any) -> list[str]:
    title = t(key, **params)
    if not names:
        return [t("status_section_empty", title=title)]
    return [t("status_section", title=title, count=len(names)), ", ".join(names)]


async def drill(who: Person, *parts: object) -> Reply:
    reply = only(await who.press(encode(DRILL, *parts)))
    assert reply.replace  # edits the status in place
    assert [b.label for b in reply.button_list()] == [t("status_btn_back")]
    return reply


async def test_the_names_behind_each_button(services: Services) -> None:
    w = await setup(services)
    tz = services.config.timezone
    await w.hung.say("/tinhhinh")
    rsvp = await drill(w.hung, "r")
    assert rsvp.text.split("\n") == [
        t("status_list_rsvp_title", when=when_text(at(11, 5), tz)),
        *section("status_list_unanswered", [MAI, BAY]),
        *section("status_list_excused", [TAM]),
    ]
    attendance = await drill(w.hung, "a")
    assert attendance.text.split("\n") == [
        t("status_list_attendance_title", when=when_text(at(10, 5), tz)),
        *section("status_list_absent", [TAM]),
        *section("status_list_excused", [HOA]),
        *section("status_list_unmarked", [BAY]),
    ]
    selfcheck = await drill(w.mai, "s", w.period)
    assert selfcheck.text.split("\n") == [
        t("status_list_selfcheck_title", label="11/2026"),
        t("status_list_selfcheck_note"),
        *section("status_list_not_started", [TAM, BAY]),
        *section("status_list_in_progress", [MAI]),
    ]
    duties = await drill(w.hung, "o")
    warn = t("status_list_duty_overdue")
    assert duties.text.split("\n") == [
        t("status_list_duties_title"),
        t(
            "status_list_duty",
            mark=warn,
            title="Kiểm tra sổ đảng phí",
            due="30/10/2026",
            names=TAM,
        ),
        t(
            "status_list_duty",
            mark=warn,
            title="Giám sát tổ 3",
            due="01/11/2026",
            names=f"{MAI}, {TAM}",
        ),
        t(
            "status_list_duty",
            mark="",
            title="Giám sát việc học nghị quyết",
            due="02/11/2026",
            names=MAI,
        ),
        t(
            "status_list_duty",
            mark="",
            title="Kiểm tra hồ sơ đảng viên",
            due="09/11/2026",
            names=HUNG,
        ),
    ]
    activation = await drill(w.hung, "i")
    assert activation.text.split("\n") == [
        t("status_list_not_activated_title"),
        *section("status_list_invited", [HOA]),
        *section("status_list_pending", [NAM]),
        t("status_list_not_activated_hint"),
    ]
    reach = await drill(w.hung, "u")
    assert reach.text.split("\n") == [
        t("status_list_unreachable_title"),
        *section("status_list_blocked", [BAY]),
        *section("status_list_failed", [TAM, BAY], days=30),
    ]
    back = only(await w.hung.tap(t("status_btn_back")))
    assert back.replace and back.text == text_of(await w.hung.say("/tinhhinh"))


async def test_stale_and_forged_buttons(services: Services) -> None:
    w = await setup(services)
    closed = text_of(await w.hung.press(encode(DRILL, "s", w.closed_period)))
    assert closed == t("status_period_closed")
    assert text_of(await w.hung.press(encode(DRILL, "zz"))) == t("stale_button")
    assert text_of(await w.hung.press(encode(DRILL, "s"))) == t("stale_button")
    assert text_of(await w.hung.press(encode(DRILL, "s", "x1"))) == t("stale_button")


async def test_who_may_see_it(services: Services) -> None:
    w = await setup(services)
    # A member is refused the status and every list behind it.
    assert text_of(await w.tam.say("/tinhhinh")) == t("not_allowed")
    for parts in (("r",), ("a",), ("s", w.period), ("o",), ("i",), ("u",), ("b",)):
        assert text_of(await w.tam.press(encode(DRILL, *parts))) == t("not_allowed")
    # Someone not linked is told how to join.
    assert text_of(await person(services, "555").say("/tinhhinh")) == t("not_linked")
    # Another cell's secretary sees only their own cell, even with this cell's period id.
    theirs = person(services, "900")
    shown = text_of(await theirs.say("/tinhhinh"))
    assert t("status_title", cell="Chi bộ Ấp Hai", date="02/11/2026") in shown
    assert "Ấp Một" not in shown
    names = text_of(await theirs.press(encode(DRILL, "s", w.period)))
    assert MAI not in names and BAY not in names
    assert t("status_list_not_started") in names  # Ấp Hai's own Hùng has not done it
    # Committee staff of the unit above (with no leader role in the cell) are refused too.
    async with services.db.unit_of_work() as uow:
        committee = await uow.session.scalar(select(Unit.parent_id).where(Unit.id == w.cell.id))
    await grant_role(services, w.ids[TAM], str(committee), Role.STAFF)
    assert text_of(await w.tam.say("/tinhhinh")) == t("not_allowed")


async def test_an_administrator_sees_the_counts_but_no_names_of_the_selfcheck(
    services: Services,
) -> None:
    """An administrator who is a plain member of the cell sees the status, with the
    self-check's counts but without the button to who has not done it (a leaders' right)."""
    w = await setup(services)
    admin = Services(
        services.db,
        services.clock,
        replace(services.config, admin_accounts=frozenset({("test", w.tam.user_id)})),
    )
    reply = only(await person(admin, w.tam.user_id).say("/tinhhinh"))
    assert t("status_period", label="11/2026", until="30/11", done=1, going=1, not_started=2) in (
        reply.text.split("\n")
    )
    labels = [b.label for b in reply.button_list()]
    assert t("status_btn_selfcheck", label="11/2026", count=3) not in labels
    assert t("status_btn_unanswered", count=2) in labels  # the other lists are still there
    assert text_of(await w.hung.say("/tinhhinh")).split("\n")[0] == reply.text.split("\n")[0]


# --- statements per status: the same for 5 and 50 members -----------------------------------


async def grow(
    services: Services, cell: Cell, extra: int, period_id: int, meeting_ids: tuple[int, int]
) -> None:
    """`extra` more active members, each with an account, a self-check, an RSVP, an
    attendance mark, a flag, a duty and a failed message."""
    nxt, last = meeting_ids
    async with services.db.unit_of_work() as uow:
        s = uow.session
        people = [member(cell.id, f"Đảng viên {i}", MemberStatus.ACTIVE) for i in range(extra)]
        s.add_all(people)
        await s.flush()
        for i, p in enumerate(people):
            s.add(
                ChannelAccount(
                    member_id=p.id,
                    channel="test",
                    external_id=f"g{p.id}",
                    chat_id=f"g{p.id}",
                    linked_at=NOW,
                )
            )
            c = check(
                period_id, p.id, cell.id, SelfCheckStatus(["submitted", "in_progress"][i % 2])
            )
            s.add(c)
            await s.flush()
            s.add(
                Flag(
                    selfcheck_id=c.id,
                    member_id=p.id,
                    cell_id=cell.id,
                    question_id="q1",
                    kind="support",
                    value="c",
                    created_at=NOW,
                )
            )
            s.add(Rsvp(meeting_id=nxt, member_id=p.id, answer=RsvpAnswer.ATTEND, answered_at=NOW))
            s.add(
                Attendance(
                    meeting_id=last, member_id=p.id, presence=Presence.PRESENT, marked_at=NOW
                )
            )
            d = duty(cell.id, f"Việc {i}", date(2026, 10, 1))
            s.add(d)
            await s.flush()
            s.add(DutyAssignee(duty_id=d.id, member_id=p.id))
            s.add(outbox(f"g{p.id}", p.id, OutboxStatus.FAILED, NOW - timedelta(days=1)))
        await uow.commit()


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = services.db.engine.sync_engine

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_statements_do_not_grow_with_members(services: Services) -> None:
    small, large = await seed_cell(services, "Chi bộ Nhỏ"), await seed_cell(services, "Chi bộ Lớn")
    counted = []
    for cell, extra in ((small, 5), (large, 50)):
        async with services.db.unit_of_work() as uow:
            s = uow.session
            p = period("11/2026", date(2026, 11, 1), date(2026, 11, 30)) if cell is small else None
            if p is not None:
                s.add(p)
            last, nxt = meeting(cell.id, at(10, 5)), meeting(cell.id, at(11, 5))
            s.add_all([last, nxt])
            await uow.commit()
            ids = (nxt.id, last.id)
        async with services.db.unit_of_work() as uow:
            period_id = await uow.session.scalar(select(SelfCheckPeriod.id))
        assert period_id is not None
        await grow(services, cell, extra, period_id, ids)
        with statements(services) as seen:
            st = await status_of(services, cell.id)
        assert st.members.active == extra and st.delivery.messages == extra
        assert st.next_meeting is not None and st.next_meeting.attend == extra
        assert st.duties.overdue == extra and st.open_flags == extra
        counted.append(len(seen))
    assert counted[0] == counted[1] <= 8, counted
