"""The emulator's HTTP server: bot APIs plus the ``/_emu`` control API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import web

from emulator.control import SharedControl
from emulator.faults import FaultRegistry
from emulator.telegram import DEFAULT_FIRST_NAME, DEFAULT_USERNAME, TelegramEmulator
from emulator.telegram_control import TelegramControl

MAX_REQUEST_BYTES = 60 * 1024 * 1024


class Emulator:
    """A Bot API emulator; ``await start()``, point the bot at ``url``, ``await stop()``."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_USERNAME,
        bot_first_name: str = DEFAULT_FIRST_NAME,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        self.faults = FaultRegistry(seed)
        self.telegram = TelegramEmulator(
            self.faults, bot_username=bot_username, bot_first_name=bot_first_name, clock=clock
        )
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        SharedControl(self.faults, self.reset).setup_routes(app)
        TelegramControl(self.telegram).setup_routes(app)
        self.telegram.setup_routes(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free port, see ``url``)."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator only listens on the loopback interface")
        runner = web.AppRunner(
            self.make_app(),
            handle_signals=False,
            shutdown_timeout=0.5,
            handler_cancellation=True,
            access_log=None,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        await self.telegram.close()
        if runner is not None:
            await runner.cleanup()
        self._port = None

    async def reset(self) -> None:
        """Forget all bots, chats and faults (the server keeps running)."""
        self.faults.clear()
        await self.telegram.reset()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not running")
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def serve_forever(
    port: int = 8081,
    host: str = "127.0.0.1",
    *,
    bot_username: str = DEFAULT_USERNAME,
    on_ready: Callable[[Emulator], None] | None = None,
) -> None:
    """Run an emulator until cancelled (Ctrl-C in the CLI); ``on_ready`` sees it started."""
    emulator = Emulator(bot_username=bot_username)
    await emulator.start(host, port)
    try:
        if on_ready is not None:
            on_ready(emulator)
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
