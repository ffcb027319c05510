"""The real bot against the local emulator: used by `chibo demo` and the end-to-end tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.app import BotApp
from bot.people import Person, Seen, TelegramPerson, ZaloPerson, from_telegram, from_zalo
from bot.settings import Settings
from core.clock import Clock
from core.context import Services
from db import migrate
from db.models import ChannelAccount, Member, Membership, MemberStatus
from emulator.client import EmulatedUser, EmulatorClient
from emulator.server import Emulator
from emulator.zalo_client import ZaloEmulatedUser, ZaloEmulatorClient, zalo_user_id

DEMO_TOKEN = "123456789:DEMO-offline-token-for-the-emulator"
DEMO_ZALO_TOKEN = "987654321:DEMO-offline-zalo-token"
CHANNEL_SETS = {"telegram": "telegram", "zalo": "zalo", "both": "telegram,zalo"}


@dataclass
class Harness:
    emulator: Emulator
    app: BotApp
    client: EmulatorClient
    zalo: ZaloEmulatorClient
    channel: str = "telegram"  # where `person` puts people: "telegram" or "zalo"

    def user(self, user_id: int, first_name: str, last_name: str | None = None) -> EmulatedUser:
        return EmulatedUser(self.client, user_id, first_name, last_name)

    def zalo_user(self, user_id: int, display_name: str) -> ZaloEmulatedUser:
        return ZaloEmulatedUser(self.zalo, zalo_user_id(user_id), display_name)

    def person(self, number: int, name: str, channel: str | None = None) -> Person:
        """Someone writing to the bot on `channel` (default: the harness's)."""
        if (channel or self.channel) == "zalo":
            return ZaloPerson(self.zalo_user(number, name), name)
        return TelegramPerson(self.user(number, name), name)

    async def arrivals(
        self,
        person: Person,
        after: int = 0,
        expect: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - the emulator waits, not this coroutine
    ) -> list[Seen]:
        """What the bot sent `person` after event `after`, waiting for at least `expect`."""
        if isinstance(person, ZaloPerson):
            found = await self.zalo.events(
                person.chat_id, after=after, min_count=expect, timeout=timeout
            )
            return [from_zalo(e) for e in found]
        events = await self.client.events(
            int(person.chat_id), after=after, min_count=expect, timeout=timeout
        )
        return [from_telegram(e) for e in events]


def harness_settings(
    database_url: str, api_url: str, channel: str = "telegram", **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "bot_token": DEMO_TOKEN,
        "telegram_api_url": api_url,
        "zalo_bot_token": DEMO_ZALO_TOKEN,
        "zalo_api_url": f"{api_url}/zalo",
        "channels": CHANNEL_SETS[channel],
        "database_url": database_url,
        "telegram_poll_timeout": 1,
        "zalo_poll_timeout": 1,
        "log_level": "WARNING",
        "quiet_hours": "00:00-00:00",  # tests that need quiet hours set them (and a clock)
        # No self-check periods open on their own mid-test; tests and the demo that want
        # them set the forms and call the tick.
        "selfcheck_forms": "",
        # Scripted people type faster than anyone: no flood limit unless a test sets one.
        "flood_burst": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(
    database_url: str,
    *,
    clock: Clock | None = None,
    migrate_first: bool = True,
    channel: str = "telegram",
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """Start the emulator and the bot (polling it over loopback); stop both afterwards.
    `channel`: "telegram", "zalo", or "both" (people then default to Telegram)."""
    if migrate_first:
        await asyncio.to_thread(migrate.upgrade, database_url)
    emulator = Emulator()
    await emulator.start()
    settings = harness_settings(database_url, emulator.url, channel, **overrides)
    app = BotApp(settings, clock=clock)
    client = EmulatorClient(emulator.url, DEMO_TOKEN)
    zalo = ZaloEmulatorClient(emulator.url, DEMO_ZALO_TOKEN)
    try:
        await app.start()
        people = "zalo" if channel == "zalo" else "telegram"
        yield Harness(emulator, app, client, zalo, people)
    finally:
        await app.stop()
        await client.aclose()
        await zalo.aclose()
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
