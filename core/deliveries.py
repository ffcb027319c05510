"""Claiming outbox rows for sending and recording what happened to each."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.messages import Address, Reply
from core.outbox import Message, enqueue, reply_of
from core.reachability import mark_accounts
from core.roster_queries import leader_members
from core.texts import t
from db.models import ChannelAccount, Member, Outbox, OutboxStatus


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this worker now owns; `to` is None when the member has no reachable chat.

    `fallback`: the row is addressed to a member who has another reachable account on another
    running channel, so a refusal (403) on `to` sends the row there instead.
    """

    id: int
    to: Address | None
    reply: Reply
    attempts: int
    expires_at: datetime | None
    member_id: int | None
    fallback: bool = False


class Result(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Outcome:
    row: Claimed
    result: Result
    message_id: str | None = None
    wait: float = 0.0  # seconds, for RATE_LIMITED
    error: str = ""


async def _claim_ids(s: AsyncSession, now: datetime, limit: int, lease: timedelta) -> list[int]:
    # Due rows, and rows a worker claimed longer than a lease ago (it died, or hangs).
    claimable = or_(
        and_(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now),
        and_(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_at < now - lease),
    )
    due = (
        select(Outbox.id).where(claimable).order_by(Outbox.next_attempt_at, Outbox.id).limit(limit)
    )
    if s.get_bind().dialect.name == "postgresql":
        # Lock the ids first, in their own statement. Inside `UPDATE ... WHERE id IN (SELECT
        # ... LIMIT n FOR UPDATE SKIP LOCKED)` PostgreSQL may run the subquery again for rows
        # another worker changed meanwhile (its re-check under READ COMMITTED), and each run
        # skips other rows: one claim took 233 rows with a limit of 50 while four workers
        # claimed at once, which broke the one-batch bound on repeats after a crash.
        locked = (await s.execute(due.with_for_update(skip_locked=True))).scalars()
        due = select(Outbox.id).where(Outbox.id.in_(list(locked)))
    claim = (
        update(Outbox)
        .where(Outbox.id.in_(due.scalar_subquery()), claimable)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .returning(Outbox.id)
    )
    return list((await s.execute(claim)).scalars())


def route(accounts: Sequence[Address], preferred: str | None) -> tuple[Address | None, bool]:
    """The chat a member's messages go to, and whether another account is left to fall back on.

    `accounts` are the member's reachable accounts on running channels, earliest linked
    first: the preferred channel's account wins, else the earliest.
    """
    if not accounts:
        return None, False
    chosen = next((a for a in accounts if a.channel == preferred), accounts[0])
    return chosen, len(accounts) > 1


async def _reachable_chats(
    s: AsyncSession, member_ids: set[int], channels: frozenset[str]
) -> dict[int, tuple[Address | None, bool]]:
    if not member_ids:
        return {}
    rows = await s.execute(
        select(
            ChannelAccount.member_id,
            ChannelAccount.channel,
            ChannelAccount.chat_id,
            Member.preferred_channel,
        )
        .join(Member, Member.id == ChannelAccount.member_id)
        .where(
            ChannelAccount.member_id.in_(member_ids),
            ChannelAccount.blocked_at.is_(None),
            ChannelAccount.channel.in_(channels),
        )
        .order_by(ChannelAccount.member_id, ChannelAccount.linked_at, ChannelAccount.id)
    )
    accounts: dict[int, list[Address]] = {}
    preferred: dict[int, str | None] = {}
    for member_id, channel, chat_id, wanted in rows:
        accounts.setdefault(member_id, []).append(Address(channel, chat_id))
        preferred[member_id] = wanted
    return {m: route(found, preferred[m]) for m, found in accounts.items()}


async def claim(
    services: Services,
    worker: str,
    limit: int,
    channels: frozenset[str],
    lease: timedelta = timedelta(minutes=2),
) -> list[Claimed]:
    """Take up to `limit` due rows; on PostgreSQL other workers skip them (SKIP LOCKED)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        ids = await _claim_ids(s, now, limit, lease)
        if not ids:
            await uow.commit()
            return []
        await s.execute(update(Outbox).where(Outbox.id.in_(ids)).values(claimed_by=worker))
        rows = (
            await s.execute(
                select(
                    Outbox.id,
                    Outbox.channel,
                    Outbox.chat_id,
                    Outbox.member_id,
                    Outbox.body,
                    Outbox.attempts,
                    Outbox.expires_at,
                )
                .where(Outbox.id.in_(ids))
                .order_by(Outbox.id)
            )
        ).all()
        chats = await _reachable_chats(s, {r.member_id for r in rows if r.member_id}, channels)
        await uow.commit()
    return [_claimed(r, chats) for r in rows]


def _claimed(r: Row[Any], chats: dict[int, tuple[Address | None, bool]]) -> Claimed:
    to: Address | None
    if r.channel and r.chat_id:  # a fixed chat: that one and no other
        to, fallback = Address(r.channel, r.chat_id), False
    else:
        to, fallback = chats.get(r.member_id or 0, (None, False))
    return Claimed(
        id=r.id,
        to=to,
        reply=reply_of(r.body),
        attempts=r.attempts,
        expires_at=r.expires_at,
        member_id=r.member_id,
        fallback=fallback,
    )


async def release_stale_claims(services: Services, lease: timedelta) -> int:
    """Rows claimed by a worker that died go back to pending (they may be sent twice)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        result = await uow.session.execute(
            update(Outbox)
            .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_at < now - lease)
            .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None)
        )
        await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds, at most 10 minutes."""
    return timedelta(seconds=min(600, 2 ** max(1, attempts)))


async def record(
    services: Services, outcomes: Sequence[Outcome], max_attempts: int, worker: str | None = None
) -> None:
    """Write every outcome of one batch in one transaction; alert leaders once.

    Only rows still being sent are written, and with `worker` only rows this worker still
    holds: a late outcome never undoes what happened meanwhile (a member's data forgotten,
    the lease run out and the row taken by another worker).

    A row for a member refused (403) on one account goes back to pending when the member is
    still reachable on another channel: the next claim sends it there, once. Leaders are
    alerted only about members the bot can no longer reach at all.
    """
    now = services.clock.now()
    # Only a chat that just refused (403) is news; rows for members without any reachable
    # chat are counted, not alerted again.
    refusals = [o for o in outcomes if o.result is Result.UNREACHABLE and o.row.to is not None]
    async with services.db.unit_of_work() as uow:
        s = uow.session
        for chat in sorted({o.row.to for o in refusals if o.row.to}, key=_chat_order):
            await mark_accounts(s, now, chat, blocked=True, action="unreachable")
        rerouted = await _rerouted(s, refusals)
        # One executemany for the whole batch (ORM bulk UPDATE by primary key).
        still_ours = Outbox.status == OutboxStatus.SENDING
        if worker is not None:
            still_ours = still_ours & (Outbox.claimed_by == worker)
        await s.execute(
            update(Outbox).where(still_ours),
            [
                {"id": o.row.id, **_values(o, now, max_attempts, o.row.id in rerouted)}
                for o in outcomes
            ],
            execution_options={"synchronize_session": None},  # no Outbox objects loaded
        )
        to_alert = {o.row.member_id for o in refusals if o.row.id not in rerouted}
        for member_id in sorted(m for m in to_alert if m is not None):
            await _alert_leaders(s, services, now, member_id)
        await uow.commit()


def _chat_order(chat: Address) -> tuple[str, str]:
    return chat.channel, chat.chat_id


async def _rerouted(s: AsyncSession, refusals: Sequence[Outcome]) -> set[int]:
    """Ids of refused rows whose member still has an unblocked account on another channel.

    Checked after this batch's refusals are marked, so a member refused on both channels at
    once (or who blocked the bot meanwhile) is alerted about instead of falling back to nothing.
    """
    candidates = [o.row for o in refusals if o.row.fallback and o.row.member_id is not None]
    if not candidates:
        return set()
    rows = await s.execute(
        select(ChannelAccount.member_id, ChannelAccount.channel).where(
            ChannelAccount.member_id.in_({row.member_id for row in candidates}),
            ChannelAccount.blocked_at.is_(None),
        )
    )
    open_channels: dict[int, set[str]] = {}
    for member_id, channel in rows:
        open_channels.setdefault(member_id, set()).add(channel)
    return {
        row.id
        for row in candidates
        if row.to is not None and open_channels.get(row.member_id or 0, set()) - {row.to.channel}
    }


def _values(o: Outcome, now: datetime, max_attempts: int, reroute: bool) -> dict[str, object]:
    """The new column values for one row; every row gets the same keys (one executemany).

    `reroute`: refused on one account, the member is reachable on another; due again at once,
    and the refusal is not counted as an attempt.
    """
    tried = o.result not in (Result.RATE_LIMITED, Result.EXPIRED)
    attempts = o.row.attempts + (1 if tried else 0)
    values: dict[str, object] = {
        "attempts": attempts,
        "claimed_by": None,
        "done_at": now,
        "next_attempt_at": now,
        "last_error": o.error[:200] or None,
        "provider_message_id": None,
        "sent_channel": None,
    }
    if o.result is Result.SENT:
        values["provider_message_id"] = o.message_id
        values["sent_channel"] = o.row.to.channel if o.row.to else None
        return values | {"status": OutboxStatus.SENT}
    if o.result is Result.EXPIRED:
        return values | {"status": OutboxStatus.SKIPPED, "last_error": "stale"}
    if o.result is Result.UNREACHABLE and reroute:
        return values | {
            "status": OutboxStatus.PENDING,
            "attempts": o.row.attempts,
            "done_at": None,
        }
    if o.result is Result.UNREACHABLE:
        return values | {"status": OutboxStatus.UNREACHABLE}
    if o.result is Result.FAILED or attempts >= max_attempts:
        return values | {"status": OutboxStatus.FAILED}
    wait = timedelta(seconds=o.wait) if o.result is Result.RATE_LIMITED else backoff(attempts)
    return values | {
        "status": OutboxStatus.PENDING,
        "next_attempt_at": now + wait,
        "done_at": None,
    }


async def _alert_leaders(
    s: AsyncSession, services: Services, now: datetime, member_id: int
) -> None:
    member = await s.get(Member, member_id)
    if member is None:
        return
    day = now.astimezone(services.config.timezone).strftime("%Y%m%d")
    text = t("alert_unreachable", name=member.full_name)
    messages = [
        Message(
            key=f"alert:unreachable:{member_id}:{day}:{leader}",
            kind="alert",
            reply=Reply(text),
            member_id=leader,
            not_before=now,
        )
        for leader in await leader_members(s, member.cell_id)
        if leader != member_id
    ]
    await enqueue(s, services, now, messages)
    audit.record(s, now, "unreachable", target_id=member_id, unit_id=member.cell_id)
