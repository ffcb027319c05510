"""The aiohttp transport under python-telegram-bot: PTB's errors for timeouts and network
failures, against real sockets on loopback (the happy paths run in tests/emulator/test_emu_ptb.py
over both transports)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from channels.ptb_request import AiohttpRequest


@pytest.fixture
async def slow_server() -> AsyncIterator[str]:
    """A Bot API look-alike that answers getMe after 2 s."""

    async def answer(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": {}})

    app = web.Application()
    app.router.add_post("/{path:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_slow_answer_is_ptbs_timed_out(slow_server: str) -> None:
    request = AiohttpRequest(read_timeout=0.2)
    bot = Bot("1:x", base_url=f"{slow_server}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await bot.get_me()
    finally:
        await request.shutdown()


async def test_a_refused_connection_is_ptbs_network_error() -> None:
    request = AiohttpRequest()
    bot = Bot("1:x", base_url=f"http://127.0.0.1:{closed_port()}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnector"):
            await bot.get_me()
    finally:
        await request.shutdown()


async def test_it_must_be_initialized_first() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/", "POST")
