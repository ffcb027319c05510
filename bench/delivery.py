"""Delivery benchmark: the real Deliverer and Telegram adapter against the local emulator.

    .venv/bin/python -m bench.delivery                  # 3,000 members, SQLite, ~4 minutes
    .venv/bin/python -m bench.delivery --members 300    # a quick look
    .venv/bin/python -m bench.delivery --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

The emulator runs in a separate process (`python -m emulator`), so the CPU time measured
here (time.process_time of this process, all threads) is the bot's alone. Everything talks to
127.0.0.1 only. Scenarios, each on a fresh outbox of one reminder per member:

  a      emulator enforcing Telegram's limits (30/s overall, 1/s per chat), default pacing
  b      limits and pacing off, the adapter exactly as bot/app.py builds it (PTB's
         AIORateLimiter included); measured over a window (--raw-window seconds)
  b-raw  as b, with the adapter's PTB rate limiter taken out: what the engine itself can do
  c      the naive baseline: a loop of PTB `ExtBot.send_message` with AIORateLimiter

The results table goes to stdout and into docs/BENCHMARKS.md (between markers; notes written
by hand around them are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import os
import platform
import pstats
import re
import shlex
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "BENCHMARKS.md"
MARK = "<!-- bench.delivery:{key}:{end} -->"  # one section per set of engines run
FIRST_USER = 800_000
SCENARIOS = ("a", "b", "b-raw", "c")
TITLES = {
    "a": "a. limits enforced (30/s, 1/s per chat), default pacing",
    "b": "b. limits off, pacing off, adapter as built (PTB AIORateLimiter on)",
    "b-raw": "b-raw. limits off, pacing off, adapter without PTB's rate limiter",
    "c": "c. baseline: loop of PTB send_message + AIORateLimiter, limits off",
}
TARGET_SUSTAINED = 28.5
TARGET_RAW = 1000.0
TARGET_RATIO = 1.5


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the emulator in its own process --------------------------------------------------------


@dataclass
class EmulatorProcess:
    process: asyncio.subprocess.Process
    url: str

    def cpu_seconds(self) -> float:
        """utime + stime of the emulator process, from /proc (0 where /proc is missing)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def emulator_process() -> AsyncIterator[EmulatorProcess]:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=errors,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        try:
            line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        except TimeoutError:
            line = ""
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not found:
            errors.seek(0)
            raise RuntimeError(f"the emulator did not start: {line!r} {errors.read()[-2000:]!r}")
        yield EmulatorProcess(process, found.group(1))
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()
        errors.close()


# --- the database: a cell of N linked members and a meeting --------------------------------


@dataclass
class World:
    services: Any  # core.context.Services
    member_chats: dict[int, int]  # member id -> Telegram chat id
    meeting: Any  # db.models.Meeting
    engine: str


async def make_database(
    postgres_admin: str | None, workdir: Path
) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A fresh, migrated database; returns its URL and how to drop it."""
    from db import migrate

    if postgres_admin is None:
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)

        async def nothing() -> None:
            return None

        return url, nothing

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"chibo_bench_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(postgres_admin, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    await admin(f'CREATE DATABASE "{name}"')
    url = postgres_admin.rsplit("/", 1)[0] + f"/{name}"
    await asyncio.to_thread(migrate.upgrade, url)
    return url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed(url: str, members: int) -> World:
    """One cell, `members` active members each linked to Telegram chat FIRST_USER + i."""
    from bot.clock import SystemClock
    from bot.harness import link_members
    from core.context import CoreConfig, Services
    from core.quiet import NO_QUIET_HOURS
    from core.units import add_unit
    from db.engine import Database
    from db.models import (
        Meeting,
        MeetingKind,
        MeetingStatus,
        UnitKind,
    )

    services = Services(Database(url), SystemClock(), CoreConfig(quiet_hours=NO_QUIET_HOURS))
    await add_unit(
        services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã Bench", parent=None, code="du-bench"
    )
    cell = await add_unit(
        services, kind=UnitKind.CELL, name="Chi bộ Bench", parent="du-bench", code=None
    )
    users = [FIRST_USER + i for i in range(members)]
    linked = await link_members(services, cell.id, users)
    chats = {member_id: user for user, member_id in linked.items()}
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        meeting = Meeting(
            cell_id=cell.id,
            rule_id=None,
            planned_on=None,
            kind=MeetingKind.REGULAR,
            status=MeetingStatus.SCHEDULED,
            starts_at=now + timedelta(days=2),
            duration_minutes=90,
            place="Hội trường nhà văn hoá ấp Một",
            agenda="Kiểm điểm công tác tháng; triển khai nghị quyết; sinh hoạt chuyên đề.",
            document_url=None,
            version=1,
            created_by_id=None,
            created_at=now,
            updated_at=now,
        )
        s.add(meeting)
        await uow.commit()
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return World(services, chats, meeting, engine)


async def refill_outbox(world: World) -> float:
    """Empty the outbox and enqueue one reminder per member (core.outbox.enqueue); seconds."""
    from sqlalchemy import delete

    from core.outbox import Message, enqueue
    from core.reminders import reminder_reply
    from db.models import Outbox

    services, meeting = world.services, world.meeting
    reply = reminder_reply(services, meeting, 120, first=True)
    started = time.perf_counter()
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(delete(Outbox))
        now = services.clock.now()
        messages = [
            Message(
                key=f"rem:{meeting.id}:v1:{member_id}:120",
                kind="reminder",
                reply=reply,
                member_id=member_id,
                meeting_id=meeting.id,
                not_before=now,
                expires_at=meeting.starts_at,
            )
            for member_id in world.member_chats
        ]
        added = await enqueue(uow.session, services, now, messages)
        await uow.commit()
    assert added == len(world.member_chats), added
    return time.perf_counter() - started


async def outbox_counts(world: World) -> dict[str, int]:
    from sqlalchemy import func, select

    from db.models import Outbox

    async with world.services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Outbox.status, func.count()).group_by(Outbox.status)
        )
        return {str(status): int(n) for status, n in rows}


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    engine: str
    planned: int
    sent: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    emulator_cpu: float = 0.0
    violations: int = 0
    times: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    outbox: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.sent / self.wall if self.wall > 0 else 0.0

    @property
    def sustained(self) -> float:
        """The rate between the 10th and the 90th percentile of send times (steady state)."""
        times = sorted(self.times)
        if len(times) < 20:
            return self.rate
        lo, hi = len(times) // 10, len(times) * 9 // 10
        span = times[hi] - times[lo]
        return (hi - lo) / span if span > 0 else float("inf")

    @property
    def cpu_per_1000(self) -> float:
        return self.cpu / self.sent * 1000 if self.sent else float("nan")


def done(r: Result) -> str:
    return (
        f"  done: {r.sent} sent in {r.wall:.1f} s, CPU {r.cpu:.2f} s ({r.cpu_per_1000:.2f} s/1000)"
    )


class CountingSender:
    """Wraps the gateway to count accepted sends and when they happened (a few ns each)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.times: list[float] = []
        self.failures: Counter[str] = Counter()

    async def send(self, to: Any, reply: Any) -> str:
        from core.delivery import DeliveryError

        try:
            message_id: str = await self.inner.send(to, reply)
        except DeliveryError as exc:
            self.failures[exc.failure.value] += 1
            raise
        self.times.append(time.monotonic())
        return message_id


@contextlib.asynccontextmanager
async def progress(label: str, total: int, count: Callable[[], int]) -> AsyncIterator[None]:
    started = time.monotonic()

    async def report() -> None:
        while True:
            await asyncio.sleep(2.0)
            done, elapsed = count(), time.monotonic() - started
            log(f"  [{label}] {done}/{total} sent, {elapsed:5.1f} s, {done / elapsed:7.1f} msg/s")

    task = asyncio.create_task(report())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.contextmanager
def maybe_profile(enabled: bool, label: str) -> Any:
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        path = Path(tempfile.gettempdir()) / f"bench-delivery-{label}.pstats"
        profiler.dump_stats(path)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        log(f"--- cProfile of {label} (saved to {path}) ---\n{out.getvalue()}")


async def telegram_gateway(world: World, api_url: str, *, ptb_limiter: bool) -> tuple[Any, Any]:
    """The Telegram channel and gateway, built the way bot/app.py builds them."""
    from bot.harness import DEMO_TOKEN
    from channels.gateway import Gateway
    from channels.telegram import TelegramChannel, TelegramConfig
    from handlers import build_router

    channel = TelegramChannel(
        TelegramConfig(token=DEMO_TOKEN, api_url=api_url, poll_timeout=1), gateway=None
    )
    await channel.initialize()
    gateway = Gateway(build_router(world.services))
    channel.gateway = gateway
    gateway.attach(channel)
    if not ptb_limiter:
        channel.app.bot._rate_limiter = None  # the b-raw scenario only: not a shipped setup
    return channel, gateway


async def run_deliverer(
    label: str,
    world: World,
    emu: EmulatorProcess,
    client: Any,
    *,
    enforce: bool,
    pacing: bool,
    ptb_limiter: bool,
    window: float | None,
    profile: bool,
) -> Result:
    from jobs.delivery import Deliverer, DeliveryConfig

    n = len(world.member_chats)
    await client.set_rate_limit(enforce, 30, 1)
    enqueue_seconds = await refill_outbox(world)
    config = DeliveryConfig() if pacing else DeliveryConfig(per_second=1e9, per_chat_interval=0)
    channel, gateway = await telegram_gateway(world, emu.url, ptb_limiter=ptb_limiter)
    sender = CountingSender(gateway)
    deliverer = Deliverer(
        world.services, sender, frozenset(gateway.channels), worker=f"bench-{label}", config=config
    )
    result = Result(label, world.engine, n)
    expected_rate = 29.0 if (pacing or ptb_limiter) else 500.0
    deadline = n / expected_rate * 2 + 60
    violations_before = (await client.rate_limit_status())["violations"]
    emu_cpu, cpu, wall = emu.cpu_seconds(), time.process_time(), time.perf_counter()
    try:
        with maybe_profile(profile, label):
            async with progress(label, n, lambda: len(sender.times)):
                if window is None:
                    await asyncio.wait_for(
                        deliverer.drain(rounds=n // config.batch + 100), deadline
                    )
                else:
                    stop = asyncio.Event()
                    asyncio.get_running_loop().call_later(window, stop.set)
                    await asyncio.wait_for(deliverer.run(stop), window + 60)
    except TimeoutError:
        result.note = f"TIMEOUT after {deadline:.0f} s"
    result.wall = time.perf_counter() - wall
    result.cpu = time.process_time() - cpu
    result.emulator_cpu = emu.cpu_seconds() - emu_cpu
    result.sent = len(sender.times)
    result.times = sender.times
    result.failures = sender.failures
    result.violations = (await client.rate_limit_status())["violations"] - violations_before
    result.outbox = await outbox_counts(world)
    await channel.stop()
    extra = f"; window {window:.0f} s" if window is not None else ""
    result.note = (result.note + f" enqueue {n} rows: {enqueue_seconds:.2f} s{extra}").strip()
    await client.set_rate_limit(False)
    return result


async def run_baseline(
    world: World, emu: EmulatorProcess, client: Any, *, profile: bool
) -> Result:
    """A plain loop of PTB send_message with AIORateLimiter: the same texts, buttons, chats."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.harness import DEMO_TOKEN
    from core.reminders import reminder_reply

    await client.set_rate_limit(False)
    reply = reminder_reply(world.services, world.meeting, 120, first=True)
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.payload) for b in row]
            for row in reply.buttons
        ]
    )
    chats = list(world.member_chats.values())
    bot = ExtBot(DEMO_TOKEN, base_url=f"{emu.url}/bot", rate_limiter=AIORateLimiter())
    await bot.initialize()
    result = Result("c", "-", len(chats))
    deadline = len(chats) / 29 * 2 + 60

    async def loop() -> None:
        for chat in chats:
            await bot.send_message(chat, reply.text, reply_markup=markup)
            result.times.append(time.monotonic())

    emu_cpu, cpu, wall = emu.cpu_seconds(), time.process_time(), time.perf_counter()
    try:
        with maybe_profile(profile, "c"):
            async with progress("c", len(chats), lambda: len(result.times)):
                await asyncio.wait_for(loop(), deadline)
    except TimeoutError:
        result.note = f"TIMEOUT after {deadline:.0f} s"
    result.wall = time.perf_counter() - wall
    result.cpu = time.process_time() - cpu
    result.emulator_cpu = emu.cpu_seconds() - emu_cpu
    result.sent = len(result.times)
    await bot.shutdown()
    return result


# --- reporting ------------------------------------------------------------------------------


PRODUCT = {"bot", "channels", "core", "handlers", "jobs", "db", "emulator"}  # for revision()


def command_line(module: str, given: list[str]) -> str:
    """How this run was started, for the results table, without database passwords."""
    shown = [re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:…@", a) for a in given]
    return shlex.join([".venv/bin/python", "-m", module, *shown])


def revision() -> str:
    """The commit measured, and which product files differed from it (work in progress)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [
        line[3:]
        for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        if line[3:].split("/")[0] in PRODUCT
    ]
    return head + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("python-telegram-bot", "SQLAlchemy", "aiosqlite", "asyncpg", "httpx"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    return {
        "nproc": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "cpu": model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def table(results: list[Result], baseline: Result | None) -> str:
    base = baseline.cpu_per_1000 if baseline and baseline.sent else None
    lines = [
        "| Scenario | DB | Sent / planned | Wall s | msg/s overall | msg/s sustained | 429s "
        "| CPU s | CPU s / 1000 msgs | × baseline | Emulator CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{r.cpu_per_1000 / base:.2f}" if base else "-"
        lines.append(
            f"| {TITLES[r.scenario]} | {r.engine} | {r.sent} / {r.planned} | {r.wall:.1f} "
            f"| {r.rate:.1f} | {r.sustained:.1f} | {r.violations if r.scenario != 'c' else '-'} "
            f"| {r.cpu:.2f} | {r.cpu_per_1000:.3f} | {ratio} | {r.emulator_cpu:.2f} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result], baseline: Result | None) -> list[str]:
    def mark(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    out = []
    base = baseline.cpu_per_1000 if baseline and baseline.sent else None
    for r in results:
        if r.scenario == "a":
            complete = r.sent == r.planned
            out.append(
                f"- ({r.engine}) limits enforced: sustained {r.sustained:.1f} msg/s, target ≥ "
                f"{TARGET_SUSTAINED}: {mark(r.sustained >= TARGET_SUSTAINED and complete)}; "
                f"429s {r.violations}, target 0: {mark(r.violations == 0)}"
            )
            if base:
                ratio = r.cpu_per_1000 / base
                out.append(
                    f"- ({r.engine}) CPU per message vs the baseline at the same pace: "
                    f"{ratio:.2f}×, target ≤ {TARGET_RATIO}: {mark(ratio <= TARGET_RATIO)}"
                )
        elif r.scenario in ("b", "b-raw"):
            how = "as built" if r.scenario == "b" else "without PTB's limiter"
            out.append(
                f"- ({r.engine}) raw rate, adapter {how}: {r.sustained:.0f} msg/s sustained, "
                f"target ≥ {TARGET_RAW:.0f}: {mark(r.sustained >= TARGET_RAW)}"
            )
    return out


def details(results: list[Result]) -> list[str]:
    out = []
    for r in results:
        parts = [
            f"outbox after: {r.outbox}" if r.outbox else "",
            f"send errors: {dict(r.failures)}" if r.failures else "",
            r.note,
        ]
        text = "; ".join(p for p in parts if p)
        if text:
            out.append(f"- {r.scenario} ({r.engine}): {text}")
    return out


def section_key(results: list[Result]) -> str:
    return "+".join(sorted({r.engine for r in results})).lower() or "baseline"


def report(results: list[Result], baseline: Result | None, command: str) -> str:
    info = machine()
    everything = [*results, *([baseline] if baseline else [])]
    key = section_key(results)
    return "\n".join(
        [
            MARK.format(key=key, end="start"),
            f"### Delivery ({key}) — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            f"Command: `{command}`",
            "",
            f"Code: {revision()}",
            "",
            f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['python']}, {info['os']}; "
            f"{info['packages']}. The emulator ran in its own process.",
            "",
            table(everything, baseline),
            "",
            "Targets:",
            *verdicts(results, baseline),
            "",
            "Details:",
            *details(everything),
            MARK.format(key=key, end="end"),
        ]
    )


def write_docs(section: str) -> None:
    """Replace this section (same engines) in docs/BENCHMARKS.md, or append it."""
    start, end = section.splitlines()[0], section.splitlines()[-1]
    if DOCS.exists():
        text = DOCS.read_text(encoding="utf-8")
        if start in text and end in text:
            head, rest = text.split(start, 1)
            tail = rest.split(end, 1)[1]
            DOCS.write_text(head + section + tail, encoding="utf-8")
            return
        DOCS.write_text(text.rstrip() + "\n\n" + section + "\n", encoding="utf-8")
        return
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text("# Benchmarks\n\n" + section + "\n", encoding="utf-8")


# --- main -----------------------------------------------------------------------------------


async def run_engine(
    args: argparse.Namespace,
    admin: str | None,
    emu: EmulatorProcess,
    client: Any,
    chosen: list[str],
    results: list[Result],
) -> Result | None:
    """The deliverer scenarios on one engine; the baseline too when asked (returned)."""
    baseline = None
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as workdir:
        url, drop = await make_database(admin, Path(workdir))
        try:
            world = await seed(url, args.members)
            log(f"{world.engine}: {args.members} members linked, database ready")
            for name in [c for c in chosen if c != "c"]:
                log(f"scenario {TITLES[name]} on {world.engine}")
                result = await run_deliverer(
                    name,
                    world,
                    emu,
                    client,
                    enforce=name == "a",
                    pacing=name == "a",
                    ptb_limiter=name != "b-raw",
                    window=args.raw_window if name == "b" else None,
                    profile=args.profile == name,
                )
                results.append(result)
                log(done(result))
            if "c" in chosen:
                log(f"scenario {TITLES['c']}")
                baseline = await run_baseline(world, emu, client, profile=args.profile == "c")
                log(done(baseline))
            await world.services.db.dispose()
        finally:
            await drop()
    return baseline


async def run(args: argparse.Namespace, command: str) -> str:
    from bot.harness import DEMO_TOKEN
    from emulator.client import EmulatorClient

    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenario(s): {sorted(unknown)}; choose from {SCENARIOS}")
    engines: list[str | None] = [] if args.postgres_only else [None]
    if args.postgres:
        engines.append(args.postgres)
    results: list[Result] = []
    baseline: Result | None = None
    log(f"starting the emulator (separate process); {args.members} members")
    async with emulator_process() as emu:
        client = EmulatorClient(emu.url, DEMO_TOKEN, timeout=30)
        try:
            await client.register_users(
                first_id=FIRST_USER, count=args.members, first_name="Đảng viên"
            )
            for admin in engines:
                wanted = chosen if baseline is None else [c for c in chosen if c != "c"]
                baseline = await run_engine(args, admin, emu, client, wanted, results) or baseline
        finally:
            await client.aclose()
    return report(results, baseline, command)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.delivery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--members", type=int, default=3000, help="members = reminders (default 3000)"
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, from {','.join(SCENARIOS)}",
    )
    parser.add_argument(
        "--raw-window", type=float, default=20.0, help="seconds to measure scenario b (default 20)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL: an admin URL (postgresql+asyncpg://…/postgres); a fresh "
        "database is created and dropped",
    )
    parser.add_argument(
        "--postgres-only", action="store_true", help="with --postgres: skip SQLite"
    )
    parser.add_argument(
        "--profile", choices=SCENARIOS, help="cProfile one scenario (inflates its CPU)"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.members < 1:
        parser.error("--members must be at least 1")
    if args.postgres_only and not args.postgres:
        parser.error("--postgres-only needs --postgres")
    if args.postgres and "127.0.0.1" not in args.postgres and "localhost" not in args.postgres:
        parser.error("--postgres must point at 127.0.0.1 (the benchmark talks to loopback only)")
    given = argv if argv is not None else sys.argv[1:]
    command = command_line("bench.delivery", given)
    section = asyncio.run(run(args, command))
    print(section)
    if not args.no_docs and not args.profile:
        write_docs(section)
        log(f"written to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
