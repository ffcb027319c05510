"""Fixtures: a real emulator on loopback and HTTP clients for it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from emulator import Emulator, EmulatorClient

TOKEN = "123456:TEST-token_abc"
TLS = ssl.create_default_context()  # once: httpx would build one per client (slow)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(seed=7)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emu.url, timeout=10, verify=TLS) as client:
        yield client


@pytest.fixture
async def control(emu: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.url, TOKEN) as client:
        yield client


class BotApi:
    """Raw Bot API calls: ``await api("sendMessage", chat_id=1, text="hi")``."""

    def __init__(self, http: httpx.AsyncClient, token: str = TOKEN) -> None:
        self.http = http
        self.token = token

    async def __call__(self, method: str, **params: Any) -> httpx.Response:
        return await self.http.post(f"/bot{self.token}/{method}", json=params)

    async def ok(self, method: str, **params: Any) -> Any:
        response = await self(method, **params)
        body = response.json()
        assert response.status_code == 200 and body["ok"], body
        return body["result"]


@pytest.fixture
def api(http: httpx.AsyncClient) -> BotApi:
    return BotApi(http)


@pytest.fixture
def token() -> str:
    return TOKEN
