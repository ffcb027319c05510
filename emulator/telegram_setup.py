"""Telegram Bot API methods about the bot itself: updates, webhooks, commands."""

from __future__ import annotations

import json
import re

from emulator.params import ApiError, JSONDict, Params, bad_request
from emulator.telegram_bot import TelegramBot
from emulator.telegram_format import check_commands, check_scope
from emulator.updates import CONFLICT_OTHER_POLL
from emulator.webhook import WebhookDeliverer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_me(bot: TelegramBot, params: Params) -> JSONDict:
    return bot.me()


async def get_updates(bot: TelegramBot, params: Params) -> list[JSONDict]:
    if bot.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    bot.updates.set_allowed(params.get_json("allowed_updates"))
    return await bot.updates.poll(
        params.get_int("offset"),
        params.get_int("limit") or 100,
        params.get_float("timeout") or 0.0,
    )


def _scope_key(params: Params) -> tuple[JSONDict, str, tuple[str, str]]:
    scope = check_scope(params.get_json("scope"))
    language = params.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    key = json.dumps(scope, sort_keys=True, separators=(",", ":"))
    return scope, language, (key, language)


async def set_my_commands(bot: TelegramBot, params: Params) -> bool:
    commands = check_commands(params.get_json("commands"))
    scope, _, key = _scope_key(params)
    if commands:
        bot.commands[key] = (scope, commands)
    else:
        bot.commands.pop(key, None)
    return True


async def get_my_commands(bot: TelegramBot, params: Params) -> list[dict[str, str]]:
    _, _, key = _scope_key(params)
    found = bot.commands.get(key)
    return list(found[1]) if found else []


async def delete_my_commands(bot: TelegramBot, params: Params) -> bool:
    _, _, key = _scope_key(params)
    bot.commands.pop(key, None)
    return True


async def set_webhook(bot: TelegramBot, params: Params) -> bool:
    url = params.get_str("url") or ""
    if not url:
        return await delete_webhook(bot, params)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    await bot.close()
    if params.get_bool("drop_pending_updates"):
        bot.updates.drop_all()
    bot.updates.set_allowed(params.get_json("allowed_updates"))
    headers = {SECRET_HEADER: secret} if secret else {}
    bot.webhook = WebhookDeliverer(bot.updates, url, headers, clock=bot.clock)
    bot.updates.interrupt_pollers("Conflict: terminated by setWebhook request")
    bot.webhook.start()
    return True


async def delete_webhook(bot: TelegramBot, params: Params) -> bool:
    await bot.close()
    if params.get_bool("drop_pending_updates"):
        bot.updates.drop_all()
    return True


async def get_webhook_info(bot: TelegramBot, params: Params) -> JSONDict:
    info: JSONDict = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": bot.updates.pending_count,
    }
    if bot.webhook is not None:
        info["max_connections"] = 40
        if bot.webhook.last_error_date is not None:
            info["last_error_date"] = bot.webhook.last_error_date
            info["last_error_message"] = bot.webhook.last_error_message
    if bot.updates.allowed is not None:
        info["allowed_updates"] = sorted(bot.updates.allowed)
    return info


async def send_chat_action(bot: TelegramBot, params: Params) -> bool:
    bot.chat(params.get_int("chat_id"))
    return True


async def log_out(bot: TelegramBot, params: Params) -> bool:
    bot.updates.interrupt_pollers(CONFLICT_OTHER_POLL)
    return True
