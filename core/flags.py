"""Following up self-check flags: «Đã liên hệ», a short note, and the list of members the
secretary may want to contact, with the suggestions of `core.flag_rules`.

Only the secretary and deputy of the member's cell see or change flags. Members' free-text
answers and comments are never read here; notes and answers never go to the logs or the
audit details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import audit, conversation
from core.context import Services
from core.errors import Refused
from core.flag_rules import (
    REPEATED_ANSWER,
    FlagFact,
    Hint,
    History,
    RepeatFact,
    hints,
    period_index,
)
from core.forms import Form, Period
from core.identity import load_actor, require, require_member
from core.messages import Incoming
from core.policy import Action, Actor
from db.models import (
    Flag,
    Member,
    MemberStatus,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
)

CONTACTED = "flc"  # flc:<selfcheck>[:l] (l: pressed on the /theodoi list)
NOTE = "fln"  # fln:<selfcheck>
FLOW = "flagnote"  # waiting for the note a leader types
NOTE_MAX = 300
GONE = frozenset({"flags_gone", "not_allowed", "not_linked"})  # a note that cannot be kept


@dataclass(frozen=True, slots=True)
class FlagLine:
    topic: str
    answer: str  # the option's label: the level, never a free text
    kind: str  # support, follow_up


@dataclass(frozen=True, slots=True)
class CheckFlags:
    """The flags of one member's self-check, as the leaders see them."""

    selfcheck_id: int
    member_name: str
    period_label: str
    flagged_at: datetime
    lines: list[FlagLine]
    note: str | None = None
    contacted_at: datetime | None = None
    contacted_by: str | None = None
    newly_contacted: bool = False  # this press marked them (else someone did before)


@dataclass(frozen=True, slots=True)
class MemberFollowUp:
    member_id: int
    name: str
    checks: list[CheckFlags]  # the self-checks with open flags, oldest first
    hints: list[Hint] = field(default_factory=list)


async def mark_contacted(services: Services, who: Incoming, selfcheck_id: int) -> CheckFlags:
    """«Đã liên hệ»: every open flag of the self-check, once (a second press changes nothing)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, check, member = await _as_leader(s, services, who, selfcheck_id)
        result = await s.execute(
            update(Flag)
            .where(Flag.selfcheck_id == check.id, Flag.contacted_at.is_(None))
            .values(contacted_at=now, contacted_by=actor.member_id)
            .execution_options(synchronize_session=False)
        )
        marked = int(getattr(result, "rowcount", 0) or 0)
        if marked:
            audit.record(
                s,
                now,
                "flags_contacted",
                actor_id=actor.member_id,
                target_id=member.id,
                unit_id=member.cell_id,
                selfcheck=check.id,
                flags=marked,
            )
        card = await _card(s, services, check, member, newly=bool(marked))
        await uow.commit()
        return card


async def ask_note(services: Services, who: Incoming, selfcheck_id: int) -> CheckFlags:
    """«Ghi chú»: wait for the leader to type a short note."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, check, member = await _as_leader(s, services, who, selfcheck_id)
        card = await _card(s, services, check, member)
        state = conversation.State(FLOW, "note", {"selfcheck": check.id})
        await conversation.enter(s, now, actor.member_id or 0, who.channel, state)
        await uow.commit()
        return card


async def typed_note(services: Services, who: Incoming, text: str) -> CheckFlags:
    """The note the waiting flow asked for."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        state = await conversation.current(s, actor.member_id or 0, who.channel)
        if state is None or state.flow != FLOW:
            raise Refused("nothing_to_continue")
        try:
            card = await _note(s, services, who, int(state.data["selfcheck"]), text)
        except Refused as refusal:
            if refusal.key in GONE:  # nowhere to keep the note: the flow ends here
                await conversation.leave(s, actor.member_id or 0, who.channel)
                await uow.commit()
            raise
        await conversation.leave(s, actor.member_id or 0, who.channel)
        await uow.commit()
        return card


async def add_note(services: Services, who: Incoming, selfcheck_id: int, text: str) -> CheckFlags:
    """Keep a note (at most NOTE_MAX characters) on every flag of the self-check."""
    async with services.db.unit_of_work() as uow:
        card = await _note(uow.session, services, who, selfcheck_id, text)
        await uow.commit()
        return card


async def follow_up_list(services: Services, who: Incoming) -> list[MemberFollowUp]:
    """The cell's members with open flags, newest first, each with the rules' suggestions."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        cell_id = require_member(actor)
        await require(s, actor, Action.FOLLOW_UP_SELFCHECKS, cell_id)
        has_open = select(Flag.member_id).where(Flag.contacted_at.is_(None))
        rows = await s.execute(
            select(Flag, SelfCheck, SelfCheckPeriod, Member.full_name)
            .join(SelfCheck, SelfCheck.id == Flag.selfcheck_id)
            .join(SelfCheckPeriod, SelfCheckPeriod.id == SelfCheck.period_id)
            .join(Member, Member.id == Flag.member_id)
            .where(
                Member.cell_id == cell_id,
                Member.status == MemberStatus.ACTIVE,
                Flag.member_id.in_(has_open),
            )
            .order_by(SelfCheckPeriod.starts_on, Flag.selfcheck_id, Flag.id)
        )
        found = [(f, c, p, name) for f, c, p, name in rows.all()]
        repeats = await _repeats(s, services, {f.member_id for f, *_ in found})
    return _by_member(services, found, repeats)


# --- helpers ------------------------------------------------------------------------------


async def _as_leader(
    s: AsyncSession, services: Services, who: Incoming, selfcheck_id: int
) -> tuple[Actor, SelfCheck, Member]:
    """The self-check and its member, when `who` leads the member's cell; else refused."""
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    require_member(actor)
    check = await s.get(SelfCheck, selfcheck_id)
    member = await s.get(Member, check.member_id) if check is not None else None
    if check is None or member is None:
        raise Refused("flags_gone")
    await require(s, actor, Action.FOLLOW_UP_SELFCHECKS, member.cell_id)
    if member.id == actor.member_id:
        raise Refused("flags_own")  # one's own flags are for another leader to follow up
    return actor, check, member


async def _note(
    s: AsyncSession, services: Services, who: Incoming, selfcheck_id: int, text: str
) -> CheckFlags:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Refused("flag_note_empty")
    if len(cleaned) > NOTE_MAX:
        raise Refused("flag_note_long", limit=NOTE_MAX, length=len(cleaned))
    now = services.clock.now()
    actor, check, member = await _as_leader(s, services, who, selfcheck_id)
    flags = list(await s.scalars(select(Flag).where(Flag.selfcheck_id == check.id)))
    if not flags:
        raise Refused("flags_gone")
    for flag in flags:
        flag.note = cleaned
    audit.record(
        s,
        now,
        "flag_note_saved",
        actor_id=actor.member_id,
        target_id=member.id,
        unit_id=member.cell_id,
        selfcheck=check.id,
    )
    await s.flush()
    return await _card(s, services, check, member)


async def _card(
    s: AsyncSession, services: Services, check: SelfCheck, member: Member, *, newly: bool = False
) -> CheckFlags:
    period = await s.get(SelfCheckPeriod, check.period_id)
    assert period is not None
    by = aliased(Member)
    rows = (
        await s.execute(
            select(Flag, by.full_name)
            .outerjoin(by, by.id == Flag.contacted_by)
            .where(Flag.selfcheck_id == check.id)
        )
    ).all()
    if not rows:
        raise Refused("flags_gone")
    view = _view(services, member.full_name, check, period, [f for f, _ in rows])
    contacted = sorted((f.contacted_at, name or "") for f, name in rows if f.contacted_at)
    if not contacted:
        return view
    at, name = contacted[-1]
    return replace(view, contacted_at=at, contacted_by=name, newly_contacted=newly)


def _view(
    services: Services, name: str, check: SelfCheck, period: SelfCheckPeriod, flags: list[Flag]
) -> CheckFlags:
    form = services.config.forms.get((period.form_name, check.form_version))
    return CheckFlags(
        selfcheck_id=check.id,
        member_name=name,
        period_label=period.label,
        flagged_at=max(f.created_at for f in flags),
        lines=_lines(form, flags),
        note=next((f.note for f in flags if f.note), None),
    )


def _lines(form: Form | None, flags: Sequence[Flag]) -> list[FlagLine]:
    """Topic and answer level of each flag, in the form's order."""
    order = {q.id: n for n, q in enumerate(form.questions)} if form else {}
    lines: list[tuple[int, FlagLine]] = []
    for flag in flags:
        question = form.question(flag.question_id) if form else None
        option = question.option(flag.value) if question else None
        line = FlagLine(
            question.topic if question else flag.question_id,
            option.label if option else flag.value,
            flag.kind,
        )
        lines.append((order.get(flag.question_id, len(order)), line))
    return [line for _, line in sorted(lines, key=lambda item: item[0])]


def _period_kind(services: Services, name: str, version: int) -> Period | None:
    form = services.config.forms.get((name, version))
    return form.period if form else None


async def _repeats(
    s: AsyncSession, services: Services, member_ids: set[int]
) -> dict[int, tuple[list[RepeatFact], int | None]]:
    """Per member: the "B" answers of the quarterly self-checks they sent, and the newest
    quarter they sent. Only stored option values are read, never texts."""
    if not member_ids:
        return {}
    checks = await s.execute(
        select(SelfCheck, SelfCheckPeriod)
        .join(SelfCheckPeriod, SelfCheckPeriod.id == SelfCheck.period_id)
        .where(SelfCheck.member_id.in_(member_ids), SelfCheck.status == SelfCheckStatus.SUBMITTED)
    )
    quarterly = {
        c.id: (c, p)
        for c, p in checks.all()
        if _period_kind(services, p.form_name, c.form_version) is Period.QUARTERLY
    }
    out: dict[int, tuple[list[RepeatFact], int | None]] = {}
    for check, period in quarterly.values():
        index = period_index(Period.QUARTERLY, period.starts_on)
        facts, last = out.get(check.member_id, ([], None))
        out[check.member_id] = (facts, max(index, last) if last is not None else index)
    answers = await s.execute(
        select(SelfCheckAnswer.selfcheck_id, SelfCheckAnswer.question_id).where(
            SelfCheckAnswer.selfcheck_id.in_(quarterly), SelfCheckAnswer.value == REPEATED_ANSWER
        )
    )
    for check_id, question_id in answers.all():
        check, period = quarterly[check_id]
        form = services.config.forms[(period.form_name, check.form_version)]
        question = form.question(question_id)
        option = question.option(REPEATED_ANSWER) if question else None
        if question is None or option is None:
            continue
        index = period_index(Period.QUARTERLY, period.starts_on)
        fact = RepeatFact(question_id, question.topic, option.label, index)
        out[check.member_id][0].append(fact)
    return out


def _by_member(
    services: Services,
    found: list[tuple[Flag, SelfCheck, SelfCheckPeriod, str]],
    repeats: dict[int, tuple[list[RepeatFact], int | None]],
) -> list[MemberFollowUp]:
    names: dict[int, str] = {}
    facts: dict[int, list[FlagFact]] = {}
    open_flags: dict[int, list[tuple[Flag, SelfCheck, SelfCheckPeriod]]] = {}
    for flag, check, period, name in found:
        names[flag.member_id] = name
        kind = _period_kind(services, period.form_name, check.form_version) or Period.MONTHLY
        fact = FlagFact(
            flag.question_id,
            flag.kind,
            flag.contacted_at is None,
            kind,
            period_index(kind, period.starts_on),
            period.label,
            period.starts_on.year,
        )
        facts.setdefault(flag.member_id, []).append(fact)
        if flag.contacted_at is None:
            open_flags.setdefault(flag.member_id, []).append((flag, check, period))
    result = []
    for member_id, name in names.items():
        checks = _open_checks(services, name, open_flags[member_id])
        quarters, last = repeats.get(member_id, ([], None))
        history = History(facts[member_id], quarters, last, services.config.unexcused_year_limit)
        result.append(MemberFollowUp(member_id, name, checks, hints(history)))
    return sorted(result, key=lambda m: (-max(c.flagged_at for c in m.checks).timestamp(), m.name))


def _open_checks(
    services: Services, name: str, flags: list[tuple[Flag, SelfCheck, SelfCheckPeriod]]
) -> list[CheckFlags]:
    by_check: dict[int, list[Flag]] = {}
    periods: dict[int, tuple[SelfCheck, SelfCheckPeriod]] = {}
    for flag, check, period in flags:
        by_check.setdefault(check.id, []).append(flag)
        periods[check.id] = (check, period)
    return [_view(services, name, *periods[i], group) for i, group in by_check.items()]
