"""Zalo: error styles, blocked users, injected faults and the optional rate limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from emulator import Emulator, ZaloEmulatorClient, zalo_user_id
from tests.emulator.zalo_support import ZALO_TOKEN, ZaloApi

A = zalo_user_id(2001)
B = zalo_user_id(2002)
QUOTA = "Quota exceeded - vượt quá giới hạn sử dụng API"


@pytest.fixture
def zapi(http: httpx.AsyncClient) -> ZaloApi:
    return ZaloApi(http)


@pytest.fixture
async def zalo(emu: Emulator) -> AsyncIterator[ZaloEmulatorClient]:
    async with ZaloEmulatorClient(emu.url, ZALO_TOKEN) as client:
        await client.send(A, "/start")
        await client.send(B, "/start")
        yield client


async def test_http200_error_style(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    assert (await zalo.settings())["error_style"] == "mirror"
    assert await zalo.settings(error_style="http200") == {"error_style": "http200"}
    status, body = await zapi.error("sendMessage", chat_id=A, text="")
    assert (status, body["error_code"]) == (200, 400)
    await zalo.add_fault("sendMessage", "500", count=1)
    status, body = await zapi.error("sendMessage", chat_id=A, text="x")
    assert (status, body["error_code"]) == (200, 500)
    [first, second] = await zalo.calls("sendMessage")
    assert (first.status, first.error_code, second.error_code) == (200, 400, 500)
    await zalo.settings(error_style="mirror")
    status, _ = await zapi.error("sendMessage", chat_id=A, text="")
    assert status == 400


async def test_blocked_user_gets_403_until_unblocked(
    zapi: ZaloApi, zalo: ZaloEmulatorClient
) -> None:
    await zalo.block(A)
    for method, params in (
        ("sendMessage", {"text": "x"}),
        ("sendPhoto", {"photo": "http://127.0.0.1:9/p"}),
    ):
        status, body = await zapi.error(method, chat_id=A, **params)
        assert (status, body["description"]) == (403, "User has blocked the bot")
    await zapi.ok("sendMessage", chat_id=B, text="B did not block")
    await zalo.block(A, blocked=False)
    await zapi.ok("sendMessage", chat_id=A, text="back")
    await zalo.block(A)
    await zalo.send(A, "writing again unblocks")
    await zapi.ok("sendMessage", chat_id=A, text="welcome back")


async def test_429_fault_has_no_retry_after(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.add_fault("sendMessage", "429", count=1)
    status, body = await zapi.error("sendMessage", chat_id=A, text="x")
    assert status == 429
    assert body == {"ok": False, "error_code": 429, "description": QUOTA}
    assert await zalo.events(A) == []  # a failed send leaves no trace
    await zapi.ok("sendMessage", chat_id=A, text="x")


async def test_faults_match_string_chat_ids(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.add_fault("sendMessage", "403", chat_id=A)
    await zalo.add_fault("getMe", "502", count=1)
    status, body = await zapi.error("sendMessage", chat_id=A, text="x")
    assert (status, body["description"]) == (403, "User has blocked the bot")
    await zapi.ok("sendMessage", chat_id=B, text="x")
    status, body = await zapi.error("getMe")
    assert (status, body["description"]) == (502, "Bad Gateway")
    await zalo.clear_faults()
    await zapi.ok("sendMessage", chat_id=A, text="x")


async def test_telegram_faults_do_not_hit_zalo(
    zapi: ZaloApi, zalo: ZaloEmulatorClient, http: httpx.AsyncClient
) -> None:
    await http.post("/_emu/faults", json={"kind": "500", "platform": "telegram"})
    await zapi.ok("getMe")


async def test_timeout_fault_drops_the_connection(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.add_fault("getMe", "timeout", delay=0.1, count=1)
    with pytest.raises(httpx.HTTPError):
        await zapi("getMe")
    assert [c.status for c in await zalo.calls("getMe")] == [0]


async def test_rate_limit_violations(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    assert (await zalo.rate_limit_status())["enabled"] is False
    await zalo.set_rate_limit(overall_per_second=2, per_chat_per_second=1)
    await zapi.ok("sendMessage", chat_id=A, text="1")
    status, body = await zapi.error("sendMessage", chat_id=A, text="2")  # per chat
    assert status == 429 and body == {"ok": False, "error_code": 429, "description": QUOTA}
    await zapi.ok("sendMessage", chat_id=B, text="1")
    status, _ = await zapi.error("sendMessage", chat_id=zalo_user_id(2003), text="x")
    assert status == 400  # unknown chat: checked before the quota
    await zalo.send(zalo_user_id(2003), "hi")
    status, _ = await zapi.error("sendMessage", chat_id=zalo_user_id(2003), text="x")  # overall
    assert status == 429
    limits = await zalo.rate_limit_status()
    assert limits["violations"] == 2
    assert [v["chat_id"] for v in limits["violation_log"]] == [A, zalo_user_id(2003)]
    assert "retry_after" not in limits["violation_log"][0]
    limits = await zalo.set_rate_limit(enabled=False, reset_violations=True)
    assert (limits["enabled"], limits["violations"]) == (False, 0)
    await zapi.ok("sendMessage", chat_id=A, text="free again")
