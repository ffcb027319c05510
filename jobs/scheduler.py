"""The scheduler is only a clock: it runs a few short periodic jobs in the bot's event loop."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core import housekeeping
from core.context import Services

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_MINUTES = 60


async def run_housekeeping(services: Services) -> None:
    swept = await housekeeping.sweep(services)
    log.info("housekeeping: %d code attempts, %d menus removed", swept.code_attempts, swept.menus)


def build_scheduler(services: Services, timezone: ZoneInfo) -> AsyncIOScheduler:
    """Jobs have fixed ids, so adding them again replaces rather than doubles them."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_job(
        run_housekeeping,
        "interval",
        minutes=HOUSEKEEPING_EVERY_MINUTES,
        args=(services,),
        id="housekeeping",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=600,
    )
    return scheduler
