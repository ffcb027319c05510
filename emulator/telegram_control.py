"""Control API for Telegram bots: ``/_emu/telegram/{token}/...`` (act as users, inspect)."""

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
    req_int,
    req_str,
)
from emulator.telegram import TelegramEmulator
from emulator.telegram_bot import MAX_BULK_USERS, TelegramBot

MAX_WAIT = 120.0


class TelegramControl:
    def __init__(self, telegram: TelegramEmulator) -> None:
        self.telegram = telegram

    def setup_routes(self, app: web.Application) -> None:
        base = "/_emu/telegram/{token}"
        routes = app.router
        routes.add_post(f"{base}/send", control(self.send))
        routes.add_post(f"{base}/send-file", control(self.send_file))
        routes.add_post(f"{base}/press", control(self.press))
        routes.add_post(f"{base}/block", control(self.block))
        routes.add_post(f"{base}/users/bulk", control(self.register_users))
        routes.add_get(f"{base}/chats/{{chat_id}}/events", control(self.events))
        routes.add_get(f"{base}/chats/{{chat_id}}/messages", control(self.messages))
        routes.add_get(f"{base}/calls", control(self.calls))
        routes.add_get(f"{base}/callback-answers", control(self.callback_answers))
        routes.add_get(f"{base}/unanswered-callbacks", control(self.unanswered))
        routes.add_get(f"{base}/commands", control(self.commands))
        routes.add_get(f"{base}/files/{{file_id}}", control(self.file))
        routes.add_get(f"{base}/rate-limit", control(self.rate_limit_status))
        routes.add_post(f"{base}/rate-limit", control(self.set_rate_limit))
        routes.add_get(f"{base}/updates", control(self.pending_updates))

    def _bot(self, request: web.Request) -> TelegramBot:
        try:
            return self.telegram.bot(request.match_info["token"])
        except ValueError as error:
            raise ControlError(404, str(error)) from None

    async def send(self, request: web.Request) -> web.StreamResponse:
        bot, body = self._bot(request), await json_body(request)
        text = req_str(body, "text")
        profile = {
            key: opt_str(body, key)
            for key in ("first_name", "last_name", "username", "language_code")
        }
        return reply(bot.user_sends(req_int(body, "user_id"), text, profile))

    async def send_file(self, request: web.Request) -> web.StreamResponse:
        bot, body = self._bot(request), await json_body(request)
        result = bot.user_sends_file(
            req_int(body, "user_id"),
            opt_str(body, "kind") or "photo",
            opt_str(body, "file_name") or "tep.pdf",
            opt_int(body, "size") or 50_000,
            opt_str(body, "caption"),
        )
        return reply(result)

    async def press(self, request: web.Request) -> web.StreamResponse:
        bot, body = self._bot(request), await json_body(request)
        result = bot.user_presses(
            req_int(body, "user_id"), req_str(body, "label"), opt_int(body, "message_id")
        )
        return reply(result)

    async def block(self, request: web.Request) -> web.StreamResponse:
        bot, body = self._bot(request), await json_body(request)
        blocked = body.get("blocked", True)
        if not isinstance(blocked, bool):
            raise ControlError(400, "blocked must be true or false")
        return reply(bot.user_blocks(req_int(body, "user_id"), blocked))

    async def register_users(self, request: web.Request) -> web.StreamResponse:
        """``{"users": [{"user_id", "first_name"?, ...}]}`` and/or ``{"first_id", "count"}``."""
        bot, body = self._bot(request), await json_body(request)
        users = body.get("users", [])
        if not isinstance(users, list) or not all(isinstance(u, dict) for u in users):
            raise ControlError(400, "users must be a list of objects")
        profiles = [dict(u) for u in users]
        count = opt_int(body, "count")
        if count is not None:
            first_id = req_int(body, "first_id")
            if count < 0 or first_id <= 0:
                raise ControlError(400, "first_id must be positive and count not negative")
            prefix = opt_str(body, "first_name") or "User"
            if count > MAX_BULK_USERS:
                raise ControlError(400, f"count must be at most {MAX_BULK_USERS}")
            profiles += [
                {"user_id": i, "first_name": f"{prefix} {i}"}
                for i in range(first_id, first_id + count)
            ]
        return reply(bot.register_users(profiles))

    async def events(self, request: web.Request) -> web.StreamResponse:
        bot = self._bot(request)
        chat_id = req_int(request.match_info, "chat_id")
        query = request.query
        quiet = opt_float(query, "quiet")
        events = await bot.chatlog.wait_events(
            chat_id,
            after_seq=opt_int(query, "after") or 0,
            min_count=opt_int(query, "min") or 0,
            timeout=min(opt_float(query, "timeout") or 0.0, MAX_WAIT),
            quiet=0.15 if quiet is None else quiet,
        )
        return reply({"events": [e.to_json() for e in events], "last_seq": bot.chatlog.last_seq})

    async def messages(self, request: web.Request) -> web.StreamResponse:
        bot = self._bot(request)
        chat_id = req_int(request.match_info, "chat_id")
        return reply([m.to_json() for m in bot.chatlog.messages(chat_id)])

    async def calls(self, request: web.Request) -> web.StreamResponse:
        bot = self._bot(request)
        return reply(bot.calls_json(request.query.get("method")))

    async def callback_answers(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).callback_answers)

    async def unanswered(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).unanswered_callbacks())

    async def commands(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).commands_json())

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self._bot(request).files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError(404, "no such file")
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type,
            headers={"Content-Disposition": f'attachment; filename="{stored.file_id}"'},
        )

    async def rate_limit_status(self, request: web.Request) -> web.StreamResponse:
        return reply(self._bot(request).rate_limiter.status())

    async def set_rate_limit(self, request: web.Request) -> web.StreamResponse:
        limiter, body = self._bot(request).rate_limiter, await json_body(request)
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
        return reply(limiter.status())

    async def pending_updates(self, request: web.Request) -> web.StreamResponse:
        bot = self._bot(request)
        return reply({"pending": bot.updates.pending_count, "webhook": bool(bot.webhook)})
