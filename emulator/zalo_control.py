"""Control API for Zalo bots: ``/_emu/zalo/{token}/...`` (act as users, inspect, configure).

Same conventions as the Telegram control API: JSON in and out, ``{"error": ...}`` with a
4xx status on mistakes, and ``events`` long-polls exactly like ``ChatLog.wait_events``.
"""

from __future__ import annotations

from aiohttp import web

from emulator.control import (
    ControlError,
    control,
    json_body,
    opt_float,
    opt_int,
    opt_str,
    reply,
    req_str,
)
from emulator.zalo import ZaloEmulator
from emulator.zalo_bot import ERROR_STYLES, ZaloBot, event_json

MAX_WAIT = 120.0


class ZaloControl:
    def __init__(self, zalo: ZaloEmulator) -> None:
        self.zalo = zalo

    def setup_routes(self, app: web.Application) -> None:
        base = "/_emu/zalo/{token}"
        routes = app.router
        routes.add_post(f"{base}/send", control(self.send))
        routes.add_post(f"{base}/event", control(self.event))
        routes.add_post(f"{base}/replay", control(self.replay))
        routes.add_post(f"{base}/block", control(self.block))
        routes.add_get(f"{base}/chats/{{chat_id}}/events", control(self.events))
        routes.add_get(f"{base}/chats/{{chat_id}}/messages", control(self.messages))
        routes.add_get(f"{base}/calls", control(self.calls))
        routes.add_get(f"{base}/files/{{file_id}}", control(self.file))
        routes.add_get(f"{base}/webhook", control(self.webhook))
        routes.add_get(f"{base}/rate-limit", control(self.rate_limit_status))
        routes.add_post(f"{base}/rate-limit", control(self.set_rate_limit))
        routes.add_get(f"{base}/settings", control(self.get_settings))
        routes.add_post(f"{base}/settings", control(self.settings))

    def _bot(self, request: web.Request) -> ZaloBot:
        try:
            return self.zalo.bot(request.match_info["token"])
        except ValueError as error:
            raise ControlError(404, str(error)) from None

    async def send(self, request: web.Request) -> web.StreamResponse:
        """``{user_id, text, display_name?}``: the user writes a text message."""
        bot, body = self._bot(request), await json_body(request)
        fields = {"text": req_str(body, "text")}
        name = opt_str(body, "display_name")
        return reply(bot.user_event(req_str(body, "user_id"), "text", fields, name))

    async def event(self, request: web.Request) -> web.StreamResponse:
        """``{user_id, kind, text?, photo_url?, caption?, sticker?, url?, display_name?}``."""
        bot, body = self._bot(request), await json_body(request)
        fields = {
            key: opt_str(body, key) for key in ("text", "photo_url", "caption", "sticker", "url")
        }
        name = opt_str(body, "display_name")
        kind = req_str(body, "kind")
        return reply(bot.user_event(req_str(body, "user_id"), kind, fields, name))

    async def replay(self, request: web.Request) -> web.StreamResponse:
        bot, body = self._bot(request), await json_body(request)
        return reply(bot.replay(opt_str(body, "message_id") or None))

    async def block(self, request: web.Request) -> web.StreamResponse:
        bot, body = self._bot(request), await json_body(request)
        blocked = body.get("blocked", True)
        if not isinstance(blocked, bool):
            raise ControlError(400, "blocked must be true or false")
        return reply(bot.user_blocks(req_str(body, "user_id"), blocked))

    async def events(self, request: web.Request) -> web.StreamResponse:
        bot = self._bot(request)
        query = request.query
        quiet = opt_float(query, "quiet")
        events = await bot.chatlog.wait_events(
            request.match_info["chat_id"],
            after_seq=opt_int(query, "after") or 0,
            min_count=opt_int(query, "min") or 0,
            timeout=min(opt_float(query, "timeout") or 0.0, MAX_WAIT),
            quiet=0.15 if quiet is None else quiet,
        )
        return reply({"events": [event_json(e) for e in events], "last_seq": bot.chatlog.last_seq})

    async def messages(self, request: web.Request) -> web.StreamResponse:
        bot = self._bot(request)
        return reply([event_json(m) for m in bot.chatlog.messages(request.match_info["chat_id"])])

    async def calls(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).calls_json(request.query.get("method")))

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self._bot(request).files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError(404, "no such file")
        return web.Response(body=stored.content, content_type=stored.content_type)

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).webhook_json())

    async def rate_limit_status(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).rate_limiter.status())

    async def set_rate_limit(self, request: web.Request) -> web.StreamResponse:
        """``{enabled?, overall_per_second?, per_chat_per_second?, reset_violations?}``."""
        zalo_limiter, body = self._bot(request).rate_limiter, await json_body(request)
        limiter = zalo_limiter.limiter
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ControlError(400, "enabled must be true or false")
        limiter.configure(
            opt_float(body, "overall_per_second") or limiter.overall_per_second,
            opt_float(body, "per_chat_per_second") or limiter.per_chat_per_second,
        )
        limiter.enabled = enabled
        if body.get("reset_violations"):
            limiter.violations.clear()
        return reply(zalo_limiter.status())

    async def get_settings(self, request: web.Request) -> web.StreamResponse:
        return reply({"error_style": self._bot(request).error_style})

    async def settings(self, request: web.Request) -> web.StreamResponse:
        """``{"error_style": "mirror" | "http200"}``."""
        bot, body = self._bot(request), await json_body(request)
        style = opt_str(body, "error_style")
        if style is not None:
            if style not in ERROR_STYLES:
                raise ControlError(400, f"error_style must be one of {', '.join(ERROR_STYLES)}")
            bot.error_style = style
        return reply({"error_style": bot.error_style})
