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
from bot.settings import (
    Settings,
    parse_clock_time,
    parse_form_names,
    parse_offsets,
    parse_remind_days,
)
from channels.base import Channel
from channels.gateway import Gateway
from channels.telegram import TelegramChannel, TelegramConfig
from channels.webhook import WebhookServer
from channels.zalo_channel import ZaloChannel, ZaloConfig
from core.clock import Clock
from core.context import CoreConfig, Services
from core.quiet import QuietHours
from db.engine import Database
from db.migrate import check_schema, head_revision
from db.models import UnitKind
from handlers import build_router
from jobs.delivery import Deliverer, DeliveryConfig
from jobs.scheduler import build_scheduler

log = logging.getLogger(__name__)
TELEGRAM_LINK = "https://t.me/{username}?start={{code}}"


def core_config(settings: Settings) -> CoreConfig:
    admins = frozenset(("telegram", i) for i in settings.admin_telegram_ids) | frozenset(
        ("zalo", i) for i in settings.admin_zalo_ids
    )
    link = TELEGRAM_LINK.format(username=settings.bot_username) if settings.bot_username else None
    return CoreConfig(
        timezone=settings.zone,
        admin_accounts=admins,
        invite_valid_for=timedelta(days=settings.invite_valid_days),
        code_failures_allowed=settings.code_failures_allowed,
        code_failure_window=timedelta(minutes=settings.code_failure_window_minutes),
        code_failures_global=settings.code_failures_global,
        flood_burst=settings.flood_burst,
        flood_per_minute=settings.flood_per_minute,
        join_link_template=link,
        quiet_hours=QuietHours(*settings.quiet),
        reminder_offsets=parse_offsets(settings.reminder_offsets),
        duty_remind_days=settings.duty_days,
        absence_streak_limit=settings.absence_streak_limit,
        unexcused_year_limit=settings.unexcused_year_limit,
        channels=frozenset(settings.running_channels),
        zalo_bot_name=settings.zalo_bot_name,
        selfcheck_forms=parse_form_names(settings.selfcheck_forms),
        selfcheck_open_day=settings.selfcheck_open_day,
        selfcheck_remind_days=parse_remind_days(settings.selfcheck_remind_days),
        selfcheck_send_after=parse_clock_time(settings.selfcheck_send_after),
        appraisal_unit_kind=UnitKind(settings.appraisal_unit_kind),
        retention_days=settings.retention_days,
        delivery_rate=settings.delivery_rate,
        delivery_rates={"zalo": settings.zalo_delivery_rate},
    )


def delivery_config(settings: Settings) -> DeliveryConfig:
    return DeliveryConfig(
        per_second=settings.delivery_rate,
        per_chat_interval=settings.delivery_per_chat_interval,
        pacing={"zalo": (settings.zalo_delivery_rate, settings.zalo_per_chat_interval)},
        batch=settings.delivery_batch,
        max_attempts=settings.delivery_max_attempts,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
    )


class BotApp:
    """The running bot: database, router, channels, scheduler and web server."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = Database(settings.database_url)
        self.services = Services(self.db, self.clock, core_config(settings))
        self.gateway: Gateway | None = None
        self.telegram: TelegramChannel | None = None
        self.zalo: ZaloChannel | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.webhooks: WebhookServer | None = None
        self.deliverer: Deliverer | None = None
        self._stop = asyncio.Event()
        self._delivery_task: asyncio.Task[None] | None = None

    @property
    def channels(self) -> list[Channel]:
        return [c for c in (self.telegram, self.zalo) if c is not None]

    async def start(self) -> None:
        """Refuses to start on an out-of-date schema (SchemaOutOfDate says what to run)."""
        await check_schema(self.db)
        await self._connect_channels()
        router = build_router(self.services)
        self.gateway = Gateway(router)
        for adapter in (self.telegram, self.zalo):
            if adapter is not None:
                adapter.gateway = self.gateway
                self.gateway.attach(adapter)
        await self._start_web_server()
        for channel in self.channels:
            await channel.start()
        if not self.channels:
            log.warning("no channel is configured: set BOT_TOKEN or ZALO_BOT_TOKEN (`chibo demo`)")
        running = frozenset(self.gateway.channels)
        self.deliverer = Deliverer(
            self.services,
            self.gateway,
            running,
            worker=f"{socket.gethostname()}:{os.getpid()}",
            config=delivery_config(self.settings),
        )
        self.gateway.on_enqueued = self.deliverer.wake
        if running:  # with no channel running, rows wait instead of failing as unreachable
            self._delivery_task = asyncio.create_task(self.deliverer.run(self._stop))
        self.scheduler = build_scheduler(self.services, self.settings.zone, self.deliverer.wake)
        self.scheduler.start()

    async def _connect_channels(self) -> None:
        """Build the configured channels and check their tokens (getMe)."""
        wanted = self.settings.running_channels
        config = self.services.config
        if "telegram" in wanted:
            self.telegram = self._telegram(self.settings.channel_token("telegram") or "")
            await self.telegram.initialize()
            if config.join_link_template is None:
                link = TELEGRAM_LINK.format(username=self.telegram.username)
                config = replace(config, join_link_template=link)
        if "zalo" in wanted:
            self.zalo = ZaloChannel(self._zalo_config(), gateway=None)
            await self.zalo.initialize()
            if config.zalo_bot_name is None:
                config = replace(config, zalo_bot_name=self.zalo.bot_name or None)
        self.services = replace(self.services, config=config)

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

    def _zalo_config(self) -> ZaloConfig:
        s = self.settings
        public = s.public_base_url
        return ZaloConfig(
            token=s.channel_token("zalo") or "",
            api_url=s.zalo_api_url,
            poll_timeout=s.zalo_poll_timeout,
            webhook_url=f"{s.webhook_url}/zalo" if s.webhook_url else None,
            webhook_secret=s.zalo_secret(),
            files_url=f"{public}/files" if public else None,
            file_link_valid=timedelta(minutes=s.file_link_minutes),
        )

    async def _start_web_server(self) -> None:
        """Webhooks of every channel, and download links, on one small server."""
        s = self.settings
        if not (s.webhook_url and self.channels) and not s.public_base_url:
            return
        self.webhooks = WebhookServer(s.webhook_listen, s.webhook_port)
        self.webhooks.health("/health", self.db, head_revision(), [c.name for c in self.channels])
        if s.webhook_url:
            base = urlparse(s.webhook_url).path.rstrip("/")
            if self.telegram is not None:
                secret = s.webhook_secret.get_secret_value() if s.webhook_secret else ""
                header = "X-Telegram-Bot-Api-Secret-Token"
                self.webhooks.route(f"{base}/telegram", header, secret, self.telegram.feed)
            if self.zalo is not None:
                secret = s.zalo_secret() or ""
                header = "X-Bot-Api-Secret-Token"
                self.webhooks.route(f"{base}/zalo", header, secret, self.zalo.feed)
        if s.public_base_url:
            prefix = urlparse(s.public_base_url).path.rstrip("/") + "/files"
            self.webhooks.files(prefix, self.services)
        await self.webhooks.start()

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self._stop.set()
        if self._delivery_task is not None:
            await self._delivery_task
        for channel in self.channels:
            await channel.stop()
        if self.webhooks is not None:
            await self.webhooks.stop()
        await self.db.dispose()
