"""Helpers for the Zalo tests: the real bot on the Zalo emulator, people who type numbers."""

from __future__ import annotations

import asyncio
import re
import socket
from typing import Any

from sqlalchemy import func, select

from bot.harness import Harness
from core.texts import t
from db.models import InboundEvent
from emulator.zalo_client import ZaloEmulatedUser, ZaloEvent
from tests.e2e.helpers import member_code
from tests.support import Cell

CELL = "Chi bộ Ấp Một"
SECRETARY, DEPUTY, MEMBER = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám"
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")
SECRET = "zalo-s3cret-hook-123"
HEADER = "X-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def only(events: list[ZaloEvent]) -> ZaloEvent:
    assert len(events) == 1, [(e.kind, e.body[:80]) for e in events]
    return events[0]


def code_in(event: ZaloEvent) -> str:
    found = CODE.findall(event.body)
    assert found, event.body
    return str(found[0])


async def link(h: Harness, cell: Cell, name: str, number: int) -> ZaloEmulatedUser:
    """A roster member types the one-time code the operator made and answers "1"."""
    user = h.zalo_user(number, name)
    asked = only(await user.say(await member_code(h, cell, name)))
    assert asked.body.startswith(t("confirm_identity", name=name, cell=CELL))
    assert only(await user.say("1")).body == t("joined", name=name, cell=CELL)
    return user


async def chat_seq(user: ZaloEmulatedUser) -> int:
    return max((m.seq for m in await user.messages()), default=0)


async def nothing_more(h: Harness, user: ZaloEmulatedUser, after: int) -> None:
    """No bot message reaches the chat after `after` within half a second."""
    late = await h.zalo.events(user.chat_id, after=after, timeout=0.5, quiet=0.5)
    assert late == [], [e.body[:80] for e in late]


async def inbound_rows(h: Harness) -> list[dict[str, Any]]:
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(InboundEvent.event_key, InboundEvent.done_at, InboundEvent.body).order_by(
                InboundEvent.id
            )
        )
        return [{"key": r.event_key, "done": r.done_at is not None, "body": r.body} for r in rows]


async def inbound_count(h: Harness) -> int:
    async with h.app.services.db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


async def all_handled(h: Harness, wait: float = 5.0) -> list[dict[str, Any]]:
    """The inbound events once every one is handled (at most `wait` seconds)."""
    for _ in range(int(wait / 0.05)):
        rows = await inbound_rows(h)
        if all(r["done"] for r in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"events still unhandled: {await inbound_rows(h)}")


def zalo_event(
    user_id: str, text: str, message_id: str, chat_type: str = "PRIVATE", chat_id: str = ""
) -> dict[str, Any]:
    """A text event as Zalo POSTs it to a webhook (platforms.md A.4)."""
    return {
        "ok": True,
        "result": {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": user_id, "display_name": "Người Gửi", "is_bot": False},
                "chat": {"id": chat_id or user_id, "chat_type": chat_type},
                "text": text,
                "message_id": message_id,
                "date": 1_795_000_000_000,
            },
        },
    }
