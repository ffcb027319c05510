"""Fault injection, flood limits and blocked users."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from emulator import EmulatorClient, EmulatorError

A = 2001
B = 2002


@pytest.fixture
async def chats(control: EmulatorClient) -> None:
    await control.send(A, "/start")
    await control.send(B, "/start")


@pytest.mark.usefixtures("chats")
async def test_429_with_retry_after_leaves_no_message(api: Any, control: EmulatorClient) -> None:
    await control.add_fault("sendMessage", "429", retry_after=3, count=1)
    response = await api("sendMessage", chat_id=A, text="hi")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert await control.events(A) == []
    await api.ok("sendMessage", chat_id=A, text="hi")
    assert [e.text for e in await control.events(A)] == ["hi"]
    assert [c.status for c in await control.calls("sendMessage")] == [429, 200]


@pytest.mark.usefixtures("chats")
async def test_403_for_one_chat_only(api: Any, control: EmulatorClient) -> None:
    await control.add_fault("sendMessage", "403", chat_id=A)
    response = await api("sendMessage", chat_id=A, text="hi")
    assert response.status_code == 403
    assert response.json()["description"] == "Forbidden: bot was blocked by the user"
    await api.ok("sendMessage", chat_id=B, text="hi")
    await control.clear_faults()
    await api.ok("sendMessage", chat_id=A, text="hi")


@pytest.mark.usefixtures("chats")
async def test_count_exhaustion_and_wildcard(api: Any, control: EmulatorClient) -> None:
    await control.add_fault("*", "500", count=2)
    await control.add_fault("sendMessage", "502", count=1)
    assert (await api("getMe")).status_code == 500
    assert (await api("sendMessage", chat_id=A, text="x")).status_code == 500
    response = await api("sendMessage", chat_id=A, text="x")
    assert (response.status_code, response.json()["description"]) == (502, "Bad Gateway")
    await api.ok("sendMessage", chat_id=A, text="x")


async def test_fault_for_another_token_does_not_apply(api: Any, http: httpx.AsyncClient) -> None:
    other = EmulatorClient(str(http.base_url), "999:OTHER")
    await other.add_fault("getMe", "500")
    await other.aclose()
    await api.ok("getMe")


@pytest.mark.usefixtures("chats")
async def test_delay(api: Any, control: EmulatorClient) -> None:
    await control.add_fault("sendMessage", "delay", delay=0.3, count=1)
    started = time.monotonic()
    await api.ok("sendMessage", chat_id=A, text="late")
    assert time.monotonic() - started >= 0.3


async def test_timeout_holds_then_drops(api: Any, control: EmulatorClient, token: str) -> None:
    await control.add_fault("getMe", "timeout", delay=0.2, count=1)
    with pytest.raises(httpx.HTTPError):
        await api("getMe")  # the server closes the socket without an answer
    await control.add_fault("getMe", "timeout", count=1)  # held for minutes
    async with httpx.AsyncClient(base_url=str(api.http.base_url), timeout=0.2) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.get(f"/bot{token}/getMe")
    await api.ok("getMe")


async def test_probability_is_seedable(api: Any, control: EmulatorClient) -> None:
    await control.add_fault("getMe", "500", probability=0.5)
    statuses = [(await api("getMe")).status_code for _ in range(30)]
    assert 0 < statuses.count(500) < 30


async def test_bad_fault_is_rejected(control: EmulatorClient) -> None:
    with pytest.raises(EmulatorError, match="unknown fault kind"):
        await control.add_fault("getMe", "418")


@pytest.mark.usefixtures("chats")
async def test_rate_limit_per_chat(api: Any, control: EmulatorClient) -> None:
    await api.ok("sendMessage", chat_id=A, text="1")
    await api.ok("sendMessage", chat_id=A, text="2")  # limits are off by default
    assert (await control.rate_limit_status())["violations"] == 0
    await control.set_rate_limit(True)
    await api.ok("sendMessage", chat_id=A, text="3")
    response = await api("sendMessage", chat_id=A, text="4")
    assert response.status_code == 429
    assert response.json()["parameters"]["retry_after"] == 1
    await api.ok("sendMessage", chat_id=B, text="other chat is fine")
    status = await control.rate_limit_status()
    assert (status["enabled"], status["violations"]) == (True, 1)
    await control.set_rate_limit(False)
    await api.ok("sendMessage", chat_id=A, text="5")


async def test_rate_limit_overall(api: Any, control: EmulatorClient) -> None:
    for chat in range(3000, 3004):
        await control.send(chat, "hi")
    await control.set_rate_limit(True, overall_per_second=3, per_chat_per_second=1)
    for chat in range(3000, 3003):
        await api.ok("sendMessage", chat_id=chat, text="ok")
    assert (await api("sendMessage", chat_id=3003, text="no")).status_code == 429


@pytest.mark.usefixtures("chats")
async def test_block_and_unblock(api: Any, control: EmulatorClient) -> None:
    update_id = await control.block(A)
    assert update_id is not None
    assert await control.block(A) is None  # already blocked: nothing happens
    response = await api("sendMessage", chat_id=A, text="hi")
    assert response.status_code == 403
    assert response.json()["description"] == "Forbidden: bot was blocked by the user"
    await control.block(A, blocked=False)
    await api.ok("sendMessage", chat_id=A, text="hi again")
    updates = await api.ok("getUpdates", offset=update_id)
    members = [u["my_chat_member"] for u in updates]
    assert [(m["old_chat_member"]["status"], m["new_chat_member"]["status"]) for m in members] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert members[0]["from"]["id"] == A and members[0]["chat"]["id"] == A
    assert members[0]["new_chat_member"]["user"]["is_bot"] is True


@pytest.mark.usefixtures("chats")
async def test_writing_again_unblocks(api: Any, control: EmulatorClient) -> None:
    await control.block(B)
    await control.send(B, "/start")
    await api.ok("sendMessage", chat_id=B, text="welcome back")
