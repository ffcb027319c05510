"""Members with a Telegram and a Zalo account: each reminder once, on the preferred channel,
on the other one when the preferred refuses (403), and leaders alerted only when neither works.

The real Deliverer runs against both engines; the recording sender stands in for the
messengers. Tám has Telegram 1003 (linked first) and Zalo z1003; the leaders and Hoa have
Telegram only.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from core import linking
from core.context import CoreConfig, Services
from core.messages import Address, Incoming
from core.outbox import Message
from core.texts import t
from db.models import ChannelAccount, Outbox, OutboxStatus
from jobs.delivery import Deliverer
from tests.jobs.helpers import RecordingSender, deliverer, note, put, row, rows
from tests.services.test_linking import add_channel, link_on
from tests.support import Cell, seed_cell

HUNG, MAI, TAM, HOA = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"
TELEGRAM = {HUNG: "1001", MAI: "1002", TAM: "1003", HOA: "1004"}
TAM_ZALO = "z1003"
BOTH = frozenset({"telegram", "zalo"})


@pytest.fixture
def config() -> CoreConfig:
    return CoreConfig(channels=BOTH, zalo_bot_name="Trợ lý Chi bộ Ấp Một")


@pytest.fixture
async def cell(services: Services) -> Cell:
    cell = await seed_cell(services)
    for name, chat in TELEGRAM.items():
        await link_on(services, cell, name, "telegram", chat)
    await add_channel(services, tam_on("telegram"), "zalo", TAM_ZALO)
    return cell


def tam_on(channel: str) -> Incoming:
    chat = TELEGRAM[TAM] if channel == "telegram" else TAM_ZALO
    return Incoming(channel, chat, chat, text="/kenh")


def worker(
    services: Services, sender: RecordingSender, channels: frozenset[str] = BOTH
) -> Deliverer:
    running = deliverer(services, sender)
    running.channels = channels
    return running


def reminders(cell: Cell, now: datetime, *keys: str, name: str = TAM) -> list[Message]:
    return [note(key, now, member_id=cell.member_ids[name]) for key in keys]


async def blocked(services: Services, channel: str, chat: str) -> bool:
    async with services.db.unit_of_work() as uow:
        at = await uow.session.scalar(
            select(ChannelAccount.blocked_at).where(
                ChannelAccount.channel == channel, ChannelAccount.chat_id == chat
            )
        )
        return at is not None


async def alerts(services: Services) -> list[Outbox]:
    return await rows(services, Outbox.kind == "alert")


async def test_reminders_go_to_the_preferred_channel(services: Services, cell: Cell) -> None:
    now = services.clock.now()
    sender = RecordingSender()
    await put(services, reminders(cell, now, "r:first"))
    await worker(services, sender).drain()
    assert sender.texts_to(TELEGRAM[TAM]) == ["r:first"]  # no choice yet: the earliest linked
    await linking.set_preferred(services, tam_on("telegram"), "zalo")
    await put(services, reminders(cell, now, "r:second"))
    await worker(services, sender).drain()
    assert sender.texts_to(TAM_ZALO) == ["r:second"]
    assert sender.texts_to(TELEGRAM[TAM]) == ["r:first"]
    assert (await row(services, "r:second")).sent_channel == "zalo"


async def test_a_refusal_on_the_preferred_channel_sends_it_once_on_the_other(
    services: Services, cell: Cell
) -> None:
    now = services.clock.now()
    await linking.set_preferred(services, tam_on("telegram"), "zalo")
    sender = RecordingSender()
    sender.refuse(TAM_ZALO)
    running = worker(services, sender)
    await put(services, reminders(cell, now, "r:1", "r:2", "r:3"))

    await running.deliver_once()  # Zalo refuses: the rows wait for the next claim
    waiting = await row(services, "r:1")
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.attempts == 0 and waiting.next_attempt_at == now
    assert waiting.last_error == "Forbidden: bot was blocked by the user"
    assert await blocked(services, "zalo", TAM_ZALO)

    await running.drain()
    assert sorted(sender.texts_to(TELEGRAM[TAM])) == ["r:1", "r:2", "r:3"]
    assert sender.texts_to(TAM_ZALO) == []
    for key in ("r:1", "r:2", "r:3"):
        sent = await row(services, key)
        assert sent.status is OutboxStatus.SENT
        assert sent.sent_channel == "telegram"
        assert sent.attempts == 1
    assert 1 <= sender.attempts[TAM_ZALO] <= 3
    assert await alerts(services) == []  # Tám is still reachable: nobody is alarmed
    view = await linking.overview(services, tam_on("telegram"))
    assert view.preferred == "telegram"


async def test_refused_everywhere_is_unreachable_and_leaders_are_alerted_once(
    services: Services, cell: Cell
) -> None:
    now = services.clock.now()
    await linking.set_preferred(services, tam_on("telegram"), "zalo")
    sender = RecordingSender()
    sender.refuse(TAM_ZALO)
    sender.refuse(TELEGRAM[TAM])
    await put(services, reminders(cell, now, "r:tam"))
    await worker(services, sender).drain()
    assert (await row(services, "r:tam")).status is OutboxStatus.UNREACHABLE
    assert (sender.attempts[TAM_ZALO], sender.attempts[TELEGRAM[TAM]]) == (1, 1)
    assert await blocked(services, "zalo", TAM_ZALO)
    assert await blocked(services, "telegram", TELEGRAM[TAM])
    alert = t("alert_unreachable", name=TAM)
    assert sender.texts_to(TELEGRAM[HUNG]) == [alert]
    assert sender.texts_to(TELEGRAM[MAI]) == [alert]
    assert len(await alerts(services)) == 2


async def test_a_member_with_one_account_is_unreachable_as_before(
    services: Services, cell: Cell
) -> None:
    sender = RecordingSender()
    sender.refuse(TELEGRAM[HOA])
    await put(services, reminders(cell, services.clock.now(), "r:hoa", name=HOA))
    await worker(services, sender).drain()
    hoa = await row(services, "r:hoa")
    assert hoa.status is OutboxStatus.UNREACHABLE and hoa.attempts == 1
    assert sender.texts_to(TELEGRAM[HUNG]) == [t("alert_unreachable", name=HOA)]


async def test_only_the_running_channel_is_used(services: Services, cell: Cell) -> None:
    now = services.clock.now()
    await linking.set_preferred(services, tam_on("telegram"), "zalo")
    sender = RecordingSender()
    telegram_only = worker(services, sender, frozenset({"telegram"}))
    await put(services, reminders(cell, now, "r:1"))
    await telegram_only.drain()
    assert sender.texts_to(TELEGRAM[TAM]) == ["r:1"]
    # Refused there, Zalo does not run here: no fallback, the leaders are told.
    sender.refuse(TELEGRAM[TAM])
    await put(services, reminders(cell, now, "r:2"))
    await telegram_only.drain()
    assert (await row(services, "r:2")).status is OutboxStatus.UNREACHABLE
    assert sender.texts_to(TAM_ZALO) == []
    assert len(await alerts(services)) == 2


async def test_a_row_never_goes_to_both_channels(services: Services, cell: Cell) -> None:
    now = services.clock.now()
    sender = RecordingSender()
    running = worker(services, sender)
    await put(services, reminders(cell, now, "r:sent"))
    await running.drain()
    sender.refuse(TELEGRAM[TAM])  # blocked after it was sent: nothing is sent again
    await put(services, [note("n:zalo", now, to=Address("zalo", TAM_ZALO))])
    sender.refuse(TAM_ZALO)  # a row for a fixed chat never falls back either
    await running.drain()
    assert [text for _, text in sender.sent] == ["r:sent"]
    assert (await row(services, "r:sent")).sent_channel == "telegram"
    fixed = await row(services, "n:zalo")
    assert fixed.status is OutboxStatus.UNREACHABLE
    assert sender.attempts[TAM_ZALO] == 1 and sender.attempts[TELEGRAM[TAM]] == 1


async def test_refused_on_both_in_one_batch_is_alerted_not_left_pending(
    services: Services, cell: Cell
) -> None:
    """The claim saw a fallback, but the other chat refused in the same batch."""
    now = services.clock.now()
    await linking.set_preferred(services, tam_on("telegram"), "zalo")
    sender = RecordingSender()
    sender.refuse(TAM_ZALO)
    sender.refuse(TELEGRAM[TAM])
    await put(
        services,
        [*reminders(cell, now, "r:tam"), note("n:tam", now, to=Address("telegram", "1003"))],
    )
    await worker(services, sender).deliver_once()
    assert (await row(services, "r:tam")).status is OutboxStatus.UNREACHABLE
    assert (await row(services, "n:tam")).status is OutboxStatus.UNREACHABLE
    assert len(await alerts(services)) == 2
