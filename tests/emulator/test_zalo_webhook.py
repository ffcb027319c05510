"""Zalo: webhook delivery (secret header, retries, replays) and sendPhoto's download."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from emulator import Emulator, EmulatorError, ZaloEmulatorClient, zalo_user_id
from tests.emulator.zalo_support import ZALO_TOKEN, WebhookReceiver, ZaloApi, local_server

USER = zalo_user_id(3001)
SECRET = "webhook-secret-123"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def zapi(http: httpx.AsyncClient) -> ZaloApi:
    return ZaloApi(http)


@pytest.fixture
async def zalo(emu: Emulator) -> AsyncIterator[ZaloEmulatorClient]:
    async with ZaloEmulatorClient(emu.url, ZALO_TOKEN) as client:
        yield client


async def _deliveries(zalo: ZaloEmulatorClient, count: int) -> list[dict[str, Any]]:
    """The webhook attempts once ``count`` were recorded (at most ~3 s later)."""
    for _ in range(300):
        deliveries: list[dict[str, Any]] = (await zalo.webhook())["deliveries"]
        if len(deliveries) >= count:
            return deliveries
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} webhook attempts, got {deliveries}")


async def test_webhook_posts_each_event_with_the_secret(
    zapi: ZaloApi, zalo: ZaloEmulatorClient
) -> None:
    receiver = WebhookReceiver()
    async with local_server({"/hook": receiver.handle}) as base:
        await zapi.ok("setWebhook", url=f"{base}/hook", secret_token=SECRET)
        first = await zalo.send(USER, "một", display_name="Hùng")
        second = await zalo.send(USER, "hai")
        await _deliveries(zalo, 2)
    [(headers, body), (_, other)] = receiver.requests
    assert headers["X-Bot-Api-Secret-Token"] == SECRET
    assert body["ok"] is True and body["result"]["event_name"] == "message.text.received"
    message = body["result"]["message"]
    assert (message["message_id"], message["text"]) == (first.message_id, "một")
    assert message["from"]["display_name"] == "Hùng"
    assert other["result"]["message"]["message_id"] == second.message_id
    info = await zalo.webhook()
    assert info["url"] == f"{base}/hook" and info["secret_set"] is True
    assert SECRET not in str(info) and SECRET not in str(await zapi.ok("getWebhookInfo"))


async def test_webhook_retries_then_drops(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    receiver = WebhookReceiver([500, 503, 200, 500, 500, 500])
    async with local_server({"/hook": receiver.handle}) as base:
        await zapi.ok("setWebhook", url=f"{base}/hook", secret_token=SECRET)
        kept = await zalo.send(USER, "kept after retries")
        dropped = await zalo.send(USER, "dropped")
        deliveries = await _deliveries(zalo, 6)
    assert [(d["message_id"], d["attempt"], d["status"]) for d in deliveries] == [
        (kept.message_id, 1, 500),
        (kept.message_id, 2, 503),
        (kept.message_id, 3, 200),
        (dropped.message_id, 1, 500),
        (dropped.message_id, 2, 500),
        (dropped.message_id, 3, 500),
    ]
    assert (await zalo.webhook())["pending"] == 0


async def test_unreachable_webhook_records_errors(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    async with local_server({}) as base:
        pass  # the port is free again: connections are refused
    await zapi.ok("setWebhook", url=f"{base}/hook", secret_token=SECRET)
    await zalo.send(USER, "nobody listens")
    deliveries = await _deliveries(zalo, 3)
    assert [d["attempt"] for d in deliveries] == [1, 2, 3]
    assert all("error" in d and "status" not in d for d in deliveries)


async def test_replay_delivers_the_same_message_id_twice(
    zapi: ZaloApi, zalo: ZaloEmulatorClient
) -> None:
    receiver = WebhookReceiver()
    async with local_server({"/hook": receiver.handle}) as base:
        await zapi.ok("setWebhook", url=f"{base}/hook", secret_token=SECRET)
        sent = await zalo.send(USER, "một lần thôi")
        await zalo.send(USER, "khác")
        replayed = await zalo.replay(sent.message_id)
        again = await zalo.replay()  # the last user event
        await _deliveries(zalo, 4)
    ids = [body["result"]["message"]["message_id"] for body in receiver.bodies]
    assert replayed.message_id == sent.message_id
    assert ids == [sent.message_id, again.message_id, sent.message_id, again.message_id]
    assert receiver.bodies[0] == receiver.bodies[2]
    with pytest.raises(EmulatorError) as caught:
        await zalo.replay("0" * 32)
    assert caught.value.status == 404


async def test_send_photo_downloads_from_loopback(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    async def photo(request: web.Request) -> web.StreamResponse:
        return web.Response(body=PNG, content_type="image/png")

    await zalo.send(USER, "hi")
    async with local_server({"/qr.png": photo}) as base:
        url = f"{base}/qr.png"
        result = await zapi.ok("sendPhoto", chat_id=USER, photo=url, caption="Mã QR")
        status, body = await zapi.error("sendPhoto", chat_id=USER, photo=f"{base}/missing")
        assert (status, body["description"]) == (400, "could not fetch photo")
    [event] = await zalo.events(USER)
    assert (event.kind, event.message_id, event.caption) == (
        "photo",
        result["message_id"],
        "Mã QR",
    )
    assert event.photo_url == url and event.file_id and event.body == "Mã QR"
    assert await zalo.download(event.file_id) == PNG
    assert await zalo.messages(USER) == [event]


@pytest.mark.parametrize(
    "photo", ["http://127.0.0.1:9/unreachable.png", "https://example.com/a.png", "not a url"]
)
async def test_send_photo_refusals(zapi: ZaloApi, zalo: ZaloEmulatorClient, photo: str) -> None:
    await zalo.send(USER, "hi")
    status, body = await zapi.error("sendPhoto", chat_id=USER, photo=photo)
    assert status == 400, body
    assert await zalo.events(USER) == []
