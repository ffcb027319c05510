"""The control API: buttons, waiting for replies, files, commands, callback answers."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from emulator import EmulatedUser, EmulatorClient, EmulatorError, EmulatorTimeout

USER = 4001


def tiny_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\0" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)


def keyboard(*rows: list[tuple[str, str]]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}


@pytest.fixture
async def echo_bot(api: Any) -> AsyncIterator[None]:
    """A toy bot: answers every message with two messages 50 ms apart, every tap with one."""

    async def run() -> None:
        offset = 0
        while True:
            for update in await api.ok("getUpdates", offset=offset, timeout=1):
                offset = update["update_id"] + 1
                if "message" in update:
                    chat = update["message"]["chat"]["id"]
                    text = update["message"]["text"]
                    await api.ok("sendMessage", chat_id=chat, text=f"1: {text}")
                    await asyncio.sleep(0.05)
                    markup = keyboard([("Có mặt", "att:yes"), ("Vắng", "att:no")])
                    await api.ok("sendMessage", chat_id=chat, text="2", reply_markup=markup)
                elif "callback_query" in update:
                    query = update["callback_query"]
                    await api.ok("answerCallbackQuery", callback_query_id=query["id"])
                    chat = query["message"]["chat"]["id"]
                    await api.ok("sendMessage", chat_id=chat, text=f"tapped {query['data']}")

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.usefixtures("echo_bot")
async def test_emulated_user_say_and_tap(control: EmulatorClient) -> None:
    user = EmulatedUser(control, USER, "Lan", "Trần", username="lan")
    replies = await user.say("xin chào")  # expect=1, yet the quiet period catches the burst
    assert [r.text for r in replies] == ["1: xin chào", "2"]
    assert replies[1].buttons == [["Có mặt", "Vắng"]]
    assert replies[1].data_for("Vắng") == "att:no"
    [reply] = await user.tap("có mặt")  # casefold match
    assert reply.text == "tapped att:yes"
    assert await user.say("lần nữa", expect=2) == user.last_replies
    assert len(user.last_replies) == 2
    # The first keyboard is still there: tap it by message id.
    [reply] = await user.tap("Vắng", message_id=replies[1].message_id)
    assert reply.text == "tapped att:no"
    assert await control.unanswered_callbacks() == []
    answers = await control.callback_answers()
    assert [a["show_alert"] for a in answers] == [False, False]


async def test_say_raises_when_the_bot_is_silent(control: EmulatorClient) -> None:
    user = EmulatedUser(control, USER, "Lan")
    with pytest.raises(EmulatorTimeout, match="expected 1 bot event"):
        await user.say("alo?", timeout=0.2)
    assert await user.say("alo?", expect=0) == []


async def test_press_enqueues_callback_query(api: Any, control: EmulatorClient) -> None:
    await control.send(USER, "/start")
    markup = keyboard([("Họp chi bộ", "meet:1")], [("Hủy", "cancel")])
    sent = await api.ok("sendMessage", chat_id=USER, text="Chọn", reply_markup=markup)
    pressed = await control.press(USER, "Họp chi bộ")
    assert (pressed.data, pressed.message_id) == ("meet:1", sent["message_id"])
    updates = await api.ok("getUpdates")
    query = updates[-1]["callback_query"]
    assert query["id"] == pressed.callback_query_id and query["data"] == "meet:1"
    assert query["from"]["id"] == USER and query["chat_instance"]
    assert query["message"]["message_id"] == sent["message_id"]
    assert query["message"]["reply_markup"] == markup
    with pytest.raises(EmulatorError) as missing:
        await control.press(USER, "Không có")
    assert missing.value.status == 404
    assert "Họp chi bộ" in str(missing.value) and "Hủy" in str(missing.value)
    assert [u["callback_query_id"] for u in await control.unanswered_callbacks()] == [
        pressed.callback_query_id
    ]
    await api.ok("answerCallbackQuery", callback_query_id=pressed.callback_query_id, text="OK")
    again = await api("answerCallbackQuery", callback_query_id=pressed.callback_query_id)
    assert again.status_code == 400
    assert again.json()["description"].startswith("Bad Request: query is too old")
    assert await control.callback_answers() == [
        {
            "callback_query_id": pressed.callback_query_id,
            "text": "OK",
            "show_alert": False,
            "url": None,
        }
    ]


async def test_documents_and_photos(
    http: httpx.AsyncClient, token: str, control: EmulatorClient
) -> None:
    await control.send(USER, "/baocao")
    content = "Biên bản họp".encode() * 100
    response = await http.post(
        f"/bot{token}/sendDocument",
        data={"chat_id": str(USER), "caption": "Biên bản"},
        files={"document": ("bien-ban.txt", content, "text/plain")},
    )
    document = response.json()["result"]["document"]
    assert document["file_name"] == "bien-ban.txt"
    assert (document["mime_type"], document["file_size"]) == ("text/plain", len(content))
    assert await control.download(document["file_id"]) == content
    png = tiny_png(37, 21)
    response = await http.post(
        f"/bot{token}/sendPhoto",
        data={"chat_id": str(USER)},
        files={"photo": ("qr.png", png, "image/png")},
    )
    [size] = response.json()["result"]["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (37, 21, len(png))
    # A known file_id can be sent again without uploading.
    again = await http.post(
        f"/bot{token}/sendDocument", json={"chat_id": USER, "document": document["file_id"]}
    )
    assert again.json()["result"]["document"]["file_id"] == document["file_id"]
    too_long = await http.post(
        f"/bot{token}/sendDocument",
        data={"chat_id": str(USER), "caption": "x" * 1025},
        files={"document": ("a.txt", b"a", "text/plain")},
    )
    assert too_long.json()["description"] == "Bad Request: message caption is too long"
    events = await control.events(USER)
    assert [(e.kind, e.caption, e.file_name) for e in events] == [
        ("document", "Biên bản", "bien-ban.txt"),
        ("photo", None, "qr.png"),
        ("document", None, "bien-ban.txt"),
    ]
    assert events[0].body == "Biên bản" and events[0].file_size == len(content)


async def test_commands(api: Any, control: EmulatorClient) -> None:
    bad = [{"command": "Hop", "description": "x"}]
    response = await api("setMyCommands", commands=bad)
    assert response.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"
    response = await api("setMyCommands", commands=[{"command": "a", "description": ""}])
    assert response.status_code == 400
    response = await api("setMyCommands", commands=[{"command": "a", "description": "d"}] * 101)
    assert response.status_code == 400
    member = [{"command": "start", "description": "Bắt đầu"}]
    admin = [*member, {"command": "hop_moi", "description": "Tạo cuộc họp"}]
    await api.ok("setMyCommands", commands=member)
    scope = {"type": "chat", "chat_id": USER}
    await api.ok("setMyCommands", commands=admin, scope=scope, language_code="vi")
    assert await api.ok("getMyCommands") == member
    assert await api.ok("getMyCommands", scope=scope, language_code="vi") == admin
    assert await api.ok("getMyCommands", scope=scope) == []
    stored = await control.commands()
    assert [(c["scope"], c["language_code"]) for c in stored] == [
        ({"type": "default"}, ""),
        (scope, "vi"),
    ]
    await api.ok("deleteMyCommands", scope=scope, language_code="vi")
    assert len(await control.commands()) == 1


async def test_events_wait_for_min_count(api: Any, control: EmulatorClient) -> None:
    sent = await control.send(USER, "hi")

    async def reply_later() -> None:
        await asyncio.sleep(0.1)
        await api.ok("sendMessage", chat_id=USER, text="late")

    task = asyncio.create_task(reply_later())
    events = await control.events(USER, after=sent.seq, min_count=1, timeout=3, quiet=0.05)
    await task
    assert [e.text for e in events] == ["late"]
    assert await control.events(USER, after=events[0].seq) == []
    assert [c.method for c in await control.calls()] == ["sendMessage"]


async def test_reset_forgets_everything(api: Any, control: EmulatorClient) -> None:
    await control.send(USER, "hi")
    await control.add_fault("getMe", "500")
    await control.reset()
    await api.ok("getMe")
    assert await api.ok("getUpdates") == []
    response = await api("sendMessage", chat_id=USER, text="x")
    assert response.json()["description"] == "Bad Request: chat not found"
