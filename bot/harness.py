"""The real bot against the local emulator: used by `chibo demo` and the end-to-end tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.app import BotApp
from bot.settings import Settings
from core.clock import Clock
from core.context import Services
from db import migrate
from db.models import ChannelAccount, Member, Membership, MemberStatus
from emulator.client import EmulatedUser, EmulatorClient
from emulator.server import Emulator

DEMO_TOKEN = "123456789:DEMO-offline-token-for-the-emulator"


@dataclass
class Harness:
    emulator: Emulator
    app: BotApp
    client: EmulatorClient

    def user(self, user_id: int, first_name: str, last_name: str | None = None) -> EmulatedUser:
        return EmulatedUser(self.client, user_id, first_name, last_name)


def harness_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": DEMO_TOKEN,
        "telegram_api_url": api_url,
        "database_url": database_url,
        "telegram_poll_timeout": 1,
        "log_level": "WARNING",
        "quiet_hours": "00:00-00:00",  # tests that need quiet hours set them (and a clock)
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(
    database_url: str, *, clock: Clock | None = None, migrate_first: bool = True, **overrides: Any
) -> AsyncIterator[Harness]:
    """Start the emulator and the bot (polling it over loopback); stop both afterwards."""
    if migrate_first:
        await asyncio.to_thread(migrate.upgrade, database_url)
    emulator = Emulator()
    await emulator.start()
    app = BotApp(harness_settings(database_url, emulator.url, **overrides), clock=clock)
    client = EmulatorClient(emulator.url, DEMO_TOKEN)
    try:
        await app.start()
        yield Harness(emulator, app, client)
    finally:
        await app.stop()
        await client.aclose()
        await emulator.stop()


async def link_members(
    services: Services, cell_id: int, user_ids: Sequence[int], channel: str = "telegram"
) -> dict[int, int]:
    """Active members of `cell_id`, each linked to one chat (user id = chat id), in one
    transaction: large audiences for the benchmark and the delivery tests. Returns
    {user id: member id}."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        people = [
            Member(
                cell_id=cell_id,
                full_name=f"Đảng viên {user}",
                phone=None,
                status=MemberStatus.ACTIVE,
                membership=Membership.FULL,
                created_at=now,
                updated_at=now,
                roles=[],
                accounts=[
                    ChannelAccount(
                        channel=channel,
                        external_id=str(user),
                        chat_id=str(user),
                        display_name=f"User {user}",
                        linked_at=now,
                    )
                ],
            )
            for user in user_ids
        ]
        uow.session.add_all(people)
        await uow.session.flush()
        linked = {user: person.id for user, person in zip(user_ids, people, strict=True)}
        await uow.commit()
    return linked
