"""Buttons on channels without buttons: a numbered list out, a typed number (or label) back in.

The last menu sent to a chat is stored (`pending_menus`), so "2", "2.", " 2 " or the label
itself becomes the same payload the Telegram button would carry, even after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core import onboarding
from core.context import Services
from core.messages import Address, Incoming, Reply
from core.texts import t
from core.vntext import fold
from db.models import PendingMenu

# "2", "2.", "2)", "số 2", "so 2": a choice by number.
_NUMBER = re.compile(r"^(?:s[oố]\s*)?(\d{1,3})\s*[.)]?$", re.IGNORECASE)
_DECORATION = re.compile(r"^[^\w]+|[^\w]+$")  # emoji and marks around a label


def render(reply: Reply) -> str:
    """The reply's text followed by its buttons as a numbered list and how to answer."""
    listed = menu(reply)
    return f"{reply.text}\n\n{listed}" if listed else reply.text


def menu(reply: Reply) -> str:
    """The reply's buttons as a numbered list and how to answer ("" without buttons)."""
    options = reply.button_list()
    if not options:
        return ""
    lines = [f"{index}. {button.label}" for index, button in enumerate(options, start=1)]
    return "\n".join([*lines, how_to_answer(len(options))])


def how_to_answer(count: int) -> str:
    if count == 1:
        return t("menu_answer_one")
    if count <= 4:
        head = ", ".join(str(n) for n in range(1, count))
        return t("menu_answer_few", head=head, last=count)
    return t("menu_answer_range", last=count)


@dataclass(frozen=True, slots=True)
class Choice:
    """What a typed text means: `incoming` to route (maybe now a button), or a `help` answer."""

    incoming: Incoming
    help: Reply | None = None


def number_of(text: str) -> int | None:
    match = _NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def _plain(label: str) -> str:
    return fold(_DECORATION.sub("", label))


def pick(options: list[dict[str, str]], text: str) -> str | None:
    """The payload `text` chooses among `options` (by number or by label), or None."""
    number = number_of(text)
    if number is not None:
        return options[number - 1]["payload"] if 1 <= number <= len(options) else None
    wanted = fold(text)
    for option in options:
        if wanted and wanted in (fold(option["label"]), _plain(option["label"])):
            return option["payload"]
    return None


async def interpret(services: Services, incoming: Incoming) -> Choice:
    """Map a typed answer onto the chat's open menu. A bare number that matches nothing gets
    a short help, unless a step is waiting for typed text (where numbers may be data)."""
    text = incoming.text
    if text is None or incoming.payload is not None or incoming.received is not None:
        return Choice(incoming)  # a photo's caption is never a choice
    async with services.db.unit_of_work() as uow:
        options = await _options(uow.session, Address(incoming.channel, incoming.chat_id))
    payload = pick(options, text) if options else None
    if payload is not None:
        return Choice(replace(incoming, text=None, payload=payload))
    number = number_of(text)
    if number is None or await onboarding.waiting_flow(services, incoming) is not None:
        return Choice(incoming)
    if options:
        return Choice(incoming, Reply(t("menu_no_such_number", number=number, last=len(options))))
    return Choice(incoming, Reply(t("menu_none_open")))


async def remember(services: Services, to: Address, reply: Reply) -> None:
    """After `reply` reached the chat: its buttons are now the open menu. A reply that
    replaces the message with the buttons and has none closes the menu."""
    options = [{"label": b.label, "payload": b.payload} for b in reply.button_list()]
    if not options and not reply.replace:
        return
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        if not options:
            await s.execute(
                delete(PendingMenu).where(
                    PendingMenu.channel == to.channel, PendingMenu.chat_id == to.chat_id
                )
            )
        else:
            insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
            statement = insert(PendingMenu).values(
                channel=to.channel, chat_id=to.chat_id, options=options, created_at=now
            )
            await s.execute(
                statement.on_conflict_do_update(
                    index_elements=["channel", "chat_id"],
                    set_={"options": options, "created_at": now},
                )
            )
        await uow.commit()


async def _options(s: AsyncSession, chat: Address) -> list[dict[str, str]]:
    found = await s.scalar(
        select(PendingMenu.options).where(
            PendingMenu.channel == chat.channel, PendingMenu.chat_id == chat.chat_id
        )
    )
    return list(found or [])
