"""The Zalo Bot API client against the emulator over loopback: answers, every error style,
and what each failure becomes for the delivery loop."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest

from channels.zalo import TEXT_LIMIT, ZaloClient
from core.delivery import DeliveryError, Failure
from emulator import Emulator, ZaloEmulatorClient, zalo_user_id

TOKEN = "987654321:zalo-client-TEST_token"
USER = zalo_user_id(5001)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def zalo(emu: Emulator) -> AsyncIterator[ZaloEmulatorClient]:
    async with ZaloEmulatorClient(emu.url, TOKEN) as control:
        yield control


@pytest.fixture
async def client(emu: Emulator, zalo: ZaloEmulatorClient) -> AsyncIterator[ZaloClient]:
    api = ZaloClient(TOKEN, emu.zalo_url, timeout=5.0)
    await zalo.send(USER, "xin chào", "Người Thử")  # the chat exists once the user wrote
    assert await api.get_updates(timeout=0) is not None  # and the bot took that event
    yield api
    await api.aclose()


async def failure_of(call: object) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        await call  # type: ignore[misc]
    return caught.value


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_get_me_and_send_message(client: ZaloClient, zalo: ZaloEmulatorClient) -> None:
    me = await client.get_me()
    assert me.account_name == "bot.chibo" and me.id and me.can_join_groups is False
    message_id = await client.send_message(USER, "Chào đồng chí")
    [sent] = await zalo.messages(USER)
    assert (sent.message_id, sent.text) == (message_id, "Chào đồng chí")


@pytest.mark.parametrize("style", ["mirror", "http200"])
async def test_errors_raise_in_both_error_styles(
    client: ZaloClient, zalo: ZaloEmulatorClient, style: str
) -> None:
    """The HTTP status of an error is undocumented: HTTP 200 with ok:false is an error too."""
    await zalo.settings(error_style=style)
    text = "x" * (TEXT_LIMIT + 1)
    assert (await failure_of(client.send_message(USER, text))).failure is Failure.BAD_REQUEST
    assert await client.send_message(USER, "x" * TEXT_LIMIT)  # the limit itself is fine

    await zalo.add_fault("sendMessage", "429", count=1)
    limited = await failure_of(client.send_message(USER, "a"))
    assert limited.failure is Failure.RATE_LIMITED

    await zalo.add_fault("sendMessage", "500", count=1)
    assert (await failure_of(client.send_message(USER, "b"))).failure is Failure.RETRY

    await zalo.block(USER)
    blocked = await failure_of(client.send_message(USER, "c"))
    assert blocked.failure is Failure.UNREACHABLE
    statuses = [c.status for c in await zalo.calls("sendMessage")]
    assert statuses == ([200] * 5 if style == "http200" else [400, 200, 429, 500, 403])


async def test_unknown_chat_is_unreachable(client: ZaloClient) -> None:
    gone = await failure_of(client.send_message(zalo_user_id(9999), "ai đó"))
    assert gone.failure is Failure.UNREACHABLE


async def test_get_updates_408_is_no_event(client: ZaloClient, zalo: ZaloEmulatorClient) -> None:
    assert await client.get_updates(timeout=0) is None
    [call] = [c for c in await zalo.calls("getUpdates")][-1:]
    assert (call.status, call.error_code) == (200, 408)
    await zalo.send(USER, "lần hai")
    event = await client.get_updates(timeout=1)
    assert event is not None and event["message"]["text"] == "lần hai"


async def test_refused_token_is_retry_and_never_shown(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = "12345:not-a-valid-token!"
    api = ZaloClient(token, emu.zalo_url, timeout=5.0)
    try:
        refused = await failure_of(api.get_me())
    finally:
        await api.aclose()
    assert refused.failure is Failure.RETRY
    assert "401" in refused.detail
    assert "valid-token" not in str(refused) and "12345" not in str(refused)
    assert "zalo: the bot token was refused" in caplog.text
    assert "/bot***/getMe" in caplog.text  # httpx's own request line, without the token
    assert "valid-token" not in caplog.text and "12345:" not in caplog.text


async def test_an_answer_from_something_else_is_retry(emu: Emulator) -> None:
    """A wrong ZALO_API_URL or a proxy's error page is no verdict on the person: a 404 or
    403 that is not Zalo's envelope must not drop the message or mark anyone unreachable."""
    api = ZaloClient(TOKEN, f"{emu.url}/not-zalo", timeout=5.0)
    try:
        wrong = await failure_of(api.send_message(USER, "x"))
    finally:
        await api.aclose()
    assert wrong.failure is Failure.RETRY
    assert wrong.detail == "HTTP 404, not a JSON answer"


async def test_network_failure_is_retry(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = ZaloClient(TOKEN, f"http://127.0.0.1:{closed_port()}/zalo", timeout=2.0)
    try:
        down = await failure_of(api.send_message(USER, "không tới"))
        no_poll = await failure_of(api.get_updates(timeout=0))
    finally:
        await api.aclose()
    assert (down.failure, no_poll.failure) == (Failure.RETRY, Failure.RETRY)
    assert down.detail == "ConnectError"
    assert TOKEN not in caplog.text and "không tới" not in caplog.text
