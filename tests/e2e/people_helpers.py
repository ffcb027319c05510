"""Channel-neutral helpers for end-to-end scenarios that talk only through `Person`, so the
same scenario runs on Telegram (buttons) and on Zalo (typed numbers)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.harness import Harness
from bot.people import Person, Seen, ZaloPerson, from_telegram, from_zalo
from core.clock import ManualClock
from core.texts import t
from db.models import ChannelAccount, Member
from tests.e2e.helpers import member_code
from tests.support import Cell

CELL = "Chi bộ Ấp Một"
SECRETARY, DEPUTY, MEMBER, OTHER = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"
NUMBERS = {SECRETARY: 2001, DEPUTY: 2002, MEMBER: 2003, OTHER: 2004}
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")
WAIT = 5.0


def channel_of(person: Person) -> str:
    return "zalo" if isinstance(person, ZaloPerson) else "telegram"


def only(seen: list[Seen]) -> Seen:
    assert len(seen) == 1, [(s.kind, s.body[:80]) for s in seen]
    return seen[0]


def code_in(seen: list[Seen]) -> str:
    """The invite code (ABCD-EFGH) in the last message that shows one."""
    for message in reversed(seen):
        found = CODE.findall(message.body)
        if found:
            return str(found[-1])
    raise AssertionError(f"no invite code in {[s.body for s in seen]}")


async def mark(person: Person) -> int:
    """Where the person's chat is now: the seq of the bot's latest event in it (0: none)."""
    return max((s.seq for s in await person.seen()), default=0)


async def arrived(h: Harness, person: Person, after: int, expect: int = 1) -> list[Seen]:
    """What the bot sent to `person` on its own (notices, reminders) after `mark`, waiting
    for at least `expect` messages."""
    if isinstance(person, ZaloPerson):
        zalo = await h.zalo.events(person.chat_id, after=after, min_count=expect, timeout=WAIT)
        seen = [from_zalo(e) for e in zalo]
    else:
        events = await h.client.events(
            int(person.chat_id), after=after, min_count=expect, timeout=WAIT
        )
        seen = [from_telegram(e) for e in events]
    assert len(seen) >= expect, [s.body[:80] for s in seen]
    return seen


async def join(h: Harness, cell: Cell, name: str) -> Person:
    """A roster member opens the bot with a one-time code made by the operator and confirms."""
    person = h.person(NUMBERS[name], name)
    asked = only(await person.say(f"/start {await member_code(h, cell, name)}"))
    assert asked.body == t("confirm_identity", name=name, cell=CELL)
    done = only(await person.tap(t("btn_its_me", name=name)))
    assert done.replaced and done.body == t("joined", name=name, cell=CELL)
    return person


async def member_of(h: Harness, person: Person) -> int | None:
    """The member this person's account is linked to, if any."""
    async with h.app.services.db.unit_of_work() as uow:
        found: int | None = await uow.session.scalar(
            select(ChannelAccount.member_id).where(
                ChannelAccount.channel == channel_of(person),
                ChannelAccount.external_id == person.chat_id,
            )
        )
        return found


async def statuses_of(h: Harness, name: str) -> list[str]:
    """The status of every member with exactly this full name."""
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(Member.status).where(Member.full_name == name))
        return [status.value for status in rows]


# --- time and proactive messages (self-check periods, duties) ------------------------------


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """A wall-clock time in Hà Nội (UTC+7), as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=7)


def clock_of(h: Harness) -> ManualClock:
    clock = h.app.services.clock
    assert isinstance(clock, ManualClock)
    return clock


def wake(h: Harness) -> None:
    """Let the app's own deliverer send what a tick just queued."""
    assert h.app.deliverer is not None
    h.app.deliverer.wake()


async def since(h: Harness, person: Person, after: int) -> list[Seen]:
    """What the bot has sent `person` after `mark` so far, without waiting for more."""
    return await h.arrivals(person, after, expect=0, timeout=0)


async def marks(people: list[Person]) -> list[int]:
    return [await mark(p) for p in people]
