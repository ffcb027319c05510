"""Fixtures for the end-to-end tests: the real bot polling the local emulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.harness import Harness, running_bot
from core.clock import ManualClock


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    """A fresh emulator and the real bot on a migrated, empty SQLite file."""
    async with running_bot(sqlite_url, migrate_first=False) as harness:
        yield harness


@pytest.fixture(params=["telegram", "zalo"])
async def on_channel(
    request: pytest.FixtureRequest, sqlite_url: str, clock: ManualClock
) -> AsyncIterator[Harness]:
    """The bot on one channel (Telegram, then Zalo) with a manual clock: `h.person` puts
    people there, so a scenario written with `Person` runs on both."""
    async with running_bot(
        sqlite_url, migrate_first=False, clock=clock, channel=request.param
    ) as harness:
        yield harness
