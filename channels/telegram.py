"""The Telegram adapter: PTB Application in, neutral `Incoming` out; `Reply` back to Telegram.

No product logic lives here: every update goes through the gateway and the router.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

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

from channels.base import DeliveryError, Failure
from channels.botapi import BotApiSender
from channels.gateway import Gateway
from channels.ptb_request import AiohttpRequest
from channels.serial import PerChat
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
            .get_updates_request(AiohttpRequest(connections=1))
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._initialized = False
        self._chats = PerChat(limit=CHATS_AT_ONCE)
        self.bulk = BotApiSender(api, config.token)

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

    async def feed(self, data: dict[str, object]) -> None:
        """Webhook mode: queue one update that the webhook server received."""
        await self.app.update_queue.put(Update.de_json(data, self.app.bot))

    # --- receiving -------------------------------------------------------------------------

    async def _on_update(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        incoming = to_incoming(update)
        if incoming is None:
            return
        # PTB hands over updates one at a time and in order; each chat's are handled in that
        # order, different chats side by side (one slow chat never holds up the others).
        self._chats.submit(incoming.chat_id, lambda: self._handle(update, incoming))

    async def _handle(self, update: Update, incoming: Incoming) -> None:
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
