"""`/nhacnho`: the secretary or deputy reminds only the members who have not finished the open
self-check or not answered the next meeting, after confirming how many.

Each member gets one message listing what is left, with the buttons that do it (the
self-check's, the meeting's «Tôi sẽ dự» / «Xin vắng»), through the outbox keyed
`nudge:<member>:<local yyyymmdd>`: at most one nudge per member per local day, however many
times the leaders press; the leader who presses is not nudged. The confirm button carries
that day, so yesterday's button sends nothing today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import CoreConfig, Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.messages import Button, Incoming, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.policy import Action
from core.reminders import RSVP
from core.roster_queries import cell_name
from core.selfcheck_render import BEGIN
from core.status import local_today, open_periods, reachable, takes_place
from core.texts import t, when_text
from db.models import (
    Meeting,
    Member,
    MemberStatus,
    Outbox,
    Rsvp,
    SelfCheck,
    SelfCheckPeriod,
    SelfCheckStatus,
)

PREFIX = "nhn"  # nhn:a (ask again) | nhn:y:<yyyymmdd> (send) | nhn:n (do not send)
KIND = "nudge"


@dataclass(frozen=True, slots=True)
class Plan:
    """Who would be nudged now, and why: counts only (the message itself is per member)."""

    day: str  # local yyyymmdd: the confirm button is valid that day only
    periods: list[SelfCheckPeriod]
    meeting: Meeting | None
    selfcheck: int  # members to nudge about the self-check
    rsvp: int  # members to nudge about the meeting
    members: int  # distinct members to nudge
    already: int  # needed a nudge, but were nudged today
    unreachable: int  # needed a nudge, but the bot cannot reach them
    to_send: dict[int, tuple[list[int], bool]] = field(default_factory=dict)
    # member → (periods not done, meeting not answered)


@dataclass(frozen=True, slots=True)
class Sent:
    sent: int
    already: int


def day_of(config: CoreConfig, now: datetime) -> str:
    return local_today(config, now).strftime("%Y%m%d")


def key_of(member_id: int, day: str) -> str:
    return f"nudge:{member_id}:{day}"


async def _next_meeting(s: AsyncSession, cell_id: int, now: datetime) -> Meeting | None:
    return await s.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == cell_id,
            takes_place(),
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )


async def plan(
    s: AsyncSession, config: CoreConfig, now: datetime, cell_id: int, leader: int | None = None
) -> Plan:
    """A fixed handful of queries, whatever the cell's size. The `leader` who nudges is not
    nudged by their own press."""
    day = day_of(config, now)
    periods = await open_periods(s, config, local_today(config, now))
    meeting = await _next_meeting(s, cell_id, now)
    mine = (
        Member.cell_id == cell_id,
        Member.status == MemberStatus.ACTIVE,
        Member.id != (leader or 0),
    )
    need: dict[int, tuple[list[int], bool]] = {}
    for period in periods:
        sent = select(SelfCheck.member_id).where(
            SelfCheck.cell_id == cell_id,
            SelfCheck.period_id == period.id,
            SelfCheck.status == SelfCheckStatus.SUBMITTED,
        )
        for member_id in await s.scalars(select(Member.id).where(*mine, Member.id.not_in(sent))):
            need.setdefault(member_id, ([], False))[0].append(period.id)
    if meeting is not None:
        answered = select(Rsvp.member_id).where(Rsvp.meeting_id == meeting.id)
        for member_id in await s.scalars(
            select(Member.id).where(*mine, Member.id.not_in(answered))
        ):
            need[member_id] = (need.get(member_id, ([], False))[0], True)
    can_reach = set(await s.scalars(select(Member.id).where(*mine, reachable())))
    done: set[str] = set()
    if need:
        keys = [key_of(m, day) for m in need]
        done = set(await s.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(keys))))
    already = {m for m in need if key_of(m, day) in done}
    unreachable = {m for m in need if m not in can_reach} - already
    to_send = {m: need[m] for m in sorted(need) if m not in already and m not in unreachable}
    return Plan(
        day=day,
        periods=periods,
        meeting=meeting,
        selfcheck=sum(1 for periods_, _ in to_send.values() if periods_),
        rsvp=sum(1 for _, rsvp in to_send.values() if rsvp),
        members=len(to_send),
        already=len(already),
        unreachable=len(unreachable),
        to_send=to_send,
    )


async def _leader(services: Services, s: AsyncSession, who: Incoming) -> tuple[int, int | None]:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    cell_id = require_member(actor)
    await require(s, actor, Action.NUDGE, cell_id)
    return cell_id, actor.member_id


async def ask(services: Services, who: Incoming) -> Plan:
    """How many would be nudged; nothing is sent before the leader confirms."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell_id, leader = await _leader(services, s, who)
        return await plan(s, services.config, services.clock.now(), cell_id, leader)


def _closes(period: SelfCheckPeriod, config: CoreConfig) -> datetime:
    midnight = datetime.combine(period.ends_on + timedelta(days=1), time(0))
    return midnight.replace(tzinfo=config.timezone).astimezone(UTC)


def nudge_reply(
    config: CoreConfig,
    cell: str,
    periods: Sequence[SelfCheckPeriod],
    meeting: Meeting | None,
) -> Reply:
    """One member's nudge: what is left for them, each with the button that does it."""
    lines = [t("nudge_title", cell=cell)]
    rows: list[list[Button]] = []
    for p in periods:
        until = p.ends_on.strftime("%d/%m/%Y")
        lines.append(t("nudge_selfcheck", label=p.label, until=until))
        rows.append([Button(t("nudge_btn_selfcheck", label=p.label), encode(BEGIN, p.id))])
    if meeting is not None:
        kind = t(f"meeting_kind_{meeting.kind.value}")
        when = when_text(meeting.starts_at, config.timezone)
        lines.append(t("nudge_rsvp", kind=kind, when=when))
        rows.append(
            [
                Button(t("btn_will_attend"), encode(RSVP, "y", meeting.id)),
                Button(t("btn_ask_leave"), encode(RSVP, "n", meeting.id)),
            ]
        )
    lines.append(t("nudge_thanks"))
    return Reply("\n".join(lines), buttons(*rows))


def _messages(config: CoreConfig, now: datetime, cell: str, found: Plan) -> list[Message]:
    by_id = {p.id: p for p in found.periods}
    messages = []
    for member_id, (period_ids, rsvp) in found.to_send.items():
        periods = [by_id[i] for i in period_ids]
        meeting = found.meeting if rsvp else None
        ends = [_closes(p, config) for p in periods]
        ends += [meeting.starts_at] if meeting is not None else []
        messages.append(
            Message(
                key=key_of(member_id, found.day),
                kind=KIND,
                reply=nudge_reply(config, cell, periods, meeting),
                member_id=member_id,
                not_before=now,
                expires_at=max(ends),
            )
        )
    return messages


async def send(services: Services, who: Incoming, day: str) -> Sent:
    """«Gửi nhắc»: queue the nudges of today's plan (worked out again now) and audit it."""
    now = services.clock.now()
    config = services.config
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell_id, actor_id = await _leader(services, s, who)
        if day != day_of(config, now):
            raise Refused("nudge_stale")
        found = await plan(s, config, now, cell_id, actor_id)
        messages = _messages(config, now, await cell_name(s, cell_id), found)
        sent = await enqueue(s, services, now, messages)
        if sent:
            audit.record(
                s,
                now,
                "nudge_sent",
                actor_id=actor_id,
                unit_id=cell_id,
                members=sent,
                selfcheck=found.selfcheck,
                rsvp=found.rsvp,
                already=found.already,
            )
        await uow.commit()
        return Sent(sent, found.already + (found.members - sent))
