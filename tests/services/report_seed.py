"""A cell with a month of everything a report counts, for the report tests (service, CLI, e2e).

For the report month M (and the cells of `tests.support.seed_cell`):
- Roster: Hùng (secretary) and Tám linked, Mai (deputy) linked but has blocked the bot, Hoa
  not activated; Đỗ Văn Cũ was at the first meeting and has left since.
- Meetings in M: day 5 regular (Hùng, Mai, Cũ present; Tám excused; Hoa absent), day 20
  thematic (Hùng, Tám, Hoa present; Mai absent), day 25 cancelled (not counted); in M−1:
  day 10, the four present; in M+1: day 5 (no attendance). Another cell's meeting in M.
- Self-checks: monthly M (Hùng sent, Mai answered but not sent, Tám nothing, Hoa not asked),
  quarterly from M (Hùng sent, Tám nothing), monthly M−1 (Hùng, Mai, Tám sent).
- Flags on monthly M: Mai two (one contacted), Hùng one; another cell's flag.
- Duties: due M/15 done, completion reported M/14 (on time, confirmed M/16); due M/20 done,
  reported M/22 (late); due M/30 open (overdue once past); due end of M+2 open; due in M−2
  done without report (outside the period); another cell's duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from core.context import Services
from core.members import import_rows
from core.report_periods import QUARTERS, month_end, shift_month
from core.roster import RosterRow
from db.models import (
    Attendance,
    ChannelAccount,
    Duty,
    DutyAssignee,
    DutyKind,
    DutyReport,
    DutyReportKind,
    DutyStatus,
    DutyVerdict,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Presence,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
)
from tests.support import Cell

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HUNG, MAI, TAM, HOA = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"
GONE = "Đỗ Văn Cũ"
P, E, A = Presence.PRESENT, Presence.EXCUSED, Presence.ABSENT


@dataclass(frozen=True)
class Seeded:
    month: date  # the first day of M
    meeting_ids: list[int]  # M/5, M/20 (the two held in M)
    gone_id: int


def _at(day: date, hour: int = 19, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def _day(month: date, by: int, day: int) -> date:
    year, number = shift_month(month.year, month.month, by)
    return date(year, number, min(day, month_end(year, number).day))


async def seed_report(
    services: Services, cell: Cell, other: Cell, month: date, linked: bool = True
) -> Seeded:
    """Everything above; with `linked`, Hùng, Mai and Tám get Telegram accounts here (tests
    that link them through the bot pass False and do it themselves)."""
    await import_rows(
        services,
        cell.code,
        [RosterRow(line=2, full_name=GONE, phone=None, role="member", membership="full")],  # type: ignore[arg-type]
    )
    ids = dict(cell.member_ids)
    now = _at(_day(month, -3, 1), 8, 0)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        gone = await s.scalar(select(Member.id).where(Member.full_name == GONE))
        assert gone is not None
        ids[GONE] = gone
        await s.execute(update(Member).where(Member.id == gone).values(status=MemberStatus.LEFT))
        if linked:
            for user, name in (("100", HUNG), ("200", MAI), ("300", TAM)):
                s.add(
                    ChannelAccount(
                        member_id=ids[name],
                        channel="telegram",
                        external_id=user,
                        chat_id=user,
                        linked_at=now,
                        blocked_at=now if name == MAI else None,
                    )
                )
                await s.execute(
                    update(Member).where(Member.id == ids[name]).values(status=MemberStatus.ACTIVE)
                )

        def meeting(
            cell_id: int, day: date, kind: MeetingKind, cancelled: bool = False
        ) -> Meeting:
            m = Meeting(
                cell_id=cell_id,
                kind=kind,
                status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED,
                starts_at=_at(day),
                duration_minutes=120,
                place="Nhà văn hóa ấp",
                agenda="Sinh hoạt",
                version=1,
                created_at=now,
                updated_at=now,
            )
            s.add(m)
            return m

        m1 = meeting(cell.id, _day(month, 0, 5), MeetingKind.REGULAR)
        m2 = meeting(cell.id, _day(month, 0, 20), MeetingKind.THEMATIC)
        m3 = meeting(cell.id, _day(month, 0, 25), MeetingKind.REGULAR, cancelled=True)
        m4 = meeting(cell.id, _day(month, -1, 10), MeetingKind.REGULAR)
        meeting(cell.id, _day(month, 1, 5), MeetingKind.REGULAR)
        mx = meeting(other.id, _day(month, 0, 6), MeetingKind.REGULAR)
        await s.flush()
        marks = [
            (m1, {HUNG: P, MAI: P, TAM: E, HOA: A, GONE: P}),
            (m2, {HUNG: P, MAI: A, TAM: P, HOA: P}),
            (m3, {HUNG: P}),
            (m4, {HUNG: P, MAI: P, TAM: P, HOA: P}),
        ]
        for m, who in marks:
            for name, presence in who.items():
                s.add(
                    Attendance(
                        meeting_id=m.id, member_id=ids[name], presence=presence, marked_at=now
                    )
                )
        for name, presence in {HUNG: P, TAM: A}.items():
            s.add(
                Attendance(
                    meeting_id=mx.id,
                    member_id=other.member_ids[name],
                    presence=presence,
                    marked_at=now,
                )
            )

        def period(name: str, start: date, end: date, label: str) -> SelfCheckPeriod:
            p = SelfCheckPeriod(
                form_name=name, starts_on=start, ends_on=end, label=label, opened_at=now
            )
            s.add(p)
            return p

        label = f"{month:%m/%Y}"
        monthly = period("monthly", month, month_end(month.year, month.month), label)
        q_end = _day(month, 2, 31)
        quarterly = period(
            "quarterly", month, q_end, f"quý {QUARTERS[(month.month - 1) // 3]}/{month.year}"
        )
        before = _day(month, -1, 1)
        earlier = period(
            "monthly", before, month_end(before.year, before.month), f"{before:%m/%Y}"
        )
        await s.flush()

        def check(
            p: SelfCheckPeriod, member: int, cell_id: int, sent: bool, answers: int = 0
        ) -> SelfCheck:
            c = SelfCheck(
                period_id=p.id,
                member_id=member,
                cell_id=cell_id,
                form_version=1,
                status=SelfCheckStatus.SUBMITTED if sent else SelfCheckStatus.IN_PROGRESS,
                started_at=now,
                updated_at=now,
                submitted_at=now if sent else None,
            )
            s.add(c)
            return c

        hung_m = check(monthly, ids[HUNG], cell.id, True, 2)
        mai_m = check(monthly, ids[MAI], cell.id, False)
        check(monthly, ids[TAM], cell.id, False)
        check(quarterly, ids[HUNG], cell.id, True)
        check(quarterly, ids[TAM], cell.id, False)
        for name in (HUNG, MAI, TAM):
            check(earlier, ids[name], cell.id, True)
        other_check = check(monthly, other.member_ids[TAM], other.id, False)
        await s.flush()
        s.add_all(
            [
                SelfCheckAnswer(
                    selfcheck_id=mai_m.id, question_id="q1", value="a", answered_at=now
                ),
                SelfCheckAnswer(
                    selfcheck_id=hung_m.id, question_id="q1", value="a", answered_at=now
                ),
                SelfCheckAnswer(
                    selfcheck_id=other_check.id, question_id="q1", value="a", answered_at=now
                ),
            ]
        )
        for c, member, cell_id, question, contacted in (
            (mai_m, ids[MAI], cell.id, "q2", True),
            (mai_m, ids[MAI], cell.id, "q3", False),
            (hung_m, ids[HUNG], cell.id, "q2", False),
            (other_check, other.member_ids[TAM], other.id, "q2", False),
        ):
            s.add(
                Flag(
                    selfcheck_id=c.id,
                    member_id=member,
                    cell_id=cell_id,
                    question_id=question,
                    kind="follow_up",
                    value="c",
                    created_at=now,
                    contacted_at=now if contacted else None,
                )
            )

        def duty(
            cell_id: int, title: str, start: date, due: date, status: DutyStatus, done: date | None
        ) -> Duty:
            d = Duty(
                cell_id=cell_id,
                year=start.year,
                kind=DutyKind.INSPECTION,
                title=title,
                starts_on=start,
                due_on=due,
                status=status,
                created_at=now,
                updated_at=now,
                done_at=_at(done, 9, 0) if done else None,
            )
            s.add(d)
            return d

        done, open_ = DutyStatus.DONE, DutyStatus.OPEN
        d1 = duty(
            cell.id,
            "Kiểm tra đảng phí",
            _day(month, 0, 1),
            _day(month, 0, 15),
            done,
            _day(month, 0, 16),
        )
        d2 = duty(
            cell.id,
            "Giám sát tổ 1",
            _day(month, 0, 1),
            _day(month, 0, 20),
            done,
            _day(month, 0, 23),
        )
        d3 = duty(cell.id, "Kiểm tra sổ sách", _day(month, 0, 10), _day(month, 0, 30), open_, None)
        d4 = duty(
            cell.id,
            "Giám sát cả năm",
            _day(month, 0, 20),
            month_end(*shift_month(month.year, month.month, 2)),
            open_,
            None,
        )
        duty(
            cell.id, "Việc cũ", _day(month, -2, 1), _day(month, -2, 28), done, _day(month, -2, 27)
        )
        dx = duty(other.id, "Việc chi bộ khác", _day(month, 0, 1), _day(month, 0, 15), open_, None)
        await s.flush()
        for d, names in ((d1, [TAM]), (d2, [TAM, HOA]), (d3, [HOA]), (d4, [HUNG])):
            s.add_all(DutyAssignee(duty_id=d.id, member_id=ids[n]) for n in names)
        s.add(DutyAssignee(duty_id=dx.id, member_id=other.member_ids[TAM]))
        for d, day in ((d1, 14), (d2, 22)):
            s.add(
                DutyReport(
                    duty_id=d.id,
                    member_id=ids[TAM],
                    kind=DutyReportKind.COMPLETION,
                    text="Đã xong",
                    created_at=_at(_day(month, 0, day), 10, 0),
                    verdict=DutyVerdict.CONFIRMED,
                    decided_at=now,
                )
            )
        await uow.commit()
        return Seeded(month, [m1.id, m2.id], gone)
