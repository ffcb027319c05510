"""Telegram updates are stored before Telegram is told they arrived (channels/telegram.py):
a webhook's before the 200, so a repeated post is handled once; an update a crash left
unhandled is handled at the next start; handled ones keep no content."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from telegram import Update

from bot.harness import Harness, running_bot
from channels.telegram import update_key
from core import inbound
from db.models import InboundEvent
from tests.e2e.helpers import account, cell_code, chat_seq
from tests.e2e.test_webhook import HEADER, SECRET, free_port, start_update
from tests.support import seed_cell

pytestmark = pytest.mark.e2e


async def events(h: Harness) -> list[tuple[str, Any, bool]]:
    """(key, body, handled) of every stored Telegram update."""
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(InboundEvent.event_key, InboundEvent.body, InboundEvent.done_at)
            .where(InboundEvent.channel == "telegram")
            .order_by(InboundEvent.id)
        )
        return [(key, body, done is not None) for key, body, done in rows]


async def eventually(what: str, check: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_an_update_sent_again_has_the_same_key_and_another_with_its_id_does_not() -> None:
    update = start_update(7001, "Khoa", "/start")
    assert update_key(update) == update_key(dict(update))
    other = start_update(7001, "Khoa", "/trogiup")  # the same update id, other content
    assert update_key(other) != update_key(update)
    assert update_key(update).startswith(f"{update['update_id']}:")


async def test_a_webhook_update_is_stored_before_the_200_and_a_repeat_is_handled_once(
    sqlite_url: str,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_bot(
        sqlite_url,
        migrate_first=False,
        webhook_url=base,
        webhook_secret=SECRET,
        webhook_port=port,
    ) as h:
        khoa = h.user(7001, "Khoa")
        await khoa.say("/start")  # the chat exists in the emulator
        seq = await chat_seq(khoa)
        update = start_update(7001, "Khoa", "/trogiup")
        async with httpx.AsyncClient(timeout=5) as http:
            first = await http.post(f"{base}/telegram", json=update, headers={HEADER: SECRET})
            assert first.status_code == 200
            assert update_key(update) in [key for key, _, _ in await events(h)]
            again = await http.post(f"{base}/telegram", json=update, headers={HEADER: SECRET})
            assert again.status_code == 200  # Telegram's retry: taken, not handled twice
        replies = await h.client.events(7001, after=seq, min_count=1, timeout=5, quiet=0.5)

        async def handled() -> bool:
            return all(done for _, _, done in await events(h))

        await eventually("the updates to be marked handled", handled)
        stored = await events(h)
    assert len(replies) == 1
    assert [key for key, _, _ in stored].count(update_key(update)) == 1
    assert [body for _, body, _ in stored] == [None] * len(stored)  # no content kept


async def test_an_update_left_unhandled_by_a_crash_is_handled_at_the_next_start(
    sqlite_url: str,
) -> None:
    async with running_bot(sqlite_url, migrate_first=False) as h:
        code = await cell_code(h, await seed_cell(h.app.services))
        # As if the process died after storing a fetched batch, before handling it.
        update = start_update(7003, "Lan", f"/start {code}")
        kept = await inbound.store_many(h.app.services, "telegram", [(update_key(update), update)])
        assert list(kept.values()) != [None]
        await asyncio.sleep(0.3)
        assert await account(h, 7003) is None  # a running bot does not look for it

    async with running_bot(sqlite_url, migrate_first=False) as h:

        async def joined() -> bool:
            return await account(h, 7003) is not None

        await eventually("the kept update to be handled", joined)

        async def handled() -> bool:
            return [(done, body) for _, body, done in await events(h)] == [(True, None)]

        await eventually("the kept update to be marked handled, its content cleared", handled)


async def test_a_stored_update_that_reaches_dispatch_again_after_it_was_handled_is_skipped(
    sqlite_url: str,
) -> None:
    """In webhook mode an update posted while `_replay` read the store reaches `_dispatch`
    twice: from the store and from PTB's queue. The second time must not answer again,
    even when the first is already done."""
    async with running_bot(sqlite_url, migrate_first=False) as h:
        khoa = h.user(7005, "Khoa")
        await khoa.say("/start")
        seq = await chat_seq(khoa)
        body = start_update(7005, "Khoa", "/trogiup")
        kept = await inbound.store_many(h.app.services, "telegram", [(update_key(body), body)])
        (event_id,) = kept.values()
        assert event_id is not None
        channel = h.app.telegram
        assert channel is not None
        update = Update.de_json(body, channel.app.bot)
        channel._dispatch(update, event_id)

        async def handled() -> bool:
            return all(done for _, _, done in await events(h))

        await eventually("the update to be handled", handled)
        channel._dispatch(update, event_id)  # PTB's copy, after the stored one is done
        replies = await h.client.events(7005, after=seq, min_count=1, timeout=5, quiet=1.0)
    assert len(replies) == 1
