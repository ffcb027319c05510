"""One small HTTP server for webhooks of every channel, behind any reverse proxy."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import text

from core import files
from core.context import Services
from core.texts import t
from db.engine import Database

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # updates are small; anything bigger is not from the platform
HEALTH_TIMEOUT = 5.0  # seconds the database may take to answer /health
Feed = Callable[[dict[str, Any]], Awaitable[None]]
NO_STORE = {"Cache-Control": "no-store"}


class WebhookServer:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.app = web.Application(client_max_size=MAX_BODY)
        self._runner: web.AppRunner | None = None

    def route(self, path: str, header: str, secret: str, feed: Feed) -> None:
        """POSTs to `path` must carry `header: secret`; their JSON body goes to `feed`."""

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(header, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                return web.Response(status=401)
            try:
                body = await request.json(loads=json.loads)
            except (ValueError, web.HTTPRequestEntityTooLarge):
                return web.Response(status=400)
            if not isinstance(body, dict):
                return web.Response(status=400)
            await feed(body)
            return web.Response(status=200)

        self.app.router.add_post(path, receive)

    def files(self, prefix: str, services: Services) -> None:
        """GET `prefix/<token>/<name>`: a shared file while its link is valid, else 404."""

        async def download(request: web.Request) -> web.StreamResponse:
            found = await files.fetch(services, request.match_info["token"])
            if found is None:
                return web.Response(status=404, text=t("file_link_gone"))
            name = quote(found.filename)
            disposition = "inline" if found.content_type.startswith("image/") else "attachment"
            return web.Response(
                body=found.content,
                content_type=found.content_type,
                headers={
                    "Content-Disposition": f"{disposition}; filename*=UTF-8''{name}",
                    "Cache-Control": "private, no-store",
                    "X-Content-Type-Options": "nosniff",
                },
            )

        self.app.router.add_get(prefix.rstrip("/") + "/{token}/{name}", download)

    def health(self, path: str, database: Database, schema: str, channels: Sequence[str]) -> None:
        """GET `path`: 200 {"status": "ok", ...} when the database answers `SELECT 1`, else
        503. For a container's or a load balancer's health check: no secrets, one query.
        `schema` is the revision the process checked at start-up."""
        names = list(channels)

        async def answer(_request: web.Request) -> web.Response:
            body: dict[str, Any] = {
                "status": "ok",
                "database": "ok",
                "schema": schema,
                "channels": names,
            }
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    async with database.engine.connect() as conn:
                        await conn.execute(text("SELECT 1"))
            except Exception as exc:  # any failure at all means "not healthy"
                log.warning("health: the database did not answer (%s)", type(exc).__name__)
                body.update(status="unavailable", database="unreachable")
                return web.json_response(body, status=503, headers=NO_STORE)
            return web.json_response(body, headers=NO_STORE)

        self.app.router.add_get(path, answer)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]
        log.info("webhook server listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
