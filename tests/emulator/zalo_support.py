"""Helpers for the Zalo emulator tests: raw bot API calls and small loopback HTTP servers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from aiohttp import web

ZALO_TOKEN = "987654321:zalo-TEST_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ZaloApi:
    """Raw Zalo Bot API calls: ``await zapi("sendMessage", chat_id="ab", text="hi")``."""

    def __init__(self, http: httpx.AsyncClient, token: str = ZALO_TOKEN) -> None:
        self.http = http
        self.token = token

    def path(self, method: str) -> str:
        return f"/zalo/bot{self.token}/{method}"

    async def __call__(self, method: str, **params: Any) -> httpx.Response:
        return await self.http.post(self.path(method), json=params)

    async def ok(self, method: str, **params: Any) -> Any:
        response = await self(method, **params)
        body = response.json()
        assert response.status_code == 200 and body["ok"] is True, body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """The HTTP status and the body of a call that must fail."""
        response = await self(method, **params)
        body = response.json()
        assert body["ok"] is False, body
        return response.status_code, body


@contextlib.asynccontextmanager
async def local_server(routes: dict[str, Handler]) -> AsyncIterator[str]:
    """An aiohttp server on 127.0.0.1 with ``{path: handler}``; yields its base URL."""
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


class WebhookReceiver:
    """Records every webhook POST; answers with the queued statuses, then 200."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict[str, str], Any]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((dict(request.headers), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok")

    @property
    def bodies(self) -> list[Any]:
        return [body for _, body in self.requests]
