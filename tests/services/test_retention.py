"""RETENTION_DAYS, applied by housekeeping (core/housekeeping.py) on both engines: the text
of finished messages and the details of audit entries older than the setting are emptied,
newer ones and messages not yet sent are kept, the rows (and so every count) stay."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import core_config
from bot.harness import harness_settings
from core import housekeeping
from core.context import Services
from db.models import AuditEntry, Outbox, OutboxStatus

TEXT = {"text": "Kính gửi đồng chí Nguyễn Văn An: nhắc họp chi bộ 19:30"}


async def _rows(services: Services, days_ago: list[int]) -> None:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        for n, age in enumerate(days_ago):
            at = now - timedelta(days=age)
            for status, done in ((OutboxStatus.SENT, at), (OutboxStatus.PENDING, None)):
                uow.session.add(
                    Outbox(
                        dedupe_key=f"r:{n}:{status.value}",
                        kind="reminder",
                        member_id=None,
                        channel="telegram",
                        chat_id="7000000001",
                        body=TEXT,
                        status=status,
                        not_before=at,
                        next_attempt_at=at,
                        created_at=at,
                        done_at=done,
                    )
                )
            uow.session.add(AuditEntry(at=at, action="role_granted", detail={"role": "deputy"}))
        await uow.commit()


async def _kept(services: Services) -> tuple[list[tuple[str, bool]], list[bool], int]:
    async with services.db.unit_of_work() as uow:
        s = uow.session
        outbox = [
            (key, body == TEXT)
            for key, body in await s.execute(
                select(Outbox.dedupe_key, Outbox.body).order_by(Outbox.id)
            )
        ]
        audit = [
            d != {} for d in await s.scalars(select(AuditEntry.detail).order_by(AuditEntry.id))
        ]
        total = await s.scalar(select(func.count()).select_from(Outbox))
        return outbox, audit, int(total or 0)


async def test_old_texts_go_and_rows_stay(services: Services) -> None:
    await _rows(services, [400, 366, 364, 10])
    swept = await housekeeping.sweep(services)
    assert (swept.outbox_texts, swept.audit_details) == (2, 2)
    outbox, audit, total = await _kept(services)
    assert outbox == [
        ("r:0:sent", False),
        ("r:0:pending", True),  # not sent yet: never emptied
        ("r:1:sent", False),
        ("r:1:pending", True),
        ("r:2:sent", True),
        ("r:2:pending", True),
        ("r:3:sent", True),
        ("r:3:pending", True),
    ]
    assert audit == [False, False, True, True]
    assert total == 8
    again = await housekeeping.sweep(services)
    assert (again.outbox_texts, again.audit_details) == (0, 0)


async def test_zero_keeps_everything(services: Services) -> None:
    forever = dataclasses.replace(
        services, config=dataclasses.replace(services.config, retention_days=0)
    )
    await _rows(forever, [4000])
    swept = await housekeeping.sweep(forever)
    assert (swept.outbox_texts, swept.audit_details) == (0, 0)
    outbox, audit, _ = await _kept(forever)
    assert all(kept for _, kept in outbox) and audit == [True]


def test_the_setting_reaches_the_core() -> None:
    url, api = "sqlite+aiosqlite:///unused.db", "http://127.0.0.1:9"
    assert core_config(harness_settings(url, api, retention_days=30)).retention_days == 30
    assert core_config(harness_settings(url, api)).retention_days == 365
