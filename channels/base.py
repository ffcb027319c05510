"""What every messenger adapter offers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from core.delivery import DeliveryError, Failure
from core.messages import Reply
from core.router import CommandSpec

__all__ = ["Channel", "DeliveryError", "Failure"]


class Channel(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a new message; return the provider's message id or raise DeliveryError."""
        ...

    async def set_menu(
        self, chat_id: str | None, specs: Iterable[CommandSpec], audiences: frozenset[str]
    ) -> None:
        """Show the commands for `audiences` in this chat (None: everyone's default)."""
        ...
