"""Zalo control API: emulated users waiting for replies, calls, reset, and the building blocks."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from emulator import (
    Emulator,
    EmulatorError,
    EmulatorTimeout,
    ZaloEmulatedUser,
    ZaloEmulatorClient,
    zalo_user_id,
)
from emulator.chatlog import StrChatLog
from emulator.faults import FaultRegistry
from emulator.zalo_common import is_loopback_url
from tests.emulator.zalo_support import ZALO_TOKEN, ZaloApi

USER = zalo_user_id(4001)


@pytest.fixture
def zapi(http: httpx.AsyncClient) -> ZaloApi:
    return ZaloApi(http)


@pytest.fixture
async def zalo(emu: Emulator) -> AsyncIterator[ZaloEmulatorClient]:
    async with ZaloEmulatorClient(emu.url, ZALO_TOKEN) as client:
        yield client


@pytest.fixture
async def echo_bot(zapi: ZaloApi) -> AsyncIterator[None]:
    """A toy Zalo bot polling getUpdates: two replies 50 ms apart to every text."""

    async def run() -> None:
        while True:
            response = await zapi("getUpdates", timeout=1)
            body = response.json()
            if not body["ok"]:
                continue  # 408: nothing new
            message = body["result"]["message"]
            chat, text = message["chat"]["id"], message.get("text", body["result"]["event_name"])
            await zapi.ok("sendChatAction", chat_id=chat, action="typing")
            await zapi.ok("sendMessage", chat_id=chat, text=f"1: {text}")
            await asyncio.sleep(0.05)
            await zapi.ok("sendMessage", chat_id=chat, text="2")

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.usefixtures("echo_bot")
async def test_emulated_user_says_and_waits(zalo: ZaloEmulatorClient) -> None:
    user = ZaloEmulatedUser(zalo, USER, "Trần Lan")
    assert user.chat_id == USER
    replies = await user.say("xin chào")  # expect=1, yet the quiet period catches the burst
    assert [r.text for r in replies] == ["1: xin chào", "2"]
    assert all(r.chat_id == USER and r.kind == "message" for r in replies)
    assert await user.say("lần nữa", expect=2) == user.last_replies
    assert [m.body for m in await user.messages()] == ["1: xin chào", "2", "1: lần nữa", "2"]
    replies = await user.send_event("unsupported")
    assert replies[0].text == "1: message.unsupported.received"
    with pytest.raises(EmulatorTimeout, match="expected 5 bot event"):
        await user.say("nhiều quá", expect=5, timeout=0.5)
    calls = await zalo.calls("sendChatAction")
    assert len(calls) == 4 and {c.chat_id for c in calls} == {USER}


async def test_events_wait_after_a_seq(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.send(USER, "hi")
    await zapi.ok("sendMessage", chat_id=USER, text="one")
    sent = await zalo.send(USER, "again")
    assert sent.seq == 1

    async def reply_later() -> None:
        await asyncio.sleep(0.1)
        await zapi.ok("sendMessage", chat_id=USER, text="two")

    task = asyncio.create_task(reply_later())
    events = await zalo.events(USER, after=sent.seq, min_count=1, timeout=3)
    await task
    assert [(e.seq, e.text) for e in events] == [(2, "two")]
    assert await zalo.events(USER, after=2, min_count=1, timeout=0.1) == []
    assert [e.text for e in await zalo.messages(USER)] == ["one", "two"]


async def test_reset_forgets_zalo_state(
    zapi: ZaloApi, zalo: ZaloEmulatorClient, emu: Emulator
) -> None:
    await zalo.send(USER, "hi")
    await zapi.ok("sendMessage", chat_id=USER, text="answer")
    await zalo.settings(error_style="http200")
    await zalo.add_fault("getMe", "500")
    await zapi.ok("setWebhook", url="http://127.0.0.1:9/hook", secret_token="12345678")
    await zalo.reset()
    assert emu.zalo.bots == {}
    await zapi.ok("getMe")  # the fault is gone too
    status, body = await zapi.error("sendMessage", chat_id=USER, text="x")
    assert (status, body["description"]) == (400, "Chat not found")  # mirror style again
    assert await zalo.events(USER) == [] and await zalo.calls("getMe") != []
    assert (await zapi.ok("getWebhookInfo"))["url"] == ""


async def test_control_errors(zalo: ZaloEmulatorClient, emu: Emulator) -> None:
    async with ZaloEmulatorClient(emu.url, "not-a-token") as bad:
        with pytest.raises(EmulatorError) as caught:
            await bad.send(USER, "hi")
    assert caught.value.status == 404
    for call in (
        zalo.event(USER, "video"),
        zalo.event(USER, "text"),  # no text
        zalo.send("bad id!", "hi"),
        zalo.settings(error_style="loud"),
    ):
        with pytest.raises(EmulatorError) as caught:
            await call
        assert caught.value.status == 400
    with pytest.raises(EmulatorError) as caught:
        await zalo.replay()
    assert caught.value.status == 404
    with pytest.raises(EmulatorError) as caught:
        await zalo.download("nope")
    assert caught.value.status == 404


def test_zalo_user_ids_are_stable_and_opaque() -> None:
    assert zalo_user_id(2001) == zalo_user_id(2001) != zalo_user_id(2002)
    assert re.fullmatch(r"[0-9a-f]{16}", zalo_user_id(2001))
    assert len({zalo_user_id(n) for n in range(1000)}) == 1000


async def test_string_chat_log_keeps_sending_order() -> None:
    log = StrChatLog()
    for message_id in ("ff", "0a", "7c"):
        log.append("message", "chat", message_id, text=message_id)
    log.append("message", "other", "01", text="x")
    assert [m.message_id for m in log.messages("chat")] == ["ff", "0a", "7c"]
    assert log.chat_last_seq("chat") == 3 and log.last_seq == 4


def test_fault_chat_ids_compare_as_strings() -> None:
    faults = FaultRegistry()
    faults.add("403", chat_id="abc123", platform="zalo")
    faults.add("500", chat_id=42)
    assert faults.check("zalo", "1:a", "sendMessage", "abc124") is None
    assert faults.check("zalo", "1:a", "sendMessage", "abc123") is not None
    assert faults.check("telegram", "1:a", "sendMessage", 42) is not None
    assert faults.check("zalo", "1:a", "sendMessage", None) is None


def test_loopback_urls() -> None:
    for url in (
        "http://127.0.0.1:8/x",
        "https://localhost/x",
        "http://[::1]:80/",
        "http://127.1.2.3",
    ):
        assert is_loopback_url(url), url
    for url in (
        "https://example.com/x",
        "ftp://127.0.0.1/x",
        "http://10.0.0.1/",
        "http://127.0.0.1:x/",
    ):
        assert not is_loopback_url(url), url
