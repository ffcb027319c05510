"""The per-account flood limit (core/flood.py) and where it sits: the router's dispatch."""

from __future__ import annotations

from dataclasses import replace

import pytest

import core.flood
from core.context import Services
from core.flood import FloodGuard, Verdict
from core.messages import Event, Incoming
from core.texts import t
from handlers import build_router
from tests.support import Person, seed_cell, text_of


class Wall:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_one_warning_then_silence() -> None:
    wall = Wall()
    guard = FloodGuard(5, 60, monotonic=wall)
    verdicts = [guard.check("telegram", "1") for _ in range(12)]
    assert verdicts == [Verdict.ADMIT] * 5 + [Verdict.WARN] + [Verdict.DROP] * 6
    assert guard.dropped == 7


def test_the_bucket_refills_at_the_rate_and_warns_again_after_a_minute() -> None:
    wall = Wall()
    guard = FloodGuard(2, 60, monotonic=wall)  # one update a second after the burst
    assert [guard.check("zalo", "a") for _ in range(3)] == [
        Verdict.ADMIT,
        Verdict.ADMIT,
        Verdict.WARN,
    ]
    wall.now += 1.0
    assert guard.check("zalo", "a") is Verdict.ADMIT
    assert guard.check("zalo", "a") is Verdict.DROP  # warned less than a minute ago
    wall.now += 59.5
    assert guard.check("zalo", "a") is Verdict.ADMIT
    assert guard.check("zalo", "a") is Verdict.ADMIT
    assert guard.check("zalo", "a") is Verdict.WARN  # a new window, one more polite answer


def test_accounts_have_their_own_buckets_and_zero_means_no_limit() -> None:
    wall = Wall()
    guard = FloodGuard(1, 60, monotonic=wall)
    assert guard.check("telegram", "1") is Verdict.ADMIT
    assert guard.check("telegram", "1") is Verdict.WARN
    assert guard.check("telegram", "2") is Verdict.ADMIT
    assert guard.check("zalo", "1") is Verdict.ADMIT  # the same id on another channel
    off = FloodGuard(0, 60, monotonic=wall)
    assert {off.check("telegram", "1") for _ in range(1000)} == {Verdict.ADMIT}


def test_a_normal_fast_self_check_is_never_throttled() -> None:
    """26 updates (the quarterly form, its comments, the command, sending) at 0.3 s each."""
    wall = Wall()
    guard = FloodGuard(20, 60, monotonic=wall)
    verdicts = []
    for _ in range(26):
        verdicts.append(guard.check("telegram", "1"))
        wall.now += 0.3
    assert set(verdicts) == {Verdict.ADMIT}


def test_idle_buckets_are_forgotten_when_there_are_many(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.flood, "MAX_ACCOUNTS", 10)
    wall = Wall()
    guard = FloodGuard(2, 60, monotonic=wall)
    for n in range(10):
        guard.check("telegram", str(n))
    guard.check("telegram", "busy")
    guard.check("telegram", "busy")
    guard.check("telegram", "busy")  # warned: kept until its window ends
    wall.now += 5.0
    guard.check("telegram", "new")
    assert set(guard._buckets) == {("telegram", "busy"), ("telegram", "new")}


async def test_the_router_answers_a_flood_once_and_serves_the_others(services: Services) -> None:
    limited = replace(services, config=replace(services.config, flood_burst=3))
    await seed_cell(limited)
    router = build_router(limited)
    flooder, other = Person(router, "500"), Person(router, "501")
    answers = [text_of(await flooder.say("/trogiup")) for _ in range(10)]
    assert answers[3] == t("flood_slow_down")
    assert answers[4:] == [""] * 6  # dropped: no answer, no work
    assert t("flood_slow_down") not in answers[:3]
    assert text_of(await other.say("/trogiup")) == answers[0]  # others are not affected
    blocked = Incoming("test", "500", "500", event=Event.BLOCKED)
    assert (await router.dispatch(blocked)).replies == []  # events pass, and are handled
    assert router.flood.dropped == 7
