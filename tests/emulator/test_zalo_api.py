"""The emulated Zalo Bot API over real HTTP: methods, envelope, long polling, webhook mode."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from emulator import Emulator, ZaloEmulatorClient, zalo_user_id
from tests.emulator.zalo_support import ZALO_TOKEN, ZaloApi

USER = zalo_user_id(2001)
HEX = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def zapi(http: httpx.AsyncClient) -> ZaloApi:
    return ZaloApi(http)


@pytest.fixture
async def zalo(emu: Emulator) -> AsyncIterator[ZaloEmulatorClient]:
    async with ZaloEmulatorClient(emu.url, ZALO_TOKEN) as client:
        yield client


async def test_get_me(zapi: ZaloApi, emu: Emulator) -> None:
    me = await zapi.ok("getMe")
    assert me == {
        "id": me["id"],
        "account_name": "bot.chibo",
        "account_type": "BASIC",
        "can_join_groups": False,
    }
    assert re.fullmatch(r"[0-9a-f]{16}", me["id"])
    assert emu.zalo_url == f"{emu.url}/zalo"


async def test_malformed_token_is_401_without_json(http: httpx.AsyncClient) -> None:
    response = await http.post("/zalo/botnot-a-token/getMe", json={})
    assert (response.status_code, response.text) == (401, "Unauthorized")
    assert not response.headers["content-type"].startswith("application/json")


async def test_method_names_are_case_sensitive(zapi: ZaloApi) -> None:
    status, body = await zapi.error("getme")
    assert status == body["error_code"] == 400
    assert "getme" in body["description"]


async def test_a_text_reaches_get_updates_as_one_event(
    zapi: ZaloApi, zalo: ZaloEmulatorClient
) -> None:
    before = int(time.time() * 1000)
    sent = await zalo.send(USER, "Xin chào chi bộ", display_name="Lan")
    assert HEX.match(sent.message_id) and sent.seq == 0
    event = await zapi.ok("getUpdates", timeout=1)
    assert event["event_name"] == "message.text.received"
    message = event["message"]
    assert message == {
        "from": {"id": USER, "display_name": "Lan", "is_bot": False},
        "chat": {"id": USER, "chat_type": "PRIVATE"},
        "message_id": sent.message_id,
        "date": message["date"],
        "text": "Xin chào chi bộ",
    }
    assert before <= message["date"] <= int(time.time() * 1000)
    status, body = await zapi.error("getUpdates", timeout=0)  # removed when returned
    assert (status, body["error_code"]) == (200, 408)


async def test_408_after_the_poll_timeout(zapi: ZaloApi) -> None:
    started = time.monotonic()
    status, body = await zapi.error("getUpdates", timeout="1")  # documented as a string
    assert time.monotonic() - started >= 1.0
    assert status == 200
    assert body == {"ok": False, "error_code": 408, "description": "Request timeout"}


async def test_long_poll_answers_as_soon_as_a_user_writes(
    zapi: ZaloApi, zalo: ZaloEmulatorClient
) -> None:
    poll = asyncio.create_task(zapi.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await zalo.event(USER, "image", photo_url="https://example.invalid/a.jpg", caption="Ảnh")
    event = await poll
    assert time.monotonic() - started < 1.0
    assert event["event_name"] == "message.image.received"
    message = event["message"]
    assert (message["photo_url"], message["caption"]) == ("https://example.invalid/a.jpg", "Ảnh")
    assert message["message_type"] == "CHAT_PHOTO"


async def test_a_newer_poll_ends_the_older_one(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    first = asyncio.create_task(zapi("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(zapi.ok("getUpdates", timeout=5))
    response = await first
    assert (response.status_code, response.json()["error_code"]) == (409, 409)
    await zalo.send(USER, "hi")
    assert (await second)["message"]["text"] == "hi"


async def test_other_event_kinds(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.event(USER, "sticker", sticker="abc123")
    await zalo.event(USER, "unsupported")
    sticker = await zapi.ok("getUpdates", timeout=0)
    assert sticker["event_name"] == "message.sticker.received"
    assert sticker["message"]["sticker"] == "abc123" and sticker["message"]["url"]
    unsupported = await zapi.ok("getUpdates", timeout=0)
    assert unsupported["event_name"] == "message.unsupported.received"
    assert set(unsupported["message"]) == {"from", "chat", "message_id", "date"}


async def test_webhook_methods_and_get_updates_refused(zapi: ZaloApi) -> None:
    waiting = asyncio.create_task(zapi("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    url = "http://127.0.0.1:9/zalo/webhook"
    result = await zapi.ok("setWebhook", url=url, secret_token="s3cret-token")
    assert result["url"] == url and result["updated_at"] > 10**12
    interrupted = await waiting
    assert interrupted.status_code == 400 and "Webhook" in interrupted.json()["description"]
    status, body = await zapi.error("getUpdates", timeout=1)
    assert status == 400 and "webhook" in body["description"].lower()
    info = await zapi.ok("getWebhookInfo")
    assert info == {"url": url, "updated_at": result["updated_at"]}
    deleted = await zapi.ok("deleteWebhook")
    assert deleted["url"] == "" and deleted["updated_at"] >= result["updated_at"]
    assert (await zapi.ok("getWebhookInfo"))["url"] == ""
    status, body = await zapi.error("getUpdates", timeout=0)
    assert body["error_code"] == 408


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"url": "http://127.0.0.1:9/x", "secret_token": "short"}, "secret_token"),
        ({"url": "http://127.0.0.1:9/x", "secret_token": "x" * 257}, "secret_token"),
        ({"secret_token": "long-enough"}, "url"),
        ({"url": "https://example.com/hook", "secret_token": "long-enough"}, "loopback"),
    ],
)
async def test_set_webhook_validation(zapi: ZaloApi, params: dict[str, str], needle: str) -> None:
    status, body = await zapi.error("setWebhook", **params)
    assert status == 400 and needle in body["description"]


async def test_send_message_limits(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.send(USER, "hi")
    result = await zapi.ok("sendMessage", chat_id=USER, text="x" * 2000)
    assert HEX.match(result["message_id"]) and result["date"] > 10**12
    for text in ("x" * 2001, ""):
        status, body = await zapi.error("sendMessage", chat_id=USER, text=text)
        assert (status, body["description"]) == (400, "text must be 1-2000 characters")
    status, body = await zapi.error("sendMessage", chat_id=zalo_user_id(9), text="hi")
    assert (status, body["description"]) == (400, "Chat not found")
    [event] = await zalo.events(USER)
    assert (event.kind, event.message_id, len(event.text or "")) == (
        "message",
        result["message_id"],
        2000,
    )


async def test_form_and_query_parameters(
    zapi: ZaloApi, zalo: ZaloEmulatorClient, http: httpx.AsyncClient
) -> None:
    await zalo.send(USER, "hi")
    form = await http.post(zapi.path("sendMessage"), data={"chat_id": USER, "text": "form"})
    query = await http.get(zapi.path("sendMessage"), params={"chat_id": USER, "text": "q"})
    assert form.json()["ok"] and query.json()["ok"]
    assert [e.text for e in await zalo.messages(USER)] == ["form", "q"]


async def test_chat_action_and_sticker(zapi: ZaloApi, zalo: ZaloEmulatorClient) -> None:
    await zalo.send(USER, "hi")
    assert await zapi.ok("sendChatAction", chat_id=USER, action="typing") is True
    assert await zapi.ok("sendChatAction", chat_id=USER, action="upload_photo") is True
    status, _ = await zapi.error("sendChatAction", chat_id=USER, action="dancing")
    assert status == 400
    await zapi.ok("sendSticker", chat_id=USER, sticker="st-1")
    [event] = await zalo.events(USER)  # chat actions are no chat events
    assert (event.kind, event.sticker) == ("sticker", "st-1")
    calls = await zalo.calls("sendChatAction")
    assert [(c.chat_id, c.status) for c in calls] == [(USER, 200), (USER, 200), (USER, 400)]
