"""Typed answers to numbered menus on Zalo, through the real bot and the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.harness import Harness, running_bot
from core.texts import t
from tests.channels.zalo_helpers import MEMBER, SECRETARY, code_in, link, only
from tests.support import seed_cell


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, migrate_first=False, channel="zalo") as harness:
        yield harness


PICKER = ["Trần Thị Mai", MEMBER, "Phạm Thị Hoa"]


async def test_every_way_of_typing_a_choice_picks_the_same_option(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    await hung.say("/moi")
    picker = only(await hung.say("1"))  # «Mời từng đồng chí»
    lines = [f"{n}. {name}" for n, name in enumerate(PICKER, start=1)]
    assert picker.body == "\n".join(
        [t("invite_pick", page=1, pages=1), "", *lines, t("menu_answer_few", head="1, 2", last=3)]
    )
    # The picker stays open (as its buttons stay on Telegram): each answer chooses again.
    for typed in ("2", "2.", " 2 ", "2)", "số 2", "so 2", MEMBER, "le van tam", "LÊ VĂN TÁM"):
        invite = only(await hung.say(typed))
        code = code_in(invite)
        assert invite.body.startswith(t("member_invite", name=MEMBER, code=code)), typed


async def test_numbers_without_a_menu_or_out_of_range_get_short_help(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)  # "joined" replaced the question: no menu
    assert only(await hung.say("2")).body == t("menu_none_open")
    stranger = h.zalo_user(4001, "Người Lạ")
    assert only(await stranger.say("1")).body == t("menu_none_open")

    await hung.say("/moi")
    await hung.say("1")
    assert only(await hung.say("7")).body == t("menu_no_such_number", number=7, last=3)
    assert only(await hung.say("0")).body == t("menu_no_such_number", number=0, last=3)
    # Other text is no choice: it goes on as usual.
    assert only(await hung.say("2 người")).body == t("unknown_text")


async def test_a_number_is_data_while_a_step_waits_for_typed_text(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    assert only(await hung.say("/taohop")).body.startswith(t("wiz_kind"))
    assert only(await hung.say("1")).body.startswith(t("wiz_repeat"))  # Thường kỳ
    assert only(await hung.say("Hằng tháng")).body.startswith(t("wiz_rule"))
    assert only(await hung.say("1")).body == t("wiz_rule_day")  # a fixed day
    assert only(await hung.say("15")).body == t("wiz_time")  # the day, not option 15
    # A bare number is no time: the step itself says so (not "no list to choose from").
    answer = only(await hung.say("19")).body
    assert answer not in (t("menu_none_open"), t("wiz_time"))
    assert answer == t("time_unreadable", text="19")
    assert only(await hung.say("19h30")).body == t("wiz_place")
