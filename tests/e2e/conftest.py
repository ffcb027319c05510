"""Fixtures for the end-to-end tests: the real bot polling the local emulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.harness import Harness, running_bot


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    """A fresh emulator and the real bot on a migrated, empty SQLite file."""
    async with running_bot(sqlite_url, migrate_first=False) as harness:
        yield harness
