"""The real bot process killed with SIGKILL while members answer their self-checks.

Members answer the monthly form by pressing buttons through the emulator's user API, each
one press at a time, as a person waits to see the next question before tapping again; many
members at once. The bot (`python -m bot run`, polling the emulator on loopback) is killed in
the middle and started again; everyone goes on. What a kill may cost (channels/telegram.py):
every update is stored before its getUpdates offset confirms it to Telegram, so no press is
lost; one being handled at the kill is handled again after the restart, and answers are
stored per question, so a press counts once whatever happens.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import time as daytime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.harness import DEMO_TOKEN, link_members
from core import selfcheck_periods
from core.context import CoreConfig, Services
from core.forms import default_forms
from core.quiet import NO_QUIET_HOURS
from core.texts import t
from core.units import add_unit
from db.engine import Database
from db.models import InboundEvent, SelfCheck, SelfCheckAnswer, UnitKind
from emulator import Emulator, EmulatorClient
from emulator.client_types import Event
from tests.reliability.helpers import Bot, Bots, bot_env, kill

pytestmark = pytest.mark.e2e

FIRST_USER = 920_000
FORM = default_forms()[("monthly", 1)]
QUESTIONS = FORM.questions
SKIP = t("sc_btn_skip")
STEP_WAIT = 60.0  # seconds a member waits for the answer to one press (a restart included)


@dataclass(frozen=True)
class Step:
    """One press and the screen it must lead to."""

    label: str
    question_id: str  # the question this press answers (or skips the comment of)
    value: str | None  # the option's stored value; None for «Bỏ qua»
    expect: str  # text the next screen contains


def plan(user: int) -> list[Step]:
    """A member's presses through the form: option (user + number) % options of each
    question, «Bỏ qua» for each comment asked."""
    steps: list[Step] = []
    for number, question in enumerate(QUESTIONS, start=1):
        option = question.options[(user + number) % len(question.options)]
        after = (
            t("sc_progress", number=number + 1, total=len(QUESTIONS), text=QUESTIONS[number].text)
            if number < len(QUESTIONS)
            else t("sc_summary_title")
        )
        if question.comment:
            steps.append(Step(option.label, question.id, option.value, t("sc_ask_comment")))
            steps.append(Step(SKIP, question.id, None, after))
        else:
            steps.append(Step(option.label, question.id, option.value, after))
    return steps


def first_screen() -> str:
    return t("sc_progress", number=1, total=len(QUESTIONS), text=QUESTIONS[0].text)


# --- setting the scene ----------------------------------------------------------------------


def core_config() -> CoreConfig:
    """As the bot's environment below: the monthly form, opening at any time of day."""
    return CoreConfig(
        quiet_hours=NO_QUIET_HOURS, selfcheck_forms=("monthly",), selfcheck_send_after=daytime(0)
    )


async def open_period(database_url: str, members: int) -> dict[int, int]:
    """A cell of `members` linked members, and the self-check tick that opens this month's
    period: each member's first question waits in the outbox. Returns {user: member id}."""
    services = Services(Database(database_url), SystemClock(), core_config())
    try:
        await add_unit(
            services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã", parent=None, code="du-xa"
        )
        cell = await add_unit(
            services, kind=UnitKind.CELL, name="Chi bộ ấp Hai", parent="du-xa", code=None
        )
        linked = await link_members(services, cell.id, [FIRST_USER + i for i in range(members)])
        opened = await selfcheck_periods.tick(services)
        assert (opened.opened, opened.queued) == (1, members)
        return linked
    finally:
        await services.db.dispose()


async def recorded(db: Database) -> dict[int, dict[str, str | None]]:
    """Member id -> {question: stored value}, from the answers table."""
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(SelfCheck.member_id, SelfCheckAnswer.question_id, SelfCheckAnswer.value).join(
                SelfCheck, SelfCheck.id == SelfCheckAnswer.selfcheck_id
            )
        )
        found: dict[int, dict[str, str | None]] = {}
        for member_id, question_id, value in rows:
            found.setdefault(member_id, {})[question_id] = value
        return found


async def answer_rows(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count(SelfCheckAnswer.id))) or 0)


async def kept_unhandled(db: Database) -> int:
    """Updates stored but not marked handled (what a restart handles first)."""
    async with db.unit_of_work() as uow:
        count = await uow.session.scalar(
            select(func.count(InboundEvent.id)).where(
                InboundEvent.channel == "telegram", InboundEvent.done_at.is_(None)
            )
        )
        return int(count or 0)


async def kept_texts(db: Database) -> int:
    """Handled updates whose content is still stored (must be none: privacy). A cleared
    body reads back as None (JSON null)."""
    async with db.unit_of_work() as uow:
        bodies = await uow.session.scalars(
            select(InboundEvent.body).where(InboundEvent.done_at.is_not(None))
        )
        return sum(1 for body in bodies if body is not None)


# --- the members ----------------------------------------------------------------------------


@dataclass
class Tally:
    """What the members did and saw, for the figures."""

    accepted: Counter[int] = field(default_factory=Counter)  # user -> presses accepted
    stuck: dict[int, str] = field(default_factory=dict)  # user -> the press never answered
    waiting_for: dict[int, str] = field(default_factory=dict)  # user -> the screen awaited
    in_flight_at_kill: dict[int, str] = field(default_factory=dict)  # the same, at the kill
    done_at_kill: set[int] = field(default_factory=set)  # users through the form by then
    # user -> (the screen awaited, the first screen the restarted bot showed)
    first_after_restart: dict[int, tuple[str, str]] = field(default_factory=dict)
    kill_seq: int | None = None  # the emulator's last event when the bot was killed


async def member(client: EmulatorClient, user: int, tally: Tally, go: asyncio.Event) -> None:
    """One member: waits for the first question, then presses through `plan(user)`, each
    press once, waiting for its answer (the next screen) before the next press."""
    seq = 0
    message_id: int | None = None

    async def until(expect: str) -> bool:
        nonlocal seq, message_id
        deadline = time.monotonic() + STEP_WAIT
        while time.monotonic() < deadline:
            wait = min(5.0, max(0.1, deadline - time.monotonic()))
            events: list[Event] = await client.events(
                user, after=seq, min_count=1, timeout=wait, quiet=0.0
            )
            for event in events:
                seq = max(seq, event.seq)
                after_kill = tally.kill_seq is not None and event.seq > tally.kill_seq
                if after_kill and user not in tally.first_after_restart:
                    tally.first_after_restart[user] = (expect, event.body)
                if expect in event.body:
                    message_id = event.message_id
                    return True
        return False

    if not await until(first_screen()):
        tally.stuck[user] = "the first question"
        return
    await go.wait()
    for step in plan(user):
        tally.waiting_for[user] = step.expect
        await client.press(user, step.label, message_id)
        tally.accepted[user] += 1
        if not await until(step.expect):
            tally.stuck[user] = f"{step.question_id} «{step.label}»"
            return
        del tally.waiting_for[user]


async def repeated_screens(client: EmulatorClient, chats: list[int]) -> int:
    """Messages or edits that showed a member a screen they had already been shown (each
    question, comment prompt and the summary appear once in a run without faults)."""
    repeats = 0
    for chat in chats:
        seen: set[str] = set()
        for event in await client.events(chat, after=0):
            repeats += event.body in seen
            seen.add(event.body)
    return repeats


@dataclass
class Scene:
    emulator: Emulator
    client: EmulatorClient
    bots: Bots


@pytest.fixture
async def scene(tmp_path: Path) -> AsyncIterator[Scene]:
    async with Emulator() as emu:
        client = EmulatorClient(emu.url, DEMO_TOKEN)
        bots = Bots(tmp_path)
        try:
            yield Scene(emu, client, bots)
        finally:
            await bots.close()
            await client.aclose()


async def crash_while_answering(
    database_url: str, scene: Scene, members: int, kill_at: float
) -> tuple[Tally, dict[str, int]]:
    """Everything above: open, answer, kill after `kill_at` of all presses, restart, finish.
    Returns the tally and counts for the figure."""
    client = scene.client
    await client.register_users(first_id=FIRST_USER, count=members)
    linked = await open_period(database_url, members)
    env = bot_env(
        database_url, scene.emulator.url, SELFCHECK_FORMS="monthly", SELFCHECK_SEND_AFTER="00:00"
    )
    db = Database(database_url)
    tally = Tally()
    go = asyncio.Event()
    users = list(linked)
    presses = sum(len(plan(u)) for u in users)
    try:
        first: Bot = await scene.bots.start(env)
        crowd = [asyncio.create_task(member(client, u, tally, go)) for u in users]
        go.set()
        deadline = time.monotonic() + 120
        while sum(tally.accepted.values()) < presses * kill_at:
            if first.process.returncode is not None:
                pytest.fail(f"the bot exited before the kill:\n{first.tail()}")
            if time.monotonic() > deadline or all(task.done() for task in crowd):
                pytest.fail(f"the members did not get far enough:\n{first.tail()}")
            await asyncio.sleep(0.01)
        await kill(first)
        tally.kill_seq = scene.emulator.telegram.bot(DEMO_TOKEN).chatlog.last_seq
        tally.in_flight_at_kill = dict(tally.waiting_for)
        tally.done_at_kill = {
            u
            for u in users
            if tally.accepted[u] == len(plan(u)) and u not in tally.in_flight_at_kill
        }
        at_kill = sum(tally.accepted.values())
        kept = await kept_unhandled(db)
        stored_at_kill = await answer_rows(db)
        second = await scene.bots.start(env)
        done, _ = await asyncio.wait(crowd, timeout=STEP_WAIT * 3)
        assert len(done) == len(crowd), "members still pressing long after the restart"
        for task in crowd:
            task.result()
        if second.process.returncode is not None:
            pytest.fail(f"the restarted bot exited:\n{second.tail()}")
        answers = await recorded(db)
        # A member sees the last answer a moment before the bot marks that update handled.
        for _ in range(200):
            if (leftover := await kept_unhandled(db)) == 0:
                break
            await asyncio.sleep(0.05)
        texts = await kept_texts(db)
    finally:
        await db.dispose()
    edits = await client.calls("editMessageText")
    counts = {
        "presses": presses,
        "accepted": sum(tally.accepted.values()),
        "at_kill": at_kill,
        "stored_at_kill": stored_at_kill,
        "kept_at_kill": kept,
        "leftover": leftover,
        "texts": texts,
        "not_modified": sum(1 for c in edits if c.status == 400),
    }
    # Each member's answers: exactly the values pressed, one row per question.
    wrong = {}
    for user, member_id in linked.items():
        pressed = {s.question_id: s.value for s in plan(user) if s.value is not None}
        if user not in tally.stuck and answers.get(member_id) != pressed:
            wrong[user] = answers.get(member_id)
    counts["wrong"] = len(wrong)
    return tally, counts


async def check(
    database_url: str,
    scene: Scene,
    members: int,
    figure: Callable[[str], None],
    kill_at: float = 0.4,
) -> None:
    tally, n = await crash_while_answering(database_url, scene, members, kill_at)
    messages = Counter(
        c.chat_id for c in await scene.client.calls("sendMessage") if c.status == 200
    )
    extra = sum(count - 1 for count in messages.values())  # each member: one message, edited
    repeated = await repeated_screens(scene.client, [c for c in messages if c is not None])
    # The first screen the restarted bot shows each member is the one their press in flight
    # leads to (the next unanswered question), never an earlier one.
    resumed = tally.first_after_restart
    elsewhere = {u: shown[-80:] for u, (awaited, shown) in resumed.items() if awaited not in shown}
    bound = n["kept_at_kill"]  # each update kept unhandled may be handled twice, once each
    figure(
        f"{members} members, {n['presses']} presses; killed after {n['at_kill']} accepted "
        f"({n['stored_at_kill']} answer rows stored, {n['kept_at_kill']} updates kept unhandled): "
        f"lost {len(tally.stuck)}, answers wrong or missing {n['wrong']}, resumed at the next "
        f"question {len(resumed) - len(elsewhere)} of {len(resumed)}, "
        f"duplicate messages {extra} and screens shown twice {repeated} (bound {bound}: the "
        f"updates kept unhandled), "
        f"presses handled again after the restart {n['not_modified']} (answered idempotently)"
    )
    assert tally.stuck == {}, f"presses never answered: {dict(list(tally.stuck.items())[:5])}"
    assert n["accepted"] == n["presses"]
    assert n["wrong"] == 0
    assert tally.in_flight_at_kill, "killed between presses: nothing was in flight"
    unfinished = members - len(tally.done_at_kill)
    assert len(resumed) == unfinished, "members who saw nothing from the restarted bot"
    assert elsewhere == {}, "self-checks that did not resume at the next question"
    assert extra <= bound
    assert repeated <= bound
    assert n["leftover"] == 0, "updates left unhandled after everyone finished"
    assert n["texts"] == 0, "handled updates must not keep what was said"


# --- the tests ------------------------------------------------------------------------------


async def test_sigkill_mid_selfcheck_loses_no_answer(
    database: Database, database_url: str, scene: Scene, figure: Callable[[str], None]
) -> None:
    """SIGKILL while 30 members answer their self-checks: no press lost, each self-check
    resumes at its next question, no duplicate messages beyond the presses in flight."""
    await check(database_url, scene, 30, figure)


@pytest.mark.slow
async def test_sigkill_mid_selfcheck_loses_no_answer_200_members(
    sqlite_url: str, scene: Scene, figure: Callable[[str], None]
) -> None:
    """SIGKILL while 200 members answer their self-checks: no press lost, each self-check
    resumes at its next question, no duplicate messages beyond the presses in flight."""
    await check(sqlite_url, scene, 200, figure)
