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

Scale (150,000 members): nothing loads the whole period. Members are read `CHUNK` at a time by
id (only the columns a message needs, their roles, and the answers of that chunk's unsent
self-checks), and every insert is set-based (`core.outbox.enqueue`, and one insert for a
chunk's self-checks), so the memory a tick needs is bounded by the chunk and its statements
grow with members / CHUNK, not with members.

Crash safety. Opening stays one transaction however many chunks: the period row is what says
"opened", so committing it before every member has their self-check and first question would
leave the rest without them for good after a crash (the next tick sees the period and stops);
rolled back whole, the next tick opens it again from the start. Reminders commit chunk by
chunk: `job_state.last_run_at` (the `since` of the next tick) moves only after the last chunk,
so after a crash the next tick finds the same reminders due again and inserts them again; the
dedupe keys make the chunks already committed no-ops, so nothing is lost or sent twice (if a
newer reminder fell due meanwhile, the rest get the downtime rule: only the newest is sent).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import CoreConfig, Services
from core.forms import Form, Period, Question, newest
from core.messages import Button, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.selfcheck import SUMMARY, Step, conditions_for_roles
from core.selfcheck_render import BEGIN, step_reply
from core.texts import t
from db.models import (
    CellForm,
    JobState,
    Member,
    MemberRole,
    MemberStatus,
    Role,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
)

TICK = "selfcheck_periods"
CLOCK_SLACK = timedelta(minutes=5)
QUARTERS = ("I", "II", "III", "IV")
CHUNK = 2000  # members handled per step (and per transaction for reminders)


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
        state = await uow.session.get(JobState, TICK)
        since = state.last_run_at - CLOCK_SLACK if state else None
        due = await due_periods(uow.session, services, since, now)
    for period, fell_due in due:
        queued += await _remind(services, period, fell_due, now)
    async with services.db.unit_of_work() as uow:
        await _touch(uow.session, now)  # only now: a crash above redoes the reminders
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
    """Open `form`'s current period if it is due and not open yet: rows queued, else None.
    One transaction (see the module's docstring), worked through `CHUNK` members at a time."""
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
        versions = await _Versions.load(s, services, form.name)
        queued, after = 0, 0
        while members := await _active_chunk(s, after):
            queued += await _first_questions(s, services, period, versions, members, now)
            after = members[-1][0]
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
    upsert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        upsert(SelfCheckPeriod)
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


@dataclass(frozen=True, slots=True)
class _Versions:
    """The version of a form each cell answers (what `core.selfcheck` picks for one member,
    for every cell in one query): its choice if that version still exists, else the newest."""

    chosen: dict[int, int]
    newest: int

    @classmethod
    async def load(cls, s: AsyncSession, services: Services, name: str) -> _Versions:
        forms = services.config.forms
        rows = await s.execute(
            select(CellForm.cell_id, CellForm.version).where(CellForm.form_name == name)
        )
        latest = newest(forms, name)
        assert latest is not None  # the period's form is active
        chosen = {cell: version for cell, version in rows if (name, version) in forms}
        return cls(chosen, latest.version)

    def of(self, cell_id: int) -> int:
        return self.chosen.get(cell_id, self.newest)


async def _active_chunk(s: AsyncSession, after: int) -> list[tuple[int, int]]:
    """The next `CHUNK` active members after id `after`: (id, cell)."""
    rows = await s.execute(
        select(Member.id, Member.cell_id)
        .where(Member.status == MemberStatus.ACTIVE, Member.id > after)
        .order_by(Member.id)
        .limit(CHUNK)
    )
    return [(member_id, cell_id) for member_id, cell_id in rows]


async def _roles(s: AsyncSession, member_ids: Sequence[int]) -> dict[int, list[Role]]:
    """The roles of these members (which questions apply depends on them)."""
    if not member_ids:
        return {}
    rows = await s.execute(
        select(MemberRole.member_id, MemberRole.role).where(MemberRole.member_id.in_(member_ids))
    )
    found: dict[int, list[Role]] = defaultdict(list)
    for member_id, role in rows:
        found[member_id].append(role)
    return found


def _questions(
    config: CoreConfig, name: str, version: int, roles: list[Role]
) -> tuple[Form, tuple[Question, ...]]:
    form = _form(config, name, version)
    return form, form.applicable(conditions_for_roles(roles))


async def _first_questions(
    s: AsyncSession,
    services: Services,
    period: SelfCheckPeriod,
    versions: _Versions,
    members: list[tuple[int, int]],
    now: datetime,
) -> int:
    """A self-check at the first question for each of these members (one insert), and that
    question in the outbox (`core.selfcheck.begin`'s first step, for many members): rows
    queued."""
    config = services.config
    roles = await _roles(s, [member_id for member_id, _ in members])
    shown: dict[int, tuple[Form, tuple[Question, ...]]] = {}
    rows = []
    for member_id, cell_id in members:
        form, questions = shown[member_id] = _questions(
            config, period.form_name, versions.of(cell_id), roles.get(member_id, [])
        )
        rows.append(
            {
                "period_id": period.id,
                "member_id": member_id,
                "cell_id": cell_id,
                "form_version": form.version,
                "status": SelfCheckStatus.IN_PROGRESS,
                "position": questions[0].id if questions else SUMMARY,
                "started_at": now,
                "updated_at": now,
            }
        )
    connection = await s.connection()
    made = await connection.execute(
        insert(SelfCheck).returning(SelfCheck.member_id, SelfCheck.id), rows
    )
    check_ids = {member_id: check_id for member_id, check_id in made}
    closes, not_before = _closes(period, config), _not_before(now, config)
    messages: list[Message] = []
    for member_id, _ in members:
        form, questions = shown[member_id]
        step = Step(
            selfcheck_id=check_ids[member_id],
            period_label=period.label,
            form=form,
            questions=questions,
            answers={},
            question=questions[0] if questions else None,
            ends_on=period.ends_on,
        )
        messages.append(
            Message(
                key=f"sc:open:{period.id}:{member_id}",
                kind="selfcheck",
                reply=replace(step_reply(step), replace=False),  # proactive: replaces nothing
                member_id=member_id,
                not_before=not_before,
                expires_at=closes,
            )
        )
    return await enqueue(s, services, now, messages)


def reminder_times(period: SelfCheckPeriod, config: CoreConfig) -> dict[int, datetime]:
    """When each configured reminder of this period is due (those within the period)."""
    opened = period.opened_at.astimezone(config.timezone).date()
    days = sorted({n for n in config.selfcheck_remind_days if n > 0})
    return {
        n: _local(opened + timedelta(days=n), config.selfcheck_send_after, config)
        for n in days
        if opened + timedelta(days=n) <= period.ends_on
    }


async def due_periods(
    s: AsyncSession, services: Services, since: datetime | None, now: datetime
) -> list[tuple[SelfCheckPeriod, list[int]]]:
    """Open periods with reminders that fell due after `since` (any time when None), and
    those reminders' days in ascending order."""
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
    found = []
    for period in list(periods):
        times = reminder_times(period, config)
        fell_due = [n for n, due in times.items() if (since is None or since < due) and due <= now]
        if fell_due:
            found.append((period, fell_due))
    return found


async def _remind(
    services: Services, period: SelfCheckPeriod, fell_due: list[int], now: datetime
) -> int:
    """Queue this period's reminders, `CHUNK` waiting members per transaction: rows queued."""
    queued, after = 0, 0
    async with services.db.unit_of_work() as uow:
        versions = await _Versions.load(uow.session, services, period.form_name)
    while True:
        async with services.db.unit_of_work() as uow:
            waiting = await _waiting(uow.session, period, after)
            if waiting:
                s = uow.session
                replies = await _replies(s, services, period, versions, waiting)
                messages = _reminders(services.config, period, replies, fell_due, now)
                queued += await enqueue(s, services, now, messages)
                await uow.commit()
        if len(waiting) < CHUNK:
            return queued
        after = waiting[-1][0]


async def _waiting(
    s: AsyncSession, period: SelfCheckPeriod, after: int
) -> list[tuple[int, int, int | None, int | None]]:
    """The next `CHUNK` active members after id `after` who have not sent this period's
    self-check: (member, cell, their self-check or None, its form version)."""
    rows = await s.execute(
        select(Member.id, Member.cell_id, SelfCheck.id, SelfCheck.form_version)
        .outerjoin(
            SelfCheck, and_(SelfCheck.member_id == Member.id, SelfCheck.period_id == period.id)
        )
        .where(
            Member.status == MemberStatus.ACTIVE,
            Member.id > after,
            or_(SelfCheck.id.is_(None), SelfCheck.status != SelfCheckStatus.SUBMITTED),
        )
        .order_by(Member.id)
        .limit(CHUNK)
    )
    return [(m, cell, check, version) for m, cell, check, version in rows]


async def _replies(
    s: AsyncSession,
    services: Services,
    period: SelfCheckPeriod,
    versions: _Versions,
    waiting: list[tuple[int, int, int | None, int | None]],
) -> list[tuple[int, Reply]]:
    """Each waiting member's reminder text, saying how far they got: (member, reply)."""
    roles = await _roles(s, [member_id for member_id, *_ in waiting])
    answered = await _answered(s, [check for _, _, check, _ in waiting if check is not None])
    replies = []
    for member_id, cell_id, check_id, version in waiting:
        form, questions = _questions(
            services.config,
            period.form_name,
            version if version is not None else versions.of(cell_id),
            roles.get(member_id, []),
        )
        done = answered.get(check_id, set()) if check_id is not None else set()
        replies.append((member_id, reminder_reply(period, form, questions, done)))
    return replies


def _reminders(
    config: CoreConfig,
    period: SelfCheckPeriod,
    replies: list[tuple[int, Reply]],
    fell_due: list[int],
    now: datetime,
) -> list[Message]:
    """`fell_due` is in ascending order: the last one is the freshest and is sent."""
    times = reminder_times(period, config)
    closes, freshest = _closes(period, config), fell_due[-1]
    return [
        Message(
            key=f"sc:rem:{period.id}:{member_id}:{n}",
            kind="selfcheck_reminder",
            reply=reply,
            member_id=member_id,
            not_before=_not_before(max(times[n], now), config),
            # Older reminders that fell due together with a fresher one are stale.
            expires_at=closes if n == freshest else times[n],
        )
        for member_id, reply in replies
        for n in fell_due
    ]


def _form(config: CoreConfig, name: str, version: int) -> Form:
    """The version a member answers; the newest when that version is no longer configured."""
    form = config.forms.get((name, version)) or newest(config.forms, name)
    assert form is not None  # the period's form is active
    return form


async def _answered(s: AsyncSession, check_ids: Sequence[int]) -> dict[int, set[str]]:
    """Question ids answered so far, by self-check (a chunk's unsent ones only: at most
    CHUNK x questions short rows; which of them count depends on the member's questions)."""
    answered: dict[int, set[str]] = defaultdict(set)
    if not check_ids:
        return answered
    rows = await s.execute(
        select(SelfCheckAnswer.selfcheck_id, SelfCheckAnswer.question_id).where(
            SelfCheckAnswer.selfcheck_id.in_(check_ids)
        )
    )
    for check_id, question_id in rows:
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
