"""The emulated Telegram Bot API: ``/bot{token}/{method}`` on the emulator's server."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator.faults import ConnectionDropped, FaultRegistry, apply_fault
from emulator.params import ApiError, Params, error_response, ok_response, read_params
from emulator.telegram_bot import CallRecord, TelegramBot
from emulator.telegram_methods import (
    answer_callback_query,
    edit_message_reply_markup,
    edit_message_text,
    send_document,
    send_message,
    send_photo,
)
from emulator.telegram_setup import (
    delete_my_commands,
    delete_webhook,
    get_me,
    get_my_commands,
    get_updates,
    get_webhook_info,
    log_out,
    send_chat_action,
    set_my_commands,
    set_webhook,
)

log = logging.getLogger(__name__)

PLATFORM = "telegram"
TOKEN_RE = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{1,100}$")
DEFAULT_FIRST_NAME = "Chi bộ Bot (giả lập)"
DEFAULT_USERNAME = "chibo_demo_bot"

Method = Callable[[TelegramBot, Params], Awaitable[Any]]
METHODS: dict[str, Method] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendChatAction": send_chat_action,
    "close": log_out,
    "logOut": log_out,
}
METHOD_NAMES = {name.lower(): name for name in METHODS}


class TelegramEmulator:
    """All emulated Telegram bots; a bot is created on the first use of its token."""

    def __init__(
        self,
        faults: FaultRegistry,
        *,
        bot_username: str = DEFAULT_USERNAME,
        bot_first_name: str = DEFAULT_FIRST_NAME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.faults = faults
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock = clock
        self.bots: dict[str, TelegramBot] = {}

    def bot(self, token: str) -> TelegramBot:
        if not TOKEN_RE.match(token):
            raise ValueError(f"malformed bot token {token!r}")
        found = self.bots.get(token)
        if found is None:
            found = self.bots[token] = TelegramBot(
                token,
                username=self.bot_username,
                first_name=self.bot_first_name,
                clock=self.clock,
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
        app.router.add_route("*", "/bot{token}/{method}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        if not TOKEN_RE.match(token):
            return error_response(ApiError(404, "Not Found"))
        bot = self.bot(token)
        name = METHOD_NAMES.get(method.lower(), method)
        chat_id: int | None = None
        status = 200
        try:
            params = await read_params(request)
            chat_id = _chat_id(params)
            if name not in METHODS:
                raise ApiError(404, "Not Found")
            rule = self.faults.check(PLATFORM, token, name, chat_id)
            if rule is not None:
                await apply_fault(rule)
            result = await METHODS[name](bot, params)
            return ok_response(result)
        except ApiError as error:
            status = error.code
            return error_response(error)
        except ConnectionDropped:
            status = 0
            return _drop_connection(request)
        except asyncio.CancelledError:
            status = 499  # the client went away (nginx's "client closed request")
            raise
        finally:
            bot.calls.append(CallRecord(name, chat_id, status, self.clock()))


def _chat_id(params: Params) -> int | None:
    try:
        return params.get_int("chat_id")
    except ApiError:
        return None


def _drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the socket without an answer (the end of a ``timeout`` fault)."""
    if request.transport is not None:
        request.transport.close()
    log.debug("dropped the connection of %s", request.path)
    return web.Response(status=504)
