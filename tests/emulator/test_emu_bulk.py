"""Bulk registration: many known chats at once, without queueing updates for the bot."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import EmulatorClient, EmulatorError


async def test_a_range_and_a_list_become_known_chats(control: EmulatorClient, api: Any) -> None:
    result = await control.register_users(
        [42, 43], first_id=5000, count=300, first_name="Đảng viên"
    )
    assert result == {"registered": 302, "known": 302}
    sent = await api.ok("sendMessage", chat_id=5299, text="Nhắc họp")
    assert sent["chat"] == {"id": 5299, "type": "private", "first_name": "Đảng viên 5299"}
    await api.ok("sendMessage", chat_id=42, text="Nhắc họp")
    # Nothing for the bot to read: the users did not "write" anything.
    assert await api.ok("getUpdates", timeout=0) == []
    [message] = await control.messages(5299)
    assert message.text == "Nhắc họp"


async def test_registering_again_keeps_chats_and_counts_only_new_ones(
    control: EmulatorClient, api: Any
) -> None:
    await control.send(7001, "xin chào", first_name="Lan")
    result = await control.register_users(first_id=7001, count=3)
    assert result == {"registered": 2, "known": 3}
    [update] = await api.ok("getUpdates", timeout=0)  # only the real greeting
    sent = await api.ok("sendMessage", chat_id=7001, text="x")
    assert sent["chat"]["first_name"] == "Lan"  # a known user keeps their profile
    assert update["message"]["text"] == "xin chào"
    assert (await api("sendMessage", chat_id=7004, text="x")).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"users": [{"user_id": "abc"}]},
        {"users": [{"user_id": 0}]},
        {"users": "1,2"},
        {"first_id": 1, "count": 100_001},
        {"count": 3},
    ],
)
async def test_malformed_bodies_are_refused(control: EmulatorClient, body: dict[str, Any]) -> None:
    with pytest.raises(EmulatorError) as error:
        await control._json("POST", control._bot_path("users/bulk"), json=body)
    assert error.value.status == 400


async def test_a_bad_entry_registers_nobody(control: EmulatorClient) -> None:
    with pytest.raises(EmulatorError):
        await control._json(
            "POST", control._bot_path("users/bulk"), json={"users": [{"user_id": 9}, {}]}
        )
    assert await control.register_users([9]) == {"registered": 1, "known": 1}
