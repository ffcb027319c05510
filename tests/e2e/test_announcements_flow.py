"""Announcements end to end, on Telegram (buttons) and Zalo (typed numbers), with the same
scenario code: the secretary writes one with /thongbao and sends it; the members get it from
the outbox with «Đã đọc»; two of them press it; the secretary sees 2/3 read and who has not,
nudges the rest, and the rest get the nudge and read it."""

from __future__ import annotations

import pytest

from bot.harness import running_bot
from core.announcements import TEXT_MAX, excerpt, number_text
from core.clock import ManualClock
from core.texts import t
from tests.e2e.people_helpers import (
    DEPUTY,
    MEMBER,
    OTHER,
    SECRETARY,
    arrived,
    join,
    local,
    mark,
    marks,
    only,
    since,
)
from tests.support import seed_cell

pytestmark = pytest.mark.e2e
CHANNELS = ["telegram", "zalo"]
TEXT = (
    "Chi bộ triển khai học tập Nghị quyết Trung ương 10.\n"
    "Các đồng chí đọc tài liệu trước buổi sinh hoạt ngày 05/12."
)
DAY = "01/12/2026"


def notice_body(*, nudge: bool = False) -> str:
    head = t("ann_nudge_head" if nudge else "ann_head", date=DAY)
    return "\n".join([head, "", TEXT, "", t("ann_author", name=SECRETARY), t("ann_read_hint")])


@pytest.mark.parametrize("channel", CHANNELS)
async def test_announce_read_and_nudge(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 12, 1, 9))
    async with running_bot(sqlite_url, migrate_first=False, clock=clock, channel=channel) as h:
        cell = await seed_cell(h.app.services)
        hung, mai, tam, hoa = [await join(h, cell, n) for n in (SECRETARY, DEPUTY, MEMBER, OTHER)]
        members = [mai, tam, hoa]

        # A member cannot announce.
        assert only(await tam.say("/thongbao")).body == t("not_allowed")

        # The secretary writes it: the text, the preview with the number of recipients, «Gửi».
        asked = only(await hung.say("/thongbao"))
        assert asked.body == t("ann_ask_text", count=3, limit=number_text(TEXT_MAX))
        assert asked.labels == [t("ann_btn_stop")]
        preview = only(await hung.say(TEXT))
        assert preview.body == t("ann_preview", count=3, text=TEXT)
        assert preview.labels == [t("ann_btn_send"), t("ann_btn_edit"), t("ann_btn_stop")]
        before = await marks(members)
        sent = only(await hung.tap(t("ann_btn_send")))
        assert sent.replaced and sent.body == t("ann_sent", count=3) + "\n\n" + TEXT

        # Every member gets it once from the outbox, with «Đã đọc»; the secretary gets no copy.
        for person, seq in zip(members, before, strict=True):
            got = only(await arrived(h, person, seq))
            assert got.body == notice_body() and got.labels == [t("ann_btn_read")], person.name
        assert await since(h, hung, await mark(hung)) == []

        # Tám and Hoa read it; pressing again only says it was recorded.
        clock.set(local(2026, 12, 1, 10, 15))
        for person in (tam, hoa):
            done = only(await person.tap(t("ann_btn_read")))
            assert done.replaced and TEXT in done.body and done.labels == []
            assert t("ann_read_now", when="10:15, thứ Ba 01/12/2026") in done.body
        if channel == "telegram":  # the edited message has no button left; the nudge will
            assert (await tam.seen())[-1].labels == []

        # The secretary sees 2/3 read, who has and who has not, and nudges the rest.
        listed = only(await hung.say("/thongbao"))
        short = excerpt(TEXT)
        assert t("ann_list_item", n=1, date=DAY, text=short, read=2, total=3) in listed.body
        label = t("ann_btn_open", date=DAY, text=excerpt(short, 28), read=2, total=3)
        assert listed.labels == [label, t("ann_btn_new")]
        shown = only(await hung.tap(label))
        assert t("ann_detail_read", count=2, names=f"{MEMBER}, {OTHER}") in shown.body
        assert t("ann_detail_unread", count=1, names=DEPUTY) in shown.body
        assert shown.labels == [t("ann_btn_nudge"), t("ann_btn_back")]
        before = await marks(members)
        nudged = only(await hung.tap(t("ann_btn_nudge")))
        assert nudged.body == t("ann_nudged", count=1)
        got = only(await arrived(h, mai, before[0]))
        assert got.body == notice_body(nudge=True) and got.labels == [t("ann_btn_read")]
        # Not twice the same day; the readers get nothing.
        again = only(await hung.say("/thongbao"))
        assert label in again.labels
        await hung.tap(label)
        assert only(await hung.tap(t("ann_btn_nudge"))).body == t("ann_nudged_today")
        for person, seq in zip(members, before, strict=True):
            assert len(await since(h, person, seq)) == (1 if person is mai else 0), person.name

        # The deputy reads it from the nudge: everyone has.
        done = only(await mai.tap(t("ann_btn_read")))
        assert t("ann_read_now", when="10:15, thứ Ba 01/12/2026") in done.body
        listed = only(await hung.say("/thongbao"))
        assert t("ann_list_item", n=1, date=DAY, text=short, read=3, total=3) in listed.body
