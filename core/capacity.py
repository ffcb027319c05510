"""Will a fan-out be delivered before its deadline? If not, tell the people who planned it.

The outbox is delivered in order of due time (core/deliveries.py) at a set pace per channel
(`delivery_rate`, and `delivery_rates` for channels such as Zalo). A fan-out due at T is
finished once every pending row due no later than T is sent: its own rows and every row
queued ahead of them. So the estimate is one grouped COUNT of those rows by the channel they
will go to (a row's fixed chat, else its member's preferred channel), each channel drained at
its own rate, starting at T or now, whichever is later:

    finish = max(now, T) + max over channels (rows on the channel / its rate)

It is run after the fan-out was inserted, in the same transaction (its rows are counted
once, however often the tick runs). A fan-out is late when it would finish in the last tenth
of the time between its start and its deadline (`MARGIN_SHARE`). Then its planners get one
warning, keyed by the fan-out, so a second tick or a second process adds nothing. The warning
goes to the head of the queue (its due time is set before every other row's): queued behind
the same backlog it warns about, it would come too late.

Not counted: quiet hours that begin while the queue drains, retries after 429s, rows that
fall due between T and the deadline (they come after the fan-out). With several processes
the configured rate is per process, so the estimate is conservative (docs/CAPACITY.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import CoreConfig, Services
from core.messages import Reply
from core.outbox import Message, enqueue
from core.roster_queries import leader_members
from core.texts import t, when_text
from db.models import (
    ChannelAccount,
    Meeting,
    Member,
    MemberRole,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Role,
)

log = logging.getLogger(__name__)
MARGIN_SHARE = 0.1  # the last message should go in the first 90% of the time available
KIND = "capacity"
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class Estimate:
    """How one fan-out (`own` rows due at `starts`) fares against its deadline."""

    own: int
    ahead: int  # rows due no later than the fan-out that are not its own
    starts: datetime
    finish: datetime
    deadline: datetime

    @property
    def late(self) -> bool:
        margin = max(self.deadline - self.starts, timedelta(0)) * MARGIN_SHARE
        return self.finish > self.deadline - margin

    @property
    def rate(self) -> float:
        """The pace the estimate assumed (messages per second, all channels together)."""
        seconds = (self.finish - self.starts).total_seconds()
        return (self.own + self.ahead) / seconds if seconds > 0 else 0.0


def rate_of(config: CoreConfig, channel: str | None) -> float:
    return config.delivery_rates.get(channel or "", config.delivery_rate)


async def estimate(
    s: AsyncSession,
    config: CoreConfig,
    now: datetime,
    own: int,
    starts: datetime,
    deadline: datetime,
) -> Estimate:
    """The finish of a fan-out of `own` rows, already queued, due at `starts`."""
    # The channel a row goes out on, as core.deliveries.route picks it: the row's own chat,
    # else the member's preferred channel, else their earliest account the bot can reach.
    earliest = (
        select(ChannelAccount.channel)
        .where(ChannelAccount.member_id == Outbox.member_id, ChannelAccount.blocked_at.is_(None))
        .order_by(ChannelAccount.linked_at, ChannelAccount.id)
        .limit(1)
        .correlate(Outbox)
        .scalar_subquery()
    )
    waiting = (
        select(func.coalesce(Outbox.channel, Member.preferred_channel, earliest).label("channel"))
        .select_from(Outbox)
        .outerjoin(Member, Member.id == Outbox.member_id)
        .where(Outbox.status.in_(WAITING), Outbox.next_attempt_at <= starts)
        .subquery()
    )
    rows = await s.execute(select(waiting.c.channel, func.count()).group_by(waiting.c.channel))
    total, seconds = 0, 0.0
    for name, count in rows:
        total += count
        seconds = max(seconds, count / rate_of(config, name))
    begin = max(now, starts)
    finish = begin + timedelta(seconds=seconds)
    return Estimate(own, max(total - own, 0), begin, finish, deadline)


async def check_reminders(
    s: AsyncSession, services: Services, now: datetime, messages: Sequence[Message]
) -> int:
    """After a reminder tick queued `messages`: warn the secretary of each meeting whose
    reminders would come too late. Returns how many warnings were queued."""
    config = services.config
    fanouts: dict[tuple[int, datetime, datetime], int] = defaultdict(int)
    for m in messages:
        # Only the reminders that are sent (an older one caught up is stored as stale).
        if m.meeting_id is None or m.expires_at is None or m.expires_at <= m.not_before:
            continue
        fanouts[(m.meeting_id, m.not_before, m.expires_at)] += 1
    estimates: dict[datetime, Estimate] = {}
    warned = 0
    for (meeting_id, due, deadline), own in sorted(fanouts.items()):
        starts = config.quiet_hours.release(max(due, now), config.timezone)
        found = estimates.get(starts)
        if found is None:  # meetings due at the same moment share one count
            found = estimates[starts] = await estimate(s, config, now, own, starts, deadline)
        found = Estimate(own, found.own + found.ahead - own, found.starts, found.finish, deadline)
        if found.late:
            warned += await _warn_meeting(s, services, now, meeting_id, due, found)
    return warned


async def _warn_meeting(
    s: AsyncSession,
    services: Services,
    now: datetime,
    meeting_id: int,
    due: datetime,
    found: Estimate,
) -> int:
    """One warning per secretary, keyed by the meeting and the reminder's due time (a later
    tick, or another process, finds the same fan-out and adds nothing)."""
    cell_id = await s.scalar(select(Meeting.cell_id).where(Meeting.id == meeting_id))
    if cell_id is None:
        return 0
    tz = services.config.timezone
    reply = Reply(
        t(
            "capacity_reminders_late" if found.ahead else "capacity_reminders_late_alone",
            count=found.own,
            when=when_text(found.deadline, tz),
            ahead=found.ahead,
            rate=max(1, round(found.rate)),
            until=found.finish.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
        )
    )
    stamp = int(due.timestamp())
    recipients = await secretaries(s, cell_id)
    queued = await warn(s, services, now, f"rem:{meeting_id}:{stamp}", recipients, reply)
    if not queued:
        return 0
    log.warning(
        "capacity: meeting reminders will not be delivered in time",
        extra={
            "meeting": meeting_id,
            "rows": found.own,
            "ahead": found.ahead,
            "late_by_s": int((found.finish - found.deadline).total_seconds()),
            "warned": queued,
        },
    )
    return queued


async def secretaries(s: AsyncSession, cell_id: int) -> list[int]:
    """The cell's active secretary; its leaders (deputies) when it has none."""
    found = list(
        await s.scalars(
            select(Member.id)
            .join(MemberRole, MemberRole.member_id == Member.id)
            .where(
                MemberRole.unit_id == cell_id,
                MemberRole.role == Role.SECRETARY,
                Member.status == MemberStatus.ACTIVE,
            )
            .order_by(Member.id)
            .distinct()
        )
    )
    return found or await leader_members(s, cell_id)


async def warn(
    s: AsyncSession,
    services: Services,
    now: datetime,
    fanout: str,
    recipients: Sequence[int],
    reply: Reply,
) -> int:
    """Queue one warning per recipient about `fanout`, at the head of the queue."""
    keys = [f"{KIND}:{fanout}:{member_id}" for member_id in recipients]
    messages = [
        Message(key=key, kind=KIND, reply=reply, member_id=member_id, not_before=now)
        for key, member_id in zip(keys, recipients, strict=True)
    ]
    queued = await enqueue(s, services, now, messages)
    if queued:
        head = await s.scalar(
            select(func.min(Outbox.next_attempt_at)).where(Outbox.status.in_(WAITING))
        )
        first = min(head or now, now) - timedelta(seconds=1)
        await s.execute(
            update(Outbox)
            .where(Outbox.dedupe_key.in_(keys), Outbox.status == OutboxStatus.PENDING)
            .values(next_attempt_at=first)
        )
    return queued
