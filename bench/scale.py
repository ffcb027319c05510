"""Scale benchmark: the real router on a generated district (SQLite) or province (PostgreSQL).

    .venv/bin/python -m bench.scale                      # district, temporary SQLite file (~2 min)
    .venv/bin/python -m bench.scale --scale province \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/chibo_bench_scale   # ~15 min
    .venv/bin/python -m bench.scale --scale province --reuse \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/chibo_scale_province \\
        --today 2026-11-27                               # a database `chibo seed` filled before

Steps (each reported, a missing command is reported "not available" instead of failing):

1. A fresh migrated database (a new SQLite file, or a new PostgreSQL database created here and
   dropped at the end unless --keep), filled by bot.seed.generate (its time is measured; on
   PostgreSQL it ends with VACUUM ANALYZE); or, with --reuse, a database seeded before
   (`chibo seed --scale ... --today ...`: give the same --today here). PostgreSQL then gets a
   CHECKPOINT, so the load's dirty pages are not written out during the measurements.
2. In this process, the router exactly as the bot builds it (handlers.build_router over
   Services with bot.app.core_config of the harness settings; the clock fixed at the seed's
   "now", today 12:00 in Asia/Ho_Chi_Minh), and `Incoming` messages as the real accounts of
   the generated people (Telegram ids from the database): `/tinhhinh` from the secretaries of
   --cells different cells, then every drill-down button of the first 10 answers; `/tonghop`
   from the staff of --communes committees (the biggest first) and from the top unit's staff;
   «Xuất Excel» (this month's workbook) for one commune and for the top unit. Each
   dispatch is timed (wall clock, perf_counter) and its SQL statements counted; 3 warm-up
   dispatches are not counted. An answer that is an internal error, "unknown command" or a
   refusal counts as an error.
3. The top unit's roll-up workbook for the whole window (12 months) with
   core.rollup.write_rollup_workbook (what `chibo report --unit` writes), timed.
4. RSS: the real bot as a separate process (`python -m bot run`, Telegram via the emulator
   run in this process, SELFCHECK_FORMS=monthly, everything else default) on the same
   database; it serves the same commands from the same accounts through the emulator (and
   «Xuất Excel» of the top unit) and runs its jobs (every minute: reminders, self-check
   periods, duties, delivery) for at least --rss-seconds. Its VmRSS is sampled from /proc
   every 0.25 s: after start-up, the peak (VmHWM) and at the end are reported.
5. With --jobs: one tick of each scheduler job (reminders, self-check periods, duty reminders,
   housekeeping), each in a fresh process with job_state cleared (as on a first start): time,
   VmRSS before and VmHWM after, SQL statements. This shows where the bot's memory goes.

The results table goes to stdout and into docs/BENCHMARKS.md (between bench.scale markers).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.delivery import DOCS, ROOT, command_line, log, machine, revision, write_docs
from bench.selfcheck import make_database, maybe_profile

MARK = "<!-- bench.scale:{key}:{end} -->"
TARGET_STATUS_P95_MS = 50.0
TARGET_ROLLUP_MS = 300.0
TARGET_EXPORT_S = 30.0
TARGET_RSS_MB = 200.0
WARMUP = 3


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Series:
    """Timed dispatches of one kind."""

    name: str
    available: bool = True
    latencies: list[float] = field(default_factory=list)  # seconds
    statements: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    note: str = ""

    def p(self, q: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        data = sorted(self.latencies)
        if not data:
            return float("nan")
        return data[max(0, math.ceil(q / 100 * len(data)) - 1)] * 1000

    @property
    def sql(self) -> str:
        return f"{statistics.mean(self.statements):.1f}" if self.statements else "-"


class Statements:
    """Counts the SQL statements the engine sends (an event on the sync engine)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


@dataclass
class World:
    url: str
    engine: str  # SQLite / PostgreSQL
    scale: str
    today: date
    services: Any
    router: Any
    counter: Statements
    rows: dict[str, int]
    seed_seconds: float | None
    secretaries: list[tuple[int, str]]  # (cell id, telegram id)
    communes: list[tuple[int, str, int]]  # (unit id, staff telegram id, cells below)
    top: tuple[int, str] | None  # (unit id, staff telegram id)


def errors_of(outcome: Any) -> str | None:
    from core.texts import t

    bad = {t("internal_error"), t("unknown_command"), t("not_allowed"), t("stale_button")}
    texts = [r.text for r in outcome.replies]
    if not texts:
        return "no answer"
    for text in texts:
        if text in bad:
            return str(text)[:80]
    return None


async def dispatch(
    world: World, who: str, text: str | None = None, payload: str | None = None
) -> tuple[float, int, Any]:
    from core.messages import Incoming

    incoming = Incoming("telegram", who, who, text=text, payload=payload, sender_name="Bench")
    before = world.counter.count
    started = time.perf_counter()
    outcome = await world.router.dispatch(incoming)
    return time.perf_counter() - started, world.counter.count - before, outcome


async def run_series(
    world: World,
    series: Series,
    calls: list[tuple[str, str | None, str | None]],
    keep: Callable[[Any], None] | None = None,
) -> None:
    for who, text, payload in calls:
        seconds, statements, outcome = await dispatch(world, who, text, payload)
        problem = errors_of(outcome)
        if problem:
            series.errors.append(problem)
            continue
        series.latencies.append(seconds)
        series.statements.append(statements)
        if keep:
            keep(outcome)


async def settle(url: str) -> None:
    """PostgreSQL: CHECKPOINT, so the writes of the generator are not flushed during the
    measurements (needs a superuser; skipped otherwise)."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CHECKPOINT"))
    except Exception as exc:
        log(f"CHECKPOINT skipped: {type(exc).__name__}")
    finally:
        await engine.dispose()


# --- the world ------------------------------------------------------------------------------


async def build_world(args: argparse.Namespace, url: str, seeded: Any) -> World:
    from sqlalchemy import text

    from bot.app import core_config
    from bot.harness import harness_settings
    from bot.seed import local
    from core.clock import ManualClock
    from core.context import Services
    from db.engine import Database
    from handlers import build_router

    settings = harness_settings(url, "http://127.0.0.1:9", selfcheck_forms="monthly")
    database = Database(url)
    services = Services(database, ManualClock(local(args.today, 12)), core_config(settings))
    router = build_router(services)
    counter = Statements(database.engine)
    async with database.engine.connect() as conn:

        async def q(sql: str) -> list[Any]:
            return list((await conn.execute(text(sql))).all())

        rows = {
            name: int((await q(f"SELECT COUNT(*) FROM {name}"))[0][0])
            for name in ("units", "members", "meetings", "attendance", "selfchecks", "duties")
        }
        if not rows["members"]:
            raise SystemExit(f"{url}: no members (seed it first, or drop --reuse)")
        secretaries = [
            (int(r[0]), str(r[1]))
            for r in await q(
                "SELECT r.unit_id, a.external_id FROM member_roles r "
                "JOIN channel_accounts a ON a.member_id = r.member_id AND a.channel = 'telegram' "
                "WHERE r.role = 'secretary' ORDER BY r.unit_id"
            )
        ]
        communes = [
            (int(r[0]), str(r[1]), int(r[2]))
            for r in await q(
                "SELECT u.id, MIN(a.external_id), "
                "(SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id) AS cells "
                "FROM units u JOIN member_roles r ON r.unit_id = u.id AND r.role = 'staff' "
                "JOIN channel_accounts a ON a.member_id = r.member_id AND a.channel = 'telegram' "
                "WHERE u.kind = 'committee' GROUP BY u.id ORDER BY cells DESC, u.id"
            )
        ]
        tops = await q(
            "SELECT u.id, MIN(a.external_id) FROM units u "
            "JOIN member_roles r ON r.unit_id = u.id AND r.role = 'staff' "
            "JOIN channel_accounts a ON a.member_id = r.member_id AND a.channel = 'telegram' "
            "WHERE u.parent_id IS NULL GROUP BY u.id ORDER BY u.id"
        )
    engine = "PostgreSQL" if database.dialect == "postgresql" else "SQLite"
    return World(
        url=url,
        engine=engine,
        scale=args.scale,
        today=args.today,
        services=services,
        router=router,
        counter=counter,
        rows=seeded.rows if seeded else rows,
        seed_seconds=seeded.seconds if seeded else None,
        secretaries=secretaries,
        communes=communes,
        top=(int(tops[0][0]), str(tops[0][1])) if tops else None,
    )


# --- in-process timings ---------------------------------------------------------------------


async def measure_router(world: World, args: argparse.Namespace) -> list[Series]:
    commands = world.router.command_names
    rng = random.Random(args.seed)
    out: list[Series] = []

    status = Series(f"/tinhhinh, {args.cells} cells (secretaries)")
    drills = Series("/tinhhinh drill-down buttons (first 10 cells)")
    out += [status, drills]
    if "tinhhinh" not in commands:
        status.available = drills.available = False
    else:
        picked = rng.sample(world.secretaries, k=min(len(world.secretaries), args.cells + WARMUP))
        warm, timed = picked[:WARMUP], picked[WARMUP:]
        await run_series(world, Series("warm-up"), [(w, "/tinhhinh", None) for _, w in warm])
        answers: list[Any] = []
        calls = [(w, "/tinhhinh", None) for _, w in timed] * args.repeat
        with maybe_profile(args.profile == "tinhhinh", "tinhhinh"):
            await run_series(world, status, calls, keep=lambda o: answers.append(o))
        presses: list[tuple[str, str | None, str | None]] = [
            (who, None, b.payload)
            for (_, who), outcome in zip(timed[:10], answers[:10], strict=False)
            for reply in outcome.replies
            for b in reply.button_list()
        ]
        await run_series(world, drills, presses)

    rollup = Series(f"/tonghop, {min(args.communes, len(world.communes))} committees (staff)")
    top = Series("/tonghop of the top unit (its staff)")
    export_commune = Series("«Xuất Excel» of the biggest commune (this month)")
    export_top = Series("«Xuất Excel» of the top unit (this month)")
    out += [rollup, top, export_commune, export_top]
    if "tonghop" not in commands:
        for s in (rollup, top, export_commune, export_top):
            s.available = False
        return out
    chosen = world.communes[: args.communes]
    await run_series(world, Series("warm-up"), [(w, "/tonghop", None) for _, w, _ in chosen[:1]])
    exports: dict[str, list[str]] = {}

    def keep_export(who: str) -> Callable[[Any], None]:
        from core.texts import t

        def keep(outcome: Any) -> None:
            for reply in outcome.replies:
                for b in reply.button_list():
                    if b.label == t("rollup_btn_export"):
                        exports.setdefault(who, []).append(b.payload)

        return keep

    with maybe_profile(args.profile == "tonghop", "tonghop"):
        for _ in range(args.repeat):
            for _, who, _ in chosen:
                await run_series(world, rollup, [(who, "/tonghop", None)], keep_export(who))
    rollup.note = "cells below each: " + ", ".join(str(n) for _, _, n in chosen)
    if world.top:
        who = world.top[1]
        await run_series(world, top, [(who, "/tonghop", None)] * args.repeat, keep_export(who))
    with maybe_profile(args.profile == "export", "export"):
        targets: list[tuple[Series, str | None]] = [
            (export_commune, chosen[0][1] if chosen else None),
            (export_top, world.top[1] if world.top else None),
        ]
        for series, asker in targets:
            payload = exports.get(asker or "", [None])[0]
            if asker is None or payload is None:
                series.available = False
                continue
            if series is export_commune:  # the first workbook imports openpyxl: not counted
                await run_series(world, Series("warm-up"), [(asker, None, payload)])
            await run_series(world, series, [(asker, None, payload)])
    return out


@dataclass
class Workbook:
    available: bool
    seconds: float = 0.0
    size: int = 0
    cells: int = 0
    error: str = ""


async def measure_workbook(world: World, args: argparse.Namespace, workdir: Path) -> Workbook:
    try:
        from core.rollup import write_rollup_workbook
    except ImportError:
        return Workbook(False)
    if world.top is None:
        return Workbook(False, error="no top unit")
    from bot.seed import month_start

    path = workdir / "rollup.xlsx"
    start = month_start(world.today, -(args.months - 1))
    begun = time.perf_counter()
    try:
        with maybe_profile(args.profile == "workbook", "workbook"):
            await write_rollup_workbook(world.services, world.top[0], start, world.today, path)
    except Exception as exc:
        return Workbook(True, error=f"{type(exc).__name__}: {exc}"[:200])
    seconds = time.perf_counter() - begun
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
    book.close()
    return Workbook(True, seconds, path.stat().st_size, rows)


# --- RSS of the real bot process ------------------------------------------------------------


@dataclass
class Memory:
    ran: bool = False
    started_mb: float = 0.0
    peak_mb: float = 0.0
    end_mb: float = 0.0
    seconds: float = 0.0
    e2e: Series = field(default_factory=lambda: Series("/tinhhinh through the emulator"))
    replies: int = 0
    asked: int = 0
    log_lines: int = 0
    error: str = ""
    timeline: str = ""  # RSS every 10 s
    failures: list[str] = field(default_factory=list)  # scheduler jobs that raised
    commands_done_at: float = 0.0  # seconds after start when the last command was answered


def _job_failures(lines: list[str]) -> list[tuple[str, str]]:
    """(APScheduler's "Job ... raised an exception" line, the exception's last line)."""
    found = []
    for i, line in enumerate(lines):
        if "raised an exception" in line and '"' in line:
            tail = next(
                (x for x in lines[i + 1 :] if x and not x.startswith((" ", "Traceback"))), "?"
            )
            found.append((line, tail[:160]))
    return found


def vm(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, or zeros once it is gone."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def measure_rss(world: World, args: argparse.Namespace, workdir: Path) -> Memory:
    from bot.harness import DEMO_TOKEN
    from core.texts import t
    from emulator.client import EmulatorClient
    from emulator.server import Emulator

    memory = Memory(ran=True)
    emulator = Emulator()
    await emulator.start()
    client = EmulatorClient(emulator.url, DEMO_TOKEN, timeout=60)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": DEMO_TOKEN,
        "TELEGRAM_API_URL": emulator.url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "DATABASE_URL": world.url,
        "CHANNELS": "telegram",
        "SELFCHECK_FORMS": "monthly",
        "LOG_LEVEL": "WARNING",
    }
    errors = workdir / "bot-stderr.log"
    with errors.open("w") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stderr=stderr
        )
    samples: list[tuple[float, float, float]] = []
    begun = time.perf_counter()
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            rss, hwm = vm(process.pid)
            samples.append((time.perf_counter() - begun, rss, hwm))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.25)

    sampler = asyncio.create_task(sample())
    try:
        # Started: the first /tinhhinh answered (polling works, the schema was checked).
        picked = random.Random(args.seed + 1).sample(
            world.secretaries, k=min(len(world.secretaries), args.cells + 1)
        )
        first = int(picked[0][1])
        sent = await client.send(first, "/tinhhinh", first_name="Bench")
        await client.events(first, after=sent.seq, min_count=1, timeout=120)
        memory.started_mb = vm(process.pid)[0]
        got: list[Any] = []
        for _, who in picked[1:]:
            user = int(who)
            memory.asked += 1
            started = time.perf_counter()
            sent = await client.send(user, "/tinhhinh", first_name="Bench")
            got = await client.events(user, after=sent.seq, min_count=1, timeout=30, quiet=0)
            if got:
                memory.e2e.latencies.append(time.perf_counter() - started)
                memory.replies += 1
            else:
                memory.e2e.errors.append("no answer in 30 s")
        staff = [w for _, w, _ in world.communes[: args.communes]]
        staff += [world.top[1]] if world.top else []
        for who in staff:
            user = int(who)
            memory.asked += 1
            sent = await client.send(user, "/tonghop", first_name="Bench")
            got = await client.events(user, after=sent.seq, min_count=1, timeout=60, quiet=0)
            memory.replies += bool(got)
        if world.top and got:
            label = t("rollup_btn_export")
            message = next((e for e in got if label in (e.labels or [])), None)
            if message is not None:
                memory.asked += 1
                pressed = await client.press(int(world.top[1]), label, message.message_id)
                files = await client.events(
                    int(world.top[1]), after=pressed.seq, min_count=1, timeout=120, quiet=0
                )
                memory.replies += bool(files)
        memory.commands_done_at = time.perf_counter() - begun
        left = args.rss_seconds - (time.perf_counter() - begun)
        if left > 0:
            await asyncio.sleep(left)  # the bot's jobs run meanwhile
        memory.end_mb = vm(process.pid)[0]
        memory.peak_mb = max(h for _, _, h in samples) if samples else 0.0
        memory.seconds = time.perf_counter() - begun
    except Exception as exc:
        memory.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        done.set()
        await sampler
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        await client.aclose()
        await emulator.stop()
    memory.peak_mb = max([memory.peak_mb, *(h for _, _, h in samples)])
    marks, step = [], 0.0
    for at, rss, _ in samples:
        if at >= step:
            marks.append(f"{at:.0f} s {rss:.0f}")
            step += 10.0
    memory.timeline = ", ".join(marks)
    memory.log_lines = len(errors.read_text(errors="replace").splitlines())
    if memory.log_lines:
        kept = Path(tempfile.gettempdir()) / "bench-scale-bot-stderr.log"
        kept.write_text(errors.read_text(errors="replace"))
        log(f"bot stderr ({memory.log_lines} lines) kept in {kept}")
        memory.failures = sorted(
            {
                line.split('"')[1].split(" (")[0] + ": " + last
                for line, last in _job_failures(kept.read_text().splitlines())
            }
        )
    return memory


# --- each job's tick in a process of its own (where the bot's memory goes) -----------------

JOBS = ("reminders", "selfcheck_periods", "duty_reminders", "housekeeping")


async def job_child(name: str, url: str) -> dict[str, Any]:
    """One tick of a scheduler job, as bot.app builds its services (system clock, harness
    settings with SELFCHECK_FORMS=monthly), job_state cleared first: VmRSS before, VmHWM
    after, time, statements. Changes the database (benchmark databases only)."""
    import traceback

    from bot.app import core_config
    from bot.clock import SystemClock
    from bot.harness import harness_settings
    from core import duty_reminders, housekeeping, reminders, selfcheck_periods
    from core.context import Services
    from db.engine import Database

    ticks: dict[str, Callable[[Any], Awaitable[Any]]] = {
        "reminders": reminders.tick,
        "selfcheck_periods": selfcheck_periods.tick,
        "duty_reminders": duty_reminders.tick,
        "housekeeping": housekeeping.sweep,
    }
    settings = harness_settings(url, "http://127.0.0.1:9", selfcheck_forms="monthly")
    database = Database(url)
    services = Services(database, SystemClock(), core_config(settings))
    counter = Statements(database.engine)
    async with database.engine.begin() as conn:  # connect (and import the driver) first
        # As on a first start: the ticks do everything due, not only what fell due since the
        # bot process above ran them (outbox rows it queued stay: their keys dedupe).
        await conn.exec_driver_sql("DELETE FROM job_state")
    before = vm(os.getpid())[0]
    started = time.perf_counter()
    error = ""
    try:
        result = await ticks[name](services)
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f for f in reversed(frames) if "/core/" in f.filename), frames[-1])
        error = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
        result = None
    seconds = time.perf_counter() - started
    await database.dispose()
    return {
        "job": name,
        "seconds": seconds,
        "rss_before": before,
        "peak": vm(os.getpid())[1],
        "statements": counter.count,
        "result": repr(result)[:160],
        "error": error,
    }


@dataclass
class JobTick:
    job: str
    seconds: float = 0.0
    rss_before: float = 0.0
    peak: float = 0.0
    statements: int = 0
    result: str = ""
    error: str = ""


async def measure_jobs(world: World) -> list[JobTick]:
    import json

    out = []
    for name in JOBS:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.scale", "--job-child", name,
            "--database-url", world.url, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        stdout, _ = await process.communicate()
        try:
            out.append(JobTick(**json.loads(stdout.decode().strip().splitlines()[-1])))
        except (ValueError, IndexError):
            out.append(JobTick(name, error=f"the child exited with {process.returncode}"))
        log(f"  job {out[-1]}")
    return out


# --- reporting ------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def job_table(jobs: list[JobTick]) -> list[str]:
    lines = [
        "| Job tick (own process) | Wall s | VmRSS before MB | VmHWM after MB | SQL statements "
        "| Result |",
        "|---|---|---|---|---|---|",
    ]
    for j in jobs:
        outcome = j.error or j.result
        lines.append(
            f"| {j.job} | {j.seconds:.1f} | {j.rss_before:.0f} | {j.peak:.0f} | {j.statements} "
            f"| {outcome.replace('|', '/')} |"
        )
    return lines


def table(series: list[Series], workbook: Workbook, memory: Memory, months: int) -> list[str]:
    lines = [
        "| Measure | Runs | p50 ms | p95 ms | p99 ms | max ms | SQL statements / run | Errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in series:
        if not s.available:
            lines.append(f"| {s.name} | not available | - | - | - | - | - | - |")
            continue
        lines.append(
            f"| {s.name} | {len(s.latencies)} | {s.p(50):.1f} | {s.p(95):.1f} | {s.p(99):.1f} "
            f"| {s.p(100):.1f} | {s.sql} | {len(s.errors)} |"
        )
    if memory.ran and memory.e2e.latencies:
        e = memory.e2e
        lines.append(
            f"| {e.name} (bot process, jobs running) | {len(e.latencies)} | {e.p(50):.1f} "
            f"| {e.p(95):.1f} | {e.p(99):.1f} | {e.p(100):.1f} | - | {len(e.errors)} |"
        )
    if workbook.available and not workbook.error:
        lines.append(
            f"| Top unit's roll-up workbook, {months} months (write_rollup_workbook) | 1 "
            f"| {workbook.seconds * 1000:.0f} | - | - | - | - | 0 |"
        )
    return lines


def verdicts(
    series: list[Series], workbook: Workbook, memory: Memory, args: argparse.Namespace
) -> list[str]:
    out = []
    status, rollup = series[0], series[2]
    if status.available and status.latencies:
        ok = status.p(95) < TARGET_STATUS_P95_MS and not status.errors
        out.append(
            f"- /tinhhinh p95 {status.p(95):.1f} ms (p99 {status.p(99):.1f} ms), "
            f"target < {TARGET_STATUS_P95_MS:.0f} ms: {mark(ok)}"
        )
    else:
        out.append("- /tinhhinh: not available in this revision")
    if rollup.available and rollup.latencies:
        worst = rollup.p(100)
        ok = worst < TARGET_ROLLUP_MS and not rollup.errors
        out.append(
            f"- commune /tonghop slowest {worst:.0f} ms (p50 {rollup.p(50):.0f} ms), "
            f"target < {TARGET_ROLLUP_MS:.0f} ms: {mark(ok)}"
        )
    else:
        out.append("- /tonghop: not available in this revision")
    if workbook.available and not workbook.error:
        ok = workbook.seconds < TARGET_EXPORT_S
        out.append(
            f"- top-level workbook ({args.months} months, {workbook.cells:,} rows, "
            f"{workbook.size / 1024:.0f} KiB) {workbook.seconds:.1f} s, target < "
            f"{TARGET_EXPORT_S:.0f} s: {mark(ok)}"
        )
    elif workbook.error:
        out.append(f"- top-level workbook: failed: {workbook.error}")
    else:
        out.append("- top-level workbook: core.rollup.write_rollup_workbook not available")
    if memory.ran and not memory.error:
        ok = memory.peak_mb < TARGET_RSS_MB
        out.append(
            f"- bot RSS: {memory.started_mb:.0f} MB after start-up, peak (VmHWM) "
            f"{memory.peak_mb:.0f} MB, {memory.end_mb:.0f} MB after {memory.seconds:.0f} s; "
            f"target < {TARGET_RSS_MB:.0f} MB: {mark(ok)}"
        )
    elif memory.error:
        out.append(
            f"- bot RSS: the run failed: {memory.error} (peak so far {memory.peak_mb:.0f} MB)"
        )
    return out


def report(
    world: World,
    series: list[Series],
    workbook: Workbook,
    memory: Memory,
    args: argparse.Namespace,
    command: str,
    jobs: list[JobTick],
) -> str:
    info = machine()
    key = f"{world.scale}-{world.engine.lower()}"
    seeded = (
        f"generated by bot.seed in {world.seed_seconds:.0f} s"
        if world.seed_seconds is not None
        else "reused (seeded before with `chibo seed`; generator time not measured in this run)"
    )
    counts = ", ".join(f"{n} {c:,}" for n, c in world.rows.items() if c)
    details = []
    for s in series:
        if s.note:
            details.append(f"- {s.name}: {s.note}")
        if s.errors:
            details.append(f"- {s.name}: {len(s.errors)} errors, first: {s.errors[:3]}")
    if memory.ran:
        details.append(
            f"- bot process: {memory.replies}/{memory.asked} commands answered through the "
            f"emulator, the last at {memory.commands_done_at:.0f} s after start; "
            f"{memory.log_lines} lines on its stderr (log level WARNING)"
        )
        details.append(f"- bot RSS (MB) over time: {memory.timeline}")
        details += [f"- bot job failed: {f}" for f in memory.failures]
    lines = table(series, workbook, memory, args.months)
    return "\n".join(
        [
            MARK.format(key=key, end="start"),
            f"### Scale ({key}) — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            "",
            f"Command: `{command}`",
            "",
            f"Code: {revision()}",
            "",
            f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['python']}, {info['os']}; "
            f"{info['packages']}. Shared with other work: timings are wall clock.",
            "",
            f"Data: {world.scale}, {world.engine}, {seeded}; today {world.today:%d/%m/%Y}; "
            f"{counts}.",
            "",
            *lines,
            *(["", *job_table(jobs)] if jobs else []),
            "",
            "Targets:",
            *verdicts(series, workbook, memory, args),
            *(["", "Details:", *details] if details else []),
            MARK.format(key=key, end="end"),
        ]
    )


# --- main -----------------------------------------------------------------------------------


async def run(args: argparse.Namespace, command: str) -> tuple[str, bool]:
    from bot.seed import generate

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = Path(tmp)
        drop: Callable[[], Awaitable[None]]
        seeded = None
        if args.reuse:
            url = args.database_url

            async def nothing() -> None:
                return None

            drop = nothing
        else:
            url, drop = await make_database(args.database_url, workdir)
            log(f"seeding {args.scale} into {re.sub(r'//[^@/]*@', '//', url)}")
            seeded = await generate(
                url, args.scale, seed=args.seed, months=args.months, today=args.today,
                progress=log,
            )  # fmt: skip
        try:
            await settle(url)
            world = await build_world(args, url, seeded)
            log(
                f"{world.engine}: {world.rows.get('members', 0):,} members; "
                f"{len(world.secretaries):,} secretaries, {len(world.communes)} committees"
            )
            series = await measure_router(world, args)
            for s in series:
                if s.available:
                    log(
                        f"  {s.name}: p50 {s.p(50):.1f} ms, p95 {s.p(95):.1f} ms, "
                        f"errors {len(s.errors)}"
                    )
                else:
                    log(f"  {s.name}: not available")
            workbook = (
                await measure_workbook(world, args, workdir)
                if not args.no_workbook
                else Workbook(False)
            )
            log(f"  workbook: {workbook}")
            await world.services.db.dispose()
            memory = await measure_rss(world, args, workdir) if not args.no_rss else Memory()
            if memory.ran:
                log(
                    f"  RSS: start {memory.started_mb:.0f} MB, peak {memory.peak_mb:.0f} MB, "
                    f"end {memory.end_mb:.0f} MB {memory.error}"
                )
            jobs = await measure_jobs(world) if args.jobs else []
            section = report(world, series, workbook, memory, args, command, jobs)
        finally:
            if args.keep and not args.reuse:
                log(f"kept {url}")
            else:
                await drop()
    ok = all(not s.errors for s in series) and not workbook.error and not memory.error
    ok = ok and not any(j.error for j in jobs)
    return section, ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", choices=("tiny", "district", "province"), default="district")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="default: a temporary SQLite file; postgresql+asyncpg://postgres@127.0.0.1:5432/NAME "
        "creates the database NAME (it must not exist) and drops it at the end (unless --keep)",
    )
    parser.add_argument("--reuse", action="store_true", help="use --database-url as seeded before")
    parser.add_argument("--keep", action="store_true", help="do not drop the created database")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the seed's today, YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed and cell sampling")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--cells", type=int, default=60, help="cells whose secretary asks")
    parser.add_argument("--communes", type=int, default=8, help="committees whose staff ask")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the same people")
    parser.add_argument(
        "--rss-seconds",
        type=float,
        default=90.0,
        help="keep the bot process running at least this long (its jobs run every minute)",
    )
    parser.add_argument("--no-rss", action="store_true", help="skip the bot process")
    parser.add_argument("--no-workbook", action="store_true", help="skip the workbook")
    parser.add_argument(
        "--profile", choices=("tinhhinh", "tonghop", "export", "workbook"), help="cProfile a part"
    )
    parser.add_argument(
        "--jobs",
        action="store_true",
        help="after the bot process, run one tick of each scheduler job in a process of its "
        "own and report its time, memory and SQL statements",
    )
    parser.add_argument("--job-child", choices=JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.job_child:
        import json

        print(json.dumps(asyncio.run(job_child(args.job_child, args.database_url))))
        return
    if args.today is None:
        from bot.seed import TZ

        args.today = datetime.now(TZ).date()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")
    url = args.database_url or ""
    if url.startswith("postgresql") and "127.0.0.1" not in url and "localhost" not in url:
        parser.error("--database-url must point at 127.0.0.1 (loopback only)")
    given = argv if argv is not None else sys.argv[1:]
    command = command_line("bench.scale", given)
    section, ok = asyncio.run(run(args, command))
    print(section)
    if not args.no_docs and not args.profile:
        write_docs(section)
        log(f"written to {DOCS.relative_to(ROOT)}")
    if not ok:
        log("FAILED: errors in the answers, the workbook or the bot process (see Details)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
