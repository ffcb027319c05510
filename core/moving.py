"""Moving a meeting by typing its new date and time (the secretary's "Đổi giờ")."""

from __future__ import annotations

from core import conversation, meetings
from core.context import Services
from core.errors import Refused
from core.identity import load_actor
from core.messages import Incoming
from core.vndates import DateInputError, parse_datetime

FLOW = "move"


async def ask(services: Services, who: Incoming, meeting_id: int) -> meetings.MeetingView:
    view = await meetings.view_of(services, who, meeting_id)
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        state = conversation.State(FLOW, "when", {"meeting": meeting_id})
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
    changed = await meetings.reschedule(services, who, int(state.data["meeting"]), starts)
    async with services.db.unit_of_work() as uow:
        await conversation.leave(uow.session, actor.member_id or 0, who.channel)
        await uow.commit()
    return changed
