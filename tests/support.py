"""Helpers for neutral handler tests: people talking to the real router over a real database."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.context import Services
from core.members import import_rows
from core.messages import Incoming, Outcome, Reply
from core.roster import RosterRow
from core.router import Router
from core.units import add_unit
from db.models import UnitKind
from handlers import build_router

ROSTER = [
    ("Nguyễn Văn Hùng", "secretary"),
    ("Trần Thị Mai", "deputy"),
    ("Lê Văn Tám", "member"),
    ("Phạm Thị Hoa", "member"),
]


@dataclass(frozen=True)
class Cell:
    code: str
    id: int
    member_ids: dict[str, int]


async def seed_cell(services: Services, name: str = "Chi bộ Ấp Một") -> Cell:
    """A committee with one cell and a four-person roster (secretary, deputy, two members)."""
    from sqlalchemy import select

    from db.models import Member

    committee_code = f"dang-uy-{name.lower().replace(' ', '-')}"
    committee = await add_unit(
        services,
        kind=UnitKind.COMMITTEE,
        name=f"Đảng ủy {name}",
        parent=None,
        code=committee_code[:40],
    )
    cell = await add_unit(
        services, kind=UnitKind.CELL, name=name, parent=committee.code, code=None
    )
    rows = [
        RosterRow(line=i + 2, full_name=n, phone=None, role=r, membership="full")  # type: ignore[arg-type]
        for i, (n, r) in enumerate(ROSTER)
    ]
    await import_rows(services, cell.code, rows)
    async with services.db.unit_of_work() as uow:
        members = await uow.session.scalars(select(Member).where(Member.cell_id == cell.id))
        ids = {m.full_name: m.id for m in members}
    return Cell(cell.code, cell.id, ids)


@dataclass
class Person:
    """Someone on a channel; `say` and `press` go through the real router."""

    router: Router
    user_id: str
    name: str = ""
    channel: str = "test"
    last: Outcome = field(default_factory=Outcome)

    async def say(self, text: str) -> Outcome:
        self.last = await self.router.dispatch(
            Incoming(self.channel, self.user_id, self.user_id, text=text, sender_name=self.name)
        )
        return self.last

    async def press(self, payload: str) -> Outcome:
        self.last = await self.router.dispatch(
            Incoming(
                self.channel, self.user_id, self.user_id, payload=payload, sender_name=self.name
            )
        )
        return self.last

    async def tap(self, label: str) -> Outcome:
        """Press the button with this label on the last answer (like a person would)."""
        for reply in self.last.replies:
            for button in reply.button_list():
                if button.label == label:
                    return await self.press(button.payload)
        labels = [b.label for r in self.last.replies for b in r.button_list()]
        raise AssertionError(f"no button {label!r}; have {labels}")


def text_of(outcome: Outcome) -> str:
    return "\n".join(r.text for r in outcome.replies)


def only(outcome: Outcome) -> Reply:
    assert len(outcome.replies) == 1, outcome.replies
    return outcome.replies[0]


def person(services: Services, user_id: str, name: str = "") -> Person:
    return Person(build_router(services), user_id, name)
