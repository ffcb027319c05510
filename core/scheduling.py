"""`/taohop`: the secretary schedules a meeting or a repeating rule, one step at a time.

Every answer is checked before the step advances; the progress lives in the conversation
state, so a restart or a switch of messenger continues where the secretary left off.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from core import conversation, meetings
from core.context import Services
from core.errors import Refused
from core.identity import load_actor, require, require_member
from core.messages import Incoming
from core.policy import Action
from core.recurrence import Rule, RuleKind
from core.vndates import DateInputError, parse_date, parse_datetime, parse_time
from db.models import Meeting, MeetingKind

FLOW = "schedule"
PLACE_MAX, AGENDA_MAX = 200, 2000


class Step(enum.StrEnum):
    KIND = "kind"
    REPEAT = "repeat"
    DATE = "date"
    RULE = "rule"
    RULE_DAY = "rule_day"
    RULE_WEEKDAY = "rule_weekday"
    RULE_NTH = "rule_nth"
    TIME = "time"
    PLACE = "place"
    AGENDA = "agenda"
    CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class Prompt:
    """The step to ask next and everything chosen so far."""

    step: Step
    data: dict[str, Any]
    last_place: str | None = None

    @property
    def draft(self) -> meetings.Draft:
        return to_draft(self.data)


def to_rule(data: dict[str, Any]) -> Rule | None:
    if data.get("repeat", "once") == "once":
        return None
    hour, minute = (int(x) for x in data["time"].split(":"))
    return Rule(
        kind=RuleKind(data["rule_kind"]),
        at=time(hour, minute),
        day=data.get("day"),
        weekday=data.get("weekday"),
        nth=data.get("nth"),
        every_months=int(data["repeat"]),
    )


def to_draft(data: dict[str, Any]) -> meetings.Draft:
    starts = datetime.fromisoformat(data["starts_at"]) if data.get("starts_at") else None
    return meetings.Draft(
        kind=MeetingKind(data["kind"]),
        place=data.get("place", ""),
        agenda=data.get("agenda", ""),
        starts_at=starts,
        rule=to_rule(data) if data.get("time") else None,
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
        last_place = None
        if step is Step.PLACE:
            last_place = await uow.session.scalar(
                select(Meeting.place)
                .where(Meeting.cell_id == data["cell"])
                .order_by(Meeting.created_at.desc())
                .limit(1)
            )
        await uow.commit()
    return Prompt(step, data, last_place)


async def begin(services: Services, who: Incoming) -> Prompt:
    async with services.db.unit_of_work() as uow:
        actor = await load_actor(uow.session, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        await require(uow.session, actor, Action.MANAGE_MEETINGS, cell_id)
    return await _save(services, actor.member_id or 0, who.channel, Step.KIND, {"cell": cell_id})


async def choose(services: Services, who: Incoming, step: str, value: str) -> Prompt:
    """A button in the flow; a button from an older step than the current one is stale."""
    member_id, state = await _state(services, who)
    if state.step != step:
        raise Refused("stale_button")
    data = dict(state.data)
    nxt = _chosen(Step(step), value, data)
    return await _save(services, member_id, who.channel, nxt, data)


def _chosen(step: Step, value: str, data: dict[str, Any]) -> Step:
    try:
        if step is Step.KIND:
            data["kind"] = MeetingKind(value).value
            if data["kind"] == MeetingKind.EXTRAORDINARY.value:
                data["repeat"] = "once"
                return Step.DATE
            return Step.REPEAT
        if step is Step.REPEAT:
            if value not in ("once", "1", "3"):
                raise ValueError(value)
            data["repeat"] = value
            return Step.DATE if value == "once" else Step.RULE
        if step is Step.RULE:
            data["rule_kind"] = RuleKind(value).value
            return {
                RuleKind.DAY_OF_MONTH: Step.RULE_DAY,
                RuleKind.NTH_WEEKDAY: Step.RULE_WEEKDAY,
                RuleKind.LAST_DAY: Step.TIME,
            }[RuleKind(value)]
        if step is Step.RULE_WEEKDAY:
            data["weekday"] = _in(int(value), range(7))
            return Step.RULE_NTH
        if step is Step.RULE_NTH:
            data["nth"] = _in(int(value), (1, 2, 3, 4, -1))
            return Step.TIME
        if step is Step.AGENDA and value == "skip":
            data["agenda"] = ""
            return Step.CONFIRM
    except (ValueError, KeyError) as exc:
        raise Refused("stale_button") from exc
    raise Refused("stale_button")


def _in(value: int, allowed: range | tuple[int, ...]) -> int:
    if value not in allowed:
        raise ValueError(value)
    return value


async def typed(services: Services, who: Incoming, text: str) -> Prompt:
    member_id, state = await _state(services, who)
    data = dict(state.data)
    now = services.clock.now()
    tz = services.config.timezone
    step = Step(state.step)
    clean = " ".join(text.split())
    try:
        nxt = _typed(step, clean, data, now.astimezone(tz))
    except DateInputError as exc:
        raise Refused(exc.code, **exc.params) from exc
    return await _save(services, member_id, who.channel, nxt, data)


def _typed(step: Step, text: str, data: dict[str, Any], now: datetime) -> Step:
    if step is Step.DATE:
        if _has_time(text):  # "05/12/2026 19:30" answers the time step as well
            starts = parse_datetime(text, now=now)
            data["date"], data["time"] = starts.date().isoformat(), f"{starts:%H:%M}"
            data["starts_at"] = starts.isoformat()
            return Step.PLACE
        on = parse_date(text, today=now.date())
        if on < now.date():
            raise Refused("meeting_in_past")
        data["date"] = on.isoformat()
        return Step.TIME
    if step is Step.RULE_DAY:
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 31:
            raise Refused("rule_bad_day")
        data["day"] = int(text)
        return Step.TIME
    if step is Step.TIME:
        at = parse_time(text)
        data["time"] = f"{at:%H:%M}"
        if data.get("repeat", "once") == "once":
            starts = datetime.combine(date.fromisoformat(data["date"]), at, tzinfo=now.tzinfo)
            if starts <= now:
                raise Refused("meeting_in_past")
            data["starts_at"] = starts.isoformat()
        else:
            to_rule(data)  # validates
        return Step.PLACE
    if step is Step.PLACE:
        data["place"] = _bounded(text, PLACE_MAX)
        return Step.AGENDA
    if step is Step.AGENDA:
        data["agenda"] = _bounded(text, AGENDA_MAX)
        return Step.CONFIRM
    raise Refused("use_buttons")


def _has_time(text: str) -> bool:
    try:
        parse_datetime(text, now=datetime(2000, 1, 1, tzinfo=UTC))
    except DateInputError as exc:
        return exc.code not in ("time_missing", "datetime_unreadable", "date_unreadable")
    return True


def _bounded(text: str, limit: int) -> str:
    if not text:
        raise Refused("nothing_to_continue")
    if len(text) > limit:
        raise Refused("text_too_long", limit=limit)
    return text


async def confirm(services: Services, who: Incoming) -> meetings.MeetingView:
    member_id, state = await _state(services, who)
    if state.step != Step.CONFIRM:
        raise Refused("stale_button")
    view = await meetings.create(services, who, to_draft(state.data))
    async with services.db.unit_of_work() as uow:
        await conversation.leave(uow.session, member_id, who.channel)
        await uow.commit()
    return view


async def restart(services: Services, who: Incoming) -> Prompt:
    member_id, state = await _state(services, who)
    return await _save(services, member_id, who.channel, Step.KIND, {"cell": state.data["cell"]})


async def same_place(services: Services, who: Incoming) -> Prompt:
    """ "Như lần trước": the place of the cell's most recent meeting."""
    member_id, state = await _state(services, who)
    if state.step != Step.PLACE:
        raise Refused("stale_button")
    data = dict(state.data)
    async with services.db.unit_of_work() as uow:
        place = await uow.session.scalar(
            select(Meeting.place)
            .where(Meeting.cell_id == data["cell"])
            .order_by(Meeting.created_at.desc())
            .limit(1)
        )
    if not place:
        raise Refused("stale_button")
    data["place"] = place
    return await _save(services, member_id, who.channel, Step.AGENDA, data)


async def abort(services: Services, who: Incoming) -> None:
    member_id, _ = await _state(services, who)
    async with services.db.unit_of_work() as uow:
        await conversation.leave(uow.session, member_id, who.channel)
        await uow.commit()
