"""``python -m emulator --port 8081``: run the Bot API emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from emulator.server import Emulator, serve_forever
from emulator.telegram import DEFAULT_USERNAME


def _announce(emulator: Emulator) -> None:
    print(
        f"Bot API emulator listening on {emulator.url} "
        f"(Telegram base_url {emulator.url}/bot, Zalo base URL {emulator.zalo_url}, "
        f"control API {emulator.url}/_emu)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="TCP port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--bot-username", default=DEFAULT_USERNAME)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve_forever(args.port, args.host, bot_username=args.bot_username, on_ready=_announce)
        )


if __name__ == "__main__":
    main()
