"""Meetings of a cell: one-off or from a rule, listed, rescheduled and cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member, unit_path
from core.messages import Incoming, Reply
from core.outbox import Message, enqueue
from core.policy import Action, Actor, allows
from core.recurrence import Rule, occurrences
from core.texts import t, when_text
from db.models import (
    Meeting,
    MeetingKind,
    MeetingRule,
    MeetingStatus,
    Outbox,
    OutboxStatus,
    Rsvp,
    RsvpAnswer,
    SkipDate,
)

DEFAULT_MINUTES = {MeetingKind.REGULAR: 90, MeetingKind.THEMATIC: 120}
HORIZON = timedelta(days=45)  # how far ahead rule occurrences become meetings
IN_PROGRESS = timedelta(hours=3)  # a meeting this recently started is still listed


@dataclass(frozen=True, slots=True)
class Draft:
    """What the secretary chose in /taohop; `starts_at` is aware, `rule` set for repeats."""

    kind: MeetingKind
    place: str
    agenda: str
    starts_at: datetime | None = None
    rule: Rule | None = None
    duration_minutes: int | None = None
    document_url: str | None = None

    @property
    def minutes(self) -> int:
        return self.duration_minutes or DEFAULT_MINUTES.get(self.kind, 90)


@dataclass(frozen=True, slots=True)
class MeetingView:
    id: int
    kind: MeetingKind
    starts_at: datetime
    place: str
    agenda: str
    my_answer: RsvpAnswer | None = None
    counts: dict[str, int] = field(default_factory=dict)  # for leaders: answers, delivery
    repeats: bool = False  # made from a rule


async def _leader_actor(services: Services, s: AsyncSession, who: Incoming) -> Actor:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    await require(s, actor, Action.MANAGE_MEETINGS, require_member(actor))
    return actor


async def create(services: Services, who: Incoming, draft: Draft) -> MeetingView:
    """Schedule one meeting, or save a rule and make its first occurrences."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _leader_actor(services, s, who)
        cell_id = actor.cell_id or 0
        if draft.rule is not None:
            rule = MeetingRule(
                cell_id=cell_id,
                kind=draft.kind,
                rule=draft.rule.to_json(),
                duration_minutes=draft.minutes,
                place=draft.place,
                agenda=draft.agenda,
                active=True,
                created_by_id=actor.member_id,
                created_at=now,
            )
            s.add(rule)
            await s.flush()
            await _materialize_rule(s, services, rule, now)
            first = await s.scalar(
                select(Meeting).where(Meeting.rule_id == rule.id).order_by(Meeting.starts_at)
            )
            if first is None:
                raise Refused("rule_no_occurrence")
            meeting = first
        else:
            assert draft.starts_at is not None
            if draft.starts_at <= now:
                raise Refused("meeting_in_past")
            meeting = _new_meeting(cell_id, draft, draft.starts_at.astimezone(UTC), now)
            meeting.created_by_id = actor.member_id
            s.add(meeting)
            await s.flush()
        audit.record(s, now, "meeting_created", actor_id=actor.member_id, unit_id=cell_id)
        await uow.commit()
        return _view(meeting)


def _new_meeting(cell_id: int, draft: Draft, starts_at: datetime, now: datetime) -> Meeting:
    return Meeting(
        cell_id=cell_id,
        kind=draft.kind,
        status=MeetingStatus.SCHEDULED,
        starts_at=starts_at,
        duration_minutes=draft.minutes,
        place=draft.place,
        agenda=draft.agenda,
        document_url=draft.document_url,
        version=1,
        created_at=now,
        updated_at=now,
    )


def _view(m: Meeting, answer: RsvpAnswer | None = None, **counts: int) -> MeetingView:
    return MeetingView(
        m.id, m.kind, m.starts_at, m.place, m.agenda, answer, dict(counts), m.rule_id is not None
    )


async def skip_dates(s: AsyncSession, cell_id: int) -> set[date]:
    rows = await s.scalars(
        select(SkipDate.on).where((SkipDate.cell_id == cell_id) | SkipDate.cell_id.is_(None))
    )
    return set(rows)


async def _materialize_rule(
    s: AsyncSession, services: Services, rule: MeetingRule, now: datetime
) -> int:
    """Turn the rule's occurrences within the horizon into meetings (idempotent)."""
    tz = services.config.timezone
    today = now.astimezone(tz).date()
    parsed = Rule.from_json(rule.rule)
    found = occurrences(
        parsed, start=today, end=today + HORIZON, skip=await skip_dates(s, rule.cell_id)
    )
    rows = []
    for occ in found:
        starts = datetime.combine(occ.on, occ.at, tzinfo=tz).astimezone(UTC)
        if starts <= now:
            continue
        rows.append(
            {
                "cell_id": rule.cell_id,
                "rule_id": rule.id,
                "planned_on": occ.planned,
                "kind": rule.kind,
                "status": MeetingStatus.SCHEDULED,
                "starts_at": starts,
                "duration_minutes": rule.duration_minutes,
                "place": rule.place,
                "agenda": rule.agenda,
                "version": 1,
                "created_by_id": rule.created_by_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not rows:
        return 0
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Meeting).on_conflict_do_nothing(index_elements=["rule_id", "planned_on"])
    result = await s.execute(statement.returning(Meeting.id), rows)
    return len(result.all())


async def materialize_all(services: Services) -> int:
    """The tick's first step: every active rule's coming meetings exist as rows."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        active = select(MeetingRule).where(MeetingRule.active).order_by(MeetingRule.id)
        rules = list(await uow.session.scalars(active))
        made = 0
        for rule in rules:
            made += await _materialize_rule(uow.session, services, rule, now)
        await uow.commit()
        return made


async def upcoming(services: Services, who: Incoming, limit: int = 5) -> list[MeetingView]:
    """`/lichhop`: the cell's next meetings, with my answer (and counts for leaders)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        meetings = list(
            await s.scalars(
                select(Meeting)
                .where(
                    Meeting.cell_id == cell_id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.starts_at > now - IN_PROGRESS,
                )
                .order_by(Meeting.starts_at)
                .limit(limit)
            )
        )
        answers = await _answers(s, [m.id for m in meetings], actor.member_id or 0)
        leader = await _is_leader(s, actor, cell_id)
        views = []
        for m in meetings:
            counts = await meeting_counts(s, m.id) if leader else {}
            views.append(_view(m, answers.get(m.id), **counts))
        return views


async def _answers(
    s: AsyncSession, meeting_ids: list[int], member_id: int
) -> dict[int, RsvpAnswer]:
    if not meeting_ids:
        return {}
    rows = await s.execute(
        select(Rsvp.meeting_id, Rsvp.answer).where(
            Rsvp.meeting_id.in_(meeting_ids), Rsvp.member_id == member_id
        )
    )
    return {meeting: answer for meeting, answer in rows}


async def _is_leader(s: AsyncSession, actor: Actor, cell_id: int) -> bool:
    return allows(actor, Action.MANAGE_MEETINGS, await unit_path(s, cell_id))


async def meeting_counts(s: AsyncSession, meeting_id: int) -> dict[str, int]:
    """Answers and reminder delivery for one meeting, for the secretary."""
    answer_rows = await s.execute(
        select(Rsvp.answer, func.count())
        .where(Rsvp.meeting_id == meeting_id)
        .group_by(Rsvp.answer)
    )
    answers = {answer: n for answer, n in answer_rows}
    delivery_rows = await s.execute(
        select(Outbox.status, func.count(func.distinct(Outbox.member_id)))
        .where(Outbox.meeting_id == meeting_id, Outbox.kind == "reminder")
        .group_by(Outbox.status)
    )
    delivery = {status: n for status, n in delivery_rows}
    return {
        "attend": answers.get(RsvpAnswer.ATTEND, 0),
        "excused": answers.get(RsvpAnswer.EXCUSED, 0),
        "reminded": delivery.get(OutboxStatus.SENT, 0),
        "unreachable": delivery.get(OutboxStatus.UNREACHABLE, 0),
        "failed": delivery.get(OutboxStatus.FAILED, 0),
    }


async def skip_pending_reminders(s: AsyncSession, meeting_id: int, now: datetime) -> None:
    await s.execute(
        update(Outbox)
        .where(
            Outbox.meeting_id == meeting_id,
            Outbox.kind == "reminder",
            Outbox.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.SKIPPED, last_error="superseded", done_at=now)
    )


@dataclass(frozen=True, slots=True)
class Changed:
    """A rescheduled or cancelled meeting, and who had already been reminded of it."""

    meeting: MeetingView
    reminded: list[int]


async def _own_meeting(
    services: Services, s: AsyncSession, who: Incoming, meeting_id: int
) -> tuple[Actor, Meeting]:
    actor = await _leader_actor(services, s, who)
    meeting = await s.get(Meeting, meeting_id)
    if meeting is None or meeting.cell_id != actor.cell_id:
        raise Refused("meeting_unknown")
    if meeting.status is MeetingStatus.CANCELLED:
        raise Refused("meeting_cancelled")
    return actor, meeting


async def _reminded(s: AsyncSession, meeting_id: int) -> list[int]:
    rows = await s.scalars(
        select(Outbox.member_id)
        .where(
            Outbox.meeting_id == meeting_id,
            Outbox.kind == "reminder",
            # A reminder being sent right now counts: it will arrive with the old details.
            Outbox.status.in_((OutboxStatus.SENT, OutboxStatus.SENDING)),
            Outbox.member_id.is_not(None),
        )
        .distinct()
    )
    return sorted(m for m in rows if m is not None)


async def reschedule(
    services: Services, who: Incoming, meeting_id: int, starts_at: datetime
) -> Changed:
    """Move a meeting: reminders start again for the new time; the reminded are told."""
    now = services.clock.now()
    if starts_at <= now:
        raise Refused("meeting_in_past")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, meeting = await _own_meeting(services, s, who, meeting_id)
        reminded = await _reminded(s, meeting.id)
        await skip_pending_reminders(s, meeting.id, now)
        meeting.starts_at, meeting.updated_at = starts_at.astimezone(UTC), now
        meeting.version += 1
        text = t(
            "meeting_moved_notice",
            kind=t(f"meeting_kind_{meeting.kind.value}"),
            when=when_text(meeting.starts_at, services.config.timezone),
            place=meeting.place,
        )
        await _tell(s, services, now, reminded, f"moved:{meeting.id}:v{meeting.version}", text)
        audit.record(s, now, "meeting_moved", actor_id=actor.member_id, unit_id=meeting.cell_id)
        await uow.commit()
        return Changed(_view(meeting), reminded)


async def cancel(services: Services, who: Incoming, meeting_id: int) -> Changed:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, meeting = await _own_meeting(services, s, who, meeting_id)
        if meeting.starts_at <= now:
            raise Refused("meeting_started")
        reminded = await _cancel_one(s, services, now, meeting)
        audit.record(
            s, now, "meeting_cancelled", actor_id=actor.member_id, unit_id=meeting.cell_id
        )
        await uow.commit()
        return Changed(_view(meeting), reminded)


async def _cancel_one(
    s: AsyncSession, services: Services, now: datetime, meeting: Meeting
) -> list[int]:
    """Cancel one meeting: no more reminders, and the members already reminded are told."""
    reminded = await _reminded(s, meeting.id)
    await skip_pending_reminders(s, meeting.id, now)
    meeting.status, meeting.updated_at = MeetingStatus.CANCELLED, now
    text = t(
        "meeting_cancelled_notice",
        kind=t(f"meeting_kind_{meeting.kind.value}"),
        when=when_text(meeting.starts_at, services.config.timezone),
    )
    await _tell(s, services, now, reminded, f"cancelled:{meeting.id}", text)
    return reminded


async def _tell(
    s: AsyncSession,
    services: Services,
    now: datetime,
    members: list[int],
    key: str,
    text: str,
) -> None:
    """A short notice to everyone who had been reminded of the meeting."""
    messages = [
        Message(key=f"{key}:{m}", kind="notice", reply=Reply(text), member_id=m, not_before=now)
        for m in members
    ]
    await enqueue(s, services, now, messages)


async def view_of(services: Services, who: Incoming, meeting_id: int) -> MeetingView:
    """One meeting of the leader's own cell (for confirmations)."""
    async with services.db.unit_of_work() as uow:
        _, meeting = await _own_meeting(services, uow.session, who, meeting_id)
        return _view(meeting)


async def is_leader(services: Services, who: Incoming) -> bool:
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        if actor.cell_id is None:
            return False
        return await _is_leader(uow.session, actor, actor.cell_id)


EDITABLE = {"place": 200, "agenda": 2000, "document_url": 500}


async def edit(
    services: Services, who: Incoming, meeting_id: int, field_name: str, value: str
) -> Changed:
    """Change the place or the agenda; the members already reminded are told."""
    now = services.clock.now()
    if field_name not in EDITABLE:
        raise Refused("stale_button")
    text = " ".join(value.split())
    if not text:
        raise Refused("nothing_to_continue")
    if len(text) > EDITABLE[field_name]:
        raise Refused("text_too_long", limit=EDITABLE[field_name])
    if field_name == "document_url" and not text.startswith(("https://", "http://")):
        raise Refused("document_url_invalid")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, meeting = await _own_meeting(services, s, who, meeting_id)
        if meeting.starts_at <= now:
            raise Refused("meeting_started")
        setattr(meeting, field_name, text)
        meeting.updated_at = now
        reminded = await _reminded(s, meeting.id)
        notice = t(
            "meeting_edited_notice",
            kind=t(f"meeting_kind_{meeting.kind.value}"),
            when=when_text(meeting.starts_at, services.config.timezone),
            place=meeting.place,
            agenda=meeting.agenda or "-",
        )
        stamp = int(now.timestamp())
        await _tell(s, services, now, reminded, f"edited:{meeting.id}:{stamp}", notice)
        audit.record(s, now, "meeting_edited", actor_id=actor.member_id, unit_id=meeting.cell_id)
        await uow.commit()
        return Changed(_view(meeting), reminded)


async def stop_rule(services: Services, who: Incoming, meeting_id: int) -> int:
    """Stop a repeating meeting from this occurrence on: the rule ends, this and the later
    meetings it made are cancelled (the reminded are told); returns how many were cancelled."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, meeting = await _own_meeting(services, s, who, meeting_id)
        rule = await s.get(MeetingRule, meeting.rule_id) if meeting.rule_id else None
        if rule is None:
            raise Refused("meeting_not_repeating")
        rule.active = False
        later = list(
            await s.scalars(
                select(Meeting).where(
                    Meeting.rule_id == rule.id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.starts_at >= max(meeting.starts_at, now),
                )
            )
        )
        for m in later:
            await _cancel_one(s, services, now, m)
        audit.record(s, now, "rule_stopped", actor_id=actor.member_id, unit_id=rule.cell_id)
        await uow.commit()
        return len(later)
