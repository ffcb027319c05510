"""Forgetting a member on request (`chibo member forget`): personal data goes, counts stay.

What identifies or was said by the person is removed: their name and phone (the member row
stays as a nameless placeholder, so every attendance mark, RSVP, self-check status, flag,
duty assignment and report still counts where it counted), their messenger accounts, roles,
one-time invites, conversation state, invite-code attempts, text-channel menus, inbound
events; the free text they wrote (answers, RSVP notes and opinions, duty report texts and
attachments) and the notes others wrote about them (flag notes, verdict comments); the text
of every message sent to them. Then every other text and JSON column of every table is
searched for their name, phone, messenger ids and free texts, and each occurrence is
replaced (a duty titled with their name, a message to the secretary that quoted them, an
audit detail). Shared download links are dropped too: they are short-lived copies of reports
that may list the name. The placeholder keeps its status (a pending join request is closed),
so /tinhhinh, /baocao and /tonghop count exactly as before except for reachability: without
accounts nobody can be messaged. One audit entry records the forgetting, with counts only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Enum,
    Executable,
    String,
    Table,
    delete,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.errors import Refused
from core.texts import t
from db.models import (
    Base,
    ChannelAccount,
    CodeAttempt,
    Conversation,
    DutyReport,
    Flag,
    InboundEvent,
    Invite,
    Member,
    MemberRole,
    MemberStatus,
    Outbox,
    OutboxStatus,
    PendingMenu,
    Rsvp,
    SelfCheck,
    SelfCheckAnswer,
    SharedFile,
    Unit,
)

MASK = "***"
MIN_NEEDLE = 5  # shorter strings (a one-word display name) would hit unrelated text
MIN_QUOTE = 12  # free text shorter than this ("Đồng ý") is not looked for in messages
UNTOUCHED = {"members.full_name", "channel_accounts"}  # other people's own rows
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class Subject:
    member_id: int
    name: str
    cell_name: str
    forgotten: bool  # already a placeholder


@dataclass(slots=True)
class Forgotten:
    member_id: int
    again: bool
    deleted: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)

    def add(self, bucket: dict[str, int], table: str, count: int) -> None:
        if count:
            bucket[table] = bucket.get(table, 0) + count


async def subject(services: Services, member_id: int) -> Subject:
    """Who would be forgotten (for the confirmation prompt)."""
    async with services.db.unit_of_work() as uow:
        row = (
            await uow.session.execute(
                select(Member.full_name, Unit.name)
                .join(Unit, Unit.id == Member.cell_id)
                .where(Member.id == member_id)
            )
        ).first()
    if row is None:
        raise Refused("forget_not_found", id=member_id)
    return Subject(member_id, row[0], row[1], row[0] == t("forgotten_name"))


def _rows(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class _Needles:
    """The strings to find elsewhere: name, display names -> the placeholder; phone, ids and
    free texts -> MASK. Matched as whole words."""

    def __init__(self, named: Iterable[str], masked: Iterable[str]) -> None:
        placeholder = t("forgotten_name")
        pairs = {s.strip(): placeholder for s in named if len(s.strip()) >= MIN_NEEDLE}
        pairs |= {s.strip(): MASK for s in masked if len(s.strip()) >= MIN_NEEDLE}
        pairs.pop(placeholder, None)
        self.pairs = dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))
        self.by_lower = {k.lower(): v for k, v in self.pairs.items()}
        self.pattern = (
            re.compile(
                "|".join(rf"(?<!\w){re.escape(s)}(?!\w)" for s in self.pairs), re.IGNORECASE
            )
            if self.pairs
            else None
        )

    def like(self) -> list[str]:
        """LIKE patterns finding candidates, raw and as JSON escapes them, as written and in
        upper, lower and title case (LIKE ignores case for ASCII letters only, and not at all
        on PostgreSQL: "NGUYỄN VĂN A" in a heading must be found too)."""
        found = set()
        for s in self.pairs:
            for variant in {s, s.upper(), s.lower(), s.title()}:
                found.add(f"%{variant}%")
                found.add(f"%{json.dumps(variant)[1:-1]}%")
        return sorted(found)

    def scrub(self, value: Any) -> Any:
        """`value` (a string, or JSON) with every needle replaced; a JSON number equal to
        one (a platform's user id) becomes the mask."""
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(lambda m: self.by_lower.get(m.group(0).lower(), MASK), value)
        if isinstance(value, int) and not isinstance(value, bool) and str(value) in self.pairs:
            return MASK
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value


@dataclass(frozen=True, slots=True)
class _Identity:
    """What identifies the member or was written by them, to be looked for elsewhere."""

    named: list[str]  # name, display names: replaced by the placeholder
    masked: list[str]  # phone, messenger ids: replaced by MASK
    quoted: list[str]  # their longer free texts: MASK, in messages and audit details
    keys: list[tuple[str, str]]  # (channel, external id)
    chats: list[tuple[str, str]]  # (channel, chat id)


def _own_answers(member_id: int) -> ColumnElement[bool]:
    return SelfCheckAnswer.selfcheck_id.in_(
        select(SelfCheck.id).where(SelfCheck.member_id == member_id)
    )


async def _identity(s: AsyncSession, member: Member) -> _Identity:
    mid = member.id
    accounts = (
        await s.execute(
            select(
                ChannelAccount.channel,
                ChannelAccount.external_id,
                ChannelAccount.chat_id,
                ChannelAccount.display_name,
            ).where(ChannelAccount.member_id == mid)
        )
    ).all()
    texts: list[str] = []
    for column, where in (
        (Rsvp.note, Rsvp.member_id == mid),
        (Rsvp.opinion, Rsvp.member_id == mid),
        (DutyReport.text, DutyReport.member_id == mid),
        (SelfCheckAnswer.text, _own_answers(mid)),
    ):
        texts += [v for v in await s.scalars(select(column).where(where)) if v]
    return _Identity(
        named=[member.full_name] + [a.display_name for a in accounts if a.display_name],
        masked=[member.phone or ""]
        + [a.external_id for a in accounts]
        + [a.chat_id for a in accounts],
        quoted=[text for text in texts if len(text.strip()) >= MIN_QUOTE],
        keys=[(a.channel, a.external_id) for a in accounts],
        chats=[(a.channel, a.chat_id) for a in accounts],
    )


async def _delete_own(s: AsyncSession, mid: int, who: _Identity, done: Forgotten) -> None:
    statements: list[tuple[str, Executable]] = [
        ("channel_accounts", delete(ChannelAccount).where(ChannelAccount.member_id == mid)),
        ("member_roles", delete(MemberRole).where(MemberRole.member_id == mid)),
        ("invites", delete(Invite).where(Invite.member_id == mid)),
        ("conversations", delete(Conversation).where(Conversation.member_id == mid)),
        ("shared_files", delete(SharedFile)),
    ]
    if who.keys:
        account = tuple_(CodeAttempt.channel, CodeAttempt.external_id)
        statements.append(("code_attempts", delete(CodeAttempt).where(account.in_(who.keys))))
        chat = tuple_(PendingMenu.channel, PendingMenu.chat_id)
        statements.append(("pending_menus", delete(PendingMenu).where(chat.in_(who.chats))))
    for name, statement in statements:
        done.add(done.deleted, name, _rows(await s.execute(statement)))


async def _clear_own(
    s: AsyncSession, mid: int, who: _Identity, now: datetime, done: Forgotten
) -> None:
    to_them = Outbox.member_id == mid
    if who.chats:
        to_them = to_them | tuple_(Outbox.channel, Outbox.chat_id).in_(who.chats)
    statements: list[tuple[str, Executable]] = [
        (
            "rsvps",
            update(Rsvp)
            .where(Rsvp.member_id == mid, Rsvp.note.is_not(None) | Rsvp.opinion.is_not(None))
            .values(note=None, opinion=None),
        ),
        (
            "selfcheck_answers",
            update(SelfCheckAnswer)
            .where(_own_answers(mid), SelfCheckAnswer.text.is_not(None))
            .values(text=None),
        ),
        (
            "flags",
            update(Flag).where(Flag.member_id == mid, Flag.note.is_not(None)).values(note=None),
        ),
        (
            "duty_reports",
            update(DutyReport)
            .where(
                DutyReport.member_id == mid,
                (DutyReport.text != "")
                | DutyReport.attachment_ref.is_not(None)
                | DutyReport.attachment_name.is_not(None)
                | DutyReport.verdict_comment.is_not(None),
            )
            .values(text="", attachment_ref=None, attachment_name=None, verdict_comment=None),
        ),
        (
            "outbox (not sent, skipped)",
            update(Outbox)
            .where(to_them, Outbox.status.in_(UNSENT))
            .values(status=OutboxStatus.SKIPPED, done_at=now, claimed_by=None),
        ),
        (
            "outbox",
            update(Outbox)
            .where(to_them, (Outbox.body.cast(String) != "{}") | Outbox.chat_id.is_not(None))
            .values(body={}, chat_id=None, last_error=None),
        ),
    ]
    for name, statement in statements:
        done.add(done.cleared, name, _rows(await s.execute(statement)))


async def _inbound(s: AsyncSession, needles: _Needles, done: Forgotten) -> None:
    """Events not handled yet that the person sent (or that name them): deleted."""
    rows = await s.execute(
        select(InboundEvent.id, InboundEvent.body).where(InboundEvent.body.is_not(None))
    )
    ids = [i for i, body in rows if needles.scrub(body) != body]  # ids as numbers too
    if ids:
        result = await s.execute(delete(InboundEvent).where(InboundEvent.id.in_(ids)))
        done.add(done.deleted, "inbound_events", _rows(result))


def _searchable(table: Table) -> list[Column[Any]]:
    if table.name in UNTOUCHED or table.name == InboundEvent.__tablename__:
        return []
    columns = []
    for column in table.columns:
        if f"{table.name}.{column.name}" in UNTOUCHED or isinstance(column.type, Enum):
            continue
        if isinstance(column.type, String) or _is_json(column):
            columns.append(column)
    return columns


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON) or isinstance(getattr(column.type, "impl", None), JSON)


async def _elsewhere(
    s: AsyncSession, who: _Needles, quoting: _Needles, member_id: int, done: Forgotten
) -> None:
    """Replace who they are (`who`) in every other text and JSON column of every table, and
    what they wrote (`quoting`, which holds `who` too) in the JSON ones: messages and audit
    details quote; another member's own text equal to theirs is not theirs."""
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in _searchable(table):
            needles = quoting if _is_json(column) else who
            if needles.pattern is None:
                continue
            patterns = needles.like()
            text_of = column if not _is_json(column) else column.cast(String)
            where = or_(*(text_of.like(p) for p in patterns))
            if table.name == "members":
                where = where & (table.c.id != member_id)
            rows = await s.execute(select(*key, column).where(where))
            changed = 0
            for row in rows.all():
                value = row[-1]
                scrubbed = needles.scrub(value)
                if scrubbed == value:
                    continue
                match = [c == v for c, v in zip(key, row[:-1], strict=True)]
                await s.execute(update(table).where(*match).values({column.name: scrubbed}))
                changed += 1
            done.add(done.cleared, f"{table.name}.{column.name}", changed)


async def forget(services: Services, member_id: int, *, by: str = "cli") -> Forgotten:
    """Remove the member's personal data (see the module's docstring); counts stay."""
    now = services.clock.now()
    placeholder = t("forgotten_name")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member = await s.get(Member, member_id)
        if member is None:
            raise Refused("forget_not_found", id=member_id)
        done = Forgotten(member_id, again=member.full_name == placeholder)
        who = await _identity(s, member)
        await _delete_own(s, member_id, who, done)
        await _clear_own(s, member_id, who, now, done)
        if member.full_name != placeholder or member.phone or member.preferred_channel:
            done.add(done.cleared, "members", 1)
        member.full_name, member.phone, member.preferred_channel = placeholder, None, None
        member.updated_at = now
        if member.status is MemberStatus.PENDING:  # an anonymous join request means nothing
            member.status = MemberStatus.LEFT
        await s.flush()
        quoting = _Needles(who.named, who.masked + who.quoted)
        await _inbound(s, quoting, done)
        await _elsewhere(s, _Needles(who.named, who.masked), quoting, member_id, done)
        audit.record(
            s,
            now,
            "member_forgotten",
            target_id=member_id,
            unit_id=member.cell_id,
            by=by,
            deleted=dict(done.deleted),
            cleared=dict(done.cleared),
        )
        await uow.commit()
    return done
