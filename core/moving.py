"""Changes the secretary types: a meeting's new date and time ("Đổi giờ"), its place or
agenda ("Sửa")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core import conversation, meetings
from core.context import Services
from core.errors import Refused
from core.identity import load_actor
from core.messages import Incoming
from core.vndates import DateInputError, parse_datetime

FLOW = "move"
EDIT_FLOW = "edit"


async def ask(
    services: Services, who: Incoming, meeting_id: int, field_name: str = "when"
) -> meetings.MeetingView:
    """Wait for the secretary to type the new value of `field_name` ("when", "place",
    "agenda")."""
    if field_name not in ("when", *meetings.EDITABLE):
        raise Refused("stale_button")
    view = await meetings.view_of(services, who, meeting_id)
    flow = FLOW if field_name == "when" else EDIT_FLOW
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        state = conversation.State(flow, field_name, {"meeting": meeting_id})
        await conversation.enter(
            uow.session, services.clock.now(), actor.member_id or 0, who.channel, state
        )
        await uow.commit()
    return view


async def typed(services: Services, who: Incoming, text: str) -> meetings.Changed:
    now = services.clock.now().astimezone(services.config.timezone)
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        state = await conversation.current(uow.session, actor.member_id or 0, who.channel)
    if state is None or state.flow != FLOW:
        raise Refused("nothing_to_continue")
    try:
        starts = parse_datetime(text, now=now)
    except DateInputError as exc:
        raise Refused(exc.code, **exc.params) from exc
    async with _ends_when_meeting_is_gone(services, who, actor.member_id or 0):
        changed = await meetings.reschedule(services, who, int(state.data["meeting"]), starts)
    await _leave(services, who, actor.member_id or 0)
    return changed


async def edit_typed(services: Services, who: Incoming, text: str) -> meetings.Changed:
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        state = await conversation.current(uow.session, actor.member_id or 0, who.channel)
    if state is None or state.flow != EDIT_FLOW:
        raise Refused("nothing_to_continue")
    async with _ends_when_meeting_is_gone(services, who, actor.member_id or 0):
        changed = await meetings.edit(services, who, int(state.data["meeting"]), state.step, text)
    await _leave(services, who, actor.member_id or 0)
    return changed


GONE = frozenset({"meeting_cancelled", "meeting_unknown", "meeting_started"})


@asynccontextmanager
async def _ends_when_meeting_is_gone(
    services: Services, who: Incoming, member_id: int
) -> AsyncIterator[None]:
    """If the meeting was cancelled or started meanwhile, the step is over: leave it, so the
    next message is not refused again."""
    try:
        yield
    except Refused as refusal:
        if refusal.key in GONE:
            await _leave(services, who, member_id)
        raise


async def _leave(services: Services, who: Incoming, member_id: int) -> None:
    async with services.db.unit_of_work() as uow:
        await conversation.leave(uow.session, member_id, who.channel)
        await uow.commit()
