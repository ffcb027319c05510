"""Zalo events by webhook and by polling: registration, the secret header, replays."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from bot.harness import Harness, running_bot
from core.texts import t
from emulator.zalo_client import ZaloEmulatorClient
from tests.channels.zalo_helpers import (
    HEADER,
    SECRET,
    all_handled,
    chat_seq,
    free_port,
    inbound_count,
    nothing_more,
    only,
    zalo_event,
)


@pytest.fixture
async def hook(sqlite_url: str) -> AsyncIterator[tuple[Harness, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/hooks"
    async with running_bot(
        sqlite_url,
        migrate_first=False,
        channel="zalo",
        webhook_url=base,
        webhook_secret=SECRET,
        webhook_port=port,
    ) as harness:
        yield harness, f"{base}/zalo"


@pytest.fixture
async def polling(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, migrate_first=False, channel="zalo") as harness:
        yield harness


async def test_the_bot_registers_its_webhook_and_answers_by_it(
    hook: tuple[Harness, str],
) -> None:
    h, url = hook
    assert h.app.zalo is not None
    info = await h.app.zalo.client.get_webhook_info()
    assert info["url"] == url
    assert (await h.zalo.webhook())["secret_set"] is True

    khoa = h.zalo_user(7001, "Khoa")
    assert only(await khoa.say("/start")).body == t("start_how_to_join")
    assert await h.zalo.calls("getUpdates") == []
    [delivery] = (await h.zalo.webhook())["deliveries"]
    assert delivery["status"] == 200
    [row] = await all_handled(h)
    assert row["body"] is None  # what was said is forgotten once handled


async def test_a_post_without_the_secret_changes_nothing(
    hook: tuple[Harness, str], figure: Callable[[str], None]
) -> None:
    """Zalo webhook posts without the right secret header, or with an oversized body, are
    rejected and never stored or handled."""
    h, url = hook
    khoa = h.zalo_user(7001, "Khoa")
    await khoa.say("/start")  # Zalo knows the chat, so an answer could reach it
    await all_handled(h)
    seq, rows = await chat_seq(khoa), await inbound_count(h)

    forged = zalo_event(khoa.user_id, "/start", "f0f0f0f0f0f0f0f0")
    big = zalo_event(khoa.user_id, "x" * (1024 * 1024 + 16), "e0e0e0e0e0e0e0e0")
    async with httpx.AsyncClient(timeout=5) as http:
        missing = await http.post(url, json=forged)
        wrong = await http.post(url, json=forged, headers={HEADER: "not-the-secret"})
        empty = await http.post(url, json=forged, headers={HEADER: ""})
        statuses = [missing.status_code, wrong.status_code, empty.status_code]
        assert statuses == [401, 401, 401]
        too_big = await http.post(url, json=big, headers={HEADER: SECRET})
        assert too_big.status_code in (400, 413)
        await nothing_more(h, khoa, seq)
        assert await inbound_count(h) == rows

        accepted = await http.post(url, json=forged, headers={HEADER: SECRET})
        assert accepted.status_code == 200
    events = await h.zalo.events(khoa.chat_id, after=seq, min_count=1, timeout=5)
    assert [e.body for e in events] == [t("start_how_to_join")]
    assert await inbound_count(h) == rows + 1
    figure(
        f"Zalo: 3 posts without the right secret (missing, wrong, empty) → "
        f"{', '.join(map(str, statuses))}; a 1 MiB+ body with the secret → "
        f"{too_big.status_code}; 0 of them stored or answered (the real post: 1 answer)"
    )


async def test_a_replayed_webhook_event_is_handled_once(hook: tuple[Harness, str]) -> None:
    h, _ = hook
    khoa = h.zalo_user(7001, "Khoa")
    assert only(await khoa.say("/start")).body == t("start_how_to_join")
    seq = await chat_seq(khoa)
    replayed = await h.zalo.replay()
    await deliveries_of(h.zalo, replayed.message_id, 2)
    await nothing_more(h, khoa, seq)
    [row] = await all_handled(h)
    assert row["key"] == f"message.text.received:{replayed.message_id}"


async def test_a_replayed_polled_event_is_handled_once(polling: Harness) -> None:
    h = polling
    khoa = h.zalo_user(7001, "Khoa")
    assert only(await khoa.say("/start")).body == t("start_how_to_join")
    seq = await chat_seq(khoa)
    polls = len(await h.zalo.calls("getUpdates"))
    replayed = await h.zalo.replay()
    # One poll returns the replay; the poll after it starts only once that one was kept.
    await polls_after(h.zalo, polls, 2)
    await nothing_more(h, khoa, seq)
    [row] = await all_handled(h)
    assert row["key"] == f"message.text.received:{replayed.message_id}"
    assert len(await khoa.messages()) == 1


async def test_a_group_event_is_ignored(hook: tuple[Harness, str]) -> None:
    h, url = hook
    group = zalo_event("a1a1a1a1a1a1a1a1", "/start", "9a9a9a9a", "GROUP", "b2b2b2b2b2b2b2b2")
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.post(url, json=group, headers={HEADER: SECRET})
    assert answer.status_code == 200
    [row] = await all_handled(h)
    assert row["key"] == "message.text.received:9a9a9a9a"
    await asyncio.sleep(0.2)
    assert [c for c in await h.zalo.calls() if c.chat_id is not None] == []


async def deliveries_of(zalo: ZaloEmulatorClient, message_id: str, count: int) -> None:
    """Wait until the emulator delivered the event `count` times to the webhook (200 each)."""
    for _ in range(100):
        info = await zalo.webhook()
        done = [d for d in info["deliveries"] if d["message_id"] == message_id]
        if len(done) >= count:
            assert [d.get("status") for d in done] == [200] * count
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the event was not delivered {count} times")


async def polls_after(zalo: ZaloEmulatorClient, before: int, more: int) -> None:
    for _ in range(100):
        if len(await zalo.calls("getUpdates")) >= before + more:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot stopped polling")
