"""GET /health on the bot's web server, over loopback: 200 with the database answering, 503
when it does not; nothing secret in the answer. Then the real bot in webhook mode serves it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.harness import DEMO_TOKEN, running_bot
from channels.webhook import WebhookServer
from db import migrate
from db.engine import Database

SECRET = "health-webhook-secret"


async def get(url: str) -> tuple[int, dict[str, Any], str]:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.json(), answer.headers.get("Cache-Control", "")


@pytest.fixture
async def server() -> AsyncIterator[WebhookServer]:
    web = WebhookServer("127.0.0.1", 0)
    yield web
    await web.stop()


async def test_health_answers_ok_when_the_database_answers(
    server: WebhookServer, database_url: str
) -> None:
    database = Database(database_url)
    server.health("/health", database, "0006", ["telegram", "zalo"])
    await server.start()
    try:
        status, body, cache = await get(f"http://127.0.0.1:{server.port}/health")
    finally:
        await database.dispose()
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "schema": "0006",
        "channels": ["telegram", "zalo"],
    }
    assert cache == "no-store"


async def test_health_is_503_when_the_database_is_unreachable(server: WebhookServer) -> None:
    database = Database("postgresql+asyncpg://chibo:pw-Secret-1@127.0.0.1:9/chibo")
    server.health("/health", database, "0006", ["telegram"])
    await server.start()
    try:
        status, body, _ = await get(f"http://127.0.0.1:{server.port}/health")
    finally:
        await database.dispose()
    assert status == 503
    assert body == {
        "status": "unavailable",
        "database": "unreachable",
        "schema": "0006",
        "channels": ["telegram"],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_the_bot_in_webhook_mode_serves_health(sqlite_url: str) -> None:
    port = free_port()
    hook = {
        "webhook_url": f"http://127.0.0.1:{port}/chibo",
        "webhook_secret": SECRET,
        "webhook_port": port,
    }
    health, hook_url = f"http://127.0.0.1:{port}/health", f"http://127.0.0.1:{port}/chibo/telegram"
    async with (
        running_bot(sqlite_url, migrate_first=False, channel="both", **hook),
        aiohttp.ClientSession() as http,
    ):
        async with http.get(health) as answer:
            status, raw = answer.status, await answer.text()
        async with http.post(hook_url, json={}) as without_secret:  # still wants its secret
            refused = without_secret.status
    assert status == 200
    head = migrate.head_revision()
    assert raw == (
        f'{{"status": "ok", "database": "ok", "schema": "{head}", '
        '"channels": ["telegram", "zalo"]}'
    )
    for secret in (SECRET, DEMO_TOKEN, sqlite_url):
        assert secret not in raw
    assert refused == 401
