"""The Zalo Bot API methods (platforms.md A.3) acting on one ``ZaloBot``.

Choices where the real platform is undocumented (hypotheses, see zalo_common):
* a chat nobody opened (no user with that id wrote to the bot): error 400 "Chat not found";
* a user who blocked the bot: error 403 "User has blocked the bot";
* setWebhook refuses URLs the emulator must not reach: only loopback hosts (http or https)
  are accepted, so tests and the demo never post anywhere else;
* sendPhoto downloads the photo like Zalo does, but only from loopback hosts, without
  following redirects.
"""

from __future__ import annotations

import aiohttp

from emulator.params import JSONDict, Params
from emulator.zalo_bot import ZaloBot, ZaloFile
from emulator.zalo_common import MAX_TEXT, WEBHOOK_ACTIVE, api_error, is_loopback_url, new_hex_id
from emulator.zalo_webhook import ZaloWebhook

DEFAULT_POLL = 30.0
MAX_POLL = 50.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TIMEOUT = 5.0
CHAT_ACTIONS = ("typing", "upload_photo")


async def get_me(bot: ZaloBot, params: Params) -> JSONDict:
    return bot.me()


async def get_updates(bot: ZaloBot, params: Params) -> JSONDict:
    """One event (not a list); error 408 (HTTP 200) when none came within ``timeout``."""
    if bot.webhook is not None:
        raise api_error(400, WEBHOOK_ACTIVE)
    wait = params.get_float("timeout")
    wait = DEFAULT_POLL if wait is None else min(max(wait, 0.0), MAX_POLL)
    return await bot.queue.poll(wait)


async def set_webhook(bot: ZaloBot, params: Params) -> JSONDict:
    url = params.get_str("url") or ""
    secret = params.get_str("secret_token") or ""
    if not url:
        raise api_error(400, "url is required")
    if not is_loopback_url(url):
        raise api_error(400, "url must be http(s) on a loopback host in the emulator")
    if not 8 <= len(secret) <= 256:
        raise api_error(400, "secret_token must be 8-256 characters")
    await bot.close()
    bot.webhook_updated_at = bot.now_ms()
    bot.webhook = ZaloWebhook(bot.queue, url, secret, bot.webhook_updated_at, bot.deliveries)
    bot.queue.interrupt_pollers(400, WEBHOOK_ACTIVE)
    bot.webhook.start()
    return {"url": url, "updated_at": bot.webhook_updated_at}


async def delete_webhook(bot: ZaloBot, params: Params) -> JSONDict:
    await bot.close()
    bot.webhook_updated_at = bot.now_ms()
    return {"url": "", "updated_at": bot.webhook_updated_at}


async def get_webhook_info(bot: ZaloBot, params: Params) -> JSONDict:
    return {"url": bot.webhook.url if bot.webhook else "", "updated_at": bot.webhook_updated_at}


def _text(value: str | None, name: str, required: bool) -> str | None:
    if value is None and not required:
        return None
    if value is None or not 1 <= len(value) <= MAX_TEXT:
        raise api_error(400, f"{name} must be 1-{MAX_TEXT} characters")
    return value


def _sent(
    bot: ZaloBot,
    chat_id: str,
    kind: str,
    *,
    text: str | None = None,
    caption: str | None = None,
    file: JSONDict | None = None,
) -> JSONDict:
    """Log a bot message and build the method's result."""
    message_id, date = new_hex_id(), bot.now_ms()
    bot.rate_limiter.record(chat_id)
    bot.chatlog.append(kind, chat_id, message_id, text=text, caption=caption, file=file, date=date)
    return {"message_id": message_id, "date": date}


async def send_message(bot: ZaloBot, params: Params) -> JSONDict:
    text = _text(params.get_str("text"), "text", required=True)
    chat_id = bot.chat(params.get_str("chat_id")).id
    bot.rate_limiter.check(chat_id, "sendMessage")
    return _sent(bot, chat_id, "message", text=text)


async def send_photo(bot: ZaloBot, params: Params) -> JSONDict:
    url = params.get_str("photo") or ""
    caption = _text(params.get_str("caption") or None, "caption", required=False)
    if not url.startswith(("http://", "https://")):
        raise api_error(400, "photo must be an http(s) URL")
    chat_id = bot.chat(params.get_str("chat_id")).id
    if not is_loopback_url(url):
        raise api_error(400, "the emulator only fetches photos from loopback hosts")
    bot.rate_limiter.check(chat_id, "sendPhoto")
    stored = await _fetch_photo(bot, url)
    info = {
        "file_id": stored.file_id,
        "url": url,
        "size": len(stored.content),
        "content_type": stored.content_type,
    }
    return _sent(bot, chat_id, "photo", caption=caption, file=info)


async def _fetch_photo(bot: ZaloBot, url: str) -> ZaloFile:
    """GET the photo as Zalo's servers would; any failure is error 400."""
    timeout = aiohttp.ClientTimeout(total=PHOTO_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, allow_redirects=False) as response,
        ):
            content = await response.content.read(MAX_PHOTO_BYTES + 1)
            status, content_type = response.status, response.content_type
    except (aiohttp.ClientError, TimeoutError):
        raise api_error(400, "could not fetch photo") from None
    if status != 200 or not content or len(content) > MAX_PHOTO_BYTES:
        raise api_error(400, "could not fetch photo")
    stored = ZaloFile(new_hex_id(), url, content, content_type or "application/octet-stream")
    bot.files[stored.file_id] = stored
    return stored


async def send_sticker(bot: ZaloBot, params: Params) -> JSONDict:
    sticker = params.get_str("sticker")
    if not sticker:
        raise api_error(400, "sticker is required")
    chat_id = bot.chat(params.get_str("chat_id")).id
    bot.rate_limiter.check(chat_id, "sendSticker")
    return _sent(bot, chat_id, "sticker", file={"sticker": sticker})


async def send_chat_action(bot: ZaloBot, params: Params) -> bool:
    """Shows "typing…" in the real app: recorded as a call, never as a chat event."""
    action = params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise api_error(400, f"action must be one of {', '.join(CHAT_ACTIONS)}")
    bot.chat(params.get_str("chat_id"))
    return True
