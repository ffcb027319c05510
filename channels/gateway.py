"""Between the adapters and the router: notices to other people, menus, unreachable chats."""

from __future__ import annotations

import logging

from channels.base import Channel, DeliveryError, Failure
from core import reachability
from core.help import menu_audiences
from core.messages import Address, Incoming, Outcome, Reply
from core.policy import Audience
from core.router import Router

log = logging.getLogger(__name__)


class Gateway:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.channels: dict[str, Channel] = {}

    def attach(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    async def route(self, incoming: Incoming, *, bare_commands: bool = False) -> Outcome:
        return await self.router.dispatch(incoming, bare_commands=bare_commands)

    async def follow_up(self, outcome: Outcome) -> None:
        """After the sender got their answer: tell others, refresh menus."""
        for notice in outcome.notices:
            await self.deliver(notice.to, notice.reply)
        for menu in outcome.menus:
            channel = self.channels.get(menu.to.channel)
            if channel is not None:
                try:
                    await channel.set_menu(menu.to.chat_id, self.router.specs, menu.audiences)
                except DeliveryError as exc:
                    log.warning("menu update failed on %s: %s", menu.to.channel, exc.failure)

    async def deliver(self, to: Address, reply: Reply) -> bool:
        """Send now; an unreachable chat is marked so the secretary can see it."""
        channel = self.channels.get(to.channel)
        if channel is None:
            log.warning("no adapter for channel %s", to.channel)
            return False
        try:
            await channel.send(to.chat_id, reply)
            return True
        except DeliveryError as exc:
            log.warning("delivery to a %s chat failed: %s", to.channel, exc.failure)
            if exc.failure is Failure.UNREACHABLE:
                await self.unreachable(to)
            return False

    async def unreachable(self, chat: Address) -> None:
        await reachability.unreachable(self.router.services, chat)

    async def menu_audiences(self, channel: str) -> dict[Address, frozenset[Audience]]:
        return await menu_audiences(self.router.services, channel)
