"""The Zalo adapter: Zalo events in, neutral `Incoming` out; `Reply` back as plain text.

Zalo has no buttons: a reply's buttons become a numbered list (core.textmenu), and a typed
"2" comes back as the button's payload. Commands are typed words, with or without "/".
Every event is stored before it is handled (core.inbound): a replayed webhook is handled
once, and an event received just before a crash is handled after the restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from channels.base import DeliveryError, Failure
from channels.gateway import Gateway
from channels.serial import PerChat
from channels.zalo import TEXT_LIMIT, ZaloClient
from core import files, inbound, textmenu
from core.chunks import split_text
from core.messages import Address, Incoming, Received, Reply
from core.router import CommandSpec
from core.texts import local_date, t

log = logging.getLogger(__name__)
NAME = "zalo"
REPLY_RETRIES = 2
TYPING_AFTER = 1.0  # seconds of handling before the person sees "typing…"
MAX_BACKOFF = 60.0


@dataclass(frozen=True, slots=True)
class ZaloConfig:
    token: str
    api_url: str = "https://bot-api.zaloplatforms.com"
    poll_timeout: int = 30
    webhook_url: str | None = None  # public URL Zalo posts to
    webhook_secret: str | None = None
    files_url: str | None = None  # public base of download links (None: no links)
    file_link_valid: timedelta = timedelta(hours=1)


def event_key(event: dict[str, Any]) -> str:
    """What makes an event unique: its name and message id (Zalo has no update id)."""
    message = event.get("message") or {}
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if message_id:
        return f"{event.get('event_name', '')}:{message_id}"
    raw = json.dumps(event, sort_keys=True, ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parts(text: str, menu: str) -> list[str]:
    """`text` in messages of at most 2,000 characters, cut between lines, with the numbered
    list `menu` whole at the end of the last one (or, when it does not fit, after it)."""
    pieces = split_text(text, TEXT_LIMIT)
    if not menu:
        return pieces
    last = f"{pieces[-1]}\n\n{menu}" if pieces[-1].strip() else menu
    if len(last) <= TEXT_LIMIT:
        return [*pieces[:-1], last]
    return [*pieces, *split_text(menu, TEXT_LIMIT)]


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """A private chat's message as the neutral form (None: nothing for the product)."""
    message = event.get("message")
    if not isinstance(message, dict):
        return None
    sender, chat = message.get("from") or {}, message.get("chat") or {}
    if not sender.get("id") or not chat.get("id") or sender.get("is_bot"):
        return None
    if str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE":
        return None  # groups are beta and only see mentions: the bot works in 1:1 chats
    name = str(event.get("event_name", ""))
    text = message.get("text") if name == "message.text.received" else None
    received = None
    if name == "message.image.received":
        url = message.get("photo_url") or message.get("photo")  # both names are seen
        received = Received("photo", str(url)) if isinstance(url, str) and url else None
        text = message.get("caption")
    return Incoming(
        channel=NAME,
        sender_id=str(sender["id"]),
        chat_id=str(chat["id"]),
        text=str(text) if isinstance(text, str) else None,
        sender_name=str(sender.get("display_name") or ""),
        received=received,
    )


class ZaloChannel:
    name = NAME

    def __init__(self, config: ZaloConfig, gateway: Gateway | None) -> None:
        self.config = config
        self.gateway = gateway
        self.client = ZaloClient(config.token, config.api_url)
        self.bot_name = ""
        self._chats = PerChat()
        self._poller: asyncio.Task[None] | None = None
        self._running = False
        self._quota_hits: dict[str, int] = {}  # chat → 429s in a row (Zalo gives no hint)

    @property
    def _gateway(self) -> Gateway:
        assert self.gateway is not None, "the app attaches the gateway before start()"
        return self.gateway

    async def initialize(self) -> None:
        """Check the token (getMe) and learn the bot's name."""
        me = await self.client.get_me()
        self.bot_name = me.account_name

    async def start(self) -> None:
        self._running = True
        for stored in await inbound.unhandled(self._gateway.router.services, NAME):
            self._queue(stored.id, stored.body)
        if self.config.webhook_url:
            assert self.config.webhook_secret is not None  # checked by the settings
            await self.client.set_webhook(self.config.webhook_url, self.config.webhook_secret)
        else:
            await self.client.delete_webhook()  # polling and a webhook exclude each other
            self._poller = asyncio.create_task(self._poll())
        log.info("zalo: started as %s", self.bot_name or "?")

    async def stop(self) -> None:
        self._running = False
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        await self._chats.join(timeout=10.0)
        self._chats.cancel()
        await self.client.aclose()

    # --- receiving -------------------------------------------------------------------------

    async def feed(self, event: dict[str, Any]) -> None:
        """One event from the webhook or the poller: keep it, then handle it in the
        background (the webhook answers at once). Before `start` and after `stop` it is
        only kept: `start` handles what was kept."""
        body = event.get("result") if isinstance(event.get("result"), dict) else event
        assert isinstance(body, dict)
        services = self._gateway.router.services
        event_id = await inbound.store(services, NAME, event_key(body), body)
        if event_id is not None and self._running:
            self._queue(event_id, body)

    def _queue(self, event_id: int, body: dict[str, Any]) -> None:
        incoming = to_incoming(body)
        chat = incoming.chat_id if incoming else "-"
        self._chats.submit(chat, lambda: self._handle(event_id, incoming, body))

    async def _handle(
        self, event_id: int, incoming: Incoming | None, body: dict[str, Any]
    ) -> None:
        services = self._gateway.router.services
        if await inbound.load(services, event_id) is None:
            return  # queued twice (kept while `start` looked for unhandled ones): done
        if incoming is not None:
            hidden = body.get("event_name") == "message.unsupported.received"
            if hidden:
                await self._reply(incoming.chat_id, Reply(t("unsupported_hidden")))
            else:
                await self._route(incoming)
        await inbound.done(services, event_id)

    async def _route(self, incoming: Incoming) -> None:
        choice = await textmenu.interpret(self._gateway.router.services, incoming)
        if choice.help is not None:
            await self._reply(incoming.chat_id, choice.help)
            return
        work = asyncio.ensure_future(self._gateway.route(choice.incoming, bare_commands=True))
        finished, _ = await asyncio.wait({work}, timeout=TYPING_AFTER)
        if not finished:
            await self._typing(incoming.chat_id)
        outcome = await work
        for reply in outcome.replies:
            await self._reply(incoming.chat_id, reply)
        await self._gateway.follow_up(outcome)

    async def _typing(self, chat_id: str) -> None:
        try:
            await self.client.send_chat_action(chat_id)
        except DeliveryError as exc:
            log.info("zalo: typing action failed: %s", exc.failure)

    async def _reply(self, chat_id: str, reply: Reply) -> None:
        try:
            await self.send(chat_id, reply, retries=REPLY_RETRIES)
        except DeliveryError as exc:
            log.warning("zalo: reply failed: %s", exc.failure)
            if exc.failure is Failure.UNREACHABLE:
                await self._gateway.unreachable(Address(NAME, chat_id))

    async def _poll(self) -> None:
        """Long polling: one event per call; errors back off up to a minute."""
        pause = 1.0
        while self._running:
            try:
                event = await self.client.get_updates(self.config.poll_timeout)
            except DeliveryError as exc:
                log.warning("zalo: getUpdates failed (%s); retrying in %.0f s", exc.failure, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_BACKOFF)
                continue
            pause = 1.0
            if event is not None:
                try:
                    await self.feed(event)
                except Exception as exc:  # the database is down: the event is lost, say so
                    log.error("zalo: could not keep an event: %s", type(exc).__name__)

    # --- sending ---------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply, retries: int = 0) -> str:
        """Send one reply (the outbox calls with no retries: it retries itself). A photo and
        each text part are tried on their own, so a retry never repeats a part that arrived."""
        text = reply.text
        if reply.file is not None:
            text = await self._with_file(chat_id, reply, retries)
        sent = ""
        for piece in parts(text, textmenu.menu(reply)):
            sent = await self._attempt(
                chat_id, partial(self.client.send_message, chat_id, piece), retries
            )
        await textmenu.remember(self._gateway.router.services, Address(NAME, chat_id), reply)
        return sent

    async def _attempt(
        self, chat_id: str, call: Callable[[], Awaitable[str]], retries: int
    ) -> str:
        """One call, tried up to `retries` more times. Zalo's 429 says nothing about when
        to try again: each one in a row to this chat doubles the wait (2, 4, 8 … 60 s)."""
        for attempt in range(retries + 1):
            try:
                sent = await call()
            except DeliveryError as exc:
                if exc.failure is Failure.RATE_LIMITED:
                    hits = self._quota_hits[chat_id] = self._quota_hits.get(chat_id, 0) + 1
                    wait = min(MAX_BACKOFF, 2.0**hits)
                    exc = DeliveryError(Failure.RATE_LIMITED, exc.detail, retry_after=wait)
                retryable = exc.failure in (Failure.RETRY, Failure.RATE_LIMITED)
                if not retryable or attempt == retries:
                    raise exc from None
                await asyncio.sleep(min(exc.retry_after or 1.0, 5.0) * (attempt + 1))
            else:
                self._quota_hits.pop(chat_id, None)
                return sent
        raise AssertionError("unreachable")  # pragma: no cover

    async def _with_file(self, chat_id: str, reply: Reply, retries: int) -> str:
        """Zalo sends no documents, and photos only from a public URL: a photo goes as a
        photo when there is one; a document becomes a short-lived link, or a note. The
        text that goes with it is returned (the numbered list stays last)."""
        file = reply.file
        assert file is not None
        if not self.config.files_url:
            key = "photo_unavailable" if file.kind == "photo" else "file_unavailable"
            return f"{reply.text}\n\n{t(key, filename=file.filename)}"
        services = self._gateway.router.services
        shared = await files.share(services, file, self.config.file_link_valid)
        url = f"{self.config.files_url}/{shared.token}/{quote(file.filename)}"
        if file.kind == "photo":
            await self._attempt(chat_id, partial(self.client.send_photo, chat_id, url), retries)
            return reply.text
        until = shared.expires_at.astimezone(services.config.timezone)
        when = f"{until:%H:%M} {local_date(until, services.config.timezone)}"
        link = t("file_link", filename=file.filename, url=url, until=when)
        return f"{reply.text}\n\n{link}"

    async def set_menu(
        self, chat_id: str | None, specs: Iterable[CommandSpec], audiences: frozenset[str]
    ) -> None:
        """Zalo has no command menu: /trogiup lists the commands."""
