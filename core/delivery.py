"""Sending, seen from the core: how a send can fail, and who can send."""

from __future__ import annotations

import enum
from typing import Protocol

from core.messages import Address, Reply


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


class Sender(Protocol):
    """Anything that can put one message in one chat (the gateway, in production)."""

    async def send(self, to: Address, reply: Reply) -> str:
        """Return the provider's message id, or raise DeliveryError."""
        ...
