"""Two real bot processes in webhook mode share one PostgreSQL database.

One emulator on 127.0.0.1 plays Telegram and Zalo; two `python -m bot run` subprocesses
listen on their own ports against the same fresh PostgreSQL database (created and migrated by
the test, dropped after it). A broadcast is put in the outbox after both are up; each
process's delivery worker claims batches with `SKIP LOCKED` (core/deliveries.py), so every
member must get the message exactly once, and both workers must have sent part of it. Which
worker holds a batch is read from `outbox.claimed_by` while it is in 'sending' (the column is
cleared when the batch is recorded), so the test samples it while the broadcast runs.

`DELIVERY_RATE` is per process: the Telegram limit (~30 msg/s) is per bot token, so each of
the two processes runs at 14 msg/s (docs/CAPACITY.md). The emulator enforces 30 msg/s
overall and 1 msg/s per chat; its 429s are counted.

While the broadcast runs, people write to the bot on Telegram and on Zalo, once through each
process: the emulator's webhook is pointed at one process, then at the other (each process
registers its own URL at start-up; the last one wins, as behind a real proxy only one URL is
registered and the proxy picks the process).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import SystemClock
from bot.harness import DEMO_TOKEN, DEMO_ZALO_TOKEN, link_members
from bot.settings import Settings
from core.context import CoreConfig, Services
from core.messages import Button, Reply
from core.outbox import Message, enqueue
from core.quiet import NO_QUIET_HOURS
from core.units import add_unit
from db import migrate
from db.engine import Database
from db.models import Outbox, OutboxStatus, UnitKind
from emulator import Emulator, EmulatorClient, ZaloEmulatorClient
from emulator.client import EmulatedUser
from emulator.zalo_client import ZaloEmulatedUser

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get(
    "CHIBO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
FIRST_USER = 920_000
STRANGERS = 990_000  # Telegram users who write to the bot (not in the broadcast)
SECRET = "scale-out-webhook-secret"
PER_PROCESS_RATE = 14.0  # x 2 processes: under the ~30 msg/s of one bot token
PLATFORM_RATE = 30.0


# --- the database and the processes -------------------------------------------------------


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test only; dropped at the end."""
    if not PG_ADMIN_URL:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is empty: PostgreSQL tests not requested")
    name = f"chibo_scale_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__})")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Bot:
    process: asyncio.subprocess.Process
    log: Path
    port: int

    @property
    def worker(self) -> str:
        """The delivery worker name bot/app.py gives this process (claimed_by)."""
        return f"{socket.gethostname()}:{self.process.pid}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def bot_env(database_url: str, emulator: Emulator, port: int) -> dict[str, str]:
    # Only our settings: nothing from the developer's environment may leak in.
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=DEMO_TOKEN,
        TELEGRAM_API_URL=emulator.url,
        ZALO_BOT_TOKEN=DEMO_ZALO_TOKEN,
        ZALO_API_URL=emulator.zalo_url,
        DATABASE_URL=database_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        QUIET_HOURS="00:00-00:00",
        DELIVERY_RATE=str(PER_PROCESS_RATE),
        # The broadcast is the only proactive traffic: no self-check period opens (after
        # 07:30 its first questions would go to every member too: the check failed then).
        SELFCHECK_FORMS="",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
async def bots(tmp_path: Path) -> AsyncIterator[Callable[[dict[str, str], int], Awaitable[Bot]]]:
    """Starts bot processes (cwd = tmp_path: no .env is read); kills them all at the end."""
    started: list[Bot] = []

    async def start(env: dict[str, str], port: int) -> Bot:
        log = tmp_path / f"bot-{len(started) + 1}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=out, stderr=out
            )
        bot = Bot(process, log, port)
        started.append(bot)
        return bot

    try:
        yield start
    finally:
        for bot in started:
            if bot.process.returncode is None:
                bot.process.terminate()
        for bot in started:
            try:
                await asyncio.wait_for(bot.process.wait(), 15)
            except TimeoutError:
                bot.process.kill()
                await bot.process.wait()


async def wait_for(
    what: str, check: Callable[[], Awaitable[bool]], seconds: float, bots: list[Bot]
) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        for bot in bots:
            if bot.process.returncode is not None:
                pytest.fail(f"a bot exited ({bot.process.returncode}) while {what}:\n{bot.tail()}")
        if time.monotonic() > deadline:
            tails = "\n---\n".join(bot.tail() for bot in bots)
            pytest.fail(f"timed out after {seconds:.0f} s {what}:\n{tails}")
        await asyncio.sleep(0.1)


async def healthy(http: aiohttp.ClientSession, bot: Bot) -> bool:
    try:
        async with http.get(f"{bot.base}/health") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


# --- the scene ------------------------------------------------------------------------------


async def seed_members(services: Services, members: int) -> list[int]:
    """A cell of `members` members linked on Telegram (user id = chat id): member ids."""
    await add_unit(services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã", parent=None, code="du")
    cell = await add_unit(
        services, kind=UnitKind.CELL, name="Chi bộ ấp Hai", parent="du", code=None
    )
    users = [FIRST_USER + i for i in range(members)]
    return list((await link_members(services, cell.id, users)).values())


async def broadcast(services: Services, member_ids: list[int]) -> None:
    """One announcement per member in the outbox, due now (as core.announcements queues it)."""
    now = services.clock.now()
    reply = Reply(
        "Thông báo: họp chi bộ thường kỳ tối thứ Năm, 19:30 tại nhà văn hóa ấp.",
        ((Button("Đã đọc", "anr:1"),),),
    )
    messages = [
        Message(key=f"ann:1:{m}", kind="announcement", reply=reply, member_id=m, not_before=now)
        for m in member_ids
    ]
    async with services.db.unit_of_work() as uow:
        assert await enqueue(uow.session, services, now, messages) == len(member_ids)
        await uow.commit()


@dataclass
class Claims:
    """Outbox row ids seen in 'sending', by the worker that held them."""

    by_worker: dict[str, set[int]] = field(default_factory=dict)

    async def sample(self, services: Services) -> None:
        async with services.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(Outbox.id, Outbox.claimed_by).where(Outbox.status == OutboxStatus.SENDING)
            )
            for row_id, worker in rows:
                self.by_worker.setdefault(worker or "?", set()).add(row_id)


async def outbox_left(services: Services) -> int:
    async with services.db.unit_of_work() as uow:
        found = await uow.session.scalar(
            select(Outbox.id)
            .where(Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
            .limit(1)
        )
        return 0 if found is None else 1


async def point_webhooks(http: aiohttp.ClientSession, emulator: Emulator, bot: Bot) -> None:
    """Let the emulator deliver updates of both platforms to `bot` (as a proxy would)."""
    targets = (
        (f"{emulator.url}/bot{DEMO_TOKEN}/setWebhook", f"{bot.base}/hook/telegram"),
        (f"{emulator.zalo_url}/bot{DEMO_ZALO_TOKEN}/setWebhook", f"{bot.base}/hook/zalo"),
    )
    for api, url in targets:
        async with http.post(api, json={"url": url, "secret_token": SECRET}) as response:
            assert response.status == 200, await response.text()


async def conversations(
    http: aiohttp.ClientSession,
    emulator: Emulator,
    telegram: EmulatorClient,
    zalo: ZaloEmulatorClient,
    bots: list[Bot],
) -> list[str]:
    """A new person writes on each platform through each process; what answered."""
    answered = []
    for index, bot in enumerate(bots):
        await point_webhooks(http, emulator, bot)
        person = EmulatedUser(telegram, STRANGERS + index, "Lan")
        replies = await person.say("/start", expect=1, timeout=30)
        assert replies and replies[0].text, f"no Telegram reply through {bot.worker}"
        zalo_person = ZaloEmulatedUser(zalo, f"zalo-scale-{index}", "Hùng")
        zalo_replies = await zalo_person.say("xin chào", expect=1, timeout=30)
        assert zalo_replies and zalo_replies[0].text, f"no Zalo reply through {bot.worker}"
        answered.append(f"process {index + 1}: telegram and zalo answered")
    return answered


# --- the check ------------------------------------------------------------------------------


async def run_broadcast(
    members: int,
    database_url: str,
    bots: Callable[[dict[str, str], int], Awaitable[Bot]],
    figure: Callable[[str], None],
) -> None:
    services = Services(
        Database(database_url), SystemClock(), CoreConfig(quiet_hours=NO_QUIET_HOURS)
    )
    async with Emulator() as emulator, aiohttp.ClientSession() as http:
        telegram = EmulatorClient(emulator.url, DEMO_TOKEN)
        zalo = ZaloEmulatorClient(emulator.url, DEMO_ZALO_TOKEN)
        try:
            member_ids = await seed_members(services, members)
            await telegram.register_users(first_id=FIRST_USER, count=members)
            await telegram.register_users([STRANGERS, STRANGERS + 1])
            await telegram.set_rate_limit(True, PLATFORM_RATE, 1.0)
            ports = [free_port(), free_port()]
            started = [await bots(bot_env(database_url, emulator, port), port) for port in ports]

            async def all_healthy() -> bool:
                return all([await healthy(http, bot) for bot in started])

            await wait_for("starting both processes", all_healthy, 60, started)

            began = time.monotonic()
            await broadcast(services, member_ids)
            claims = Claims()
            talks = asyncio.create_task(conversations(http, emulator, telegram, zalo, started))

            async def done() -> bool:
                await claims.sample(services)
                return await outbox_left(services) == 0

            await wait_for("delivering the broadcast", done, 30 + members / 10, started)
            wall = time.monotonic() - began
            answered = await asyncio.wait_for(talks, 90)
            calls = await telegram.calls("sendMessage")
            limits = await telegram.rate_limit_status()
        finally:
            await telegram.aclose()
            await zalo.aclose()
            await services.db.dispose()

    chats = set(range(FIRST_USER, FIRST_USER + members))
    accepted = Counter(c.chat_id for c in calls if c.status == 200 and c.chat_id in chats)
    lost = [c for c in chats if accepted[c] == 0]
    duplicates = {c: n for c, n in accepted.items() if n > 1}
    a, b = (claims.by_worker.get(bot.worker, set()) for bot in started)
    figure(
        f"{members} messages by 2 processes: worker A {len(a)}, worker B {len(b)}, "
        f"duplicates {len(duplicates)}, lost {len(lost)}, wall {wall:.0f} s "
        f"({members / wall:.1f} msg/s; the emulator's 30 msg/s limit answered "
        f"{limits['violations']} x 429, rows retried by the other worker {len(a & b)}); "
        "updates through each process answered on Telegram and Zalo"
    )
    assert lost == []
    assert duplicates == {}
    assert a and b, f"one worker sent nothing: {claims.by_worker.keys()}"
    # A row answered 429 goes back to the queue and may be taken by the other worker; any
    # other row held by both would have been claimed twice.
    assert len(a & b) <= limits["violations"], "a row was claimed by both workers"
    assert set(claims.by_worker) <= {started[0].worker, started[1].worker}
    assert len(answered) == 2


async def test_two_processes_share_a_200_member_broadcast_and_both_answer_updates(
    shared_database: str,
    bots: Callable[[dict[str, str], int], Awaitable[Bot]],
    figure: Callable[[str], None],
) -> None:
    """Two bot processes on one PostgreSQL database deliver a 200-member broadcast together
    with no duplicate and nothing lost, and each answers the updates it receives."""
    await run_broadcast(200, shared_database, bots, figure)


@pytest.mark.slow
async def test_two_processes_share_a_2000_member_broadcast_and_both_answer_updates(
    shared_database: str,
    bots: Callable[[dict[str, str], int], Awaitable[Bot]],
    figure: Callable[[str], None],
) -> None:
    """Two bot processes on one PostgreSQL database deliver a 2,000-member broadcast together
    with no duplicate and nothing lost, and each answers the updates it receives."""
    await run_broadcast(2000, shared_database, bots, figure)
