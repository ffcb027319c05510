"""The emulated Telegram Bot API over raw HTTP (httpx), against a real server on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from aiohttp import web

from emulator import Emulator, EmulatorClient

USER = 1001
OTHER = 1002


async def test_get_me(api: Any) -> None:
    me = await api.ok("getMe")
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "chibo_demo_bot"
    assert me["first_name"] == "Chi bộ Bot (giả lập)"
    assert me["can_join_groups"] is True


async def test_bot_username_is_configurable(token: str) -> None:
    async with Emulator(bot_username="other_bot") as emu, httpx.AsyncClient() as http:
        response = await http.get(f"{emu.url}/bot{token}/getMe")
        assert response.json()["result"]["username"] == "other_bot"


async def test_unknown_method_and_malformed_token(http: httpx.AsyncClient, token: str) -> None:
    for path in (f"/bot{token}/sendCarrierPigeon", "/botnot-a-token/getMe"):
        response = await http.post(path)
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_send_message_validation(api: Any, control: EmulatorClient) -> None:
    await control.send(USER, "/start")

    async def error(**params: Any) -> tuple[int, str]:
        response = await api("sendMessage", chat_id=USER, **params)
        return response.status_code, response.json()["description"]

    assert await error(text="") == (400, "Bad Request: message text is empty")
    assert await error(text="  \n ") == (400, "Bad Request: message text is empty")
    assert await error(text="x" * 4097) == (400, "Bad Request: message is too long")
    await api.ok("sendMessage", chat_id=USER, text="x" * 4096)
    # callback_data is limited in UTF-8 bytes: 22 "ệ" are 66 bytes.
    for data in ("a" * 65, "ệ" * 22, ""):
        markup = {"inline_keyboard": [[{"text": "B", "callback_data": data}]]}
        assert await error(text="hi", reply_markup=markup) == (
            400,
            "Bad Request: BUTTON_DATA_INVALID",
        )
    markup = {"inline_keyboard": [[{"text": "B", "callback_data": "ệ" * 21}]]}
    await api.ok("sendMessage", chat_id=USER, text="hi", reply_markup=markup)
    response = await api("sendMessage", chat_id=999, text="hi")
    assert response.json()["description"] == "Bad Request: chat not found"
    events = await control.events(USER)
    assert [len(e.text or "") for e in events] == [4096, 2]  # failed sends left no trace


async def test_form_json_and_query_bodies(
    http: httpx.AsyncClient, token: str, control: EmulatorClient
) -> None:
    await control.send(USER, "xin chào")
    markup = {"inline_keyboard": [[{"text": "Có", "callback_data": "yes"}]]}
    # python-telegram-bot's shape: form fields, non-strings JSON-encoded.
    form = {"chat_id": str(USER), "text": "form", "reply_markup": json.dumps(markup)}
    response = await http.post(f"/bot{token}/sendMessage", data=form)
    result = response.json()["result"]
    assert result["reply_markup"] == markup
    assert result["chat"] == {"id": USER, "type": "private", "first_name": f"User {USER}"}
    assert result["from"]["is_bot"] is True and isinstance(result["date"], int)
    body = {"chat_id": USER, "text": "<b>json</b> &amp; co", "parse_mode": "HTML"}
    response = await http.post(f"/bot{token}/sendMessage", json=body)
    assert response.json()["result"]["text"] == "json & co"
    response = await http.get(f"/bot{token}/sendMessage", params={"chat_id": USER, "text": "q"})
    assert response.json()["ok"] is True
    events = await control.events(USER)
    assert [e.text for e in events] == ["form", "json & co", "q"]
    assert events[0].buttons == [["Có"]] and events[0].button_data == [["yes"]]


async def test_message_ids_increase_per_chat(api: Any, control: EmulatorClient) -> None:
    sent = await control.send(USER, "a", first_name="An", last_name="Nguyễn", username="an")
    assert sent.message_id == 1 and sent.seq == 0
    first = await api.ok("sendMessage", chat_id=USER, text="1")
    second = await api.ok("sendMessage", chat_id=USER, text="2")
    assert (first["message_id"], second["message_id"]) == (2, 3)
    assert first["chat"]["last_name"] == "Nguyễn"
    assert (await control.send(OTHER, "b")).message_id == 1
    assert (await api.ok("sendMessage", chat_id=OTHER, text="x"))["message_id"] == 2
    assert (await control.send(USER, "c")).message_id == 4


async def test_edit_message_text(api: Any, control: EmulatorClient) -> None:
    await control.send(USER, "/start")
    markup = {"inline_keyboard": [[{"text": "Một", "callback_data": "1"}]]}
    sent = await api.ok("sendMessage", chat_id=USER, text="old", reply_markup=markup)
    ref = {"chat_id": USER, "message_id": sent["message_id"]}
    response = await api("editMessageText", text="old", reply_markup=markup, **ref)
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: message is not modified")
    edited = await api.ok("editMessageText", text="new", reply_markup=markup, **ref)
    assert edited["text"] == "new" and "edit_date" in edited
    edited = await api.ok("editMessageReplyMarkup", **ref)  # no markup: keyboard removed
    assert "reply_markup" not in edited
    response = await api("editMessageText", chat_id=USER, message_id=99, text="x")
    assert response.json()["description"] == "Bad Request: message to edit not found"
    events = await control.events(USER)
    assert [(e.kind, e.text, e.buttons) for e in events] == [
        ("message", "old", [["Một"]]),
        ("edit", "new", [["Một"]]),
        ("edit", "new", []),
    ]
    [state] = await control.messages(USER)
    assert (state.kind, state.text, state.buttons, state.seq) == ("message", "new", [], 3)


async def test_get_updates_long_poll(api: Any, control: EmulatorClient) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=0.2) == []
    assert time.monotonic() - started >= 0.2
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = time.monotonic()
    await control.send(USER, "/diemdanh hôm nay", first_name="Bình")
    [update] = await poll
    assert time.monotonic() - started < 1.0
    message = update["message"]
    assert message["text"] == "/diemdanh hôm nay"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 9}]
    assert message["from"] == {
        "id": USER,
        "is_bot": False,
        "first_name": "Bình",
        "language_code": "vi",
    }
    assert message["chat"]["type"] == "private"


async def test_offset_confirms_updates(api: Any, control: EmulatorClient) -> None:
    ids = [(await control.send(USER, f"m{i}")).update_id for i in range(3)]
    assert [u["update_id"] for u in await api.ok("getUpdates")] == ids
    assert [u["update_id"] for u in await api.ok("getUpdates", offset=ids[2])] == ids[2:]
    assert await api.ok("getUpdates", offset=ids[2] + 1) == []
    more = [(await control.send(USER, f"n{i}")).update_id for i in range(3)]
    assert [u["update_id"] for u in await api.ok("getUpdates", limit=2)] == more[:2]
    assert [u["update_id"] for u in await api.ok("getUpdates", offset=-1)] == more[2:]


async def test_second_poller_conflicts(api: Any) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert await api.ok("getUpdates", timeout=0) == []
    response = await first
    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]


async def test_webhook_delivery(api: Any, control: EmulatorClient) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
    failures = [1]  # the first delivery fails once: the emulator must retry

    async def hook(request: web.Request) -> web.Response:
        if failures:
            failures.pop()
            return web.Response(status=500)
        header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await received.put((header, await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        url = f"http://127.0.0.1:{port}/hook"
        assert await api.ok("setWebhook", url=url, secret_token="s3cret_tok-en") is True
        response = await api("getUpdates")
        assert response.status_code == 409
        assert "webhook is active" in response.json()["description"]
        await control.send(USER, "một")
        await control.send(USER, "hai")
        got = [await asyncio.wait_for(received.get(), 5) for _ in range(2)]
        assert [header for header, _ in got] == ["s3cret_tok-en"] * 2
        assert [update["message"]["text"] for _, update in got] == ["một", "hai"]
        info = await api.ok("getWebhookInfo")
        assert (info["url"], info["pending_update_count"]) == (url, 0)
        assert "500" in info["last_error_message"]
        assert await api.ok("deleteWebhook", drop_pending_updates=True) is True
        assert (await api.ok("getWebhookInfo"))["url"] == ""
        await control.send(USER, "ba")
        [update] = await api.ok("getUpdates")
        assert update["message"]["text"] == "ba"
    finally:
        await runner.cleanup()


async def test_webhook_set_interrupts_a_waiting_poll(api: Any) -> None:
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    await api.ok("setWebhook", url="http://127.0.0.1:9/unused")
    response = await poll
    assert response.status_code == 409
    assert response.json()["description"] == "Conflict: terminated by setWebhook request"
    await api.ok("deleteWebhook")


async def test_close_and_log_out(api: Any) -> None:
    assert await api.ok("close") is True
    assert await api.ok("logOut") is True
