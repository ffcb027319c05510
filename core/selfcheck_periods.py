"""Self-check periods open by themselves; members who have not sent their answers are reminded.

A tick works out, for each form the deployment runs, the period the local date falls in: a
monthly one opens on `selfcheck_open_day` and closes at the month's end, a quarterly one opens
on that day of the quarter's first month and closes at the quarter's end; neither opens before
`selfcheck_send_after` (local time of day). A bot that was down on the opening day opens the
period when it is back (a bot started mid-quarter opens the current quarter). The period row
is unique per (form, start), so only the tick that inserts it opens it: in the same
transaction every active member gets a self-check at their first question, and that question
as one outbox row keyed `sc:open:<period>:<member>`.

Reminders go on the local days `opened + N` (N in `selfcheck_remind_days`) at
`selfcheck_send_after`, while the period is open, to active members who have not sent their
answers (`sc:rem:<period>:<member>:<N>`). Like meeting reminders, a tick looks at those that
fell due since the previous tick (all of them on the first tick); after downtime only the
latest is sent and older ones are stored as skipped; nothing caught up goes out before
`selfcheck_send_after` or in quiet hours. A member who joined after the opening gets no
opening message (/tukiemtra finds the period) but gets the reminders due after joining.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from core import audit
from core.context import CoreConfig, Services
from core.forms import Form, Period, Question, newest
from core.messages import Button, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.selfcheck import cell_version, conditions_for_roles, first_step
from core.selfcheck_render import BEGIN, step_reply
from core.texts import t
from db.models import (
    JobState,
    Member,
    MemberStatus,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
)

TICK = "selfcheck_periods"
CLOCK_SLACK = timedelta(minutes=5)
QUARTERS = ("I", "II", "III", "IV")


@dataclass(frozen=True, slots=True)
class PeriodTickResult:
    opened: int  # periods this tick opened
    queued: int  # new outbox rows: first questions and reminders (skipped ones included)


@dataclass(frozen=True, slots=True)
class Window:
    """A period in local dates, and its label as members read it ("11/2026", "quý IV/2026")."""

    starts_on: date
    ends_on: date
    label: str


def window(period: Period, today: date, open_day: int) -> Window | None:
    """The period of this cadence that `today` falls in; None before it opens."""
    months = 1 if period is Period.MONTHLY else 3
    first = today.month - (today.month - 1) % months
    last = first + months - 1
    starts = date(today.year, first, min(max(open_day, 1), 28))
    if today < starts:
        return None
    ends = date(today.year, last, calendar.monthrange(today.year, last)[1])
    if period is Period.MONTHLY:
        label = f"{first:02d}/{today.year}"
    else:
        label = t("sc_label_quarter", quarter=QUARTERS[first // 3], year=today.year)
    return Window(starts, ends, label)


def active_forms(config: CoreConfig) -> list[Form]:
    """The newest version of each form run in periods; names without a form are ignored."""
    found = (newest(config.forms, name) for name in dict.fromkeys(config.selfcheck_forms))
    return [form for form in found if form is not None]


async def tick(services: Services) -> PeriodTickResult:
    """Open the periods that are due, then queue the reminders that fell due."""
    now = services.clock.now()
    opened = queued = 0
    for form in active_forms(services.config):
        made = await _open(services, form, now)
        if made is not None:
            opened, queued = opened + 1, queued + made
    async with services.db.unit_of_work() as uow:
        s = uow.session
        state = await s.get(JobState, TICK)
        since = state.last_run_at - CLOCK_SLACK if state else None
        queued += await enqueue(s, services, now, await due_reminders(s, services, since, now))
        await _touch(s, now)
        await uow.commit()
    return PeriodTickResult(opened, queued)


def _local(day: date, at: time, config: CoreConfig) -> datetime:
    return datetime.combine(day, at, tzinfo=config.timezone).astimezone(UTC)


def _not_before(instant: datetime, config: CoreConfig) -> datetime:
    """The first moment from `instant` outside quiet hours and not before the day's
    `selfcheck_send_after` (a reminder caught up early in the morning waits for it)."""
    released = config.quiet_hours.release(instant, config.timezone)
    local = released.astimezone(config.timezone)
    if local.time() < config.selfcheck_send_after:
        return _local(local.date(), config.selfcheck_send_after, config)
    return released


def _closes(period: SelfCheckPeriod, config: CoreConfig) -> datetime:
    """The end of the period's last local day: nothing about it is useful afterwards."""
    return _local(period.ends_on + timedelta(days=1), time(0), config)


async def _open(services: Services, form: Form, now: datetime) -> int | None:
    """Open `form`'s current period if it is due and not open yet: rows queued, else None."""
    config = services.config
    local = now.astimezone(config.timezone)
    found = window(form.period, local.date(), config.selfcheck_open_day)
    if found is None or local.time() < config.selfcheck_send_after:
        return None
    async with services.db.unit_of_work() as uow:
        s = uow.session
        period = await _insert(s, form.name, found, now)
        if period is None:
            return None  # open already (an earlier tick, or another process just now)
        queued = await enqueue(s, services, now, await _first_questions(s, services, period, now))
        audit.record(s, now, "selfcheck_period_opened", form=form.name, label=found.label)
        await uow.commit()
        return queued


async def _insert(
    s: AsyncSession, name: str, found: Window, now: datetime
) -> SelfCheckPeriod | None:
    """The new period row, or None when it exists (looked up first: most ticks only read)."""
    where = (SelfCheckPeriod.form_name == name, SelfCheckPeriod.starts_on == found.starts_on)
    if await s.scalar(select(SelfCheckPeriod.id).where(*where)) is not None:
        return None
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(SelfCheckPeriod)
        .values(
            form_name=name,
            starts_on=found.starts_on,
            ends_on=found.ends_on,
            label=found.label,
            opened_at=now,
        )
        .on_conflict_do_nothing(index_elements=["form_name", "starts_on"])
        .returning(SelfCheckPeriod.id)
    )
    period_id = (await s.execute(statement)).scalar_one_or_none()
    return None if period_id is None else await s.get(SelfCheckPeriod, period_id)


async def _active_members(s: AsyncSession) -> list[Member]:
    """Every active member with their roles (their accounts are not needed here)."""
    query = (
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE)
        .options(raiseload(Member.accounts))
        .order_by(Member.id)
    )
    return list(await s.scalars(query))


async def _versions(
    s: AsyncSession, services: Services, name: str, cells: set[int]
) -> dict[int, int]:
    return {cell: await cell_version(s, services, cell, name) for cell in sorted(cells)}


async def _first_questions(
    s: AsyncSession, services: Services, period: SelfCheckPeriod, now: datetime
) -> list[Message]:
    """A self-check at the first question for every active member, and that question."""
    members = await _active_members(s)
    versions = await _versions(s, services, period.form_name, {m.cell_id for m in members})
    checks = [
        SelfCheck(
            period_id=period.id,
            member_id=m.id,
            cell_id=m.cell_id,
            form_version=versions[m.cell_id],
            status=SelfCheckStatus.IN_PROGRESS,
            started_at=now,
            updated_at=now,
        )
        for m in members
    ]
    s.add_all(checks)
    await s.flush()
    closes = _closes(period, services.config)
    messages: list[Message] = []
    for member, check in zip(members, checks, strict=True):
        step = first_step(services, member, check, period)
        messages.append(
            Message(
                key=f"sc:open:{period.id}:{member.id}",
                kind="selfcheck",
                reply=replace(step_reply(step), replace=False),  # proactive: replaces nothing
                member_id=member.id,
                not_before=_not_before(now, services.config),
                expires_at=closes,
            )
        )
    return messages


def reminder_times(period: SelfCheckPeriod, config: CoreConfig) -> dict[int, datetime]:
    """When each configured reminder of this period is due (those within the period)."""
    opened = period.opened_at.astimezone(config.timezone).date()
    days = sorted({n for n in config.selfcheck_remind_days if n > 0})
    return {
        n: _local(opened + timedelta(days=n), config.selfcheck_send_after, config)
        for n in days
        if opened + timedelta(days=n) <= period.ends_on
    }


async def due_reminders(
    s: AsyncSession, services: Services, since: datetime | None, now: datetime
) -> list[Message]:
    """Reminders of open periods that fell due after `since` (any time when None)."""
    config = services.config
    today = now.astimezone(config.timezone).date()
    periods = await s.scalars(
        select(SelfCheckPeriod)
        .where(
            SelfCheckPeriod.starts_on <= today,
            SelfCheckPeriod.ends_on >= today,
            SelfCheckPeriod.form_name.in_([f.name for f in active_forms(config)]),
        )
        .order_by(SelfCheckPeriod.id)
    )
    messages: list[Message] = []
    for period in list(periods):
        times = reminder_times(period, config)
        fell_due = [n for n, due in times.items() if (since is None or since < due) and due <= now]
        if fell_due:
            messages += await _reminders(s, services, period, fell_due, times, now)
    return messages


async def _reminders(
    s: AsyncSession,
    services: Services,
    period: SelfCheckPeriod,
    fell_due: list[int],
    times: dict[int, datetime],
    now: datetime,
) -> list[Message]:
    """`fell_due` is in ascending order: the last one is the freshest and is sent."""
    config = services.config
    checks = {
        c.member_id: c
        for c in await s.scalars(select(SelfCheck).where(SelfCheck.period_id == period.id))
    }
    waiting = [
        m
        for m in await _active_members(s)
        if m.id not in checks or checks[m.id].status is not SelfCheckStatus.SUBMITTED
    ]
    answered = await _answered(s, period)
    new = {m.cell_id for m in waiting if m.id not in checks}
    versions = await _versions(s, services, period.form_name, new)
    closes, freshest = _closes(period, config), fell_due[-1]
    messages: list[Message] = []
    for member in waiting:
        check = checks.get(member.id)
        version = check.form_version if check else versions[member.cell_id]
        form = _form(config, period.form_name, version)
        questions = form.applicable(conditions_for_roles(r.role for r in member.roles))
        reply = reminder_reply(period, form, questions, answered[check.id] if check else set())
        messages += [
            Message(
                key=f"sc:rem:{period.id}:{member.id}:{n}",
                kind="selfcheck_reminder",
                reply=reply,
                member_id=member.id,
                not_before=_not_before(max(times[n], now), config),
                # Older reminders that fell due together with a fresher one are stale.
                expires_at=closes if n == freshest else times[n],
            )
            for n in fell_due
        ]
    return messages


def _form(config: CoreConfig, name: str, version: int) -> Form:
    """The version a member answers; the newest when that version is no longer configured."""
    form = config.forms.get((name, version)) or newest(config.forms, name)
    assert form is not None  # the period's form is active
    return form


async def _answered(s: AsyncSession, period: SelfCheckPeriod) -> dict[int, set[str]]:
    """Question ids answered so far, by self-check."""
    rows = await s.execute(
        select(SelfCheckAnswer.selfcheck_id, SelfCheckAnswer.question_id)
        .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.selfcheck_id)
        .where(SelfCheck.period_id == period.id)
    )
    answered: dict[int, set[str]] = defaultdict(set)
    for check_id, question_id in rows.all():
        answered[check_id].add(question_id)
    return answered


def reminder_reply(
    period: SelfCheckPeriod, form: Form, questions: tuple[Question, ...], answered: set[str]
) -> Reply:
    """The period, how far the member got, and a button that resumes where they stopped."""
    done = sum(1 for q in questions if q.id in answered)
    missing = [q for q in questions if q.id not in answered and not q.optional]
    if done == 0:
        progress = t("sc_reminder_not_started", total=len(questions))
    elif not missing:
        progress = t("sc_reminder_unsent")
    else:
        progress = t("sc_reminder_progress", done=done, total=len(questions))
    until = period.ends_on.strftime("%d/%m/%Y")
    title = t("sc_reminder", title=form.title, label=period.label, until=until)
    resume = Button(t("sc_btn_continue"), encode(BEGIN, period.id))
    return Reply(f"{title}\n{progress}", buttons([resume]))


async def _touch(s: AsyncSession, now: datetime) -> None:
    """Record this tick's run; an upsert, so two processes ticking together both succeed."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(JobState).values(name=TICK, last_run_at=now)
    await s.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"last_run_at": now})
    )
