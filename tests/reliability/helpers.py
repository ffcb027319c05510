"""What the crash checks share: real bot subprocesses (`python -m bot run`) configured through
their environment against the emulator on loopback, and waiting on them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.harness import DEMO_TOKEN
from bot.settings import Settings
from emulator import EmulatorClient

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Bot:
    process: asyncio.subprocess.Process
    log: Path

    @property
    def worker(self) -> str:
        """The delivery worker name bot/app.py gives this process (claimed_by)."""
        return f"{socket.gethostname()}:{self.process.pid}"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def bot_env(database_url: str, api_url: str, **settings: str) -> dict[str, str]:
    """The environment of a bot process: only our settings (nothing from the developer's
    environment leaks in), no quiet hours, fast polling, no self-check period (after 07:30 on
    any day its first questions would go to every member besides what the check sends);
    `settings` add or override."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=DEMO_TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=database_url,
        QUIET_HOURS="00:00-00:00",
        DELIVERY_RATE="1000",
        DELIVERY_PER_CHAT_INTERVAL="0",
        TELEGRAM_POLL_TIMEOUT="1",
        SELFCHECK_FORMS="",
        LOG_LEVEL="WARNING",
    )
    env.update(settings)
    return env


@dataclass
class Bots:
    """Starts bot processes (cwd = `folder`: no .env is read); `close` kills those left."""

    folder: Path
    started: list[Bot] = field(default_factory=list)

    async def start(self, env: dict[str, str]) -> Bot:
        log = self.folder / f"bot-{len(self.started) + 1}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=env,
                cwd=self.folder,
                stdout=out,
                stderr=out,
            )
        bot = Bot(process, log)
        self.started.append(bot)
        return bot

    async def close(self) -> None:
        for bot in self.started:
            if bot.process.returncode is None:
                bot.process.kill()
            await bot.process.wait()


async def sent_per_chat(client: EmulatorClient) -> Counter[int]:
    """Chat -> messages the emulator accepted (HTTP 200) for it."""
    calls = await client.calls("sendMessage")
    return Counter(c.chat_id for c in calls if c.status == 200 and c.chat_id is not None)


async def wait_for(
    what: str, check: Callable[[], Awaitable[bool]], seconds: float, bot: Bot
) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if bot.process.returncode is not None:
            pytest.fail(f"the bot exited ({bot.process.returncode}) while {what}:\n{bot.tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds:.0f} s {what}:\n{bot.tail()}")
        await asyncio.sleep(0.05)


async def kill(bot: Bot) -> None:
    bot.process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(bot.process.wait(), 10)
