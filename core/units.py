"""The unit tree: adding units and finding them by code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.context import Services
from core.errors import Refused
from core.vntext import slugify
from db.models import Unit, UnitKind

# Which kinds of unit may sit directly under which.
_PARENTS: dict[UnitKind, set[UnitKind | None]] = {
    UnitKind.PROVINCE: {None},
    UnitKind.DISTRICT: {None, UnitKind.PROVINCE},
    UnitKind.COMMITTEE: {None, UnitKind.PROVINCE, UnitKind.DISTRICT},
    UnitKind.CELL: {None, UnitKind.COMMITTEE, UnitKind.DISTRICT},
}


async def find_unit(session: AsyncSession, ref: str) -> Unit:
    """A unit by its code or numeric id."""
    query = select(Unit).where(Unit.code == ref.strip().lower())
    unit = await session.scalar(query)
    number = ref.strip()
    if unit is None and number.isascii() and number.isdigit() and len(number) <= 9:
        unit = await session.get(Unit, int(number))
    if unit is None:
        raise Refused("unit_unknown", ref=ref)
    return unit


async def cell_unit(session: AsyncSession, ref: str) -> Unit:
    """Like find_unit, but the unit must be a cell."""
    unit = await find_unit(session, ref)
    if unit.kind is not UnitKind.CELL:
        raise Refused("unit_not_cell", ref=ref)
    return unit


async def add_unit(
    services: Services, *, kind: UnitKind, name: str, parent: str | None, code: str | None
) -> Unit:
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        parent_unit = await find_unit(s, parent) if parent else None
        if (parent_unit.kind if parent_unit else None) not in _PARENTS[kind]:
            raise Refused("unit_bad_parent", kind=kind.value)
        wanted = slugify(code or name)
        chosen, n = wanted, 1
        while await s.scalar(select(Unit.id).where(Unit.code == chosen)) is not None:
            if code:
                raise Refused("unit_code_taken", code=wanted)
            n += 1
            chosen = f"{wanted}-{n}"
        unit = Unit(
            kind=kind,
            name=" ".join(name.split()),
            code=chosen,
            parent_id=parent_unit.id if parent_unit else None,
            created_at=now,
        )
        s.add(unit)
        await s.flush()
        audit.record(s, now, "unit_added", unit_id=unit.id, kind=kind.value)
        await uow.commit()
        return unit


async def list_units(services: Services) -> list[Unit]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Unit).order_by(Unit.id)))
