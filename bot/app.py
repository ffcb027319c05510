"""The composition root: build everything from the settings, start it, stop it."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlparse

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import SystemClock
from bot.settings import Settings, parse_offsets
from channels.gateway import Gateway
from channels.telegram import TelegramChannel, TelegramConfig
from channels.webhook import WebhookServer
from core.clock import Clock
from core.context import CoreConfig, Services
from core.quiet import QuietHours
from db.engine import Database
from db.migrate import check_schema
from handlers import build_router
from jobs.delivery import Deliverer, DeliveryConfig
from jobs.scheduler import build_scheduler

log = logging.getLogger(__name__)
TELEGRAM_LINK = "https://t.me/{username}?start={{code}}"


def core_config(settings: Settings) -> CoreConfig:
    admins = frozenset(("telegram", i) for i in settings.admin_telegram_ids)
    link = TELEGRAM_LINK.format(username=settings.bot_username) if settings.bot_username else None
    return CoreConfig(
        timezone=settings.zone,
        admin_accounts=admins,
        invite_valid_for=timedelta(days=settings.invite_valid_days),
        code_failures_allowed=settings.code_failures_allowed,
        code_failure_window=timedelta(minutes=settings.code_failure_window_minutes),
        join_link_template=link,
        quiet_hours=QuietHours(*settings.quiet),
        reminder_offsets=parse_offsets(settings.reminder_offsets),
        absence_streak_limit=settings.absence_streak_limit,
        unexcused_year_limit=settings.unexcused_year_limit,
    )


def delivery_config(settings: Settings) -> DeliveryConfig:
    return DeliveryConfig(
        per_second=settings.delivery_rate,
        per_chat_interval=settings.delivery_per_chat_interval,
        batch=settings.delivery_batch,
        max_attempts=settings.delivery_max_attempts,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
    )


class BotApp:
    """The running bot: database, router, channels, scheduler and webhook server."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = Database(settings.database_url)
        self.services = Services(self.db, self.clock, core_config(settings))
        self.gateway: Gateway | None = None
        self.telegram: TelegramChannel | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.webhooks: WebhookServer | None = None
        self.deliverer: Deliverer | None = None
        self._stop = asyncio.Event()
        self._delivery_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Refuses to start on an out-of-date schema (SchemaOutOfDate says what to run)."""
        await check_schema(self.db)
        token = self.settings.token()
        if token:
            self.telegram = self._telegram(token)
            await self.telegram.initialize()
            if self.services.config.join_link_template is None:
                link = TELEGRAM_LINK.format(username=self.telegram.username)
                config = replace(self.services.config, join_link_template=link)
                self.services = replace(self.services, config=config)
        router = build_router(self.services)
        self.gateway = Gateway(router)
        if self.telegram is not None:
            self.telegram.gateway = self.gateway
            self.gateway.attach(self.telegram)
            await self._start_webhooks()
            await self.telegram.start()
        else:
            log.warning("no BOT_TOKEN: no channel is running (use `chibo demo` to try the bot)")
        channels = frozenset(self.gateway.channels)
        self.deliverer = Deliverer(
            self.services,
            self.gateway,
            channels,
            worker=f"{socket.gethostname()}:{os.getpid()}",
            config=delivery_config(self.settings),
        )
        self.gateway.on_enqueued = self.deliverer.wake
        if channels:  # with no channel running, rows wait instead of failing as unreachable
            self._delivery_task = asyncio.create_task(self.deliverer.run(self._stop))
        self.scheduler = build_scheduler(self.services, self.settings.zone, self.deliverer.wake)
        self.scheduler.start()

    def _telegram(self, token: str) -> TelegramChannel:
        secret = self.settings.webhook_secret
        url = self.settings.webhook_url
        config = TelegramConfig(
            token=token,
            api_url=self.settings.telegram_api_url,
            poll_timeout=self.settings.telegram_poll_timeout,
            webhook_url=f"{url}/telegram" if url else None,
            webhook_secret=secret.get_secret_value() if secret else None,
        )
        return TelegramChannel(config, gateway=None)

    async def _start_webhooks(self) -> None:
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        if not url or self.telegram is None:
            return
        assert secret is not None  # checked by the settings
        self.webhooks = WebhookServer(self.settings.webhook_listen, self.settings.webhook_port)
        path = urlparse(url).path.rstrip("/") + "/telegram"
        self.webhooks.route(
            path, "X-Telegram-Bot-Api-Secret-Token", secret.get_secret_value(), self.telegram.feed
        )
        await self.webhooks.start()

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self._stop.set()
        if self._delivery_task is not None:
            await self._delivery_task
        if self.telegram is not None:
            await self.telegram.stop()
        if self.webhooks is not None:
            await self.webhooks.stop()
        await self.db.dispose()
