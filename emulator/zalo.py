"""The emulated Zalo Bot API: ``/zalo/bot{token}/{method}`` on the emulator's server.

So the bot's configured Zalo base URL is ``<emulator url>/zalo``. Like the real platform
(platforms.md A.2) method names are case-sensitive and parameters may come as JSON, form or
query string. The envelope is ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": N, "description": ...}``. Which HTTP status comes with an error is unknown, so
each bot has an ``error_style``: ``"mirror"`` (HTTP status = error_code, the default) or
``"http200"`` (every error with HTTP 200). getUpdates' 408 "nothing new" is always HTTP 200.
A malformed token gets HTTP 401 with the plain-text body ``Unauthorized``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator.faults import ConnectionDropped, FaultRegistry, FaultRule, apply_fault
from emulator.params import ApiError, Params, read_params
from emulator.zalo_bot import ZaloBot, ZaloCallRecord
from emulator.zalo_common import (
    BLOCKED,
    DEFAULT_ACCOUNT_NAME,
    PLATFORM,
    QUOTA_EXCEEDED,
    TOKEN_RE,
    PollTimeout,
    api_error,
)
from emulator.zalo_methods import (
    delete_webhook,
    get_me,
    get_updates,
    get_webhook_info,
    send_chat_action,
    send_message,
    send_photo,
    send_sticker,
    set_webhook,
)

log = logging.getLogger(__name__)

Method = Callable[[ZaloBot, Params], Awaitable[Any]]
METHODS: dict[str, Method] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendSticker": send_sticker,
    "sendChatAction": send_chat_action,
}
FAULT_ERRORS = {
    "429": (429, QUOTA_EXCEEDED),  # Zalo's 429 carries no retry_after
    "403": (403, BLOCKED),
    "500": (500, "Internal Server Error"),
    "502": (502, "Bad Gateway"),
}


class ZaloEmulator:
    """All emulated Zalo bots; a bot is created on the first use of its token."""

    def __init__(
        self,
        faults: FaultRegistry,
        *,
        account_name: str = DEFAULT_ACCOUNT_NAME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.faults = faults
        self.account_name = account_name
        self.clock = clock
        self.bots: dict[str, ZaloBot] = {}

    def bot(self, token: str) -> ZaloBot:
        if not TOKEN_RE.match(token):
            raise ValueError("malformed Zalo bot token")
        found = self.bots.get(token)
        if found is None:
            found = self.bots[token] = ZaloBot(
                token, account_name=self.account_name, clock=self.clock
            )
        return found

    async def reset(self) -> None:
        """Forget every bot (stops their webhooks)."""
        await self.close()
        self.bots.clear()

    async def close(self) -> None:
        for bot in self.bots.values():
            await bot.close()

    def setup_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/zalo/bot{token}/{method}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        if not TOKEN_RE.match(token):
            return web.Response(status=401, text="Unauthorized")
        bot = self.bot(token)
        chat_id: str | None = None
        status, error_code = 200, None
        try:
            params = await read_params(request)
            chat_id = params.get_str("chat_id")
            if name not in METHODS:
                raise api_error(400, f"Invalid API name: {name}")  # per the docs' table
            rule = self.faults.check(PLATFORM, token, name, chat_id)
            if rule is not None:
                await _apply_fault(rule)
            return _answer({"ok": True, "result": await METHODS[name](bot, params)})
        except ApiError as error:
            error_code = error.code
            ok_status = isinstance(error, PollTimeout) or bot.error_style == "http200"
            status = 200 if ok_status else error.code
            body = {"ok": False, "error_code": error.code, "description": error.description}
            return _answer(body, status)
        except ConnectionDropped:
            status = 0
            return _drop_connection(request)
        except asyncio.CancelledError:
            status = 499  # the client went away (nginx's "client closed request")
            raise
        finally:
            bot.calls.append(ZaloCallRecord(name, chat_id, status, error_code, self.clock()))


async def _apply_fault(rule: FaultRule) -> None:
    """Errors in Zalo's envelope (429 without retry_after); delay/timeout as shared."""
    if rule.kind in FAULT_ERRORS:
        raise api_error(*FAULT_ERRORS[rule.kind])
    await apply_fault(rule)


def _answer(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(
        body, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False)
    )


def _drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the socket without an answer (the end of a ``timeout`` fault)."""
    if request.transport is not None:
        request.transport.close()
    log.debug("dropped the connection of a Zalo API call")
    return web.Response(status=504)
