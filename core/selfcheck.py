"""Answering a self-check (tự kiểm tra): one question at a time, back, stop and resume,
a summary before sending, and changes until the period closes.

Everything a member has answered is in the database after each answer, so a restart or a
switch of messenger resumes exactly where they were. Answers are never logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, conversation
from core.context import Services
from core.errors import Refused
from core.forms import Condition, Form, Question, QuestionKind, newest
from core.identity import load_actor
from core.messages import Address, Incoming
from core.policy import CELL_LEADERS, COMMITTEE_ROLES, Actor
from core.roster_queries import leader_addresses, member_addresses
from db.models import (
    CellForm,
    Flag,
    Role,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
)

FLOW = "selfcheck"  # waiting for a typed text answer or comment
SUMMARY = "summary"
SKIPPED = "skipped"  # the stored value of an optional text left empty
COMMENT_MAX = 300


@dataclass(frozen=True, slots=True)
class Answer:
    value: str | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """Where a member is: `question` to show (None: the summary), with the progress."""

    selfcheck_id: int
    period_label: str
    form: Form
    questions: tuple[Question, ...]  # the ones that apply to this member, in order
    answers: dict[str, Answer]
    question: Question | None
    ends_on: date  # the last local day answers are taken
    submitted: bool = False
    commenting: bool = False  # waiting for the optional comment on `question`

    @property
    def number(self) -> int:
        return self.questions.index(self.question) + 1 if self.question else len(self.questions)

    @property
    def missing(self) -> list[Question]:
        return [q for q in self.questions if q.id not in self.answers and not q.optional]


@dataclass(frozen=True, slots=True)
class OpenPeriod:
    id: int
    label: str
    form_name: str


@dataclass(frozen=True, slots=True)
class Submitted:
    step: Step
    member_name: str
    flagged: list[tuple[Question, str, str]]  # (question, answer label, flag kind): new ones
    leaders: list[Address] = field(default_factory=list)


async def open_periods(services: Services, who: Incoming) -> list[OpenPeriod]:
    """The periods open today for this member (refuses people who are not active members)."""
    async with services.db.unit_of_work() as uow:
        await _member(uow.session, services, who)
        return [OpenPeriod(p.id, p.label, p.form_name) for p in await _open(uow.session, services)]


async def begin(services: Services, who: Incoming, period_id: int) -> Step:
    """Start or resume the member's self-check of one open period."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _member(s, services, who)
        period = await s.get(SelfCheckPeriod, period_id)
        if period is None or not _is_open(services, period):
            raise Refused("selfcheck_closed")
        assert actor.member_id is not None and actor.cell_id is not None
        check = await s.scalar(
            select(SelfCheck).where(
                SelfCheck.period_id == period.id, SelfCheck.member_id == actor.member_id
            )
        )
        if check is None:
            version = await _cell_version(s, services, actor.cell_id, period.form_name)
            check = SelfCheck(
                period_id=period.id,
                member_id=actor.member_id,
                cell_id=actor.cell_id,
                form_version=version,
                status=SelfCheckStatus.IN_PROGRESS,
                started_at=now,
                updated_at=now,
            )
            s.add(check)
            await s.flush()
            audit.record(s, now, "selfcheck_started", actor_id=actor.member_id)
        step = await _step(s, services, actor, check, period)
        if not step.submitted and step.question is None and step.missing:
            step = _at(step, step.missing[0])
        await _keep_position(s, check, step, now)
        await uow.commit()
        return step


async def answer(
    services: Services, who: Incoming, selfcheck_id: int, question_id: str, value: str
) -> Step:
    """A pressed option. The next step is the optional comment, the next unanswered
    question, or the summary."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, check, period = await _own(s, services, who, selfcheck_id)
        step = await _step(s, services, actor, check, period)
        question = _applicable(step, question_id)
        if question.kind is not QuestionKind.CHOICE or question.option(value) is None:
            raise Refused("selfcheck_bad_answer")
        await _store(s, check, question.id, value, None, now, new=question.id not in step.answers)
        _reopen(check, now)
        step = _stored(step, check, question.id, Answer(value, None))
        if question.comment:
            step = _at(step, question, commenting=True)
            await _wait_for_text(s, now, actor, check, question, "comment")
        else:
            step = _after(step, question)
            await _maybe_wait(s, now, actor, check, step)
        await _keep_position(s, check, step, now)
        await uow.commit()
        return step


async def typed(services: Services, who: Incoming, text: str) -> Step:
    """The text a waiting question or comment asked for."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _member(s, services, who)
        assert actor.member_id is not None
        state = await conversation.current(s, actor.member_id, who.channel)
        if state is None or state.flow != FLOW:
            raise Refused("nothing_to_continue")
        actor, check, period = await _own(s, services, who, int(state.data["selfcheck"]))
        step = await _step(s, services, actor, check, period)
        question = _applicable(step, str(state.data["question"]))
        limit = question.max_length if state.step == "text" else COMMENT_MAX
        cleaned = " ".join(text.split())
        if not cleaned:
            raise Refused("selfcheck_text_empty")
        if len(cleaned) > limit:
            raise Refused("selfcheck_text_long", limit=limit, length=len(cleaned))
        kept = step.answers.get(question.id)
        value = kept.value if state.step == "comment" and kept else None
        await _store(s, check, question.id, value, cleaned, now)
        assert actor.member_id is not None
        await conversation.leave(s, actor.member_id, who.channel)
        step = _after(await _step(s, services, actor, check, period), question)
        await _maybe_wait(s, now, actor, check, step)
        await _keep_position(s, check, step, now)
        await uow.commit()
        return step


async def skip(services: Services, who: Incoming, selfcheck_id: int, question_id: str) -> Step:
    """Leave an optional text or a comment empty and go on."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, check, period = await _own(s, services, who, selfcheck_id)
        step = await _step(s, services, actor, check, period)
        question = _applicable(step, question_id)
        if question.kind is QuestionKind.TEXT:
            if not question.optional:
                raise Refused("selfcheck_bad_answer")
            new = question.id not in step.answers
            await _store(s, check, question.id, SKIPPED, None, now, new=new)
            _reopen(check, now)
            step = _stored(step, check, question.id, Answer(SKIPPED, None))
        assert actor.member_id is not None
        await conversation.leave(s, actor.member_id, who.channel)
        step = _after(step, question)
        await _maybe_wait(s, now, actor, check, step)
        await _keep_position(s, check, step, now)
        await uow.commit()
        return step


async def move(
    services: Services, who: Incoming, selfcheck_id: int, question_id: str | None
) -> Step:
    """Show one question again (from the summary), or the previous one ("quay lại") when
    `question_id` is None."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, check, period = await _own(s, services, who, selfcheck_id)
        step = await _step(s, services, actor, check, period)
        if question_id is None:
            here = step.questions.index(step.question) if step.question else len(step.questions)
            target = step.questions[max(0, here - 1)]
        else:
            target = _applicable(step, question_id)
        step = _at(step, target)
        assert actor.member_id is not None
        await conversation.leave(s, actor.member_id, who.channel)
        await _maybe_wait(s, now, actor, check, step)
        await _keep_position(s, check, step, now)
        await uow.commit()
        return step


async def submit(services: Services, who: Incoming, selfcheck_id: int) -> Submitted:
    """Send the answers. Flags that are new since the last sending go to the leaders."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor, check, period = await _own(s, services, who, selfcheck_id)
        step = await _step(s, services, actor, check, period)
        if step.missing:
            raise Refused("selfcheck_incomplete", number=step.questions.index(step.missing[0]) + 1)
        check.status, check.submitted_at, check.updated_at = SelfCheckStatus.SUBMITTED, now, now
        check.position = SUMMARY
        flagged = await _flag(s, check, step, now)
        audit.record(s, now, "selfcheck_submitted", actor_id=actor.member_id)
        # The cell's leaders, but never the member about themselves (a deputy who sends).
        own = set(await member_addresses(s, check.member_id))
        leaders = [a for a in await leader_addresses(s, check.cell_id) if a not in own]
        leaders = leaders if flagged else []
        await uow.commit()
        done = replace(step, submitted=True, question=None)
        return Submitted(done, actor.full_name, flagged, leaders)


async def history(services: Services, who: Incoming) -> list[Step]:
    """The member's own self-checks, newest first (for "kết quả của tôi")."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await _member(s, services, who)
        rows = await s.execute(
            select(SelfCheck, SelfCheckPeriod)
            .join(SelfCheckPeriod, SelfCheckPeriod.id == SelfCheck.period_id)
            .where(SelfCheck.member_id == actor.member_id)
            .order_by(SelfCheckPeriod.starts_on.desc(), SelfCheck.id.desc())
            .limit(12)
        )
        return [await _step(s, services, actor, check, period) for check, period in rows.all()]


# --- helpers ------------------------------------------------------------------------------


async def _member(s: AsyncSession, services: Services, who: Incoming) -> Actor:
    actor = await load_actor(s, services.config, who.channel, who.sender_id)
    if actor.member_id is None:
        raise Refused("not_linked")
    if not actor.is_active:
        raise Refused("pending_approval")
    return actor


def _today(services: Services) -> date:
    return services.clock.now().astimezone(services.config.timezone).date()


def _is_open(services: Services, period: SelfCheckPeriod) -> bool:
    """Whether `_open` would list `period` (the same test, without a query)."""
    today = _today(services)
    return (
        period.starts_on <= today <= period.ends_on
        and period.form_name in services.config.selfcheck_forms
    )


async def _open(s: AsyncSession, services: Services) -> list[SelfCheckPeriod]:
    today = _today(services)
    rows = await s.scalars(
        select(SelfCheckPeriod)
        .where(
            SelfCheckPeriod.starts_on <= today,
            SelfCheckPeriod.ends_on >= today,
            SelfCheckPeriod.form_name.in_(services.config.selfcheck_forms),
        )
        .order_by(SelfCheckPeriod.starts_on, SelfCheckPeriod.id)
    )
    return list(rows)


# Built once: every button press of a self-check runs both.
_OWN = (
    select(SelfCheck, SelfCheckPeriod)
    .join(SelfCheckPeriod, SelfCheckPeriod.id == SelfCheck.period_id)
    .where(SelfCheck.id == bindparam("id"))
)
_ANSWERS = select(SelfCheckAnswer).where(SelfCheckAnswer.selfcheck_id == bindparam("id"))


async def _own(
    s: AsyncSession, services: Services, who: Incoming, selfcheck_id: int
) -> tuple[Actor, SelfCheck, SelfCheckPeriod]:
    """The member's own self-check of a period still open; anything else is refused."""
    actor = await _member(s, services, who)
    row = (await s.execute(_OWN, {"id": selfcheck_id})).first()
    if row is None or row[0].member_id != actor.member_id:
        raise Refused("selfcheck_not_yours")
    check, period = row
    if not _is_open(services, period):
        raise Refused("selfcheck_closed")
    return actor, check, period


async def _cell_version(s: AsyncSession, services: Services, cell_id: int, name: str) -> int:
    chosen = await s.get(CellForm, (cell_id, name))
    if chosen is not None and (name, chosen.version) in services.config.forms:
        return chosen.version
    form = newest(services.config.forms, name)
    if form is None:
        raise Refused("selfcheck_closed")
    return form.version


def conditions_of(actor: Actor) -> frozenset[Condition]:
    """A leadership post: secretary, deputy or committee roles (the roster's "Chức vụ")."""
    posts = CELL_LEADERS | COMMITTEE_ROLES
    held = any(grant.role in posts for grant in actor.grants)
    return frozenset({Condition.HAS_POST}) if held else frozenset()


async def _step(
    s: AsyncSession,
    services: Services,
    actor: Actor,
    check: SelfCheck,
    period: SelfCheckPeriod,
) -> Step:
    form = services.config.forms[(period.form_name, check.form_version)]
    questions = form.applicable(conditions_of(actor))
    rows = await s.scalars(_ANSWERS, {"id": check.id})
    answers = {a.question_id: Answer(a.value, a.text) for a in rows}
    current = next((q for q in questions if q.id == check.position), None)
    return Step(
        selfcheck_id=check.id,
        period_label=period.label,
        form=form,
        questions=questions,
        answers=answers,
        question=current,
        ends_on=period.ends_on,
        submitted=check.status is SelfCheckStatus.SUBMITTED,
    )


def _stored(step: Step, check: SelfCheck, question_id: str, given: Answer) -> Step:
    """`step` once `given` is stored: what `_step` would read back, without reading it."""
    answers = {**step.answers, question_id: given}
    return replace(step, answers=answers, submitted=check.status is SelfCheckStatus.SUBMITTED)


def _at(step: Step, question: Question | None, *, commenting: bool = False) -> Step:
    return replace(step, question=question, commenting=commenting)


def _after(step: Step, question: Question) -> Step:
    """The next unanswered question after `question` (then from the start), else the summary."""
    order = list(step.questions)
    start = order.index(question) + 1
    for candidate in order[start:] + order[:start]:
        if candidate.id not in step.answers:
            return _at(step, candidate)
    return _at(step, None)


def _applicable(step: Step, question_id: str) -> Question:
    found = next((q for q in step.questions if q.id == question_id), None)
    if found is None:
        raise Refused("selfcheck_bad_answer")
    return found


def _reopen(check: SelfCheck, now: datetime) -> None:
    """A change after sending needs sending again (the leaders then see new flags only)."""
    check.status, check.updated_at = SelfCheckStatus.IN_PROGRESS, now


async def _store(
    s: AsyncSession,
    check: SelfCheck,
    question_id: str,
    value: str | None,
    text: str | None,
    now: datetime,
    *,
    new: bool = False,
) -> None:
    """`new`: this unit of work has just read that there is no answer yet (no lookup)."""
    row = (
        None
        if new
        else await s.scalar(
            select(SelfCheckAnswer).where(
                SelfCheckAnswer.selfcheck_id == check.id,
                SelfCheckAnswer.question_id == question_id,
            )
        )
    )
    if row is None:
        row = SelfCheckAnswer(selfcheck_id=check.id, question_id=question_id)
        s.add(row)
    row.value, row.text, row.answered_at = value, text, now  # flushed with the position


async def _wait_for_text(
    s: AsyncSession,
    now: datetime,
    actor: Actor,
    check: SelfCheck,
    question: Question,
    what: str,
) -> None:
    assert actor.member_id is not None
    data = {"selfcheck": check.id, "question": question.id}
    await conversation.enter(
        s, now, actor.member_id, actor.channel, conversation.State(FLOW, what, data)
    )


async def _maybe_wait(
    s: AsyncSession, now: datetime, actor: Actor, check: SelfCheck, step: Step
) -> None:
    if step.question is not None and step.question.kind is QuestionKind.TEXT:
        await _wait_for_text(s, now, actor, check, step.question, "text")


async def _keep_position(s: AsyncSession, check: SelfCheck, step: Step, now: datetime) -> None:
    check.position = step.question.id if step.question else SUMMARY
    check.updated_at = now
    await s.flush()


async def _flag(
    s: AsyncSession, check: SelfCheck, step: Step, now: datetime
) -> list[tuple[Question, str, str]]:
    """Write the flags of the answers; return those not flagged before for this check."""
    existing = {
        f.question_id: f
        for f in await s.scalars(select(Flag).where(Flag.selfcheck_id == check.id))
    }
    new: list[tuple[Question, str, str]] = []
    for question in step.questions:
        given = step.answers.get(question.id)
        option = question.option(given.value) if given and given.value else None
        old = existing.get(question.id)
        if option is None or option.flag is None:
            if old is not None and old.contacted_at is None:
                await s.delete(old)  # changed before anyone acted on it
            continue
        if old is not None and old.value == option.value:
            continue
        if old is not None:
            await s.delete(old)
            await s.flush()
        s.add(
            Flag(
                selfcheck_id=check.id,
                member_id=check.member_id,
                cell_id=check.cell_id,
                question_id=question.id,
                kind=option.flag.value,
                value=option.value,
                created_at=now,
            )
        )
        new.append((question, option.label, option.flag.value))
    await s.flush()
    return new


# --- for periods that open by themselves (core.selfcheck_periods) -------------------------


def conditions_for_roles(roles: Iterable[Role]) -> frozenset[Condition]:
    """`conditions_of` for a member known by their roles rather than by a message."""
    posts = CELL_LEADERS | COMMITTEE_ROLES
    return frozenset({Condition.HAS_POST}) if any(r in posts for r in roles) else frozenset()
