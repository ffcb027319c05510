"""Unit tests of the emulator's building blocks (no server)."""

from __future__ import annotations

import asyncio

import pytest

from emulator.chatlog import ChatLog
from emulator.faults import FaultRegistry
from emulator.ratelimit import RateLimiter
from emulator.telegram_format import image_size, visible_text


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_sliding_windows() -> None:
    clock = FakeClock()
    limiter = RateLimiter(overall_per_second=2, per_chat_per_second=1, clock=clock)
    assert limiter.check(1, "sendMessage") is None  # disabled: never limits
    limiter.enabled = True
    limiter.record(1)
    clock.now += 0.2
    assert limiter.check(1, "sendMessage") == 1  # per chat: 0.8 s left -> 1
    assert limiter.check(2, "sendMessage") is None
    limiter.record(2)
    assert limiter.check(3, "sendMessage") == 1  # overall: 2 in the last second
    clock.now += 0.81
    assert limiter.check(1, "sendMessage") is None
    assert len(limiter.violations) == 2
    slow = RateLimiter(per_chat_per_second=0.25, clock=clock)
    slow.enabled = True
    slow.record(7)
    clock.now += 1
    assert slow.check(7, "sendPhoto") == 3


def test_fault_registry_matching_and_count() -> None:
    faults = FaultRegistry(seed=1)
    faults.add("403", "sendMessage", chat_id=5, count=2, token="1:a")
    assert faults.check("telegram", "1:a", "sendMessage", 6) is None
    assert faults.check("telegram", "2:b", "sendMessage", 5) is None
    assert faults.check("telegram", "1:a", "sendmessage", 5) is not None
    assert faults.check("telegram", "1:a", "sendMessage", 5) is not None
    assert faults.check("telegram", "1:a", "sendMessage", 5) is None  # used up
    assert faults.rules() == []
    with pytest.raises(ValueError):
        faults.add("delay")  # needs a delay
    faults.add("500", platform="zalo")
    assert faults.check("telegram", "1:a", "getMe", None) is None
    assert faults.check("zalo", "1:a", "getMe", None) is not None


def test_fault_probability_is_reproducible() -> None:
    def pattern() -> list[bool]:
        faults = FaultRegistry(seed=42)
        faults.add("500", probability=0.3)
        return [faults.check("telegram", "1:a", "getMe", None) is not None for _ in range(50)]

    first = pattern()
    assert first == pattern() and 0 < sum(first) < 50


async def test_chatlog_waits_for_a_quiet_burst() -> None:
    log = ChatLog()

    async def burst() -> None:
        for i in range(3):
            await asyncio.sleep(0.03)
            log.append("message", 9, i + 1, text=str(i))

    task = asyncio.create_task(burst())
    events = await log.wait_events(9, after_seq=0, min_count=1, timeout=2, quiet=0.1)
    await task
    assert [e.text for e in events] == ["0", "1", "2"]
    assert await log.wait_events(9, after_seq=3, min_count=1, timeout=0.05) == []
    log.append("edit", 9, 2, text="edited")
    [state] = [m for m in log.messages(9) if m.message_id == 2]
    assert (state.kind, state.text, state.seq) == ("message", "edited", 4)


def test_format_helpers() -> None:
    assert visible_text("<b>A</b> &lt;3 <a href='x'>B</a>", "HTML") == "A <3 B"
    assert visible_text("<b>A</b>", None) == "<b>A</b>"
    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\0\0\0\rIHDR"
        + (300).to_bytes(4, "big")
        + (200).to_bytes(4, "big")
    )
    assert image_size(png) == (300, 200)
    assert image_size(b"GIF89a" + (5).to_bytes(2, "little") + (6).to_bytes(2, "little")) == (5, 6)
    assert image_size(b"nope") == (0, 0)
