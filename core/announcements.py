"""`/thongbao`: an announcement to the whole cell with «Đã đọc», who has read it, and a nudge
to those who have not.

The secretary or deputy types the text (a conversation step), sees a preview with the number
of recipients and sends it. Every active member of the cell gets a recipient row and one
outbox message with «Đã đọc». The author is a member too: their row is marked read at once,
they get no copy, and the counts the leaders see leave them out. Nudges go to the unread
members at most once a day per announcement (`nudged_at` and a dated outbox key). The text
never goes to the logs or the audit details (only the announcement's id does).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import ColumnElement, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import audit, conversation
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.messages import Button, Incoming, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.policy import Action, Actor
from core.texts import local_date, t, when_text
from db.models import Announcement, AnnouncementRecipient, Member, MemberStatus

FLOW = "thongbao"
# One Zalo message is 2,000 characters: the text, the notice's few lines and «1. Đã đọc».
TEXT_MAX = 1700
LIST_MAX = 5  # announcements on the secretary's list
NAMES_MAX = 40  # names per line (read / not read) on one announcement
LABEL_MAX = 28  # characters of the text on a button
WRITE = "anw"  # anw:new | anw:send:<draft> | anw:edit:<draft> | anw:stop:<draft>
VIEW = "anv"  # anv: the list | anv:<announcement>: who has read it
READ = "anr"  # anr:<announcement>: «Đã đọc»
NUDGE = "ann"  # ann:<announcement>: «Nhắc người chưa đọc»


class Step(enum.StrEnum):
    TEXT = "text"  # waiting for the text
    CONFIRM = "confirm"  # the preview: «Gửi» / «Sửa» / «Thôi»


@dataclass(frozen=True, slots=True)
class Draft:
    """Where the leader is in writing one: the step, a counter that makes the preview's
    buttons stale once the text changes, the text and how many members will get it."""

    step: Step
    number: int
    recipients: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class Sent:
    id: int
    recipients: int
    text: str


@dataclass(frozen=True, slots=True)
class Summary:
    id: int
    created_at: datetime
    excerpt: str
    read: int
    total: int


@dataclass(frozen=True, slots=True)
class Overview:
    """`/thongbao`: the latest announcements, or (when there are none) a new draft."""

    items: list[Summary]
    draft: Draft | None = None


@dataclass(frozen=True, slots=True)
class Detail:
    summary: Summary
    author: str
    read: list[str]
    unread: list[str]


@dataclass(frozen=True, slots=True)
class Reading:
    """What a member's «Đã đọc» did: `newly` False when it was recorded before."""

    id: int
    text: str
    created_at: datetime
    author: str
    read_at: datetime
    newly: bool


@dataclass(frozen=True, slots=True)
class Nudged:
    count: int  # reminders queued now
    unread: int  # members who have not read it


# --- the member's message -------------------------------------------------------------------


def notice(
    services: Services, id_: int, text: str, at: datetime, author: str, *, nudge: bool = False
) -> Reply:
    """The announcement as a member gets it (first time or as a nudge), with «Đã đọc»."""
    head = t("ann_nudge_head" if nudge else "ann_head", date=_day(services, at))
    body = "\n".join([head, "", text, "", t("ann_author", name=author), t("ann_read_hint")])
    return Reply(body, buttons([Button(t("ann_btn_read"), encode(READ, id_))]))


def read_reply(services: Services, reading: Reading) -> Reply:
    """The member's message again, its button replaced by the record of the reading."""
    tz = services.config.timezone
    head = t("ann_head", date=_day(services, reading.created_at))
    key = "ann_read_now" if reading.newly else "ann_read_before"
    stamp = t(key, when=when_text(reading.read_at, tz))
    body = [head, "", reading.text, "", t("ann_author", name=reading.author), stamp]
    return Reply("\n".join(body), replace=True)


def _day(services: Services, at: datetime) -> str:
    return local_date(at, services.config.timezone)


# --- writing and sending --------------------------------------------------------------------


async def open_view(services: Services, who: Incoming) -> Overview:
    """`/thongbao`: the latest few with their counts; with none yet, start writing."""
    async with services.db.unit_of_work() as uow:
        _, cell_id = await _leader(services, uow.session, who)
        items = await _summaries(uow.session, cell_id)
    if items:
        return Overview(items)
    return Overview([], await compose(services, who))


async def listing(services: Services, who: Incoming) -> list[Summary]:
    async with services.db.unit_of_work() as uow:
        _, cell_id = await _leader(services, uow.session, who)
        return await _summaries(uow.session, cell_id)


async def compose(services: Services, who: Incoming) -> Draft:
    """«Soạn thông báo mới»: wait for the text."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, cell_id = await _leader(services, s, who)
        recipients = await _audience(s, cell_id, actor.member_id)
        if not recipients:
            raise Refused("ann_nobody")
        state = await conversation.current(s, actor.member_id or 0, who.channel)
        number = int(state.data.get("draft", 0)) + 1 if state and state.flow == FLOW else 1
        data = {"cell": cell_id, "draft": number}
        await conversation.enter(
            s, now, actor.member_id or 0, who.channel, conversation.State(FLOW, Step.TEXT, data)
        )
        await uow.commit()
        return Draft(Step.TEXT, number, recipients)


async def typed(services: Services, who: Incoming, text: str) -> Draft:
    """The text the flow waits for: checked, kept as typed (lines too), then the preview."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, state = await _state(services, s, who)
        if state.step != Step.TEXT:
            raise Refused("ann_use_buttons")
        clean = "\n".join(line.rstrip() for line in text.strip().splitlines())
        if not clean:
            raise Refused("ann_empty")
        if len(clean) > TEXT_MAX:
            length = number_text(len(clean))
            raise Refused("ann_too_long", limit=number_text(TEXT_MAX), length=length)
        number = int(state.data.get("draft", 0)) + 1
        data = state.data | {"text": clean, "draft": number}
        await conversation.enter(
            s, now, actor.member_id or 0, who.channel, conversation.State(FLOW, Step.CONFIRM, data)
        )
        recipients = await _audience(s, int(data["cell"]), actor.member_id)
        await uow.commit()
        return Draft(Step.CONFIRM, number, recipients, clean)


async def stop(services: Services, who: Incoming, number: int) -> None:
    """«Thôi»: forget the draft (a button of an older draft is stale)."""
    async with services.db.unit_of_work() as uow:
        actor, state = await _state(services, uow.session, who)
        _same_draft(state, number)
        await conversation.leave(uow.session, actor.member_id or 0, who.channel)
        await uow.commit()


async def edit(services: Services, who: Incoming, number: int) -> Draft:
    """«Sửa»: type the text again."""
    async with services.db.unit_of_work() as uow:
        _, state = await _state(services, uow.session, who)
        _same_draft(state, number)
    return await compose(services, who)


async def send(services: Services, who: Incoming, number: int) -> Sent:
    """«Gửi»: one announcement, a recipient row per active member and their messages."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, state = await _state(services, s, who)
        _same_draft(state, number)
        if state.step != Step.CONFIRM:
            raise Refused("stale_button")
        cell_id, text, author = int(state.data["cell"]), str(state.data["text"]), actor.member_id
        await require(s, actor, Action.ANNOUNCE, cell_id)
        members = list(
            await s.scalars(
                select(Member.id)
                .where(Member.cell_id == cell_id, Member.status == MemberStatus.ACTIVE)
                .order_by(Member.id)
            )
        )
        others = [m for m in members if m != author]
        if not others:
            raise Refused("ann_nobody")
        found = Announcement(cell_id=cell_id, text=text, created_by=author, created_at=now)
        s.add(found)
        await s.flush()
        rows = [
            {"announcement_id": found.id, "member_id": m, "read_at": now if m == author else None}
            for m in members
        ]
        await s.execute(insert(AnnouncementRecipient), rows)  # one statement for the cell
        reply = notice(services, found.id, text, now, actor.full_name)
        await enqueue(s, services, now, [_message(found.id, m, reply, now) for m in others])
        audit.record(
            s,
            now,
            "announcement_sent",
            actor_id=author,
            unit_id=cell_id,
            announcement=found.id,
            recipients=len(others),
        )
        await conversation.leave(s, author or 0, who.channel)
        await uow.commit()
        return Sent(found.id, len(others), text)


def _message(id_: int, member_id: int, reply: Reply, now: datetime, day: str = "") -> Message:
    kind = "announcement_nudge" if day else "announcement"
    key = f"ann:nudge:{id_}:{member_id}:{day}" if day else f"ann:{id_}:{member_id}"
    return Message(key=key, kind=kind, reply=reply, member_id=member_id, not_before=now)


# --- reading ---------------------------------------------------------------------------------


async def mark_read(services: Services, who: Incoming, id_: int) -> Reading:
    """«Đã đọc»: the reading is recorded once; a second press says when it was."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        if actor.member_id is not None and actor.status is MemberStatus.LEFT:
            raise Refused("ann_member_left")
        cell_id = require_member(actor)
        author = aliased(Member)
        row = (
            await s.execute(
                select(AnnouncementRecipient.id, Announcement, author.full_name)
                .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
                .outerjoin(author, author.id == Announcement.created_by)
                .where(
                    AnnouncementRecipient.announcement_id == id_,
                    AnnouncementRecipient.member_id == actor.member_id,
                    Announcement.cell_id == cell_id,
                )
            )
        ).first()
        if row is None:
            raise Refused("ann_not_yours")
        recipient_id, found, author_name = row
        result = await s.execute(
            update(AnnouncementRecipient)
            .where(
                AnnouncementRecipient.id == recipient_id,
                AnnouncementRecipient.read_at.is_(None),
            )
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        newly = bool(getattr(result, "rowcount", 0))
        read_at = await s.scalar(
            select(AnnouncementRecipient.read_at).where(AnnouncementRecipient.id == recipient_id)
        )
        await uow.commit()
        return Reading(
            found.id, found.text, found.created_at, author_name or "", read_at or now, newly
        )


# --- the leaders' view -----------------------------------------------------------------------


async def detail(services: Services, who: Incoming, id_: int) -> Detail:
    """Who has read one announcement and who has not (the cell's leaders only)."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        _, found = await _as_leader_of(services, s, who, id_)
        author = await s.scalar(select(Member.full_name).where(Member.id == found.created_by))
        rows = await s.execute(
            select(Member.full_name, AnnouncementRecipient.read_at)
            .where(*_counted(found))
            .order_by(Member.full_name, Member.id)
        )
        read: list[str] = []
        unread: list[str] = []
        for name, read_at in rows:
            (unread if read_at is None else read).append(name)
        total = len(read) + len(unread)
        summary = Summary(found.id, found.created_at, excerpt(found.text), len(read), total)
        return Detail(summary, author or "", read, unread)


async def nudge(services: Services, who: Incoming, id_: int) -> Nudged:
    """«Nhắc người chưa đọc»: the announcement again, with «Đã đọc», to the members who have
    not read it and were not nudged about it today (not to the leader who presses)."""
    now = services.clock.now()
    tz = services.config.timezone
    today = now.astimezone(tz).date()
    midnight = datetime.combine(today, time(0), tz)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, found = await _as_leader_of(services, s, who, id_)
        unread = [
            *_counted(found),
            AnnouncementRecipient.read_at.is_(None),
            AnnouncementRecipient.member_id != (actor.member_id or 0),  # not the one pressing
        ]
        waiting = await s.scalar(select(func.count(AnnouncementRecipient.id)).where(*unread))
        due_rows = await s.execute(
            select(AnnouncementRecipient.id, AnnouncementRecipient.member_id).where(
                *unread,
                or_(
                    AnnouncementRecipient.nudged_at.is_(None),
                    AnnouncementRecipient.nudged_at < midnight,
                ),
            )
        )
        due = {recipient: member for recipient, member in due_rows}
        count = 0
        if due:
            await s.execute(
                update(AnnouncementRecipient)
                .where(AnnouncementRecipient.id.in_(due))
                .values(nudged_at=now)
                .execution_options(synchronize_session=False)
            )
            author = await s.scalar(select(Member.full_name).where(Member.id == found.created_by))
            reply = notice(
                services, found.id, found.text, found.created_at, author or "", nudge=True
            )
            day = today.isoformat()
            messages = [_message(found.id, m, reply, now, day) for m in sorted(due.values())]
            count = await enqueue(s, services, now, messages)
        if count:
            audit.record(
                s,
                now,
                "announcement_nudged",
                actor_id=actor.member_id,
                unit_id=found.cell_id,
                announcement=found.id,
                members=count,
            )
        await uow.commit()
        return Nudged(count, int(waiting or 0))


# --- helpers ---------------------------------------------------------------------------------


async def _leader(services: Services, s: AsyncSession, who: Incoming) -> tuple[Actor, int]:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    cell_id = require_member(actor)
    await require(s, actor, Action.ANNOUNCE, cell_id)
    return actor, cell_id


async def _state(
    services: Services, s: AsyncSession, who: Incoming
) -> tuple[Actor, conversation.State]:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    state = await conversation.current(s, actor.member_id or 0, who.channel)
    if state is None or state.flow != FLOW:
        raise Refused("stale_button" if who.is_button else "nothing_to_continue")
    return actor, state


def _same_draft(state: conversation.State, number: int) -> None:
    if int(state.data.get("draft", 0)) != number:
        raise Refused("stale_button")


async def _as_leader_of(
    services: Services, s: AsyncSession, who: Incoming, id_: int
) -> tuple[Actor, Announcement]:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    require_member(actor)
    found = await s.get(Announcement, id_)
    if found is None:
        raise Refused("ann_gone")
    await require(s, actor, Action.ANNOUNCE, found.cell_id)
    return actor, found


def _counted(found: Announcement) -> list[ColumnElement[bool]]:
    """The recipients the leaders count: members still active in the cell, not the author."""
    conditions = [
        AnnouncementRecipient.announcement_id == found.id,
        Member.id == AnnouncementRecipient.member_id,
        Member.status == MemberStatus.ACTIVE,
        Member.cell_id == found.cell_id,
    ]
    if found.created_by is not None:
        conditions.append(AnnouncementRecipient.member_id != found.created_by)
    return conditions


async def _audience(s: AsyncSession, cell_id: int, author: int | None) -> int:
    """How many members will get it: the cell's active members but the author."""
    counted = await s.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.cell_id == cell_id,
            Member.status == MemberStatus.ACTIVE,
            Member.id != (author or 0),
        )
    )
    return int(counted or 0)


async def _summaries(s: AsyncSession, cell_id: int) -> list[Summary]:
    """The latest announcements of the cell with read / total among active members (the
    author left out): two queries, whatever the size of the cell."""
    latest = (
        await s.execute(
            select(
                Announcement.id,
                Announcement.created_at,
                func.substr(Announcement.text, 1, 80),
                Announcement.created_by,
            )
            .where(Announcement.cell_id == cell_id)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(LIST_MAX)
        )
    ).all()
    if not latest:
        return []
    counts = await s.execute(
        select(
            AnnouncementRecipient.announcement_id,
            func.count(AnnouncementRecipient.id),
            func.count(AnnouncementRecipient.read_at),
        )
        .join(Member, Member.id == AnnouncementRecipient.member_id)
        .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
        .where(
            AnnouncementRecipient.announcement_id.in_([row[0] for row in latest]),
            Member.status == MemberStatus.ACTIVE,
            Member.cell_id == cell_id,
            or_(
                Announcement.created_by.is_(None),
                AnnouncementRecipient.member_id != Announcement.created_by,
            ),
        )
        .group_by(AnnouncementRecipient.announcement_id)
    )
    by_id = {id_: (int(total), int(read)) for id_, total, read in counts}
    return [
        Summary(id_, at, excerpt(text), by_id.get(id_, (0, 0))[1], by_id.get(id_, (0, 0))[0])
        for id_, at, text, _ in latest
    ]


def excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def number_text(n: int) -> str:
    """1700 → «1.700», as numbers are written in Vietnamese."""
    return f"{n:,}".replace(",", ".")
