"""`/giaoviec`: the secretary adds a KT/GS duty one step at a time.

kind → title → whom it concerns (or skip) → assignees (toggled on the roster, paged) →
start date → due date → confirm. Progress lives in the conversation state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core import conversation, duties
from core.context import Services
from core.errors import Refused
from core.identity import load_actor
from core.messages import Incoming
from core.vndates import DateInputError, parse_date
from db.models import DutyKind

FLOW = "giaoviec"
PAGE_SIZE = 8


class Step(enum.StrEnum):
    KIND = "kind"
    TITLE = "title"
    CONCERNS = "concerns"
    ASSIGNEES = "assignees"
    START = "start"
    DUE = "due"
    CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class Choice:
    member_id: int
    name: str
    chosen: bool


@dataclass(frozen=True, slots=True)
class Prompt:
    step: Step
    data: dict[str, Any]
    choices: list[Choice] = field(default_factory=list)  # this page of the roster
    page: int = 0
    pages: int = 1
    names: tuple[str, ...] = ()  # the chosen assignees, for the summary

    @property
    def draft(self) -> duties.Draft:
        return to_draft(self.data)


def to_draft(data: dict[str, Any]) -> duties.Draft:
    return duties.Draft(
        kind=DutyKind(data["kind"]),
        title=data["title"],
        concerns=data.get("concerns") or None,
        assignees=tuple(data.get("assignees", ())),
        starts_on=date.fromisoformat(data["start"]),
        due_on=date.fromisoformat(data["due"]),
    )


async def _state(services: Services, who: Incoming) -> tuple[int, conversation.State]:
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        state = await conversation.current(uow.session, actor.member_id or 0, who.channel)
        if state is None or state.flow != FLOW:
            raise Refused("nothing_to_continue")
        return actor.member_id or 0, state


async def _save(
    services: Services, member_id: int, channel: str, step: Step, data: dict[str, Any]
) -> Prompt:
    async with services.db.unit_of_work() as uow:
        state = conversation.State(FLOW, step, data)
        await conversation.enter(uow.session, services.clock.now(), member_id, channel, state)
        roster = await duties.roster(uow.session, data["cell"])
        await uow.commit()
    chosen = set(data.get("assignees", ()))
    names = tuple(name for m, name in roster.items() if m in chosen)
    if step is not Step.ASSIGNEES:
        return Prompt(step, data, names=names)
    everyone = [Choice(m, name, m in chosen) for m, name in roster.items()]
    pages = max(1, -(-len(everyone) // PAGE_SIZE))
    page = min(int(data.get("page", 0)), pages - 1)
    shown = everyone[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    return Prompt(step, data, shown, page, pages, names)


async def begin(services: Services, who: Incoming) -> Prompt:
    async with services.db.unit_of_work() as uow:
        actor = await duties.leader(services, uow.session, who)
    return await _save(
        services, actor.member_id or 0, who.channel, Step.KIND, {"cell": actor.cell_id}
    )


async def choose(services: Services, who: Incoming, step: str, value: str) -> Prompt:
    """A button of the current step; one from an older step is stale."""
    member_id, state = await _state(services, who)
    if state.step != step:
        raise Refused("stale_button")
    data = dict(state.data)
    if step == Step.KIND and value in {k.value for k in DutyKind}:
        data["kind"] = value
        nxt = Step.TITLE
    elif step == Step.CONCERNS and value == "skip":
        data["concerns"] = ""
        nxt = Step.ASSIGNEES
    elif step == Step.ASSIGNEES and value == "done":
        if not data.get("assignees"):
            raise Refused("duty_no_assignee")
        nxt = Step.START
    else:
        raise Refused("stale_button")
    return await _save(services, member_id, who.channel, nxt, data)


async def toggle(services: Services, who: Incoming, member: int, page: int) -> Prompt:
    """Tap a name: chosen ↔ not chosen (only members of the cell's roster)."""
    member_id, state = await _state(services, who)
    if state.step != Step.ASSIGNEES:
        raise Refused("stale_button")
    data = dict(state.data)
    async with services.db.unit_of_work() as uow:
        if member not in await duties.roster(uow.session, data["cell"]):
            raise Refused("duty_assignee_unknown")
    chosen = set(data.get("assignees", ()))
    chosen ^= {member}
    data["assignees"], data["page"] = sorted(chosen), page
    return await _save(services, member_id, who.channel, Step.ASSIGNEES, data)


async def turn_page(services: Services, who: Incoming, page: int) -> Prompt:
    member_id, state = await _state(services, who)
    if state.step != Step.ASSIGNEES:
        raise Refused("stale_button")
    return await _save(
        services, member_id, who.channel, Step.ASSIGNEES, state.data | {"page": page}
    )


async def typed(services: Services, who: Incoming, text: str) -> Prompt:
    member_id, state = await _state(services, who)
    data = dict(state.data)
    clean = " ".join(text.split())
    today = duties.local_today(services)
    try:
        nxt = _typed(Step(state.step), clean, data, today)
    except DateInputError as exc:
        raise Refused(exc.code, **exc.params) from exc
    return await _save(services, member_id, who.channel, nxt, data)


def _typed(step: Step, text: str, data: dict[str, Any], today: date) -> Step:
    if step is Step.TITLE:
        data["title"] = _bounded(text, duties.TITLE_MAX)
        return Step.CONCERNS
    if step is Step.CONCERNS:
        data["concerns"] = _bounded(text, duties.CONCERNS_MAX)
        return Step.ASSIGNEES
    if step is Step.START:
        data["start"] = parse_date(text, today=today).isoformat()
        return Step.DUE
    if step is Step.DUE:
        due = parse_date(text, today=today)
        if due < date.fromisoformat(data["start"]):
            raise Refused("duty_due_before_start")
        data["due"] = due.isoformat()
        return Step.CONFIRM
    raise Refused("use_buttons")


def _bounded(text: str, limit: int) -> str:
    if not text:
        raise Refused("nothing_to_continue")
    if len(text) > limit:
        raise Refused("text_too_long", limit=limit)
    return text


async def confirm(services: Services, who: Incoming) -> duties.DutyView:
    _, state = await _state(services, who)
    if state.step != Step.CONFIRM:
        raise Refused("stale_button")
    view = await duties.create(services, who, to_draft(state.data))
    await abort(services, who)
    return view


async def restart(services: Services, who: Incoming) -> Prompt:
    member_id, state = await _state(services, who)
    return await _save(services, member_id, who.channel, Step.KIND, {"cell": state.data["cell"]})


async def abort(services: Services, who: Incoming) -> None:
    member_id, _ = await _state(services, who)
    async with services.db.unit_of_work() as uow:
        await conversation.leave(uow.session, member_id, who.channel)
        await uow.commit()
