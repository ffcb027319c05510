"""A local Bot API emulator (Telegram and Zalo) with a JSON control API.

Start ``Emulator`` (a real HTTP server on 127.0.0.1), point the bot at ``Emulator.url``
(Telegram) or ``Emulator.zalo_url`` (Zalo) and drive the conversation through
``EmulatorClient`` / ``EmulatedUser`` or ``ZaloEmulatorClient`` / ``ZaloEmulatedUser``.
"""

from emulator.client import EmulatedUser, EmulatorClient, EmulatorError, EmulatorTimeout, Event
from emulator.server import Emulator, serve_forever
from emulator.zalo_client import (
    ZaloCall,
    ZaloEmulatedUser,
    ZaloEmulatorClient,
    ZaloEvent,
    ZaloSent,
    zalo_user_id,
)

__all__ = [
    "EmulatedUser",
    "Emulator",
    "EmulatorClient",
    "EmulatorError",
    "EmulatorTimeout",
    "Event",
    "ZaloCall",
    "ZaloEmulatedUser",
    "ZaloEmulatorClient",
    "ZaloEvent",
    "ZaloSent",
    "serve_forever",
    "zalo_user_id",
]
