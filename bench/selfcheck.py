"""Self-check benchmark: N emulated members answering the monthly form at the same time.

    .venv/bin/python -m bench.selfcheck                     # 200 members, SQLite, ~3 minutes
    .venv/bin/python -m bench.selfcheck --members 50 --no-docs
    .venv/bin/python -m bench.selfcheck --database-url \\
        postgresql+asyncpg://postgres@127.0.0.1:5432/chibo_bench_selfcheck

Every member types /tukiemtra, gets question 1 of the open monthly period, then presses the
first option of each of the 14 questions (and «Bỏ qua» at the two optional comments: 16
presses). A press's round trip is measured from just before the press is sent to the
emulator's control API until the bot's edit of that message (the next question) is seen
there; the member then presses again at once (or after --think seconds). After the run the
database must hold members × 14 answers, else the run fails (exit status 1).

Scenarios, one after another against the same emulator, each driven the same way:

  echo     a bare python-telegram-bot Application (another token): /tukiemtra gets a message
           with three buttons, each press is answered (answerCallbackQuery) and the message
           is edited, keeping its buttons. The baseline.
  bot      the real bot (bot.app.BotApp as bot.harness builds it), Telegram adapter as shipped
  bot-raw  the same, with PTB's AIORateLimiter taken out of the adapter's bot (benchmark
           only): what the bot itself can do

The emulator's own rate-limit enforcement is off: this measures processing, not Telegram's
limits. Layouts (--layout):

  split    (default) the bots run in this process; the emulator and the emulated members
           run in a child process (`--telegram-side`), so the bots' process does only what
           a deployed bot does
  single   everything in this process, exactly as bot.harness.running_bot starts it (one
           event loop and one GIL for the emulator, the 200 members and the bot)

The results table goes to stdout and into docs/BENCHMARKS.md (between markers; notes written
by hand around them are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from bench.delivery import DOCS, ROOT, command_line, log, machine, revision, write_docs

MARK = "<!-- bench.selfcheck:{key}:{end} -->"
FIRST_USER = 900_000
ECHO_TOKEN = "223456789:ECHO-bench-bare-ptb-bot"
ECHO_LABELS = ("Một", "Hai", "Ba")
OPENING = "/tukiemtra"
SCENARIOS = ("echo", "echo-aiohttp", "bot", "bot-raw")
ECHOES = ("echo", "echo-aiohttp")  # baselines: "echo" is the one the target compares with
TITLES = {
    "echo": "echo: bare PTB bot (answer + edit)",
    "echo-aiohttp": "echo-aiohttp: the same bare PTB bot over the bot's aiohttp transport",
    "bot": "bot: the real bot, adapter as shipped",
    "bot-raw": "bot-raw: the real bot, PTB's AIORateLimiter without its 30/s cap",
}
# Only the seeded monthly period, and no self-check reminders into the members' chats during
# the run (settings that a bot without periods opening by themselves ignores).
BOT_SETTINGS: dict[str, Any] = {"selfcheck_forms": "monthly", "selfcheck_remind_days": ""}
TARGET_P99_MS = 150.0
TARGET_RATIO = 0.5


# --- the Telegram side: the emulator's control API and the emulated members ----------------


@dataclass
class MemberState:
    user_id: int
    client: Any  # emulator.client.EmulatorClient, one per member (its own connection)
    message_id: int = 0  # the bot message the member presses buttons under
    buttons: list[str] = field(default_factory=list)


class PerChatWakeups:
    """Benchmark only: lets `ChatLog.wait_events` wake only the waiters of the chat that got
    an event. The stock chat log wakes every waiter of the bot on every event, so with 200
    members long-polling at once each bot message costs ~200 wake-ups (O(members²) per
    round of presses) and the emulator, not the bot, becomes the bottleneck. Same answers,
    same control API; installed on one bot's chat log (`install`)."""

    def __init__(self, chatlog: Any) -> None:
        self.chatlog = chatlog
        self.changed: dict[Any, asyncio.Event] = {}
        self.stock_append = chatlog.append

    @classmethod
    def install(cls, chatlog: Any) -> None:
        if not isinstance(getattr(chatlog, "wait_events", None), PerChatWaiter):
            hooks = cls(chatlog)
            chatlog.append = hooks.append
            chatlog.wait_events = PerChatWaiter(hooks)

    def append(self, kind: str, chat_id: Any, message_id: Any, **kwargs: Any) -> Any:
        event = self.stock_append(kind, chat_id, message_id, **kwargs)
        waiting = self.changed.pop(chat_id, None)
        if waiting is not None:
            waiting.set()
        return event


class PerChatWaiter:
    """`BaseChatLog.wait_events` (same contract), waiting on the chat's own event."""

    def __init__(self, hooks: PerChatWakeups) -> None:
        self.hooks = hooks

    async def __call__(
        self,
        chat_id: Any,
        after_seq: int,
        min_count: int,
        timeout: float,  # noqa: ASYNC109 - the control API's contract
        quiet: float = 0.15,
    ) -> list[Any]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline = start + max(0.0, timeout)
        while True:
            changed = self.hooks.changed.setdefault(chat_id, asyncio.Event())
            events = self.hooks.chatlog.events(chat_id, after_seq)
            now = loop.time()
            if now >= deadline:
                return list(events)
            wait = deadline - now
            if len(events) >= min_count:
                quiet_since = events[-1].at if events else start
                remaining_quiet = quiet_since + quiet - now
                if remaining_quiet <= 0:
                    return list(events)
                wait = min(wait, remaining_quiet)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), wait)


class TelegramSide:
    """Emulated members of one bot token: open the conversation, then press buttons."""

    def __init__(self, emulator: Any, *, stock: bool = False) -> None:
        self.emulator = emulator  # emulator.server.Emulator, running in this process
        self.url: str = emulator.url
        self.stock = stock
        self.members: dict[str, list[MemberState]] = {}

    async def open(
        self, token: str, first_user: int, count: int, text: str, wait: float
    ) -> dict[str, Any]:
        """Each member sends `text` at the same time and waits for the bot's message."""
        from emulator.client import EmulatorClient

        await self.close(token)
        admin = EmulatorClient(self.url, token, timeout=30)
        try:
            await admin.set_rate_limit(False)  # processing, not Telegram's limits
            violations = int((await admin.rate_limit_status())["violations"])
        finally:
            await admin.aclose()
        if not self.stock:
            PerChatWakeups.install(self.emulator.telegram.bot(token).chatlog)
        members = [
            MemberState(user, EmulatorClient(self.url, token, timeout=30))
            for user in range(first_user, first_user + count)
        ]
        self.members[token] = members
        errors: list[str] = []

        async def one(member: MemberState) -> float | None:
            started = time.perf_counter()
            try:
                sent = await member.client.send(member.user_id, text, first_name="Đảng viên")
                found = await _wait_for(
                    member.client, member.user_id, sent.seq, wait, lambda e: e.kind == "message"
                )
            except Exception as exc:
                errors.append(f"{member.user_id}: {type(exc).__name__}: {exc}"[:300])
                return None
            if found is None:
                errors.append(f"{member.user_id}: no message within {wait} s")
                return None
            member.message_id, member.buttons = found.message_id, found.labels
            return time.perf_counter() - started

        cpu, started = time.process_time(), time.perf_counter()
        latencies = await asyncio.gather(*(one(m) for m in members))
        return {
            "latencies": [x for x in latencies if x is not None],
            "wall": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
            "errors": errors,
            "violations_before": violations,
        }

    async def press(
        self, token: str, labels: list[str], think: float, seed: int, wait: float
    ) -> dict[str, Any]:
        """Every member presses `labels` in turn, each under the message the bot edits."""
        from emulator.client import EmulatorClient

        members = self.members[token]
        latencies: list[float] = []
        finished: list[float] = []
        errors: list[str] = []
        others = 0
        go = time.perf_counter()

        async def one(member: MemberState) -> None:
            nonlocal others
            rng = random.Random(seed * 1_000_003 + member.user_id)
            for number, label in enumerate(labels, start=1):
                if label not in member.buttons:
                    errors.append(
                        f"{member.user_id}: press {number}: no button {label!r} "
                        f"in {member.buttons}"[:300]
                    )
                    return
                if think > 0:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                started = time.perf_counter()
                try:
                    pressed = await member.client.press(member.user_id, label, member.message_id)
                    edit = await _wait_for(
                        member.client,
                        member.user_id,
                        pressed.seq,
                        wait,
                        lambda e: e.kind == "edit" and e.message_id == member.message_id,
                    )
                except Exception as exc:
                    errors.append(f"{member.user_id}: press {number}: {type(exc).__name__}: {exc}")
                    return
                done = time.perf_counter()
                if edit is None:
                    errors.append(f"{member.user_id}: press {number}: no edit within {wait} s")
                    return
                others += edit.skipped
                latencies.append(done - started)
                finished.append(done - go)
                member.buttons = edit.labels

        cpu = time.process_time()
        await asyncio.gather(*(one(m) for m in members))
        wall = time.perf_counter() - go
        cpu = time.process_time() - cpu
        admin = EmulatorClient(self.url, token, timeout=30)
        try:
            violations = int((await admin.rate_limit_status())["violations"])
        finally:
            await admin.aclose()
        await self.close(token)
        return {
            "latencies": latencies,
            "finished": finished,
            "wall": wall,
            "cpu": cpu,
            "errors": errors,
            "other_events": others,
            "violations_after": violations,
        }

    async def close(self, token: str | None = None) -> None:
        for key in [token] if token else list(self.members):
            for member in self.members.pop(key, []):
                await member.client.aclose()


@dataclass(frozen=True)
class Seen:
    kind: str
    message_id: int
    labels: list[str]
    skipped: int  # other bot events seen in the chat before this one


async def _wait_for(
    client: Any,
    chat: int,
    after: int,
    timeout: float,  # noqa: ASYNC109 - the emulator waits, not this coroutine
    wanted: Callable[[Any], bool],
) -> Seen | None:
    """The first bot event in `chat` after seq `after` that is `wanted` (None at timeout)."""
    deadline = time.perf_counter() + timeout
    skipped = 0
    while (remaining := deadline - time.perf_counter()) > 0:
        events = await client.events(chat, after=after, min_count=1, timeout=remaining, quiet=0)
        for event in events:
            if wanted(event):
                return Seen(event.kind, event.message_id, event.labels, skipped)
            skipped += 1
        if events:
            after = events[-1].seq
    return None


async def serve_telegram_side(stock: bool) -> None:
    """The child process of --layout split: an emulator plus the members, driven by JSON
    lines on stdin (one answer line on stdout per command)."""
    from emulator.server import Emulator

    emulator = Emulator()
    await emulator.start()
    side = TelegramSide(emulator, stock=stock)
    out = sys.stdout
    out.write(json.dumps({"url": emulator.url}) + "\n")
    out.flush()
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            command = json.loads(line)
            kind = command.pop("cmd")
            if kind == "quit":
                break
            try:
                if kind == "open":
                    answer: dict[str, Any] = await side.open(**command)
                else:
                    answer = await side.press(**command)
            except Exception as exc:
                answer = {"failed": f"{type(exc).__name__}: {exc}"}
            out.write(json.dumps(answer) + "\n")
            out.flush()
    finally:
        await side.close()
        await emulator.stop()


class Side(Protocol):
    url: str

    async def open(
        self, token: str, first_user: int, count: int, text: str, wait: float
    ) -> dict[str, Any]: ...

    async def press(
        self, token: str, labels: list[str], think: float, seed: int, wait: float
    ) -> dict[str, Any]: ...


class ChildSide:
    """The Telegram side in a child process: the same calls, as JSON lines."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url

    async def _call(self, cmd: str, **kwargs: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write((json.dumps({"cmd": cmd, **kwargs}) + "\n").encode())
        await self.process.stdin.drain()
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("the Telegram side (child process) exited")
        answer: dict[str, Any] = json.loads(line)
        if "failed" in answer:
            raise RuntimeError(f"the Telegram side failed: {answer['failed']}")
        return answer

    async def open(
        self, token: str, first_user: int, count: int, text: str, wait: float
    ) -> dict[str, Any]:
        return await self._call(
            "open", token=token, first_user=first_user, count=count, text=text, wait=wait
        )

    async def press(
        self, token: str, labels: list[str], think: float, seed: int, wait: float
    ) -> dict[str, Any]:
        return await self._call(
            "press", token=token, labels=labels, think=think, seed=seed, wait=wait
        )

    def cpu_seconds(self) -> float:
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return 0.0
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def child_side(profile_to: Path | None, stock: bool) -> AsyncIterator[ChildSide]:
    extra = ["--profile-to", str(profile_to)] if profile_to else []
    extra += ["--stock-emulator"] if stock else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.selfcheck",
        "--telegram-side",
        *extra,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        limit=64 * 1024 * 1024,  # one JSON line carries every latency of a scenario
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        if not line:
            raise RuntimeError("the Telegram side (child process) did not start")
        yield ChildSide(process, json.loads(line)["url"])
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            with contextlib.suppress(Exception):
                process.stdin.write(b'{"cmd": "quit"}\n')
                await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


# --- the database: cells of linked members and an open monthly period ---------------------


async def make_database(
    url: str | None, workdir: Path
) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A fresh, migrated database; returns its URL and how to drop it. A PostgreSQL URL names
    a database that must not exist yet: it is created here and dropped at the end."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    from db import migrate

    async def nothing() -> None:
        return None

    if url is None:
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        exists: bool = bool(parsed.database) and Path(parsed.database or "").exists()  # noqa: ASYNC240
        if exists:
            raise SystemExit(f"{parsed.database} exists: give a new file (it is not removed)")
        await asyncio.to_thread(migrate.upgrade, url)
        return url, nothing
    name = parsed.database
    if not name or not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit("--database-url: name a new database (letters, digits, _)")
    admin_url = parsed.set(database="postgres").render_as_string(hide_password=False)

    async def admin(sql: str) -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    await admin(f'CREATE DATABASE "{name}"')  # fails if it exists: nothing is dropped then
    try:
        await asyncio.to_thread(migrate.upgrade, url)
    except BaseException:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise
    return url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class World:
    services: Any  # core.context.Services
    members: int
    cells: int
    engine: str
    period_id: int


async def seed(url: str, members: int, cell_size: int) -> World:
    """Cells of at most `cell_size` active members, member i linked to Telegram chat
    FIRST_USER + i, under one committee; one monthly period open today."""
    from bot.clock import SystemClock
    from bot.harness import link_members
    from core.context import CoreConfig, Services
    from core.quiet import NO_QUIET_HOURS
    from core.units import add_unit
    from db.engine import Database
    from db.models import SelfCheckPeriod, UnitKind

    services = Services(Database(url), SystemClock(), CoreConfig(quiet_hours=NO_QUIET_HOURS))
    await add_unit(
        services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã Bench", parent=None, code="du-bench"
    )
    users = [FIRST_USER + i for i in range(members)]
    cells = 0
    for start in range(0, members, cell_size):
        cells += 1
        cell = await add_unit(
            services,
            kind=UnitKind.CELL,
            name=f"Chi bộ Bench {cells}",
            parent="du-bench",
            code=None,
        )
        await link_members(services, cell.id, users[start : start + cell_size])
    today = services.clock.now().astimezone(services.config.timezone).date()
    async with services.db.unit_of_work() as uow:
        period = SelfCheckPeriod(
            form_name="monthly",
            starts_on=today.replace(day=1),  # as core.selfcheck_periods would open it
            ends_on=today.replace(day=calendar.monthrange(today.year, today.month)[1]),
            label=f"{today.month:02d}/{today.year}",
            opened_at=services.clock.now(),
        )
        uow.session.add(period)
        await uow.session.flush()
        period_id = period.id
        await uow.commit()
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return World(services, members, cells, engine, period_id)


async def check_answers(world: World) -> tuple[bool, str]:
    """Every member has the 14 first options stored and sits at the summary."""
    from sqlalchemy import select

    from core.forms import default_forms
    from db.models import SelfCheck, SelfCheckAnswer

    form = default_forms()[("monthly", 1)]
    wanted = {q.id: q.options[0].value for q in form.questions}
    async with world.services.db.unit_of_work() as uow:
        s = uow.session
        checks = list(
            await s.scalars(select(SelfCheck).where(SelfCheck.period_id == world.period_id))
        )
        rows = await s.execute(
            select(
                SelfCheckAnswer.selfcheck_id, SelfCheckAnswer.question_id, SelfCheckAnswer.value
            )
            .join(SelfCheck, SelfCheck.id == SelfCheckAnswer.selfcheck_id)
            .where(SelfCheck.period_id == world.period_id)
        )
        answers: dict[int, dict[str, str | None]] = {}
        for check_id, question_id, value in rows:
            answers.setdefault(check_id, {})[question_id] = value
    complete = sum(1 for c in checks if answers.get(c.id) == wanted and c.position == "summary")
    stored = sum(len(a) for a in answers.values())
    expected = world.members * len(wanted)
    ok = complete == world.members and stored == expected
    note = (
        f"{stored} / {expected} answers stored; {complete} / {world.members} self-checks "
        f"complete (first option everywhere, at the summary)"
    )
    return ok, note


async def forget_answers(world: World) -> None:
    """Back to no self-check at all, for the next scenario (same members, same period)."""
    from sqlalchemy import delete, select

    from db.models import Conversation, SelfCheck, SelfCheckAnswer

    async with world.services.db.unit_of_work() as uow:
        s = uow.session
        ids = select(SelfCheck.id).where(SelfCheck.period_id == world.period_id)
        await s.execute(delete(SelfCheckAnswer).where(SelfCheckAnswer.selfcheck_id.in_(ids)))
        await s.execute(delete(SelfCheck).where(SelfCheck.period_id == world.period_id))
        await s.execute(delete(Conversation))
        await uow.commit()


def form_labels() -> list[str]:
    """What a member presses: the first option of each question, «Bỏ qua» at comments."""
    from core.forms import default_forms
    from core.texts import t

    labels: list[str] = []
    for question in default_forms()[("monthly", 1)].questions:
        labels.append(question.options[0].label)
        if question.comment:
            labels.append(t("sc_btn_skip"))
    return labels


# --- the bare PTB echo bot -------------------------------------------------------------------


@contextlib.asynccontextmanager
async def echo_bot(url: str, aiohttp: bool = False) -> AsyncIterator[None]:
    """A python-telegram-bot Application with PTB's defaults, polling like the real bot;
    `aiohttp`: over the bot's transport (channels/ptb_request.py) instead of PTB's httpx."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler
    from telegram.ext import filters as f

    builder = Application.builder().token(ECHO_TOKEN).base_url(f"{url}/bot")
    if aiohttp:
        from channels.ptb_request import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connections=1)
        )
    app = builder.build()
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"echo:{i}")]
            for i, label in enumerate(ECHO_LABELS)
        ]
    )

    async def on_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"Echo: {update.message.text}", reply_markup=keyboard)

    async def on_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and isinstance(query.message, Message)
        await query.answer()
        await query.edit_message_text(
            f"Echo: {query.data} (#{update.update_id})", reply_markup=query.message.reply_markup
        )

    app.add_handler(MessageHandler(f.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1, poll_interval=0.0)
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    members: int
    planned: int  # presses
    answers_per_member: int
    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0  # this process (the bots), during the presses
    side_cpu: float | None = None  # the Telegram side (emulator + members): split layout
    rest_cpu: float = 0.0  # everything else on the machine (PostgreSQL, other people's work)
    steal: float = 0.0  # CPU seconds the hypervisor gave to other VMs
    opening: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    other_events: int = 0
    violations: int = 0
    stored: str = ""
    stored_ok: bool = True

    @property
    def presses(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.presses / self.wall if self.wall > 0 else 0.0

    @property
    def answer_rate(self) -> float:
        """Answers (option presses, not the comment skips) per second."""
        done = self.presses * self.answers_per_member / (self.planned / self.members)
        return done / self.wall if self.wall > 0 else 0.0

    @property
    def sustained(self) -> float:
        """Presses per second between the 10th and the 90th percentile of completions."""
        times = sorted(self.finished)
        if len(times) < 20:
            return self.rate
        lo, hi = len(times) // 10, len(times) * 9 // 10
        span = times[hi] - times[lo]
        return (hi - lo) / span if span > 0 else float("inf")

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        """Nearest-rank percentile in milliseconds."""
        data = sorted(self.latencies if values is None else values)
        if not data:
            return float("nan")
        return data[max(0, math.ceil(p / 100 * len(data)) - 1)] * 1000


def profile_path(label: str) -> Path:
    return Path(tempfile.gettempdir()) / f"bench-selfcheck-{label}.pstats"


def machine_busy() -> tuple[float, float]:
    """CPU seconds all CPUs ran something since boot, and seconds the hypervisor took from
    this VM (steal), from /proc/stat (zeros without it)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0, 0.0
    ticks = [int(x) for x in fields[:8]]  # user nice system idle iowait irq softirq steal
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks[:3]) + ticks[5] + ticks[6]) / hz, ticks[7] / hz


@contextlib.contextmanager
def maybe_profile(
    enabled: bool, label: str, path: Path | None = None, *, quiet: bool = False
) -> Any:
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        path = path or profile_path(label)
        profiler.dump_stats(path)
        if not quiet:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(60)
            log(f"--- cProfile of {label} (saved to {path}) ---\n{out.getvalue()}")


async def run_scenario(
    name: str,
    side: Side,
    token: str,
    opening: str,
    labels: list[str],
    answers: int,
    args: argparse.Namespace,
    side_cpu: Callable[[], float] | None,
) -> Result:
    members = args.members
    result = Result(name, members, members * len(labels), answers)
    opened = await side.open(token, FIRST_USER, members, opening, args.timeout)
    result.opening = opened["latencies"]
    result.errors += opened["errors"]
    log(
        f"  {len(result.opening)}/{members} opened ({opening!r}) in {opened['wall']:.1f} s; "
        f"pressing {len(labels)} buttons each"
    )
    cpu, other, busy = time.process_time(), side_cpu() if side_cpu else 0.0, machine_busy()
    with maybe_profile(args.profile == name, name):
        pressed = await side.press(token, labels, args.think, args.seed, args.timeout)
    result.cpu = time.process_time() - cpu
    result.side_cpu = side_cpu() - other if side_cpu else None
    busy_after = machine_busy()
    result.rest_cpu = busy_after[0] - busy[0] - result.cpu - (result.side_cpu or 0.0)
    result.steal = busy_after[1] - busy[1]
    result.latencies, result.finished = pressed["latencies"], pressed["finished"]
    result.wall = pressed["wall"]
    result.errors += pressed["errors"]
    result.other_events = pressed["other_events"]
    result.violations = pressed["violations_after"] - opened["violations_before"]
    log(
        f"  done: {result.presses}/{result.planned} presses in {result.wall:.1f} s "
        f"({result.rate:.1f}/s), p50 {result.percentile(50):.0f} ms, "
        f"p99 {result.percentile(99):.0f} ms, errors {len(result.errors)}"
    )
    return result


async def run_bot_scenario(
    name: str,
    world: World,
    bot_app: Any,
    side: Side,
    args: argparse.Namespace,
    side_cpu: Callable[[], float] | None,
) -> Result:
    from telegram.ext import AIORateLimiter

    from bot.harness import DEMO_TOKEN

    telegram = bot_app.telegram
    assert telegram is not None
    bot = telegram.app.bot
    limiter = bot._rate_limiter
    if name == "bot-raw":  # benchmark only, not a shipped setup: the same limiter class
        # (the adapter passes rate_limit_args) without its 30/s overall and group limits
        bot._rate_limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
    try:
        labels = form_labels()
        result = await run_scenario(name, side, DEMO_TOKEN, OPENING, labels, 14, args, side_cpu)
    finally:
        bot._rate_limiter = limiter
    result.stored_ok, result.stored = await check_answers(world)
    log(f"  database: {result.stored}")
    await forget_answers(world)
    return result


# --- reporting ------------------------------------------------------------------------------


def table(results: list[Result], echo: Result | None) -> str:
    lines = [
        "| Scenario | Presses done / planned | Wall s | presses/s | answers/s "
        "| presses/s sustained | p50 ms | p95 ms | p99 ms | max ms | answers/s ÷ echo presses/s "
        "| bots' CPU s | Telegram side CPU s | rest of the machine CPU s | steal s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        answers = f"{r.answer_rate:.1f}" if r.scenario not in ECHOES else "-"
        ratio = (
            f"{r.answer_rate / echo.rate:.2f}"
            if echo and echo.rate and r.scenario not in ECHOES
            else "-"
        )
        lines.append(
            f"| {TITLES[r.scenario]} | {r.presses} / {r.planned} | {r.wall:.1f} | {r.rate:.1f} "
            f"| {answers} | {r.sustained:.1f} | {r.percentile(50):.0f} | {r.percentile(95):.0f} "
            f"| {r.percentile(99):.0f} | {r.percentile(100):.0f} | {ratio} | {r.cpu:.2f} "
            f"| {'-' if r.side_cpu is None else f'{r.side_cpu:.2f}'} | {r.rest_cpu:.1f} "
            f"| {r.steal:.1f} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result], echo: Result | None) -> list[str]:
    def mark(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    out = []
    for r in results:
        if r.scenario in ECHOES:
            continue
        p99 = r.percentile(99)
        complete = r.presses == r.planned and r.stored_ok
        out.append(
            f"- {r.scenario}: p99 {p99:.0f} ms, target < {TARGET_P99_MS:.0f} ms: "
            f"{mark(p99 < TARGET_P99_MS and complete)}"
        )
        if echo and echo.rate:
            ratio = r.answer_rate / echo.rate
            out.append(
                f"- {r.scenario}: {r.answer_rate:.1f} answers/s = {ratio:.2f}× the echo bot's "
                f"{echo.rate:.1f} presses/s ({r.rate / echo.rate:.2f}× counting every press), "
                f"target ≥ {TARGET_RATIO}×: {mark(ratio >= TARGET_RATIO and complete)}"
            )
    return out


def details(results: list[Result]) -> list[str]:
    out = []
    for r in results:
        parts = [
            f"opening ({len(r.opening)} at once) p50 {r.percentile(50, r.opening):.0f} ms, "
            f"p99 {r.percentile(99, r.opening):.0f} ms",
            f"database: {r.stored}" if r.stored else "",
            f"emulator rate-limit violations: {r.violations}",
            f"other bot messages seen: {r.other_events}" if r.other_events else "",
            f"{len(r.errors)} errors, first: {r.errors[:3]}" if r.errors else "",
        ]
        out.append(f"- {r.scenario}: " + "; ".join(p for p in parts if p))
    return out


def section_key(engine: str, args: argparse.Namespace) -> str:
    key = engine.lower()
    if args.layout != "split":
        key += f"-{args.layout}"
    if args.think:
        key += f"-think{args.think:g}s"
    if args.stock_emulator:
        key += "-stock-emulator"
    return key


def report(results: list[Result], world: World, args: argparse.Namespace, command: str) -> str:
    info = machine()
    echo = next((r for r in results if r.scenario == "echo"), None)
    key = section_key(world.engine, args)
    layout = (
        "The bots ran in this process; the emulator and the emulated members in a child process"
        if args.layout == "split"
        else "The emulator, the emulated members and the bots ran in one process"
    )
    think = (
        f"each member waited {args.think:g} s × U(0.5, 1.5) before each press (not counted)"
        if args.think
        else "each member pressed again as soon as it saw the bot's edit (no think time)"
    )
    return "\n".join(
        [
            MARK.format(key=key, end="start"),
            f"### Self-check ({key}) — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            f"Command: `{command}`",
            "",
            f"Code: {revision()}",
            "",
            f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['python']}, {info['os']}; "
            f"{info['packages']}. {layout}.",
            "",
            f"{world.members} members in {world.cells} cells of ≤ {args.cell_size}, "
            f"{world.engine}; {think}; emulator rate limits off; "
            + (
                "stock emulator chat logs (every waiter wakes on every event)."
                if args.stock_emulator
                else "emulator chat logs wake only the chat's own waiters (PerChatWakeups)."
            ),
            "",
            table(results, echo),
            "",
            "Targets:",
            *verdicts(results, echo),
            "",
            "Details:",
            *details(results),
            MARK.format(key=key, end="end"),
        ]
    )


# --- main -----------------------------------------------------------------------------------


async def run(args: argparse.Namespace, command: str) -> tuple[str, bool]:
    from bot.app import BotApp
    from bot.harness import harness_settings, running_bot

    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenario(s): {sorted(unknown)}; choose from {SCENARIOS}")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-selfcheck-") as workdir:
        url, drop = await make_database(args.database_url, Path(workdir))
        try:
            world = await seed(url, args.members, args.cell_size)
            log(
                f"{world.engine}: {world.members} members in {world.cells} cells linked, "
                f"monthly period open; layout {args.layout}"
            )

            async def scenarios(
                side: Side, bot_app: Any, side_cpu: Callable[[], float] | None
            ) -> None:
                for name in chosen:
                    log(f"scenario {TITLES[name]}")
                    if name in ECHOES:
                        async with echo_bot(side.url, aiohttp=name == "echo-aiohttp"):
                            echo_labels = [ECHO_LABELS[0]] * len(form_labels())
                            results.append(
                                await run_scenario(
                                    name, side, ECHO_TOKEN, OPENING, echo_labels, 0, args, side_cpu
                                )
                            )
                    else:
                        results.append(
                            await run_bot_scenario(name, world, bot_app, side, args, side_cpu)
                        )

            if args.layout == "split":
                side_profile = profile_path("side") if args.profile == "side" else None
                async with child_side(side_profile, args.stock_emulator) as child:
                    app = BotApp(harness_settings(url, child.url, **BOT_SETTINGS))
                    await app.start()
                    try:
                        await scenarios(child, app, child.cpu_seconds)
                    finally:
                        await app.stop()
            else:
                async with running_bot(url, migrate_first=False, **BOT_SETTINGS) as harness:
                    side = TelegramSide(harness.emulator, stock=args.stock_emulator)
                    try:
                        await scenarios(side, harness.app, None)
                    finally:
                        await side.close()
            section = report(results, world, args, command)
            await world.services.db.dispose()
        finally:
            await drop()
    ok = all(r.stored_ok and not r.errors and r.presses == r.planned for r in results)
    return section, ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.selfcheck",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--members", type=int, default=200, help="members (default 200)")
    parser.add_argument(
        "--cell-size", type=int, default=50, help="members per cell, at most (default 50)"
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, run in this order, from {','.join(SCENARIOS)}",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="default: a temporary SQLite file; postgresql+asyncpg://postgres@127.0.0.1:5432/NAME "
        "creates the database NAME (it must not exist) and drops it at the end",
    )
    parser.add_argument(
        "--layout",
        choices=("split", "single"),
        default="split",
        help="split: emulator and members in a child process (default); single: all in one",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a member waits before each press (default 0: at once)",
    )
    parser.add_argument("--seed", type=int, default=1, help="for the think times")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for one reply (default 60)"
    )
    parser.add_argument(
        "--profile",
        choices=(*SCENARIOS, "side"),
        help="cProfile this process during one scenario, or (side) the Telegram side's whole "
        "run (--layout split)",
    )
    parser.add_argument(
        "--stock-emulator",
        action="store_true",
        help="leave the emulator's chat logs as they are (every waiter wakes on every event: "
        "the emulator, not the bot, is then the bottleneck at 200 members)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/BENCHMARKS.md")
    parser.add_argument("--telegram-side", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.telegram_side:
        with maybe_profile(args.profile_to is not None, "side", args.profile_to, quiet=True):
            asyncio.run(serve_telegram_side(args.stock_emulator))
        return
    if args.members < 1 or args.cell_size < 1:
        parser.error("--members and --cell-size must be at least 1")
    url = args.database_url or ""
    if url.startswith("postgresql") and "127.0.0.1" not in url and "localhost" not in url:
        parser.error("--database-url must point at 127.0.0.1 (loopback only)")
    given = argv if argv is not None else sys.argv[1:]
    command = command_line("bench.selfcheck", given)
    section, ok = asyncio.run(run(args, command))
    print(section)
    if not args.no_docs and not args.profile:
        write_docs(section)
        log(f"written to {DOCS.relative_to(ROOT)}")
    if not ok:
        log("FAILED: not every press got its next question, or answers are missing")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
