"""The emulator's HTTP server: Telegram and Zalo bot APIs plus the ``/_emu`` control API.

It only ever listens on the loopback interface (127.0.0.1 by default).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import web

from emulator.control import SharedControl
from emulator.faults import FaultRegistry
from emulator.telegram import DEFAULT_FIRST_NAME, DEFAULT_USERNAME, TelegramEmulator
from emulator.telegram_control import TelegramControl
from emulator.zalo import ZaloEmulator
from emulator.zalo_common import DEFAULT_ACCOUNT_NAME
from emulator.zalo_control import ZaloControl

MAX_REQUEST_BYTES = 60 * 1024 * 1024


class Emulator:
    """A Bot API emulator; ``await start()``, point the bot at ``url``, ``await stop()``."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_USERNAME,
        bot_first_name: str = DEFAULT_FIRST_NAME,
        zalo_account_name: str = DEFAULT_ACCOUNT_NAME,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        self.faults = FaultRegistry(seed)
        self.telegram = TelegramEmulator(
            self.faults, bot_username=bot_username, bot_first_name=bot_first_name, clock=clock
        )
        self.zalo = ZaloEmulator(self.faults, account_name=zalo_account_name, clock=clock)
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        SharedControl(self.faults, self.reset).setup_routes(app)
        TelegramControl(self.telegram).setup_routes(app)
        self.telegram.setup_routes(app)
        ZaloControl(self.zalo).setup_routes(app)
        self.zalo.setup_routes(app)
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
        await self.zalo.close()
        if runner is not None:
            await runner.cleanup()
        self._port = None

    async def reset(self) -> None:
        """Forget all bots, chats and faults (the server keeps running)."""
        self.faults.clear()
        await self.telegram.reset()
        await self.zalo.reset()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not running")
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def zalo_url(self) -> str:
        """The Zalo Bot API base URL to configure in the bot (``<url>/zalo``)."""
        return f"{self.url}/zalo"

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
