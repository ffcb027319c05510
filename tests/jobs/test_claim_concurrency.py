"""Several workers claiming at the same moment each take at most one batch, and no row twice.

Each worker has its own engine (its own connections), as separate processes would. On
PostgreSQL the claims overlap for real (`SKIP LOCKED`); on SQLite they queue for the writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from bot.harness import link_members
from core import deliveries
from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.messages import Reply
from core.outbox import Message, enqueue
from core.units import add_unit
from db.engine import Database
from db.models import UnitKind

WORKERS = 4
BATCH = 50
ROWS = 400


async def test_concurrent_claims_respect_the_batch_and_never_share_a_row(
    services: Services,
    database_url: str,
    clock: ManualClock,
    config: CoreConfig,
    figure: Callable[[str], None],
) -> None:
    """Delivery workers claiming at the same moment each take at most one batch, and no row
    is taken by two of them."""
    await add_unit(services, kind=UnitKind.COMMITTEE, name="Đảng ủy", parent=None, code="du")
    cell = await add_unit(services, kind=UnitKind.CELL, name="Chi bộ", parent="du", code=None)
    linked = await link_members(services, cell.id, list(range(5000, 5000 + ROWS)))
    now = clock.now()
    async with services.db.unit_of_work() as uow:
        messages = [
            Message(f"c:{m}", "announcement", Reply("Thông báo"), now, member_id=m)
            for m in linked.values()
        ]
        assert await enqueue(uow.session, services, now, messages) == ROWS
        await uow.commit()
    workers = [Services(Database(database_url), clock, config) for _ in range(WORKERS)]
    try:
        claims = await asyncio.gather(
            *(
                deliveries.claim(w, f"w{i}", BATCH, frozenset({"telegram"}), timedelta(minutes=2))
                for i, w in enumerate(workers)
            )
        )
    finally:
        for w in workers:
            await w.db.dispose()
    sizes = [len(c) for c in claims]
    ids = [row.id for claim in claims for row in claim]
    figure(
        f"{WORKERS} workers claiming {BATCH} rows at once out of {ROWS}: took {sizes}, "
        f"rows taken twice {len(ids) - len(set(ids))}"
    )
    assert max(sizes) <= BATCH, sizes  # was [233, 50, 67, 50] on PostgreSQL
    assert sum(sizes) == min(ROWS, WORKERS * BATCH)
    assert len(ids) == len(set(ids))
