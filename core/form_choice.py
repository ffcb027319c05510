"""Which version of a self-check form a cell uses (`cell_forms`; none: the newest).

A switch applies to self-checks started afterwards; answers keep the version they were
given under.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import audit
from core.context import Services
from core.errors import Refused
from core.units import cell_unit
from db.models import CellForm


@dataclass(frozen=True, slots=True)
class FormVersion:
    name: str
    version: int
    title: str
    period: str
    questions: int


def versions(services: Services) -> list[FormVersion]:
    """Every form version the deployment knows, by name then version."""
    return [
        FormVersion(f.name, f.version, f.title, f.period.value, len(f.questions))
        for _, f in sorted(services.config.forms.items())
    ]


async def use_version(services: Services, cell_ref: str, name: str, version: int) -> str:
    """Switch a cell to `name` version `version`; returns the cell's name."""
    if (name, version) not in services.config.forms:
        raise Refused("form_unknown", form=name, version=version)
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cell = await cell_unit(s, cell_ref)
        row = await s.get(CellForm, (cell.id, name))
        if row is None:
            s.add(CellForm(cell_id=cell.id, form_name=name, version=version, changed_at=now))
        else:
            row.version, row.changed_at = version, now
        audit.record(s, now, "form_version_set", unit_id=cell.id)
        await uow.commit()
        return cell.name
