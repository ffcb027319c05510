"""Fault injection rules shared by every emulated platform.

A rule matches API calls by platform, bot token, method and chat and makes them fail
(429/403/500/502), answer late (``delay``) or hang until the client gives up
(``timeout``). Rules are checked before the method runs, so a failed send leaves no trace.
Chat ids are integers on Telegram and opaque strings on Zalo: they are compared as strings.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import asdict, dataclass
from typing import Any

from emulator.params import ApiError

KINDS = ("429", "403", "500", "502", "delay", "timeout")
DEFAULT_HOLD_SECONDS = 120.0


class ConnectionDropped(Exception):
    """Raised after a ``timeout`` fault held a request: the connection must be closed."""


@dataclass
class FaultRule:
    id: int
    kind: str
    method: str = "*"
    token: str | None = None
    platform: str | None = None
    chat_id: int | str | None = None
    retry_after: int = 1
    delay: float | None = None
    count: int | None = None
    probability: float = 1.0
    hits: int = 0

    def matches(self, platform: str, token: str, method: str, chat_id: int | str | None) -> bool:
        if self.platform is not None and self.platform != platform:
            return False
        if self.token is not None and self.token != token:
            return False
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        if self.chat_id is None:
            return True
        return chat_id is not None and str(self.chat_id) == str(chat_id)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultRegistry:
    """The active rules; ``check`` picks the rule (if any) that applies to one call."""

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._rng = random.Random(seed)

    def seed(self, seed: int | None) -> None:
        self._rng.seed(seed)

    def add(
        self,
        kind: str,
        method: str = "*",
        *,
        token: str | None = None,
        platform: str | None = None,
        chat_id: int | str | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        count: int | None = None,
        probability: float | None = None,
    ) -> FaultRule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1 (or null for 'until cleared')")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be within 0..1")
        if kind == "delay" and delay is None:
            raise ValueError("a 'delay' fault needs delay (seconds)")
        rule = FaultRule(
            id=self._next_id,
            kind=kind,
            method=method or "*",
            token=token,
            platform=platform,
            chat_id=chat_id,
            retry_after=max(1, retry_after if retry_after is not None else 1),
            delay=delay,
            count=count,
            probability=1.0 if probability is None else probability,
        )
        self._next_id += 1
        self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [rule for rule in self._rules if rule.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        self._rules.clear()

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def check(
        self, platform: str, token: str, method: str, chat_id: int | str | None
    ) -> FaultRule | None:
        """The first matching rule that fires for this call; consumes one of its uses."""
        for rule in self._rules:
            if not rule.matches(platform, token, method, chat_id):
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.hits += 1
            if rule.count is not None:
                rule.count -= 1
                if rule.count <= 0:
                    self._rules.remove(rule)
            return rule
        return None


async def apply_fault(rule: FaultRule) -> None:
    """Act out ``rule``: raise the API error, sleep, or hold then drop the connection."""
    if rule.kind == "429":
        raise ApiError(429, f"Too Many Requests: retry after {rule.retry_after}", rule.retry_after)
    if rule.kind == "403":
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if rule.kind == "500":
        raise ApiError(500, "Internal Server Error")
    if rule.kind == "502":
        raise ApiError(502, "Bad Gateway")
    if rule.kind == "delay":
        await asyncio.sleep(rule.delay or 0.0)
        return
    await asyncio.sleep(rule.delay if rule.delay is not None else DEFAULT_HOLD_SECONDS)
    raise ConnectionDropped
