"""Between the adapters and the router: notices to other people, menus, unreachable chats."""

from __future__ import annotations

import logging
from collections.abc import Callable

from channels.base import Channel, DeliveryError, Failure
from core import reachability
from core.help import menu_audiences
from core.messages import Address, Incoming, Outcome, Reply
from core.outbox import enqueue_notices
from core.policy import Audience
from core.router import Router

log = logging.getLogger(__name__)


class Gateway:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.channels: dict[str, Channel] = {}
        self.on_enqueued: Callable[[], None] = lambda: None  # the delivery loop's wake-up

    def attach(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    async def route(self, incoming: Incoming, *, bare_commands: bool = False) -> Outcome:
        return await self.router.dispatch(incoming, bare_commands=bare_commands)

    async def follow_up(self, outcome: Outcome) -> None:
        """After the sender got their answer: tell others, refresh menus."""
        if await enqueue_notices(self.router.services, outcome.notices):
            self.on_enqueued()
        for menu in outcome.menus:
            channel = self.channels.get(menu.to.channel)
            if channel is not None:
                try:
                    await channel.set_menu(menu.to.chat_id, self.router.specs, menu.audiences)
                except DeliveryError as exc:
                    log.warning("menu update failed on %s: %s", menu.to.channel, exc.failure)

    async def send(self, to: Address, reply: Reply) -> str:
        """The delivery loop's sender: one message to one chat, or DeliveryError."""
        channel = self.channels.get(to.channel)
        if channel is None:
            raise DeliveryError(Failure.RETRY, f"channel {to.channel} is not running")
        return await channel.send(to.chat_id, reply)

    async def unreachable(self, chat: Address) -> None:
        await reachability.unreachable(self.router.services, chat)

    async def menu_audiences(self, channel: str) -> dict[Address, frozenset[Audience]]:
        return await menu_audiences(self.router.services, channel)
