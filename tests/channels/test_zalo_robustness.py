"""Zalo when things are not plain text or go wrong: other events, a restart with events
kept but not handled, quota errors and blocked people in the delivery loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import BotApp
from bot.clock import SystemClock
from bot.harness import DEMO_ZALO_TOKEN, Harness, harness_settings, running_bot
from channels.gateway import Gateway
from channels.zalo import ZaloClient
from channels.zalo_channel import ZaloChannel, ZaloConfig
from core import inbound
from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.delivery import DeliveryError, Failure
from core.messages import Address, Reply
from core.outbox import Message, enqueue
from core.texts import t
from db.engine import Database
from db.models import ChannelAccount, Outbox, OutboxStatus
from emulator import Emulator, ZaloEmulatorClient, zalo_user_id
from handlers import build_router
from tests.channels.zalo_helpers import (
    MEMBER,
    SECRETARY,
    all_handled,
    chat_seq,
    link,
    nothing_more,
    only,
)
from tests.e2e.helpers import link as telegram_link
from tests.support import seed_cell

SENDING = OutboxStatus.SENDING
ZALO = frozenset({"zalo"})


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, migrate_first=False, channel="zalo") as harness:
        yield harness


@pytest.fixture
async def both(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, migrate_first=False, channel="both", clock=clock) as hb:
        yield hb


async def test_images_stickers_and_hidden_messages_get_a_polite_answer(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    stranger = h.zalo_user(4001, "Người Lạ")
    for user in (hung, stranger):
        image = only(await user.send_event("image", caption="ảnh họp chi bộ"))
        assert image.body == t("unsupported_message")
        assert only(await user.send_event("sticker")).body == t("unsupported_message")
        hidden = only(await user.send_event("unsupported"))
        assert hidden.body == t("unsupported_hidden")
    assert only(await hung.say("/lichhop")).body  # still answering
    rows = await all_handled(h)
    assert len(rows) == 2 + 3 + 3 + 1 and all(r["body"] is None for r in rows)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_an_event_kept_but_not_handled_is_handled_at_the_next_start(
    sqlite_url: str,
) -> None:
    """The process answered Zalo's webhook (the event was kept) and died before handling."""
    user = zalo_user_id(6001)
    emulator = Emulator()
    await emulator.start()
    settings = harness_settings(sqlite_url, emulator.url, "zalo")
    app = BotApp(settings)
    zalo = ZaloEmulatorClient(emulator.url, DEMO_ZALO_TOKEN)
    api = ZaloClient(DEMO_ZALO_TOKEN, emulator.zalo_url)
    try:
        await zalo.send(user, "xin chào", "Khoa")  # Zalo knows the chat now ...
        assert await api.get_updates(timeout=0) is not None  # ... and that event is gone
        event = {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": user, "display_name": "Khoa", "is_bot": False},
                "chat": {"id": user, "chat_type": "PRIVATE"},
                "text": "/start",
                "message_id": "c0ffee00c0ffee00",
                "date": 1_795_000_000_000,
            },
        }
        kept = await inbound.store(app.services, "zalo", "message.text.received:c0ffee00", event)
        assert kept is not None
        await app.start()
        events = await zalo.events(user, min_count=1, timeout=5)
        assert [e.body for e in events] == [t("start_how_to_join")]
        for _ in range(100):
            if not await inbound.unhandled(app.services, "zalo"):
                break
            await asyncio.sleep(0.05)
        assert await inbound.unhandled(app.services, "zalo") == []
    finally:
        await app.stop()
        await api.aclose()
        await zalo.aclose()
        await emulator.stop()


async def test_an_event_that_arrives_while_starting_is_handled_once(sqlite_url: str) -> None:
    """The web server listens before the channels start, and the webhook Zalo knows from
    the last run posts at once: `feed` keeps such an event, and `start` finds it among the
    unhandled ones as well. It is answered once."""
    user = zalo_user_id(6002)
    emulator = Emulator()
    await emulator.start()
    zalo = ZaloEmulatorClient(emulator.url, DEMO_ZALO_TOKEN)
    services = Services(Database(sqlite_url), SystemClock(), CoreConfig(channels=ZALO))
    gateway = Gateway(build_router(services))
    config = ZaloConfig(DEMO_ZALO_TOKEN, api_url=emulator.zalo_url, poll_timeout=1)
    channel = ZaloChannel(config, gateway)
    gateway.attach(channel)
    try:
        await zalo.send(user, "/start", "Khoa")
        await channel.initialize()
        event = await channel.client.get_updates(timeout=0)  # as a webhook POST brings it
        assert event is not None
        await channel.feed({"ok": True, "result": event})
        await channel.start()
        events = await zalo.events(user, min_count=1, timeout=5, quiet=0.5)
        assert [e.body for e in events] == [t("start_how_to_join")]
        assert await inbound.unhandled(services, "zalo") == []
    finally:
        await channel.stop()
        await zalo.aclose()
        await emulator.stop()
        await services.db.dispose()


async def test_zalo_rows_use_zalo_pacing_and_a_429_holds_only_that_chat(
    both: Harness, clock: ManualClock
) -> None:
    h = both
    deliverer = h.app.deliverer
    assert deliverer is not None
    zalo_pacer, telegram_pacer = deliverer.pacer_for("zalo"), deliverer.pacer_for("telegram")
    assert zalo_pacer is not telegram_pacer
    assert (zalo_pacer.spacing, zalo_pacer.per_chat_interval) == (0.2, 1.0)  # 5/s by default
    assert telegram_pacer.spacing == pytest.approx(1 / 29)

    cell = await seed_cell(h.app.services)
    tam = await link(h, cell, MEMBER, 2003)
    hoa = await telegram_link(h, cell, "Phạm Thị Hoa", 2004)
    tam_seq, hoa_seq = await chat_seq(tam), max((m.seq for m in await hoa.messages()), default=0)
    await h.zalo.add_fault("sendMessage", "429", count=1)
    await _enqueue(h, clock, ("zalo", tam.chat_id), ("telegram", str(hoa.chat_id)))

    arrived = await h.client.events(hoa.chat_id, after=hoa_seq, min_count=1, timeout=5)
    assert [e.body for e in arrived] == ["Thông báo cho telegram"]
    row = await _settled(h, lambda r: r.next_attempt_at > clock.now(), "zalo")  # recorded
    assert row.status is OutboxStatus.PENDING and row.attempts == 0  # a 429 is no attempt
    assert row.next_attempt_at == clock.now() + timedelta(seconds=2)
    assert 1.0 < zalo_pacer.held_for(f"zalo:{tam.chat_id}") <= 2.0
    assert telegram_pacer.held_for(f"telegram:{hoa.chat_id}") <= 1.05  # its usual interval
    assert [c.status for c in await h.zalo.calls("sendMessage")][-1] == 429
    await nothing_more(h, tam, tam_seq)


async def test_zalo_429s_in_a_row_wait_longer_per_chat(h: Harness) -> None:
    first, second = h.zalo_user(4001, "Một"), h.zalo_user(4002, "Hai")
    await first.say("/start")
    await second.say("/start")
    zalo = h.app.zalo
    assert zalo is not None
    await h.zalo.add_fault("sendMessage", "429", chat_id=first.chat_id, count=7)
    waits = []
    for _ in range(7):
        with pytest.raises(DeliveryError) as caught:
            await zalo.send(first.chat_id, Reply("thử"))
        assert caught.value.failure is Failure.RATE_LIMITED
        waits.append(caught.value.retry_after)
    assert waits == [2, 4, 8, 16, 32, 60, 60]
    # Another chat's quota error starts from the beginning ...
    await h.zalo.add_fault("sendMessage", "429", chat_id=second.chat_id, count=1)
    with pytest.raises(DeliveryError) as other:
        await zalo.send(second.chat_id, Reply("thử"))
    assert other.value.retry_after == 2
    # ... and a message that gets through ends the run.
    assert await zalo.send(first.chat_id, Reply("được rồi"))
    await h.zalo.add_fault("sendMessage", "429", chat_id=first.chat_id, count=1)
    with pytest.raises(DeliveryError) as again:
        await zalo.send(first.chat_id, Reply("thử"))
    assert again.value.retry_after == 2


async def test_a_403_marks_the_zalo_account_unreachable(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    tam = await link(h, cell, MEMBER, 2003)
    await tam.block()
    services = h.app.services
    async with services.db.unit_of_work() as uow:
        message = Message(
            "notice:block-test",
            "notice",
            Reply("Thông báo"),
            not_before=services.clock.now(),
            member_id=cell.member_ids[MEMBER],
        )
        await enqueue(uow.session, services, services.clock.now(), [message])
        await uow.commit()
    assert h.app.deliverer is not None
    h.app.deliverer.wake()
    row = await _settled(h, lambda r: r.status not in (OutboxStatus.PENDING, SENDING))
    assert row.status is OutboxStatus.UNREACHABLE
    async with services.db.unit_of_work() as uow:
        account = await uow.session.scalar(
            select(ChannelAccount).where(
                ChannelAccount.channel == "zalo", ChannelAccount.external_id == tam.user_id
            )
        )
        assert account is not None and account.blocked_at is not None
    assert [c.status for c in await h.zalo.calls("sendMessage")][-1] == 403


async def _enqueue(h: Harness, clock: ManualClock, *chats: tuple[str, str]) -> None:
    services = h.app.services
    messages = [
        Message(
            f"notice:pacing:{channel}",
            "notice",
            Reply(f"Thông báo cho {channel}"),
            not_before=clock.now(),
            to=Address(channel, chat_id),
        )
        for channel, chat_id in chats
    ]
    async with services.db.unit_of_work() as uow:
        await enqueue(uow.session, services, clock.now(), messages)
        await uow.commit()
    assert h.app.deliverer is not None
    h.app.deliverer.wake()


async def _settled(
    h: Harness, done: Callable[[Outbox], bool], channel: str | None = None
) -> Outbox:
    """The newest outbox row (to `channel`), once `done` says the delivery loop is through
    with it."""
    query = select(Outbox).order_by(Outbox.id.desc()).limit(1)
    if channel is not None:
        query = query.where(Outbox.channel == channel)
    for _ in range(100):
        async with h.app.services.db.unit_of_work() as uow:
            row = await uow.session.scalar(query)
        if row is not None and done(row):
            return row
        await asyncio.sleep(0.05)
    raise AssertionError("the delivery loop did not get to the row")
