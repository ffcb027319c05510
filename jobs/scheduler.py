"""The scheduler is only a clock: it runs a few short periodic jobs in the bot's event loop.

Jobs have fixed ids, so adding them again replaces rather than doubles them; the work they
do is idempotent, so a double run (two processes, a restart) changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core import duty_reminders, housekeeping, reminders, selfcheck_periods
from core.context import Services

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_MINUTES = 60
REMINDER_TICK_SECONDS = 30
DUTY_TICK_SECONDS = 60
SELFCHECK_TICK_SECONDS = 60


async def run_housekeeping(services: Services) -> None:
    swept = await housekeeping.sweep(services)
    log.info(
        "housekeeping: removed %d code attempts, %d menus, %d event keys, %d shared files; "
        "emptied %d old message texts, %d old audit details (RETENTION_DAYS)",
        swept.code_attempts,
        swept.menus,
        swept.inbound_events,
        swept.shared_files,
        swept.outbox_texts,
        swept.audit_details,
    )


async def run_reminder_tick(services: Services, on_queued: Callable[[], None]) -> None:
    result = await reminders.tick(services)
    if result.queued:
        log.info(
            "reminders: %d queued, %d meetings made",
            result.queued,
            result.meetings_made,
            extra={"queued": result.queued, "meetings_made": result.meetings_made},
        )
        on_queued()


async def run_selfcheck_tick(services: Services, on_queued: Callable[[], None]) -> None:
    result = await selfcheck_periods.tick(services)
    if result.opened or result.queued:
        log.info(
            "self-checks: %d periods opened, %d queued",
            result.opened,
            result.queued,
            extra={"opened": result.opened, "queued": result.queued},
        )
    if result.queued:
        on_queued()


async def run_duty_tick(services: Services, on_queued: Callable[[], None]) -> None:
    queued = await duty_reminders.tick(services)
    if queued:
        log.info("duties: %d reminders queued", queued, extra={"queued": queued})
        on_queued()


def build_scheduler(
    services: Services, timezone: ZoneInfo, on_queued: Callable[[], None]
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=timezone)
    common = {"replace_existing": True, "coalesce": True, "max_instances": 1}
    scheduler.add_job(
        run_reminder_tick,
        "interval",
        seconds=REMINDER_TICK_SECONDS,
        args=(services, on_queued),
        id="reminders",
        misfire_grace_time=REMINDER_TICK_SECONDS,
        **common,
    )
    scheduler.add_job(
        run_selfcheck_tick,
        "interval",
        seconds=SELFCHECK_TICK_SECONDS,
        args=(services, on_queued),
        id="selfcheck_periods",
        misfire_grace_time=SELFCHECK_TICK_SECONDS,
        **common,
    )
    scheduler.add_job(
        run_duty_tick,
        "interval",
        seconds=DUTY_TICK_SECONDS,
        args=(services, on_queued),
        id="duty_reminders",
        misfire_grace_time=DUTY_TICK_SECONDS,
        **common,
    )
    scheduler.add_job(
        run_housekeeping,
        "interval",
        minutes=HOUSEKEEPING_EVERY_MINUTES,
        args=(services,),
        id="housekeeping",
        misfire_grace_time=600,
        **common,
    )
    return scheduler
