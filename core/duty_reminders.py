"""The duty tick: reminders before a duty's due date, and the day it becomes overdue.

Stages of an open (or sent back) duty: `duty_remind_days` days before the due date (default 7
and 1), and the day after it (overdue: to the assignees, and to the secretary and deputy as an
escalation). A stage falls due at 07:30 local on its day. Each (duty, member, stage) is one
outbox row keyed `duty:rem:<duty>:<member>:<days>` / `duty:overdue:<duty>:<member>`, so ticks,
restarts and two workers never send one twice. When several stages fell due together (after
downtime) only the latest is sent; the older are stored as skipped. Stages before the day the
duty was made are not sent: the assignment notice told the assignees then.

Set-based: a tick reads the duties in reach, then, for up to `CHUNK` duties at a time, their
assignees, the names for the escalations and the cells' leaders in one query each (not a
query per duty), and inserts the rows with one `enqueue`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import Services
from core.duties import SHOW
from core.messages import Button, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.policy import CELL_LEADERS
from core.texts import t
from db.models import (
    ChannelAccount,
    Duty,
    DutyAssignee,
    DutyStatus,
    Member,
    MemberRole,
    MemberStatus,
)

SEND_AFTER = time(7, 30)
REMINDED = (DutyStatus.OPEN, DutyStatus.RETURNED)
LOOK_BACK = timedelta(days=31)  # an overdue notice later than this is not useful any more
OVERDUE = -1  # the stage "one day after the due date"
CHUNK = 1000  # duties per query (bind parameters stay far below both engines' limits)


@dataclass(frozen=True, slots=True)
class Stage:
    days: int  # days before the due date; OVERDUE for the day after it
    at: datetime  # when it falls due (aware, local)


def stages(services: Services, duty: Duty) -> list[Stage]:
    """Every stage of the duty from the day it was made on, earliest first."""
    tz = services.config.timezone
    made = duty.created_at.astimezone(tz).date()
    days = sorted({d for d in services.config.duty_remind_days if d >= 0}, reverse=True)
    found = [(d, duty.due_on - timedelta(days=d)) for d in days]
    found.append((OVERDUE, duty.due_on + timedelta(days=1)))
    return [Stage(d, datetime.combine(on, SEND_AFTER, tzinfo=tz)) for d, on in found if on >= made]


async def tick(services: Services) -> int:
    """Queue every duty reminder that fell due; returns how many rows were new."""
    now = services.clock.now()
    today = now.astimezone(services.config.timezone).date()
    longest = max(services.config.duty_remind_days, default=0)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        duties = list(
            await s.scalars(
                select(Duty)
                .where(
                    Duty.status.in_(REMINDED),
                    Duty.due_on <= today + timedelta(days=longest),
                    Duty.due_on >= today - LOOK_BACK,
                )
                .order_by(Duty.id)
            )
        )
        due = [(d, fell) for d in duties if (fell := _fell_due(services, d, now))]
        messages: list[Message] = []
        for start in range(0, len(due), CHUNK):
            messages += await _for_duties(s, due[start : start + CHUNK], today)
        queued = await enqueue(s, services, now, messages)
        await uow.commit()
        return queued


def _fell_due(services: Services, duty: Duty, now: datetime) -> list[Stage]:
    return [stage for stage in stages(services, duty) if stage.at <= now]


async def _for_duties(
    s: AsyncSession, due: list[tuple[Duty, list[Stage]]], today: date
) -> list[Message]:
    """The messages of these duties (each with the stages that fell due, earliest first)."""
    assignees = await _assignees(s, [duty.id for duty, _ in due])
    overdue = [duty for duty, fell_due in due if fell_due[-1].days == OVERDUE]
    names = await _names(s, [duty.id for duty in overdue])
    leaders = await _leaders(s, {duty.cell_id for duty in overdue})
    messages: list[Message] = []
    for duty, fell_due in due:
        freshest = fell_due[-1]
        for member_id in assignees.get(duty.id, []):
            for stage in fell_due:
                key = (
                    f"duty:overdue:{duty.id}:{member_id}"
                    if stage.days == OVERDUE
                    else f"duty:rem:{duty.id}:{member_id}:{stage.days}"
                )
                messages.append(
                    Message(
                        key=key,
                        kind="duty",
                        reply=_reminder(duty, today),
                        member_id=member_id,
                        not_before=stage.at,
                        # An older stage that fell due together with a fresher one is stale.
                        expires_at=None if stage is freshest else stage.at,
                    )
                )
        if freshest.days == OVERDUE:
            messages += _escalation(
                duty, names.get(duty.id, []), leaders.get(duty.cell_id, []), freshest.at
            )
    return messages


async def _assignees(s: AsyncSession, duty_ids: list[int]) -> dict[int, list[int]]:
    """By duty: assignees who use the bot (an active member with a linked account)."""
    rows = await s.execute(
        select(DutyAssignee.duty_id, DutyAssignee.member_id)
        .join(Member, Member.id == DutyAssignee.member_id)
        .where(
            DutyAssignee.duty_id.in_(duty_ids),
            Member.status == MemberStatus.ACTIVE,
            Member.id.in_(select(ChannelAccount.member_id)),
        )
        .order_by(DutyAssignee.duty_id, DutyAssignee.member_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for duty_id, member_id in rows:
        found[duty_id].append(member_id)
    return found


async def _names(s: AsyncSession, duty_ids: list[int]) -> dict[int, list[str]]:
    """By duty: every assignee's name, in the order they were assigned."""
    if not duty_ids:
        return {}
    rows = await s.execute(
        select(DutyAssignee.duty_id, Member.full_name)
        .join(Member, Member.id == DutyAssignee.member_id)
        .where(DutyAssignee.duty_id.in_(duty_ids))
        .order_by(DutyAssignee.id)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for duty_id, name in rows:
        found[duty_id].append(name)
    return found


async def _leaders(s: AsyncSession, cell_ids: set[int]) -> dict[int, list[int]]:
    """By cell: its active secretary and deputies (`roster_queries.leader_members` for many
    cells in one query)."""
    if not cell_ids:
        return {}
    rows = await s.execute(
        select(MemberRole.unit_id, Member.id)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(
            MemberRole.unit_id.in_(cell_ids),
            MemberRole.role.in_(CELL_LEADERS),
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(Member.id)
        .distinct()
    )
    found: dict[int, list[int]] = defaultdict(list)
    for cell_id, member_id in rows:
        found[cell_id].append(member_id)
    return found


def _reminder(duty: Duty, today: date) -> Reply:
    due, left = f"{duty.due_on:%d/%m/%Y}", (duty.due_on - today).days
    if left < 0:
        text = t("duty_overdue", title=duty.title, due=due)
    else:
        key = {0: "duty_remind_today", 1: "duty_remind_tomorrow"}.get(left, "duty_remind_days")
        text = t(key, title=duty.title, due=due, n=left) + "\n" + t("duty_remind_hint")
    return Reply(text, buttons([Button(t("duty_btn_show"), encode(SHOW, duty.id))]))


def _escalation(duty: Duty, names: list[str], leaders: list[int], at: datetime) -> list[Message]:
    text = t(
        "duty_overdue_leader",
        title=duty.title,
        names=", ".join(names),
        due=f"{duty.due_on:%d/%m/%Y}",
    )
    reply = Reply(text, buttons([Button(t("duty_btn_show"), encode(SHOW, duty.id))]))
    return [
        Message(
            key=f"duty:escalate:{duty.id}:{leader}",
            kind="duty",
            reply=reply,
            member_id=leader,
            not_before=at,
        )
        for leader in leaders
    ]
