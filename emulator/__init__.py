"""A local Bot API emulator (Telegram today, Zalo later) with a JSON control API.

Start ``Emulator`` (a real HTTP server on 127.0.0.1), point the bot at ``Emulator.url``
and drive the conversation through ``EmulatorClient`` / ``EmulatedUser``.
"""

from emulator.client import EmulatedUser, EmulatorClient, EmulatorError, EmulatorTimeout, Event
from emulator.server import Emulator, serve_forever

__all__ = [
    "EmulatedUser",
    "Emulator",
    "EmulatorClient",
    "EmulatorError",
    "EmulatorTimeout",
    "Event",
    "serve_forever",
]
