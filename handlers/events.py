"""Things a person does that are not messages: blocking or unblocking the bot."""

from __future__ import annotations

from core import onboarding
from core.context import Services
from core.messages import Event, Incoming


async def on_event(services: Services, incoming: Incoming) -> None:
    await onboarding.set_blocked(services, incoming, incoming.event is Event.BLOCKED)
