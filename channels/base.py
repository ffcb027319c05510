"""What every messenger adapter offers, and the neutral outcomes of a failed send."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Protocol

from core.messages import Reply
from core.router import CommandSpec


class Failure(enum.StrEnum):
    RETRY = "retry"  # network trouble or a 5xx: try again later
    RATE_LIMITED = "rate_limited"  # 429: wait `retry_after`
    UNREACHABLE = "unreachable"  # the person blocked the bot or the chat is gone
    BAD_REQUEST = "bad_request"  # our fault: do not retry


class DeliveryError(Exception):
    def __init__(self, failure: Failure, detail: str = "", retry_after: float = 0.0) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail
        self.retry_after = retry_after


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
