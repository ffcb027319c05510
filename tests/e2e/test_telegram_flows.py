"""End-to-end: the real bot (PTB adapter, gateway, router, SQLite) against the Bot API emulator.

Every test starts its own emulator and bot on loopback (the `h` fixture) and talks to the bot
as Telegram users would: typing, tapping buttons, blocking it.
"""

from __future__ import annotations

import pytest

from bot.harness import Harness, running_bot
from core.members import import_rows, roster_of_cell
from core.roster import RosterRow
from core.texts import t
from core.units import add_unit
from db.models import UnitKind
from handlers.roster import render_roster
from tests.e2e.helpers import (
    account,
    cell_code,
    chat_seq,
    code_in,
    events_after,
    link,
    member_code,
    only,
    statuses_of,
)
from tests.support import Cell, seed_cell

pytestmark = pytest.mark.e2e

CELL = "Chi bộ Ấp Một"
SECRETARY, DEPUTY, MEMBER = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám"

MEMBER_MENU = {
    "trogiup",
    "huy",
    "lichhop",
    "kenh",
    "tukiemtra",
    "nhiemvu",
}  # the default menu: commands for everyone
SECRETARY_MENU = MEMBER_MENU | {
    "moi",
    "dangvien",
    "taohop",
    "diemdanh",
    "giaoviec",
    "theodoi",
    "tinhhinh",
    "nhacnho",
    "baocao",
    "thongbao",
    "mohinh",
}


def menu(commands: list[dict[str, object]], scope: dict[str, object]) -> set[str]:
    for entry in commands:
        if entry["scope"] == scope:
            return {str(c["command"]) for c in entry["commands"]}  # type: ignore[attr-defined]
    raise AssertionError(f"no menu for scope {scope}: {commands}")


# --- 1. strangers --------------------------------------------------------------------------


async def test_stranger_start_unknown_command_and_text(h: Harness) -> None:
    stranger = h.user(3001, "Người Lạ")
    assert only(await stranger.say("/start")).body == t("start_how_to_join")
    assert only(await stranger.say("/khongco")).body == t("unknown_command")
    # Someone not linked who writes anything is told how to join; a bare code joins.
    assert only(await stranger.say("xin chào bot")).body == t("start_how_to_join")
    assert only(await stranger.say("abcd-efgh")).body == t("code_unknown")
    assert only(await stranger.say("/trogiup")).body == t("start_how_to_join")
    assert only(await stranger.say("/dangvien")).body == t("not_linked")
    assert only(await stranger.say("/start ABCD-EFGH")).body == t("code_unknown")


# --- 2 + 3 + 4. secretary joins; help and menus by role; every button answered ------------


async def test_secretary_joins_help_and_permissions(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    default = {"type": "default"}
    before = await h.client.commands()
    assert menu(before, default) == MEMBER_MENU
    assert len(before) == 1  # no chat-scoped menus yet

    hung = await link(h, cell, SECRETARY, 2001)
    help_text = only(await hung.say("/trogiup")).body
    assert t("help_line", command="moi", description=t("cmd_moi")) in help_text
    assert t("help_line", command="dangvien", description=t("cmd_dangvien")) in help_text
    assert t("help_section_secretary") in help_text

    commands = await h.client.commands()
    assert menu(commands, default) == MEMBER_MENU
    assert menu(commands, {"type": "chat", "chat_id": 2001}) == SECRETARY_MENU

    tam = await link(h, cell, MEMBER, 2003)
    member_help = only(await tam.say("/trogiup")).body
    assert t("help_line", command="trogiup", description=t("cmd_trogiup")) in member_help
    assert "/moi" not in member_help and "/dangvien" not in member_help
    assert only(await tam.say("/moi")).body == t("not_allowed")
    assert only(await tam.say("/dangvien")).body == t("not_allowed")
    assert only(await tam.say("/start")).body == t("start_welcome_back", name=MEMBER, cell=CELL)
    # A linked member cannot take another member's code.
    code = await member_code(h, cell, "Phạm Thị Hoa")
    assert only(await tam.say(f"/start {code}")).body == t("already_linked", name=MEMBER)

    member_menu = menu(await h.client.commands(), {"type": "chat", "chat_id": 2003})
    assert "moi" not in member_menu

    assert await h.client.callback_answers()
    assert await h.client.unanswered_callbacks() == []


async def test_not_me_button_edits_and_keeps_code(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    code = await member_code(h, cell, MEMBER)
    wrong = h.user(3002, "Ai Đó")
    await wrong.say(f"/start {code}")
    edited = only(await wrong.tap(t("btn_not_me")))
    assert edited.kind == "edit" and edited.body == t("not_me") and edited.labels == []
    assert await account(h, 3002) is None
    # The code was not used up: the right person can still join with it.
    tam = h.user(2003, MEMBER)
    await tam.say(f"/start {code}")
    assert only(await tam.tap(t("btn_its_me", name=MEMBER))).kind == "edit"
    assert await h.client.unanswered_callbacks() == []


async def test_menus_are_restored_when_the_bot_restarts(sqlite_url: str) -> None:
    async with running_bot(sqlite_url, migrate_first=False) as first:
        cell = await seed_cell(first.app.services)
        await link(first, cell, SECRETARY, 2001)
    async with running_bot(sqlite_url, migrate_first=False) as second:
        commands = await second.client.commands()
        assert menu(commands, {"type": "default"}) == MEMBER_MENU
        assert "moi" in menu(commands, {"type": "chat", "chat_id": 2001})


# --- 5. /moi: photo, QR, one-time codes ------------------------------------------------------


async def test_invite_photo_and_one_time_member_code(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)

    photo = only(await hung.say("/moi"))
    assert photo.kind == "photo"
    shared = code_in([photo])
    assert photo.body.startswith(t("cell_invite", cell=CELL, code=shared))
    assert t("invite_typed", code=shared) in photo.body
    assert photo.labels == [t("btn_invite_each")]
    assert photo.file_id is not None and photo.file_name == f"moi-{shared.replace('-', '')}.png"
    png = await h.client.download(photo.file_id)
    assert png.startswith(b"\x89PNG") and len(png) == photo.file_size

    # The shared code is reused while it stays valid.
    assert code_in(await hung.say("/moi")) == shared

    picker = only(await hung.tap(t("btn_invite_each")))
    assert picker.kind == "message"
    assert picker.body == t("invite_pick", page=1, pages=1)
    assert picker.labels == [DEPUTY, MEMBER, "Phạm Thị Hoa"]

    invite = only(await hung.tap(MEMBER))
    assert invite.kind == "photo"
    code = code_in([invite])
    assert code != shared
    assert invite.body.startswith(t("member_invite", name=MEMBER, code=code))
    assert invite.labels == []
    assert (await h.client.download(invite.file_id or "")).startswith(b"\x89PNG")

    tam = h.user(2003, MEMBER)
    asked = only(await tam.say(f"/start {code}"))
    assert asked.body == t("confirm_identity", name=MEMBER, cell=CELL)
    joined = only(await tam.tap(t("btn_its_me", name=MEMBER)))
    assert joined.kind == "edit" and joined.body == t("joined", name=MEMBER, cell=CELL)

    other = h.user(3003, "Kẻ Mạo Danh")
    assert only(await other.say(f"/start {code}")).body == t("code_used")
    assert await account(h, 3003) is None

    # Tám is activated now, so the picker no longer offers him.
    await hung.say("/moi")
    again = only(await hung.tap(t("btn_invite_each"), message_id=None))
    assert MEMBER not in again.labels and DEPUTY in again.labels
    assert await h.client.unanswered_callbacks() == []


async def _import_extra(
    h: Harness, cell_code_: str, names: list[str], role: str = "member"
) -> None:
    rows = [
        RosterRow(line=i + 2, full_name=n, phone=None, role=role, membership="full")  # type: ignore[arg-type]
        for i, n in enumerate(names)
    ]
    await import_rows(h.app.services, cell_code_, rows)


EXTRA = [
    f"{family} {middle} {given}"
    for family in ("Đỗ", "Hồ", "Vũ")
    for middle in ("Văn", "Thị")
    for given in ("Bình", "Cường")
]


async def test_invite_picker_pages_edit_in_place(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    await _import_extra(h, cell.code, EXTRA)  # 3 + 12 not activated: two pages
    hung = await link(h, cell, SECRETARY, 2001)
    await hung.say("/moi")
    first = only(await hung.tap(t("btn_invite_each")))
    assert first.kind == "message"  # the photo cannot become a text message
    assert first.body == t("invite_pick", page=1, pages=2)
    assert t("btn_next") in first.labels and t("btn_prev") not in first.labels
    second = only(await hung.tap(t("btn_next")))
    assert second.kind == "edit" and second.message_id == first.message_id
    assert second.body == t("invite_pick", page=2, pages=2)
    assert t("btn_prev") in second.labels and t("btn_next") not in second.labels
    back = only(await hung.tap(t("btn_prev")))
    assert back.kind == "edit" and back.message_id == first.message_id
    assert back.body == t("invite_pick", page=1, pages=2)
    assert await h.client.unanswered_callbacks() == []


# --- 6. joining with the cell code, approval -------------------------------------------------


async def test_join_by_cell_code_reject_approve_and_already_decided(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    mai = await link(h, cell, DEPUTY, 2002)
    code = await cell_code(h, cell)

    khoa = h.user(4001, "Khoa")
    assert only(await khoa.say(f"/start {code}")).body == t("ask_name", cell=CELL)
    assert only(await khoa.say("A1")).body == t("name_invalid")
    assert await statuses_of(h, "Khoa") == ["pending"]  # still waiting for the name

    hung_seq, mai_seq = await chat_seq(hung), await chat_seq(mai)
    reply = only(await khoa.say("  lý   văn khoa "))
    assert reply.body == t("join_requested", name="Lý Văn Khoa", cell=CELL)
    notice = only(await events_after(h, hung, hung_seq))
    assert notice.body == t("approve_request", name="Lý Văn Khoa", cell=CELL)
    assert notice.labels == [t("btn_approve"), t("btn_reject")]
    stale = only(await events_after(h, mai, mai_seq))  # the deputy is asked too
    assert stale.body == notice.body and stale.labels == notice.labels

    # While waiting, the newcomer is told so.
    assert only(await khoa.say("/start")).body == t("pending_approval")

    khoa_seq = await chat_seq(khoa)
    decided = only(await hung.tap(t("btn_reject"), message_id=notice.message_id))
    assert decided.kind == "edit" and decided.body == t("rejected_leader", name="Lý Văn Khoa")
    assert decided.labels == []
    told = only(await events_after(h, khoa, khoa_seq))
    assert told.body == t("rejected_member", name="Lý Văn Khoa")
    assert "pending" not in await statuses_of(h, "Lý Văn Khoa")
    assert await account(h, 4001) is None  # free to ask again

    # A second newcomer asks; the deputy then taps Duyệt on the old, decided request.
    lan = h.user(4002, "Lan")
    await lan.say(f"/start {code}")
    hung_seq, mai_seq = await chat_seq(hung), await chat_seq(mai)
    await lan.say("Huỳnh Thị Lan")
    second = only(await events_after(h, hung, hung_seq))
    for_mai = only(await events_after(h, mai, mai_seq))
    late = only(await mai.tap(t("btn_approve"), message_id=stale.message_id))
    assert late.body == t("already_decided")
    assert await statuses_of(h, "Huỳnh Thị Lan") == ["pending"]  # not approved by mistake

    lan_seq = await chat_seq(lan)
    approved = only(await hung.tap(t("btn_approve"), message_id=second.message_id))
    assert approved.kind == "edit"
    assert approved.body == t("approved_leader", name="Huỳnh Thị Lan")
    told = only(await events_after(h, lan, lan_seq))
    assert told.body == t("approved_member", name="Huỳnh Thị Lan")
    again = only(await mai.tap(t("btn_approve"), message_id=for_mai.message_id))
    assert again.body == t("already_decided")

    roster = only(await hung.say("/dangvien")).body
    activated = roster.split(t("roster_activated", count=3))[1]
    assert t("roster_line", name="Huỳnh Thị Lan") in activated
    assert "Lý Văn Khoa" not in roster
    assert t("roster_pending", count=1) not in roster
    assert only(await lan.say("/start")).body == t(
        "start_welcome_back", name="Huỳnh Thị Lan", cell=CELL
    )
    assert menu(await h.client.commands(), {"type": "chat", "chat_id": 4002}) == MEMBER_MENU
    assert await h.client.unanswered_callbacks() == []


async def test_roster_buttons_approve_pending_request(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    code = await cell_code(h, cell)
    khoa = h.user(4001, "Khoa")
    await khoa.say(f"/start {code}")
    await khoa.say("Lý Văn Khoa")
    roster = only(await hung.say("/dangvien"))
    assert t("roster_pending", count=1) in roster.body
    label = t("btn_approve_name", name="Lý Văn Khoa")
    assert roster.labels == [label, t("btn_reject")]
    khoa_seq = await chat_seq(khoa)
    done = only(await hung.tap(label, message_id=roster.message_id))
    # The roster stays as it was (other requests keep their buttons); the answer comes below.
    assert done.kind == "message" and done.body == t("approved_leader", name="Lý Văn Khoa")
    kept = [m for m in await hung.messages() if m.message_id == roster.message_id]
    assert kept[0].body == roster.body
    assert only(await events_after(h, khoa, khoa_seq)).body == t(
        "approved_member", name="Lý Văn Khoa"
    )
    assert await h.client.unanswered_callbacks() == []


async def test_join_name_must_be_letters(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    khoa = h.user(4001, "Khoa")
    await khoa.say(f"/start {await cell_code(h, cell)}")
    # Each of these is refused by the roster import (core.roster: name_invalid_char).
    for typed in ("!!!! ????", "😀😀😀😀", "Bấm https://t.me/x"):
        assert only(await khoa.say(typed)).body == t("name_invalid"), typed


# --- 7. /huy withdraws a join request -------------------------------------------------------


async def test_cancel_during_name_step_withdraws(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    code = await cell_code(h, cell)
    khoa = h.user(4001, "Khoa")
    assert only(await khoa.say(f"/start {code}")).body == t("ask_name", cell=CELL)
    assert only(await khoa.say("/huy")).body == t("cancelled")
    assert await account(h, 4001) is None
    assert only(await khoa.say("Lý Văn Khoa")).body == t("start_how_to_join")
    assert only(await khoa.say("/huy")).body == t("nothing_to_cancel")
    assert t("roster_pending", count=1) not in only(await hung.say("/dangvien")).body

    assert only(await khoa.say(f"/start {code}")).body == t("ask_name", cell=CELL)
    hung_seq = await chat_seq(hung)
    assert only(await khoa.say("Lý Văn Khoa")).body == t(
        "join_requested", name="Lý Văn Khoa", cell=CELL
    )
    assert only(await events_after(h, hung, hung_seq)).body == t(
        "approve_request", name="Lý Văn Khoa", cell=CELL
    )


# --- 8. throttling wrong codes ---------------------------------------------------------------


async def test_wrong_codes_are_throttled_per_account(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    good = await cell_code(h, cell)
    guesser = h.user(5001, "Đoán Mò")
    for attempt in range(5):
        wrong = f"ABCD-{'EFGH'[attempt:]}{'XYZ23'[:attempt]}"
        assert only(await guesser.say(f"/start {wrong}")).body == t("code_unknown")
    assert only(await guesser.say(f"/start {good}")).body == t("code_throttled", minutes=15)
    assert await account(h, 5001) is None

    honest = h.user(5002, "Thật Thà")
    assert only(await honest.say(f"/start {good}")).body == t("ask_name", cell=CELL)


# --- 9. blocking and unreachable chats -------------------------------------------------------


async def test_blocking_the_bot_shows_in_roster(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    tam = await link(h, cell, MEMBER, 2003)

    await tam.block()
    # Updates are handled one at a time, in order: the block is seen before /dangvien.
    roster = only(await hung.say("/dangvien")).body
    blocked = roster.split(t("roster_blocked", count=1))[1]
    assert t("roster_line", name=MEMBER) in blocked.split("\n\n")[0]
    blocked_account = await account(h, 2003)
    assert blocked_account is not None and blocked_account["blocked_at"] is not None

    # Writing again unblocks the bot (Telegram sends my_chat_member first).
    assert only(await tam.say("/start")).body == t("start_welcome_back", name=MEMBER, cell=CELL)
    roster = only(await hung.say("/dangvien")).body
    assert t("roster_blocked", count=1) not in roster
    assert t("roster_line", name=MEMBER) in roster.split(t("roster_activated", count=2))[1]


async def test_forbidden_notice_marks_leader_unreachable(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    code = await cell_code(h, cell)
    await h.client.add_fault("sendMessage", "403", chat_id=2001, count=1)

    khoa = h.user(4001, "Khoa")
    await khoa.say(f"/start {code}")
    hung_seq = await chat_seq(hung)
    reply = only(await khoa.say("Lý Văn Khoa"))
    assert reply.body == t("join_requested", name="Lý Văn Khoa", cell=CELL)

    roster = only(await hung.say("/dangvien")).body
    assert (
        t("roster_line_role", name=SECRETARY, role=t("role_secretary"))
        in roster.split(t("roster_blocked", count=1))[1].split("\n\n")[0]
    )
    assert t("roster_pending", count=1) in roster
    failed = [c for c in await h.client.calls("sendMessage") if c.chat_id == 2001]
    assert [c.status for c in failed][-2:] == [403, 200]
    # Only the roster reached the secretary; the failed notice left no trace.
    assert len(await h.client.events(2001, after=hung_seq)) == 1


# --- 11. long replies are split --------------------------------------------------------------


def _long_names(count: int) -> list[str]:
    """Distinct names of 98-100 characters (the roster file accepts up to 100)."""
    filler = "Tôn Nữ Hoàng Thị Minh Khai Phương Thảo Ngọc Bích Diệu Hương Thanh Tâm Bảo Châu Kim"
    words = ["An", "Bình", "Cúc", "Dung", "Giang", "Hà", "Khánh", "Linh", "Mỹ", "Nga"]
    words += ["Oanh", "Phúc", "Quế", "Sương", "Trâm", "Uyên", "Vân", "Xuân", "Yến", "Ánh"]
    names = [f"{a} {b} {filler} {filler}"[:100].rstrip() for a in words for b in words]
    return names[:count]


async def test_long_roster_is_split_under_the_limit(h: Harness) -> None:
    services = h.app.services
    committee = await add_unit(
        services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã Lớn", parent=None, code=None
    )
    unit = await add_unit(
        services, kind=UnitKind.CELL, name=CELL, parent=committee.code, code=None
    )
    names = _long_names(300)
    assert len(set(names)) == 300 and all(98 <= len(n) <= 100 for n in names)
    await _import_extra(h, unit.code, names)
    await _import_extra(h, unit.code, [SECRETARY], role="secretary")
    roster = await roster_of_cell(services, unit.code)
    ids = {e.full_name: e.member_id for e in roster.entries}
    hung = await link(h, Cell(unit.code, roster.cell_id, ids), SECRETARY, 2001)

    expected = render_roster(await roster_of_cell(services, unit.code))
    assert len(expected) > 4096
    assert t("roster_more", count=300 - 40) in expected
    pieces = await hung.say("/dangvien", expect=2)
    assert len(pieces) == 2
    assert all(e.kind == "message" and len(e.body) <= 4096 for e in pieces)
    assert "\n".join(e.body for e in pieces) == expected
    assert [c for c in await h.client.calls() if c.status != 200] == []


# --- 12. 429 on a reply ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limited_reply_is_retried(h: Harness) -> None:
    await h.client.add_fault("sendMessage", "429", retry_after=1, count=1)
    user = h.user(3001, "Người Lạ")
    assert only(await user.say("/start")).body == t("start_how_to_join")
    statuses = [c.status for c in await h.client.calls("sendMessage")]
    assert statuses == [429, 200]
