"""One member on Telegram and Zalo: linking the second channel with /kenh, choosing where the
reminders go, and falling back when the chosen one refuses. Both emulators, the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.harness import Harness, running_bot
from bot.people import Person, Seen
from core import reminders
from core.clock import ManualClock
from core.texts import t
from db.models import ChannelAccount, Member, Outbox, OutboxStatus
from tests.e2e.helpers import CODE, link
from tests.support import seed_cell

pytestmark = pytest.mark.e2e
HN = timedelta(hours=7)
TAM = "Lê Văn Tám"


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - HN


@pytest.fixture
async def hc(sqlite_url: str) -> AsyncIterator[tuple[Harness, ManualClock]]:
    clock = ManualClock(local(2026, 11, 2, 9, 0))
    async with running_bot(sqlite_url, migrate_first=False, clock=clock, channel="both") as h:
        yield h, clock


def one(seen: list[Seen]) -> Seen:
    assert len(seen) == 1, [s.body[:60] for s in seen]
    return seen[0]


async def newest_seq(person: Person) -> int:
    return max((s.seq for s in await person.seen()), default=0)


async def remind(h: Harness, clock: ManualClock, at: datetime) -> None:
    clock.set(at)
    await reminders.tick(h.app.services)
    assert h.app.deliverer is not None
    h.app.deliverer.wake()


async def test_link_zalo_prefer_it_and_fall_back_to_telegram(
    hc: tuple[Harness, ManualClock],
) -> None:
    h, clock = hc
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, "Nguyễn Văn Hùng", 2001)
    await link(h, cell, TAM, 2003)
    tam_tg, tam_zl = h.person(2003, TAM, "telegram"), h.person(3003, TAM, "zalo")

    # On Telegram, Tám asks for a Zalo code and types it in the Zalo chat.
    shown = one(await tam_tg.say("/kenh"))
    assert shown.body.startswith(t("channels_current_telegram"))
    coded = one(await tam_tg.tap(t("btn_link_zalo")))
    code = CODE.findall(coded.body)[-1]
    asked = one(await tam_zl.say(code))
    assert asked.body == t("confirm_identity", name=TAM, cell="Chi bộ Ấp Một")
    assert one(await tam_zl.tap(t("btn_its_me", name=TAM))).body == t(
        "joined", name=TAM, cell="Chi bộ Ấp Một"
    )
    # Then, on Zalo, chooses Zalo for reminders (typing the number of the option).
    assert one(await tam_zl.say("kenh")).labels == [t("btn_prefer_zalo")]
    assert one(await tam_zl.tap(t("btn_prefer_zalo"))).body == t("preferred_set_zalo")

    await hung.say("/taohop")
    await hung.tap(t("btn_kind_regular"))
    await hung.tap(t("btn_repeat_once"))
    await hung.say("6/11")
    await hung.say("19h")
    await hung.say("Hội trường ấp")
    await hung.tap(t("btn_skip"))
    await hung.tap(t("btn_confirm"))

    # Three days before: the reminder reaches Tám once, on Zalo only.
    tg_seq, zl_seq = await newest_seq(tam_tg), await newest_seq(tam_zl)
    await remind(h, clock, local(2026, 11, 3, 19, 0))
    reminder = one(await h.arrivals(tam_zl, zl_seq))
    assert reminder.labels == [t("btn_will_attend"), t("btn_ask_leave")]
    await tam_tg.say("/lichhop")  # a round trip: had anything reached Telegram, it is here
    assert [s.body for s in await h.arrivals(tam_tg, tg_seq, expect=0, timeout=0.3)] == [
        s.body for s in (await tam_tg.seen())[-1:]
    ]

    # Tám blocks the bot on Zalo: the next reminder comes once, on Telegram.
    await h.zalo.block(tam_zl.chat_id)
    tg_seq = await newest_seq(tam_tg)
    await remind(h, clock, local(2026, 11, 5, 19, 0))
    fallback = one(await h.arrivals(tam_tg, tg_seq))
    assert fallback.body.startswith(
        t("reminder_title", kind=t("meeting_kind_regular"), soon=t("soon_tomorrow"))
    )
    async with h.app.services.db.unit_of_work() as uow:
        s = uow.session
        tam_id = await s.scalar(select(Member.id).where(Member.full_name == TAM))
        rows = (await s.execute(select(Outbox).where(Outbox.member_id == tam_id))).scalars()
        sent = [(r.kind, r.sent_channel) for r in rows if r.status is OutboxStatus.SENT]
        alerts = await s.scalar(select(func.count()).where(Outbox.kind == "alert"))
        zalo = await s.scalar(
            select(ChannelAccount).where(
                ChannelAccount.member_id == tam_id, ChannelAccount.channel == "zalo"
            )
        )
    assert sorted(channel for _, channel in sent if channel) == ["telegram", "zalo"]
    assert zalo is not None and zalo.blocked_at is not None
    assert alerts == 0  # no "unreachable" alert to leaders: Tám still has Telegram
