"""Member flows on every channel: strangers, joining, approval, help and invites.

Each scenario talks only through `Person`, so it runs unchanged on Telegram (tapping
buttons) and on Zalo (typing the number of an option, commands and codes typed bare).
"""

from __future__ import annotations

import pytest

from bot.harness import Harness
from core.texts import t
from tests.e2e.helpers import cell_code, member_code
from tests.e2e.people_helpers import (
    CELL,
    DEPUTY,
    MEMBER,
    OTHER,
    SECRETARY,
    arrived,
    code_in,
    join,
    mark,
    member_of,
    only,
    statuses_of,
)
from tests.support import seed_cell

pytestmark = pytest.mark.e2e


def help_line(command: str) -> str:
    return t("help_line", command=command, description=t(f"cmd_{command}"))


# --- strangers -------------------------------------------------------------------------------


async def test_stranger_is_told_how_to_join(on_channel: Harness) -> None:
    stranger = on_channel.person(3001, "Người Lạ")
    assert only(await stranger.say("/start")).body == t("start_how_to_join")
    assert only(await stranger.say("xin chào bot")).body == t("start_how_to_join")
    assert only(await stranger.say("/trogiup")).body == t("start_how_to_join")
    assert only(await stranger.say("/TroGiup")).body == t("start_how_to_join")
    assert only(await stranger.say("/khongco")).body == t("unknown_command")
    assert only(await stranger.say("/dangvien")).body == t("not_linked")
    assert only(await stranger.say("/start ABCD-EFGH")).body == t("code_unknown")
    assert only(await stranger.say("ABCD-EFGH")).body == t("code_unknown")
    assert await member_of(on_channel, stranger) is None


# --- joining with a one-time code ------------------------------------------------------------


async def test_roster_members_join_with_one_time_codes(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    tam = await join(h, cell, MEMBER)  # "/start CODE", as a deep link sends it
    assert await member_of(h, tam) == cell.member_ids[MEMBER]

    code = await member_code(h, cell, OTHER)
    hoa = h.person(2004, OTHER)
    asked = only(await hoa.say(code))  # the code typed bare, as on Zalo
    assert asked.body == t("confirm_identity", name=OTHER, cell=CELL)
    assert asked.labels == [t("btn_its_me", name=OTHER), t("btn_not_me")]
    joined = only(await hoa.tap(t("btn_its_me", name=OTHER)))
    assert joined.replaced and joined.body == t("joined", name=OTHER, cell=CELL)
    assert joined.labels == []
    assert await member_of(h, hoa) == cell.member_ids[OTHER]
    assert await statuses_of(h, OTHER) == ["active"]

    impostor = h.person(3003, "Kẻ Mạo Danh")
    assert only(await impostor.say(code)).body == t("code_used")
    assert await member_of(h, impostor) is None
    # Linked members are welcomed back and cannot take another member's code.
    assert only(await hoa.say("/start")).body == t("start_welcome_back", name=OTHER, cell=CELL)
    other_code = await member_code(h, cell, DEPUTY)
    assert only(await tam.say(f"/start {other_code}")).body == t("already_linked", name=MEMBER)
    assert only(await tam.say(other_code)).body == t("unknown_text")


async def test_not_me_leaves_the_code_for_its_owner(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    code = await member_code(h, cell, MEMBER)
    wrong = h.person(3002, "Ai Đó")
    assert only(await wrong.say(f"/start {code}")).body == t(
        "confirm_identity", name=MEMBER, cell=CELL
    )
    answer = only(await wrong.tap(t("btn_not_me")))
    assert answer.replaced and answer.body == t("not_me") and answer.labels == []
    assert await member_of(h, wrong) is None

    tam = h.person(2003, MEMBER)
    await tam.say(code)
    assert only(await tam.tap(t("btn_its_me", name=MEMBER))).body == t(
        "joined", name=MEMBER, cell=CELL
    )
    assert await member_of(h, tam) == cell.member_ids[MEMBER]


# --- joining with the cell's code, approval --------------------------------------------------


async def test_join_with_cell_code_rejected_then_approved(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    hung, mai = await join(h, cell, SECRETARY), await join(h, cell, DEPUTY)
    code = await cell_code(h, cell)

    khoa = h.person(4001, "Khoa")
    assert only(await khoa.say(code)).body == t("ask_name", cell=CELL)
    assert only(await khoa.say("A1")).body == t("name_invalid")
    at_hung, at_mai = await mark(hung), await mark(mai)
    requested = only(await khoa.say("  lý   văn khoa "))
    assert requested.body == t("join_requested", name="Lý Văn Khoa", cell=CELL)
    notice = only(await arrived(h, hung, at_hung))
    assert notice.body == t("approve_request", name="Lý Văn Khoa", cell=CELL)
    assert notice.labels == [t("btn_approve"), t("btn_reject")]
    copy = only(await arrived(h, mai, at_mai))  # the deputy is asked too
    assert (copy.body, copy.labels) == (notice.body, notice.labels)
    assert only(await khoa.say("/start")).body == t("pending_approval")

    at_khoa = await mark(khoa)
    rejected = only(await hung.tap(t("btn_reject")))
    assert rejected.replaced and rejected.labels == []
    assert rejected.body == t("rejected_leader", name="Lý Văn Khoa")
    told = only(await arrived(h, khoa, at_khoa))
    assert told.body == t("rejected_member", name="Lý Văn Khoa")
    assert "pending" not in await statuses_of(h, "Lý Văn Khoa")
    assert await member_of(h, khoa) is None
    assert only(await mai.tap(t("btn_approve"))).body == t("already_decided")

    lan = h.person(4002, "Lan")
    assert only(await lan.say(f"/start {code}")).body == t("ask_name", cell=CELL)
    at_hung, at_mai = await mark(hung), await mark(mai)
    await lan.say("Huỳnh Thị Lan")
    assert only(await arrived(h, hung, at_hung)).labels == [t("btn_approve"), t("btn_reject")]
    only(await arrived(h, mai, at_mai))
    at_lan = await mark(lan)
    approved = only(await hung.tap(t("btn_approve")))
    assert approved.replaced and approved.labels == []
    assert approved.body == t("approved_leader", name="Huỳnh Thị Lan")
    told = only(await arrived(h, lan, at_lan))
    assert told.body == t("approved_member", name="Huỳnh Thị Lan")
    assert await statuses_of(h, "Huỳnh Thị Lan") == ["active"]
    assert only(await mai.tap(t("btn_approve"))).body == t("already_decided")
    assert only(await lan.say("/start")).body == t(
        "start_welcome_back", name="Huỳnh Thị Lan", cell=CELL
    )


async def test_cancel_during_the_name_step(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    hung = await join(h, cell, SECRETARY)
    code = await cell_code(h, cell)
    khoa = h.person(4001, "Khoa")
    assert only(await khoa.say(code)).body == t("ask_name", cell=CELL)
    assert only(await khoa.say("/huy")).body == t("cancelled")
    assert await member_of(h, khoa) is None
    assert only(await khoa.say("Lý Văn Khoa")).body == t("start_how_to_join")
    assert only(await khoa.say("/huy")).body == t("nothing_to_cancel")
    assert t("roster_pending", count=1) not in only(await hung.say("/dangvien")).body


# --- help by role ----------------------------------------------------------------------------


async def test_help_lists_what_each_role_may_do(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    hung, tam = await join(h, cell, SECRETARY), await join(h, cell, MEMBER)

    secretary_help = only(await hung.say("/trogiup")).body
    assert t("help_section_secretary") in secretary_help
    for command in ("trogiup", "lichhop", "moi", "dangvien", "taohop", "diemdanh"):
        assert help_line(command) in secretary_help

    member_help = only(await tam.say("/trogiup")).body
    assert t("help_section_member") in member_help
    assert help_line("trogiup") in member_help and help_line("lichhop") in member_help
    assert t("help_section_secretary") not in member_help
    assert "/moi" not in member_help and "/taohop" not in member_help
    assert only(await tam.say("/moi")).body == t("not_allowed")
    assert only(await tam.say("/diemdanh")).body == t("not_allowed")


# --- /moi: the cell's code and one member's code ---------------------------------------------


async def test_invite_codes_for_the_cell_and_for_one_member(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    hung = await join(h, cell, SECRETARY)

    shown = only(await hung.say("/moi"))  # a QR photo on Telegram, text on Zalo
    shared = code_in([shown])
    assert shown.body.startswith(t("cell_invite", cell=CELL, code=shared))
    assert t("invite_typed", code=shared) in shown.body
    assert shown.labels == [t("btn_invite_each")]
    assert code_in(await hung.say("/moi")) == shared  # reused while valid

    picker = only(await hung.tap(t("btn_invite_each")))
    assert picker.body == t("invite_pick", page=1, pages=1)
    assert picker.labels == [DEPUTY, MEMBER, OTHER]
    invite = only(await hung.tap(MEMBER))
    code = code_in([invite])
    assert code != shared
    assert invite.body.startswith(t("member_invite", name=MEMBER, code=code))
    assert invite.labels == []

    tam = h.person(2003, MEMBER)
    assert only(await tam.say(code)).body == t("confirm_identity", name=MEMBER, cell=CELL)
    assert only(await tam.tap(t("btn_its_me", name=MEMBER))).body == t(
        "joined", name=MEMBER, cell=CELL
    )
    assert only(await h.person(3003, "Kẻ Mạo Danh").say(code)).body == t("code_used")


# --- Zalo only: commands without "/", numbers typed loosely ---------------------------------


@pytest.mark.parametrize("on_channel", ["zalo"], indirect=True)
async def test_zalo_bare_commands_and_loosely_typed_numbers(on_channel: Harness) -> None:
    h = on_channel
    cell = await seed_cell(h.app.services)
    stranger = h.person(3001, "Người Lạ")
    assert only(await stranger.say("trogiup")).body == t("start_how_to_join")
    assert only(await stranger.say("2")).body == t("menu_none_open")
    await stranger.say(await member_code(h, cell, MEMBER))
    assert only(await stranger.say("3")).body == t("menu_no_such_number", number=3, last=2)
    assert only(await stranger.say(t("btn_not_me"))).body == t("not_me")  # the label typed

    joined = {
        MEMBER: " 1 ",
        OTHER: "1.",
        DEPUTY: t("btn_its_me", name=DEPUTY).upper(),
    }
    for number, (name, typed) in enumerate(joined.items(), start=2003):
        person = h.person(number, name)
        await person.say(await member_code(h, cell, name))
        assert only(await person.say(typed)).body == t("joined", name=name, cell=CELL), typed

    tam = h.person(2003, MEMBER)
    assert help_line("lichhop") in only(await tam.say("trogiup")).body
    assert help_line("lichhop") in only(await tam.say("TroGiup")).body
    assert only(await tam.say("lichhop")).body == t("schedule_empty")
    assert only(await tam.say("huy")).body == t("nothing_to_cancel")

    khoa = h.person(4001, "Khoa")
    assert only(await khoa.say(await cell_code(h, cell))).body == t("ask_name", cell=CELL)
    assert only(await khoa.say("Huy")).body == t("cancelled")  # a command, even as a name
    assert await member_of(h, khoa) is None
