"""Deployment and cell calendar settings: days without meetings, reminder offsets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core import audit
from core.context import Services
from core.errors import Refused
from core.units import cell_unit
from db.models import CellSettings, SkipDate


async def add_skip_date(services: Services, on: date, label: str, cell_ref: str | None) -> None:
    """A day without meetings (Tết, a holiday); rule occurrences move or are skipped."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell_id = (await cell_unit(s, cell_ref)).id if cell_ref else None
        same_scope = SkipDate.cell_id.is_(None) if cell_id is None else SkipDate.cell_id == cell_id
        exists = await s.scalar(select(SkipDate.id).where(SkipDate.on == on, same_scope))
        if exists is not None:
            raise Refused("skip_date_exists", date=on.strftime("%d/%m/%Y"))
        s.add(SkipDate(on=on, label=label[:120], cell_id=cell_id))
        audit.record(s, now, "skip_date_added", unit_id=cell_id, on=on.isoformat())
        await uow.commit()


async def skip_dates(services: Services) -> list[tuple[date, str, int | None]]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(SkipDate.on, SkipDate.label, SkipDate.cell_id).order_by(SkipDate.on)
        )
        return [(on, label, cell) for on, label, cell in rows]


async def set_reminder_offsets(
    services: Services, cell_ref: str, offsets: tuple[int, ...]
) -> None:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell = await cell_unit(s, cell_ref)
        row = await s.get(CellSettings, cell.id)
        if row is None:
            row = CellSettings(cell_id=cell.id, reminder_offsets=list(offsets))
            s.add(row)
        row.reminder_offsets = list(offsets)
        audit.record(s, now, "reminders_set", unit_id=cell.id, offsets=list(offsets))
        await uow.commit()
