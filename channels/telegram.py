"""The Telegram adapter: PTB Application in, neutral `Incoming` out; `Reply` back to Telegram.

No product logic lives here: every update goes through the gateway and the router.

Every update is stored (core.inbound) before Telegram is told it arrived: in polling mode each
getUpdates batch is kept before PTB sees it, so the next call's offset, which confirms the
batch to Telegram, is only sent once the batch is in the database; in webhook mode before the
200. An update is marked handled (and its content cleared) once its replies are out; those a
crash left unhandled are handled at the next start, and one fetched again is dropped by its
key. Handling is therefore at least once: an update being handled at the kill is handled
again after the restart (the self-check stores answers idempotently; see
tests/reliability/test_crash_selfcheck.py for what a member may see twice).
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, RequestData

from channels.base import DeliveryError, Failure
from channels.botapi import BotApiSender
from channels.gateway import Gateway
from channels.ptb_request import AiohttpRequest
from channels.serial import PerChat
from core import inbound
from core.chunks import split_text
from core.messages import Address, Event, Incoming, Received, Reply
from core.policy import Audience
from core.router import CommandSpec
from core.texts import t

log = logging.getLogger(__name__)
NAME = "telegram"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
REPLY_RETRIES = 2
# Chats whose updates are handled at the same time (each chat's in order).
CHATS_AT_ONCE = 32


Keep = Callable[[list[dict[str, Any]]], Awaitable[None]]
_UNTRACKED = -1  # an update that did not come through `_keep` (handled, not stored)
DONE_KEPT = 10_000  # handled event ids remembered (a start-up's replay is far fewer)


def update_key(body: dict[str, Any]) -> str:
    """The update's id and a digest of it. Telegram sends an update again until an offset
    confirms it: the same key, dropped. After a week without updates Telegram picks ids at
    random, so an id alone could match an old key (and an emulator started afresh on the
    same database counts from 1 again): the digest tells such updates apart."""
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{body.get('update_id')}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


class KeepingRequest(AiohttpRequest):
    """The getUpdates transport: a batch goes to `keep` (the database) before PTB parses it.
    PTB confirms a batch to Telegram with the next call's offset, after this returns; when
    `keep` fails, PTB sees a network error, retries, and confirms nothing."""

    def __init__(self, keep: Keep, connections: int = 1) -> None:
        super().__init__(connections=connections)
        self._keep = keep

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code == 200 and url.endswith("/getUpdates"):
            result = json.loads(payload).get("result")
            if isinstance(result, list) and result:
                await self._keep([u for u in result if isinstance(u, dict)])
        return code, payload


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    api_url: str = "https://api.telegram.org"
    poll_timeout: int = 30
    webhook_url: str | None = None  # public URL Telegram posts to
    webhook_secret: str | None = None


def to_incoming(update: Update) -> Incoming | None:
    """Turn one Telegram update into the neutral form (None: nothing for the product)."""
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message else query.from_user.id
        return Incoming(
            channel=NAME,
            sender_id=str(query.from_user.id),
            chat_id=str(chat),
            payload=query.data or "",
            message_ref=str(query.message.message_id) if query.message else None,
            sender_name=query.from_user.full_name,
        )
    if update.my_chat_member is not None:
        change = update.my_chat_member
        blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
        return Incoming(
            channel=NAME,
            sender_id=str(change.from_user.id),
            chat_id=str(change.chat.id),
            event=Event.BLOCKED if blocked else Event.UNBLOCKED,
        )
    message = update.message
    if message is None or message.from_user is None or message.chat.type != "private":
        return None
    return Incoming(
        channel=NAME,
        sender_id=str(message.from_user.id),
        chat_id=str(message.chat.id),
        text=message.text if message.text is not None else message.caption,
        sender_name=message.from_user.full_name,
        received=_received(message),
    )


def _received(message: Message) -> Received | None:
    """The biggest size of a photo, or a document, as a reference (file_id)."""
    if message.photo:
        best = message.photo[-1]
        return Received("photo", best.file_id, size=best.file_size or 0)
    if message.document is not None:
        doc = message.document
        return Received("document", doc.file_id, doc.file_name or "", doc.file_size or 0)
    return None


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.payload) for b in row]
            for row in reply.buttons
        ]
    )


def commands_for(specs: Iterable[CommandSpec], audiences: frozenset[str]) -> list[BotCommand]:
    return [
        BotCommand(s.name, t(s.description_key))
        for s in specs
        if s.listed and any(s.serves(Audience(a)) for a in audiences)
    ]


def _failure(exc: TelegramError) -> DeliveryError:
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
            warnings.simplefilter("ignore")
            seconds = exc.retry_after
        wait = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        return DeliveryError(Failure.RATE_LIMITED, "429", retry_after=wait)
    if isinstance(exc, Forbidden):
        return DeliveryError(Failure.UNREACHABLE, exc.message)
    if isinstance(exc, BadRequest):
        unreachable = "chat not found" in exc.message.lower()
        return DeliveryError(
            Failure.UNREACHABLE if unreachable else Failure.BAD_REQUEST, exc.message
        )
    if isinstance(exc, NetworkError):
        return DeliveryError(Failure.RETRY, type(exc).__name__)
    return DeliveryError(Failure.RETRY, type(exc).__name__)


class TelegramChannel:
    """One bot token on Telegram, by long polling or by webhook."""

    name = NAME

    def __init__(self, config: TelegramConfig, gateway: Gateway | None) -> None:
        self.config = config
        self.gateway = gateway
        api = config.api_url.rstrip("/")
        self.app = (
            ApplicationBuilder()
            .token(config.token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=0))  # per call: see send()
            .request(AiohttpRequest())
            .get_updates_request(KeepingRequest(self._keep))
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._initialized = False
        self._chats = PerChat(limit=CHATS_AT_ONCE)
        self.bulk = BotApiSender(api, config.token)
        self._kept: dict[int, int | None] = {}  # update id -> stored event (None: seen before)
        self._queued: set[int] = set()  # stored events handed to `_chats`, not yet done
        # Stored events this process has handled: a webhook update that arrived while
        # `_replay` read the store reaches `_dispatch` twice, the second time after the first
        # is done (and out of `_queued`).
        self._done: dict[int, None] = {}

    @property
    def username(self) -> str:
        return self.app.bot.username

    async def initialize(self) -> None:
        """Connect and learn who the bot is (getMe); safe to call twice."""
        if not self._initialized:
            await self.app.initialize()
            self._initialized = True

    async def start(self) -> None:
        """Set the menus, then poll or register the webhook."""
        await self.initialize()
        await self._replay()
        await self._set_default_menu()
        await self.app.start()
        if self.config.webhook_url:
            await self.app.bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.config.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            assert self.app.updater is not None
            await self.app.bot.delete_webhook()
            await self.app.updater.start_polling(
                timeout=self.config.poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                poll_interval=0.0,
            )
        log.info("telegram: started as @%s", self.username)

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()  # hands over the updates already fetched
        await self._chats.join(timeout=10.0)
        self._chats.cancel()
        await self.app.shutdown()
        await self.bulk.close()

    async def feed(self, data: dict[str, Any]) -> None:
        """Webhook mode: keep one update that the webhook server received (before it answers
        200: on an error Telegram sends it again), then queue it."""
        await self._keep([data])
        await self.app.update_queue.put(Update.de_json(data, self.app.bot))

    # --- receiving -------------------------------------------------------------------------

    async def _keep(self, bodies: list[dict[str, Any]]) -> None:
        """Store a batch of updates as Telegram sent them (core.inbound)."""
        if self.gateway is None:
            return  # not started: nothing handles updates yet
        keys = [(update_key(body), body) for body in bodies]
        stored = await inbound.store_many(self.gateway.router.services, NAME, keys)
        for key, body in keys:
            update_id = body.get("update_id")
            if isinstance(update_id, int) and self._kept.get(update_id) is None:
                self._kept[update_id] = stored.pop(key[:128], None)

    async def _replay(self) -> None:
        """Updates kept but not handled when the process stopped, oldest first, before any
        new one (each chat's stay in order)."""
        assert self.gateway is not None, "the app attaches the gateway before start()"
        services = self.gateway.router.services
        for stored in await inbound.unhandled(services, NAME):
            try:
                update = Update.de_json(stored.body, self.app.bot)
            except Exception as exc:  # not an update we can read: drop it, once
                log.error("telegram: a kept update is unreadable: %s", type(exc).__name__)
                await inbound.done(services, stored.id)
                continue
            self._dispatch(update, stored.id)
        log.info("telegram: %d kept updates to handle", len(self._queued))

    async def _on_update(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        event_id = self._kept.pop(update.update_id, _UNTRACKED)
        if event_id is None:
            return  # kept before: handled already, or handled from the store
        self._dispatch(update, None if event_id == _UNTRACKED else event_id)

    def _dispatch(self, update: Update, event_id: int | None) -> None:
        """PTB hands over updates one at a time and in order; each chat's are handled in
        that order, different chats side by side (one slow chat never holds up the others)."""
        if event_id is not None:
            if event_id in self._queued or event_id in self._done:
                return  # fed while `_replay` read the store: handled once is enough
            self._queued.add(event_id)
        incoming = to_incoming(update)
        chat = incoming.chat_id if incoming is not None else "-"
        self._chats.submit(chat, lambda: self._handle(update, incoming, event_id))

    async def _handle(
        self, update: Update, incoming: Incoming | None, event_id: int | None
    ) -> None:
        """Handle one update, then mark it handled (not on a failure: it is tried again at
        the next start, as Zalo's events are)."""
        if incoming is not None:
            await self._route(update, incoming)
        if event_id is not None:
            assert self.gateway is not None
            await inbound.done(self.gateway.router.services, event_id)
            self._queued.discard(event_id)
            self._done[event_id] = None
            if len(self._done) > DONE_KEPT:
                del self._done[next(iter(self._done))]  # the oldest

    async def _route(self, update: Update, incoming: Incoming) -> None:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramError as exc:
                log.info("callback answer failed: %s", type(exc).__name__)
        assert self.gateway is not None, "start() attaches the gateway"
        outcome = await self.gateway.route(incoming)
        for reply in outcome.replies:
            await self._answer(update, reply)
        await self.gateway.follow_up(outcome)

    async def _answer(self, update: Update, reply: Reply) -> None:
        query = update.callback_query
        held = query.message if query is not None and isinstance(query.message, Message) else None
        try:
            editable = held is not None and held.text and reply.file is None
            if reply.replace and editable and len(reply.text) <= MessageLimit.MAX_TEXT_LENGTH:
                assert held is not None
                await self._edit(held, reply)
                return
            chat = update.effective_chat
            if chat is not None:
                await self.send(str(chat.id), reply, retries=REPLY_RETRIES)
        except DeliveryError as exc:
            log.warning("telegram: reply failed: %s", exc.failure)
            if exc.failure is Failure.UNREACHABLE and update.effective_chat is not None:
                assert self.gateway is not None
                await self.gateway.unreachable(Address(NAME, str(update.effective_chat.id)))

    async def _edit(self, held: Message, reply: Reply) -> None:
        try:
            await held.edit_text(reply.text, reply_markup=markup(reply))
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise _failure(exc) from exc
        except TelegramError as exc:
            raise _failure(exc) from exc

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: unhandled %s", type(context.error).__name__, exc_info=context.error)

    # --- sending ---------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply, retries: int = 0) -> str:
        """Send one message. The outbox calls this with no retries: it paces and retries
        itself, and plain texts take the lean path; answers to a person's own action go
        through PTB and may wait out a short 429 (`retries`).
        (PTB reads `rate_limit_args or default`, so 0 must be the limiter's default.)"""
        if retries == 0 and reply.file is None:
            return await self._send_lean(int(chat_id), reply)
        try:
            return await self._send(int(chat_id), reply, retries)
        except TelegramError as exc:
            raise _failure(exc) from exc

    async def _send_lean(self, chat: int, reply: Reply) -> str:
        keyboard = [
            [{"text": b.label, "callback_data": b.payload} for b in row] for row in reply.buttons
        ]
        pieces = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
        sent = ""
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            sent = await self.bulk.send_message(chat, piece, keyboard if last else None)
        return sent

    async def _send(self, chat: int, reply: Reply, retries: int) -> str:
        bot = self.app.bot
        keyboard = markup(reply)
        text = reply.text
        if reply.file is not None:
            fits = len(text) <= MessageLimit.CAPTION_LENGTH
            caption = text if fits else None
            document = InputFile(reply.file.content, filename=reply.file.filename)
            sender = bot.send_photo if reply.file.kind == "photo" else bot.send_document
            sent = await sender(
                chat,
                document,
                caption=caption,
                reply_markup=keyboard if fits else None,
                rate_limit_args=retries,
            )
            if fits:
                return str(sent.message_id)
        pieces = split_text(text, MessageLimit.MAX_TEXT_LENGTH)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            sent = await bot.send_message(
                chat, piece, reply_markup=keyboard if last else None, rate_limit_args=retries
            )
        return str(sent.message_id)

    # --- command menus ---------------------------------------------------------------------

    async def _set_default_menu(self) -> None:
        """Menus are a convenience: a failure is logged and never stops the bot."""
        assert self.gateway is not None
        specs = self.gateway.router.specs
        menus: dict[str | None, frozenset[str]] = {None: frozenset({Audience.MEMBER.value})}
        for address, wanted in (await self.gateway.menu_audiences(NAME)).items():
            menus[address.chat_id] = frozenset(a.value for a in wanted)
        for chat_id, audiences in menus.items():
            try:
                await self.set_menu(chat_id, specs, audiences)
            except DeliveryError as exc:
                log.warning("telegram: could not set a command menu: %s", exc.failure)

    async def set_menu(
        self, chat_id: str | None, specs: Iterable[CommandSpec], audiences: frozenset[str]
    ) -> None:
        scope = BotCommandScopeChat(int(chat_id)) if chat_id else BotCommandScopeDefault()
        try:
            await self.app.bot.set_my_commands(commands_for(specs, audiences), scope)
        except TelegramError as exc:
            raise _failure(exc) from exc
