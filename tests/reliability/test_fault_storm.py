"""Fault storms: the real delivery loop against the emulator while ~10% of sends fail.

The bot (PTB, Zalo adapter, gateway, delivery loop) runs on both channels against the
emulator over loopback, with the emulator enforcing the platforms' flood limits (Telegram:
30 messages/s per bot and 1/s per chat; Zalo: 1/s per chat) and injecting faults on
sendMessage: 429 (Telegram's with retry_after, Zalo's without), 500, 502, requests held
then dropped without an answer (a gateway timeout) and, in the full storm, requests held past
the bot's HTTP timeout (20 s: the bot gives up; the emulator logs 499). A producer keeps the
outbox busy for the whole storm: every second a trickle of reminders to random chats, and
every `broadcast_every` seconds one to every chat, so both the overall and the per-chat
pacing are exercised.

Time: the pacer (jobs/pacing.py) and the emulator's limiter measure the monotonic wall clock,
and a send is a real HTTP round trip, so the storm cannot be compressed; the business clock
(back-off of retried rows) is the system clock too. The storm therefore runs in real time:
12 s in `make test`, the full 10 minutes with `--full` (`make reliability`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count, pairwise
from typing import cast

import pytest
from sqlalchemy import func, select

from bot.harness import Harness, link_members, running_bot
from core.messages import Reply
from core.outbox import Message, enqueue
from db.models import Outbox, OutboxStatus
from emulator.client import HasBody
from tests.support import seed_cell

pytestmark = pytest.mark.e2e

FIRST_USER = 810_000
PREFIX = "Nhắc việc chi bộ số "  # the storm's texts (the hello answers are not counted)
TOLERANCE = 0.05  # s: the call log stamps the end of a call, the limiter its arrival
# Fault rules are tried in order, each with its own probability: together about 10%.
FAULTS = (("429", 0.035), ("500", 0.025), ("502", 0.02), ("timeout", 0.025))


@dataclass(frozen=True)
class Storm:
    seconds: int
    telegram_chats: int
    zalo_chats: int
    telegram_trickle: int  # reminders per second to random chats
    zalo_trickle: int
    broadcast_every: int  # seconds between reminders to every chat
    drain: float  # seconds allowed after the storm for the last retries
    hangs: float = 0.0  # share of sends held past the client's 20 s timeout (499)


QUICK = Storm(12, 120, 30, 4, 2, 6, 60.0)
FULL = Storm(600, 300, 40, 3, 1, 60, 180.0, hangs=0.005)
HANG = 25.0  # seconds a hung request is held: longer than the bot's HTTP timeout (20 s)


@dataclass
class Channel:
    name: str
    chats: list[str]
    members: dict[str, int]  # chat id: member id
    expected: dict[str, Counter[str]]  # chat id: texts it must get, once each


async def telegram_chats(h: Harness, storm: Storm) -> list[str]:
    """Chats the emulator knows without an update (nothing for the bot to answer)."""
    users = range(FIRST_USER, FIRST_USER + storm.telegram_chats)
    await h.client.register_users(list(users))
    return [str(u) for u in users]


async def zalo_chats(h: Harness, storm: Storm) -> list[str]:
    """Zalo knows a chat once its user wrote: each says hello and gets the join help."""
    people = [h.zalo_user(FIRST_USER + n, f"Người {n}") for n in range(storm.zalo_chats)]
    await asyncio.gather(*(p.say("xin chào") for p in people))
    return [p.chat_id for p in people]


async def channels(h: Harness, storm: Storm) -> list[Channel]:
    cell = await seed_cell(h.app.services)
    found = []
    for name, chats in (
        ("telegram", await telegram_chats(h, storm)),
        ("zalo", await zalo_chats(h, storm)),
    ):
        # link_members writes str(id) for both the account and the chat: any id will do.
        linked = await link_members(h.app.services, cell.id, cast(Sequence[int], chats), name)
        members = {str(chat): member for chat, member in linked.items()}
        found.append(Channel(name, chats, members, {c: Counter() for c in chats}))
    return found


async def storm_faults(h: Harness, storm: Storm) -> None:
    h.emulator.faults.seed(20261127)
    await h.client.set_rate_limit(True, overall_per_second=30, per_chat_per_second=1)
    # Zalo documents no overall figure; its per-chat interval is what the bot paces to.
    await h.zalo.set_rate_limit(True, overall_per_second=1000, per_chat_per_second=1)
    for kind, probability in FAULTS:
        hold = 1.0 if kind == "timeout" else None
        retry = 2 if kind == "429" else None
        await h.client.add_fault(
            "sendMessage", kind, retry_after=retry, delay=hold, probability=probability
        )
        await h.zalo.add_fault("sendMessage", kind, delay=hold, probability=probability)
    if storm.hangs:  # the client gives up (its timeout), the row is retried
        await h.client.add_fault("sendMessage", "timeout", delay=HANG, probability=storm.hangs)
        await h.zalo.add_fault("sendMessage", "timeout", delay=HANG, probability=storm.hangs)


async def produce(h: Harness, storm: Storm, chans: list[Channel]) -> int:
    """Enqueue reminders second by second for the whole storm; how many were enqueued."""
    services, rng, serial = h.app.services, random.Random(7), count()
    trickle = {"telegram": storm.telegram_trickle, "zalo": storm.zalo_trickle}
    started, total = time.monotonic(), 0
    for second in range(storm.seconds):
        messages = []
        for chan in chans:
            broadcast = second % storm.broadcast_every == 0
            chats = chan.chats if broadcast else []
            chats = chats + [rng.choice(chan.chats) for _ in range(trickle[chan.name])]
            for chat in chats:
                n = next(serial)
                text = f"{PREFIX}{n}"
                chan.expected[chat][text] += 1
                messages.append(
                    Message(
                        key=f"storm:{n}",
                        kind="reminder",
                        reply=Reply(text),
                        member_id=chan.members[chat],
                        not_before=services.clock.now(),
                    )
                )
        async with services.db.unit_of_work() as uow:
            total += await enqueue(uow.session, services, services.clock.now(), messages)
            await uow.commit()
        assert h.app.deliverer is not None
        h.app.deliverer.wake()
        await asyncio.sleep(max(0.0, started + second + 1 - time.monotonic()))
    return total


async def drained(h: Harness, within: float) -> dict[str, int]:
    deadline = time.monotonic() + within
    while True:
        async with h.app.services.db.unit_of_work() as uow:
            result = await uow.session.execute(
                select(Outbox.status, func.count()).group_by(Outbox.status)
            )
            counts = {str(status): int(n) for status, n in result}
        if not counts.get(OutboxStatus.PENDING) and not counts.get(OutboxStatus.SENDING):
            return counts
        assert time.monotonic() < deadline, f"outbox not drained {within:.0f} s after: {counts}"
        await asyncio.sleep(0.5)


@dataclass
class Wire:
    """What one channel's call log and limiter say about the storm."""

    delivered: int
    duplicates: int
    missing: int
    faults: Counter[int]  # status (0: dropped) -> injected failures
    calls: int
    min_gap: float  # seconds between two messages to one chat
    violations: int
    violation_log: list[object]


def min_gap(sent: list[tuple[str, float]]) -> float:
    by_chat: defaultdict[str, list[float]] = defaultdict(list)
    for chat, at in sent:
        by_chat[chat].append(at)
    gaps = [b - a for stamps in by_chat.values() for a, b in pairwise(sorted(stamps))]
    return min(gaps, default=float("inf"))


async def telegram_wire(h: Harness, chan: Channel) -> Wire:
    calls = await h.client.calls("sendMessage")
    sent = [(str(c.chat_id), c.at) for c in calls if c.status == 200]
    bodies = {chat: storm_texts(await h.client.messages(int(chat))) for chat in chan.chats}
    status = await h.client.rate_limit_status()
    return wire(chan, bodies, calls_faults([c.status for c in calls]), sent, status)


async def zalo_wire(h: Harness, chan: Channel) -> Wire:
    calls = await h.zalo.calls("sendMessage")
    sent = [(c.chat_id or "", c.at) for c in calls if c.status == 200 and c.error_code is None]
    bodies = {chat: storm_texts(await h.zalo.messages(chat)) for chat in chan.chats}
    status = await h.zalo.rate_limit_status()
    return wire(
        chan, bodies, calls_faults([c.error_code or c.status for c in calls]), sent, status
    )


def storm_texts(messages: Sequence[HasBody]) -> Counter[str]:
    return Counter(m.body for m in messages if m.body.startswith(PREFIX))


def calls_faults(statuses: list[int]) -> tuple[Counter[int], int]:
    return Counter(s for s in statuses if s != 200), len(statuses)


def wire(
    chan: Channel,
    bodies: dict[str, Counter[str]],
    faults: tuple[Counter[int], int],
    sent: list[tuple[str, float]],
    status: dict[str, object],
) -> Wire:
    got = Counter({(chat, text): n for chat, texts in bodies.items() for text, n in texts.items()})
    want = Counter(
        {(chat, text): n for chat, texts in chan.expected.items() for text, n in texts.items()}
    )
    return Wire(
        delivered=sum((got & want).values()),
        duplicates=sum((got - want).values()),
        missing=sum((want - got).values()),
        faults=faults[0],
        calls=faults[1],
        min_gap=min_gap(sent),
        violations=int(cast(int, status["violations"])),
        violation_log=list(cast(list[object], status["violation_log"]))[:5],
    )


def describe(name: str, w: Wire) -> str:
    faults = sum(w.faults.values())
    names = {0: "dropped", 499: "timed out"}
    kinds = ", ".join(f"{names.get(k, k)}×{n}" for k, n in sorted(w.faults.items()))
    return (
        f"{name}: delivered {w.delivered}, duplicates {w.duplicates}, missing {w.missing}; "
        f"{faults} injected faults in {w.calls} calls ({100 * faults / max(1, w.calls):.1f}%: "
        f"{kinds}); min gap per chat {w.min_gap:.2f} s; 429 from our pacing {w.violations}"
    )


async def run_storm(sqlite_url: str, storm: Storm, figure: Callable[[str], None]) -> None:
    async with running_bot(sqlite_url, channel="both", migrate_first=False) as h:
        chans = await channels(h, storm)
        await storm_faults(h, storm)
        started = time.monotonic()
        total = await produce(h, storm, chans)
        assert await drained(h, storm.drain) == {"sent": total}
        elapsed = time.monotonic() - started
        await h.client.clear_faults()
        wires = {
            "telegram": await telegram_wire(h, chans[0]),
            "zalo": await zalo_wire(h, chans[1]),
        }
    lines = [describe(name, w) for name, w in wires.items()]
    figure(
        f"{total} messages enqueued over a {storm.seconds} s storm (real time), all sent "
        f"{elapsed:.0f} s after it began; " + "; ".join(lines)
    )
    for name, w in wires.items():
        chan = next(c for c in chans if c.name == name)
        expected = sum(sum(c.values()) for c in chan.expected.values())
        assert (w.delivered, w.duplicates, w.missing) == (expected, 0, 0), lines
        assert w.violations == 0, (lines, w.violation_log)  # no 429 caused by our pacing
        assert w.min_gap >= 1.0 - TOLERANCE, lines  # no chat got two messages within 1 s
        assert w.faults, lines
    faults = sum((w.faults for w in wires.values()), Counter[int]())
    share = sum(faults.values()) / sum(w.calls for w in wires.values())
    assert 0.05 <= share <= 0.16, lines  # the storm really was ~10% faults
    assert {429, 500, 502, 0} <= set(faults), lines  # every kind of fault happened
    if storm.hangs:
        assert 499 in faults, lines  # requests the bot gave up on (its HTTP timeout)


async def test_a_12_second_fault_storm_loses_nothing_and_keeps_the_limits(
    sqlite_url: str, figure: Callable[[str], None]
) -> None:
    """10% failing sends for 12 s: all delivered once, ≤ 1 msg/s per chat, no 429 of ours.

    The quick variant of the ten-minute storm: 12 s of real time, both channels at once.
    """
    await run_storm(sqlite_url, QUICK, figure)


@pytest.mark.slow
async def test_a_ten_minute_fault_storm_loses_nothing_and_keeps_the_limits(
    sqlite_url: str, figure: Callable[[str], None]
) -> None:
    """10 minutes of 10% failing sends (429 with retry_after, 500/502, dropped connections,
    timeouts) on Telegram and Zalo: every message delivered exactly once, no chat gets more
    than 1 msg/s, no 429 caused by our own pacing.

    Real time (see the module's docstring), both channels in one bot.
    """
    await run_storm(sqlite_url, FULL, figure)
