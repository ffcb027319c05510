"""Members answering a meeting reminder: will attend, or ask to be excused (with a reason)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import conversation
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require_member
from core.messages import Address, Incoming
from core.roster_queries import leader_addresses
from db.models import AbsenceReason, Meeting, MeetingKind, MeetingStatus, Rsvp, RsvpAnswer

FLOW = "rsvp"
NOTE_MAX, OPINION_MAX = 1000, 2000


@dataclass(frozen=True, slots=True)
class MeetingRef:
    id: int
    kind: MeetingKind
    starts_at: datetime


class Typed(enum.StrEnum):
    REASON = "reason"
    OPINION = "opinion"


@dataclass(frozen=True, slots=True)
class Saved:
    """What a typed text completed, and (for an opinion) whom to tell."""

    meeting: MeetingRef
    step: Typed
    member_name: str = ""
    leaders: tuple[Address, ...] = ()


async def _open_meeting(
    services: Services, s: AsyncSession, who: Incoming, meeting_id: int
) -> tuple[int, str, Meeting]:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    cell_id = require_member(actor)
    meeting = await s.get(Meeting, meeting_id)
    if meeting is None or meeting.cell_id != cell_id:
        raise Refused("meeting_unknown")
    if meeting.status is MeetingStatus.CANCELLED:
        raise Refused("meeting_cancelled")
    if meeting.starts_at <= services.clock.now():
        raise Refused("rsvp_too_late")
    assert actor.member_id is not None
    return actor.member_id, actor.full_name, meeting


async def _upsert(s: AsyncSession, meeting_id: int, member_id: int, now: datetime) -> Rsvp:
    row = await s.scalar(
        select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.member_id == member_id)
    )
    if row is None:
        row = Rsvp(meeting_id=meeting_id, member_id=member_id, answered_at=now)
        s.add(row)
    row.answered_at = now
    return row


async def answer(services: Services, who: Incoming, meeting_id: int, attend: bool) -> MeetingRef:
    """ "Tôi sẽ dự" or "Xin vắng"; a member may change their mind until the meeting starts."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member_id, _, meeting = await _open_meeting(services, s, who, meeting_id)
        row = await _upsert(s, meeting.id, member_id, now)
        row.answer = RsvpAnswer.ATTEND if attend else RsvpAnswer.EXCUSED
        if attend:
            row.reason = row.note = None
        # A reason or opinion that was being typed belongs to the old answer.
        await conversation.leave(s, member_id, who.channel)
        await uow.commit()
        return MeetingRef(meeting.id, meeting.kind, meeting.starts_at)


async def give_reason(
    services: Services, who: Incoming, meeting_id: int, reason: AbsenceReason
) -> MeetingRef:
    """The reason button; "other" then waits for the member to type it."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member_id, _, meeting = await _open_meeting(services, s, who, meeting_id)
        row = await _upsert(s, meeting.id, member_id, now)
        row.answer, row.reason = RsvpAnswer.EXCUSED, reason
        if reason is AbsenceReason.OTHER:
            state = conversation.State(FLOW, Typed.REASON, {"meeting": meeting.id})
            await conversation.enter(s, now, member_id, who.channel, state)
        else:
            await conversation.leave(s, member_id, who.channel)
        await uow.commit()
        return MeetingRef(meeting.id, meeting.kind, meeting.starts_at)


async def ask_opinion(services: Services, who: Incoming, meeting_id: int) -> MeetingRef:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member_id, _, meeting = await _open_meeting(services, s, who, meeting_id)
        state = conversation.State(FLOW, Typed.OPINION, {"meeting": meeting.id})
        await conversation.enter(s, now, member_id, who.channel, state)
        await uow.commit()
        return MeetingRef(meeting.id, meeting.kind, meeting.starts_at)


async def typed(services: Services, who: Incoming, text: str) -> Saved:
    """Free text while the rsvp flow waits: the reason in one's own words, or an opinion."""
    now = services.clock.now()
    body = " ".join(text.split())
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        state = await conversation.current(s, actor.member_id or 0, who.channel)
        if state is None or state.flow != FLOW:
            raise Refused("nothing_to_continue")
        step = Typed(state.step)
        limit = NOTE_MAX if step is Typed.REASON else OPINION_MAX
        if not body:
            raise Refused("nothing_to_continue")
        if len(body) > limit:
            raise Refused("text_too_long", limit=limit)
        member_id, name, meeting = await _open_meeting(
            services, s, who, int(state.data["meeting"])
        )
        row = await _upsert(s, meeting.id, member_id, now)
        if step is Typed.REASON:
            row.answer, row.note = RsvpAnswer.EXCUSED, body
            row.reason = row.reason or AbsenceReason.OTHER
        else:
            row.opinion = body
            if row.answer is None:
                row.answer = RsvpAnswer.EXCUSED
        await conversation.leave(s, member_id, who.channel)
        leaders = await leader_addresses(s, meeting.cell_id) if step is Typed.OPINION else []
        await uow.commit()
        ref = MeetingRef(meeting.id, meeting.kind, meeting.starts_at)
        return Saved(ref, step, name, tuple(a for a in leaders if a.chat_id != who.chat_id))
