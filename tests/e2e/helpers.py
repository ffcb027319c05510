"""Small helpers shared by the end-to-end tests (no mocks: they drive the real bot)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.harness import Harness
from core.inviting import operator_invite
from core.texts import t
from db.models import ChannelAccount, Member, Role
from emulator.client import EmulatedUser, Event
from tests.support import Cell

CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")
WAIT = 5.0


def code_in(events: list[Event]) -> str:
    """The invite code (ABCD-EFGH) in the last event that shows one."""
    for event in reversed(events):
        found = CODE.findall(event.body)
        if found:
            return str(found[-1])
    raise AssertionError(f"no invite code in {[e.body for e in events]}")


def only(events: list[Event]) -> Event:
    assert len(events) == 1, [(e.kind, e.body[:80]) for e in events]
    return events[0]


async def chat_seq(user: EmulatedUser) -> int:
    """The seq of the latest bot event in this user's chat (0: none yet)."""
    return max((m.seq for m in await user.messages()), default=0)


async def events_after(h: Harness, user: EmulatedUser, after: int, expect: int = 1) -> list[Event]:
    """Bot events in `user`'s chat after seq `after`, waiting for at least `expect`."""
    events = await h.client.events(user.chat_id, after=after, min_count=expect, timeout=WAIT)
    assert len(events) >= expect, [e.body[:80] for e in events]
    return events


async def member_code(h: Harness, cell: Cell, name: str) -> str:
    view = await operator_invite(
        h.app.services,
        cell_ref=cell.code,
        member_id=cell.member_ids[name],
        role=Role.MEMBER,
        days=30,
        uses=None,
    )
    return view.shown_code


async def cell_code(h: Harness, cell: Cell) -> str:
    view = await operator_invite(
        h.app.services, cell_ref=cell.code, member_id=None, role=Role.MEMBER, days=30, uses=None
    )
    return view.shown_code


async def link(h: Harness, cell: Cell, name: str, user_id: int) -> EmulatedUser:
    """A roster member joins with a one-time code made by the operator and confirms."""
    user = h.user(user_id, name)
    asked = only(await user.say(f"/start {await member_code(h, cell, name)}"))
    assert asked.body == t("confirm_identity", name=name, cell="Chi bộ Ấp Một")
    done = only(await user.tap(t("btn_its_me", name=name)))
    assert done.kind == "edit"
    assert done.body == t("joined", name=name, cell="Chi bộ Ấp Một")
    return user


async def account(h: Harness, user_id: int) -> dict[str, Any] | None:
    """The bot's record of this Telegram account (as plain values), if it has one."""
    async with h.app.services.db.unit_of_work() as uow:
        found = await uow.session.scalar(
            select(ChannelAccount).where(
                ChannelAccount.channel == "telegram", ChannelAccount.external_id == str(user_id)
            )
        )
        if found is None:
            return None
        return {"member_id": found.member_id, "blocked_at": found.blocked_at}


async def statuses_of(h: Harness, name: str) -> list[str]:
    """The status of every member with exactly this full name."""
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(Member.status).where(Member.full_name == name))
        return [status.value for status in rows]
