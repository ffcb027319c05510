"""Things a person does that are not messages: blocking or unblocking the bot."""

from __future__ import annotations

from core.context import Services
from core.messages import Address, Event, Incoming
from core.reachability import blocked_by_person


async def on_event(services: Services, incoming: Incoming) -> None:
    chat = Address(incoming.channel, incoming.chat_id)
    await blocked_by_person(services, chat, incoming.event is Event.BLOCKED)
