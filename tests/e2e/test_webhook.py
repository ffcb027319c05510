"""End-to-end in webhook mode: the emulator POSTs updates to the bot's own HTTP listener."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from bot.harness import Harness, running_bot
from core.texts import t
from tests.e2e.helpers import account, cell_code, chat_seq, only
from tests.support import seed_cell

pytestmark = pytest.mark.e2e

SECRET = "s3cret-s3cret-123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def hook(sqlite_url: str) -> AsyncIterator[tuple[Harness, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_bot(
        sqlite_url,
        migrate_first=False,
        webhook_url=base,
        webhook_secret=SECRET,
        webhook_port=port,
    ) as harness:
        yield harness, f"{base}/telegram"


def start_update(user_id: int, name: str, text: str) -> dict[str, object]:
    """A message update exactly as Telegram would POST it."""
    command = text.split()[0]
    user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": "vi"}
    return {
        "update_id": 900_000 + user_id,
        "message": {
            "message_id": 500,
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": name},
            "date": int(time.time()),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def test_webhook_round_trip_and_secret(
    hook: tuple[Harness, str], figure: Callable[[str], None]
) -> None:
    """Telegram webhook posts without the right secret header, or with an oversized body, are
    rejected and never handled."""
    h, url = hook
    cell = await seed_cell(h.app.services)
    code = await cell_code(h, cell)

    # The emulator delivers updates to the webhook (with the secret): a normal round trip.
    khoa = h.user(7001, "Khoa")
    assert only(await khoa.say("/start")).body == t("start_how_to_join")
    assert await h.client.calls("getUpdates") == []

    update = start_update(7001, "Khoa", f"/start {code}")
    seq = await chat_seq(khoa)
    async with httpx.AsyncClient(timeout=5) as http:
        missing = await http.post(url, json=update)
        wrong = await http.post(url, json=update, headers={HEADER: "wrong-secret-123"})
        empty = await http.post(url, json=update, headers={HEADER: ""})
        forged = [missing.status_code, wrong.status_code, empty.status_code]
        assert forged == [401, 401, 401]
        assert await account(h, 7001) is None

        big = b'{"update_id": 1, "pad": "' + b"x" * (1024 * 1024 + 16) + b'"}'
        too_big = await http.post(
            url, content=big, headers={HEADER: SECRET, "Content-Type": "application/json"}
        )
        assert too_big.status_code in (400, 413)
        not_json = await http.post(url, content=b"[1, 2]", headers={HEADER: SECRET})
        assert not_json.status_code == 400

        # The same update with the right secret is taken: exactly one answer, so the
        # refused posts above were never handled.
        accepted = await http.post(url, json=update, headers={HEADER: SECRET})
        assert accepted.status_code == 200
    replies = await h.client.events(7001, after=seq, min_count=1, timeout=5)
    assert [e.body for e in replies] == [t("ask_name", cell="Chi bộ Ấp Một")]
    assert await account(h, 7001) is not None
    figure(
        f"Telegram: 3 posts without the right secret (missing, wrong, empty) → "
        f"{', '.join(map(str, forged))}; a 1 MiB+ body → {too_big.status_code}; a non-object "
        f"body → {not_json.status_code}; 0 of them handled (the real post: 1 answer)"
    )
