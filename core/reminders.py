"""The reminder tick: which reminders are due now, as outbox rows (inserting twice is a no-op).

Each (meeting, member, offset) is one row keyed `rem:<meeting>:v<version>:<member>:<offset>`.
A tick looks at the offsets that fell due since the previous tick (all of them after a
restart, however long the bot was down). When several fell due for the same member, only the
latest is sent; the older ones are stored as skipped, so they are counted and never sent late.
The same holds across ticks: a reminder still waiting (for the end of quiet hours, or a retry)
when a fresher one for the same meeting and member is queued is superseded (skipped), so a
night's reminders are not all sent together at 06:30. A reminder is never sent after its
meeting has started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import capacity, meetings
from core.context import Services
from core.messages import Button, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.texts import t, when_text
from db.models import (
    CellSettings,
    ChannelAccount,
    JobState,
    Meeting,
    MeetingStatus,
    Member,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Rsvp,
    RsvpAnswer,
)

TICK = "reminders"
KIND = "reminder"  # the outbox kind of a meeting reminder
MATERIALIZE = "materialize"
MATERIALIZE_EVERY = timedelta(hours=1)
RSVP = "rsvp"  # rsvp:y:<meeting> / rsvp:n:<meeting>
CLOCK_SLACK = timedelta(minutes=5)
_FOREVER = timedelta(days=3650)


@dataclass(frozen=True, slots=True)
class TickResult:
    meetings_made: int
    queued: int


async def tick(services: Services) -> TickResult:
    """Make coming meetings from rules (hourly), then queue every reminder that fell due."""
    made = await _materialize_hourly(services)
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        state = await s.get(JobState, TICK)
        longest = timedelta(minutes=max(services.config.reminder_offsets, default=0))
        since = (state.last_run_at - CLOCK_SLACK) if state else now - longest
        messages = await due_messages(s, services, since, now)
        queued = await enqueue(s, services, now, messages)
        if queued:
            await _supersede(s, now)
        await capacity.check_reminders(s, services, now, messages)
        await _touch(s, TICK, now)
        await uow.commit()
    return TickResult(made, queued)


async def _supersede(s: AsyncSession, now: datetime) -> int:
    """Skip the reminders queued by earlier ticks and still waiting, for a meeting and member
    that this tick has just queued a fresher (pending) reminder for. One statement."""
    fresher = aliased(Outbox)
    newer = (
        select(fresher.id)
        .where(
            fresher.kind == KIND,
            fresher.meeting_id == Outbox.meeting_id,
            fresher.member_id == Outbox.member_id,
            fresher.status == OutboxStatus.PENDING,
            fresher.created_at == now,
        )
        .exists()
    )
    result = await s.execute(
        update(Outbox)
        .where(
            Outbox.kind == KIND,
            Outbox.status == OutboxStatus.PENDING,
            Outbox.created_at < now,
            newer,
        )
        .values(status=OutboxStatus.SKIPPED, last_error="superseded", done_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _materialize_hourly(services: Services) -> int:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        state = await uow.session.get(JobState, MATERIALIZE)
        if state is not None and now - state.last_run_at < MATERIALIZE_EVERY:
            return 0
    made = await meetings.materialize_all(services)
    async with services.db.unit_of_work() as uow:
        await _touch(uow.session, MATERIALIZE, now)
        await uow.commit()
    return made


async def _touch(s: AsyncSession, name: str, now: datetime) -> None:
    """Record a job's run; an upsert, so two processes starting together both succeed."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(JobState).values(name=name, last_run_at=now)
    await s.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"last_run_at": now})
    )


async def due_messages(
    s: AsyncSession, services: Services, since: datetime, now: datetime
) -> list[Message]:
    offsets_by_cell = await _offsets(s)
    every = [o for v in offsets_by_cell.values() for o in v]
    every += list(services.config.reminder_offsets)
    horizon = now + timedelta(minutes=max(every, default=0))
    upcoming = list(
        await s.scalars(
            select(Meeting)
            .where(
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > now,
                Meeting.starts_at <= horizon,
            )
            # One order in every process: two ticks inserting the same keys at once lock
            # them in the same order (no deadlock on PostgreSQL).
            .order_by(Meeting.id)
        )
    )
    messages: list[Message] = []
    for meeting in upcoming:
        offsets = offsets_by_cell.get(meeting.cell_id, services.config.reminder_offsets)
        # A meeting made or moved since the last tick may already be past some offsets
        # (scheduled at short notice): it catches up like after downtime.
        start = since if meeting.updated_at <= since else meeting.starts_at - _FOREVER
        fell_due = sorted(
            (o for o in offsets if start < meeting.starts_at - timedelta(minutes=o) <= now),
            reverse=True,
        )
        if fell_due:
            messages += await _for_meeting(s, services, meeting, fell_due, max(offsets))
    return messages


async def _offsets(s: AsyncSession) -> dict[int, tuple[int, ...]]:
    rows = await s.scalars(select(CellSettings))
    return {r.cell_id: tuple(r.reminder_offsets) for r in rows}


async def _for_meeting(
    s: AsyncSession, services: Services, meeting: Meeting, fell_due: list[int], longest: int
) -> list[Message]:
    """`fell_due` is sorted longest first: the last one is the freshest and is sent. The
    agenda goes with the first reminder a member actually gets."""
    members = await _recipients(s, meeting)
    messages: list[Message] = []
    freshest = fell_due[-1]
    for member_id in members:
        for offset in fell_due:
            first = offset == longest or (offset == freshest and len(fell_due) > 1)
            reply = reminder_reply(services, meeting, offset, first=first)
            due = meeting.starts_at - timedelta(minutes=offset)
            messages.append(
                Message(
                    key=f"rem:{meeting.id}:v{meeting.version}:{member_id}:{offset}",
                    kind=KIND,
                    reply=reply,
                    member_id=member_id,
                    meeting_id=meeting.id,
                    not_before=due,
                    # Older reminders that fell due together with a fresher one are stale.
                    expires_at=meeting.starts_at if offset == freshest else due,
                )
            )
    return messages


async def _recipients(s: AsyncSession, meeting: Meeting) -> list[int]:
    """Active members of the cell with a linked account who have not asked to be excused."""
    excused = select(Rsvp.member_id).where(
        Rsvp.meeting_id == meeting.id, Rsvp.answer == RsvpAnswer.EXCUSED
    )
    rows = await s.scalars(
        select(Member.id)
        .where(
            Member.cell_id == meeting.cell_id,
            Member.status == MemberStatus.ACTIVE,
            Member.id.in_(select(ChannelAccount.member_id)),
            Member.id.not_in(excused),
        )
        .order_by(Member.id)
    )
    return list(rows)


def reminder_reply(services: Services, meeting: Meeting, offset: int, *, first: bool) -> Reply:
    tz = services.config.timezone
    lines = [
        t(
            "reminder_title",
            kind=t(f"meeting_kind_{meeting.kind.value}"),
            soon=t(soon_key(offset), n=_soon_n(offset)),
        ),
        t("meeting_when", when=when_text(meeting.starts_at, tz)),
        t("meeting_place", place=meeting.place),
    ]
    if first and meeting.agenda:
        lines.append(t("meeting_agenda", agenda=meeting.agenda))
    if meeting.document_url:
        lines.append(t("meeting_documents", url=meeting.document_url))
    lines.append(t("reminder_ask"))
    return Reply(
        "\n".join(lines),
        buttons(
            [
                Button(t("btn_will_attend"), encode(RSVP, "y", meeting.id)),
                Button(t("btn_ask_leave"), encode(RSVP, "n", meeting.id)),
            ]
        ),
    )


def soon_key(offset: int) -> str:
    if offset >= 24 * 60 and offset % (24 * 60) == 0:
        return "soon_days" if offset > 24 * 60 else "soon_tomorrow"
    if offset >= 60:
        return "soon_hours"
    return "soon_minutes"


def _soon_n(offset: int) -> int:
    if offset >= 24 * 60 and offset % (24 * 60) == 0:
        return offset // (24 * 60)
    return offset // 60 if offset >= 60 else offset
