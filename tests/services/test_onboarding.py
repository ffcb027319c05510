"""Joining, approving and cancelling through the real router on real databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.clock import ManualClock
from core.context import Services
from core.inviting import operator_invite
from core.texts import t
from db.models import AuditEntry, ChannelAccount, Member, MemberStatus, Role
from tests.support import Cell, person, seed_cell, text_of


async def member_code(services: Services, cell: Cell, name: str, days: int = 30) -> str:
    view = await operator_invite(
        services,
        cell_ref=cell.code,
        member_id=cell.member_ids[name],
        role=Role.MEMBER,
        days=days,
        uses=None,
    )
    return view.shown_code


async def join_as(services: Services, cell: Cell, name: str, user_id: str) -> None:
    someone = person(services, user_id, name)
    await someone.say(f"/start {await member_code(services, cell, name)}")
    await someone.tap(t("btn_its_me", name=name))


async def count(services: Services, model: type, *where: object) -> int:
    async with services.db.unit_of_work() as uow:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await uow.session.scalar(query) or 0)


async def test_member_code_links_account_after_confirmation(services: Services) -> None:
    cell = await seed_cell(services)
    code = await member_code(services, cell, "Lê Văn Tám")
    tam = person(services, "501", "Tám")
    asked = await tam.say(f"/start {code.lower()}")  # case does not matter
    assert text_of(asked) == t("confirm_identity", name="Lê Văn Tám", cell="Chi bộ Ấp Một")
    assert await count(services, ChannelAccount) == 0  # nothing linked before confirming
    joined = await tam.tap(t("btn_its_me", name="Lê Văn Tám"))
    assert joined.replies[0].replace
    assert "Lê Văn Tám" in joined.replies[0].text
    assert await count(services, ChannelAccount, ChannelAccount.external_id == "501") == 1
    assert await count(services, Member, Member.status == MemberStatus.ACTIVE) == 1
    again = await person(services, "502").say(f"/start {code}")
    assert text_of(again) == t("code_used")


async def test_not_me_changes_nothing(services: Services) -> None:
    cell = await seed_cell(services)
    code = await member_code(services, cell, "Lê Văn Tám")
    someone = person(services, "600")
    await someone.say(f"/start {code}")
    answer = await someone.tap(t("btn_not_me"))
    assert text_of(answer) == t("not_me")
    assert await count(services, ChannelAccount) == 0
    real = person(services, "601")
    await real.say(f"/start {code}")
    await real.tap(t("btn_its_me", name="Lê Văn Tám"))
    assert await count(services, ChannelAccount) == 1


async def test_bad_codes_are_explained_and_change_nothing(
    services: Services, clock: ManualClock
) -> None:
    cell = await seed_cell(services)
    stranger = person(services, "700")
    assert text_of(await stranger.say("/start ZZZZ-ZZZZ")) == t("code_unknown")
    expiring = await member_code(services, cell, "Phạm Thị Hoa", days=1)
    clock.advance(timedelta(days=2))
    assert text_of(await stranger.say(f"/start {expiring}")) == t("code_expired")
    assert await count(services, ChannelAccount) == 0


async def test_guessing_is_throttled_per_account(services: Services, clock: ManualClock) -> None:
    cell = await seed_cell(services)
    good = await member_code(services, cell, "Lê Văn Tám")
    guesser = person(services, "800")
    for n in range(services.config.code_failures_allowed):
        await guesser.say(f"/start WRONG{n:03d}")
    minutes = int(services.config.code_failure_window.total_seconds() // 60)
    assert text_of(await guesser.say(f"/start {good}")) == t("code_throttled", minutes=minutes)
    other = person(services, "801")
    assert "Lê Văn Tám" in text_of(await other.say(f"/start {good}"))
    clock.advance(services.config.code_failure_window + timedelta(seconds=1))
    assert "Lê Văn Tám" in text_of(await guesser.say(f"/start {good}"))


async def test_cell_code_join_request_approved_by_secretary(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    secretary = person(services, "100", "Hùng")
    invite_text = text_of(await secretary.say("/moi"))
    shared = invite_text.split(": ", 1)[1].split("\n", 1)[0]
    newcomer = person(services, "900", "khoa")
    assert text_of(await newcomer.say(f"/start {shared}")) == t("ask_name", cell="Chi bộ Ấp Một")
    assert text_of(await newcomer.say("K1")) == t("name_invalid")
    requested = await newcomer.say("lý  văn khoa")
    assert text_of(requested) == t("join_requested", name="Lý Văn Khoa", cell="Chi bộ Ấp Một")
    [notice] = requested.notices
    assert notice.to.chat_id == "100"
    assert notice.reply.text == t("approve_request", name="Lý Văn Khoa", cell="Chi bộ Ấp Một")
    approve = notice.reply.buttons[0][0].payload
    # Not the secretary: refused, and nothing changes.
    assert text_of(await person(services, "900").press(approve)) == t("not_allowed")
    decided = await secretary.press(approve)
    assert decided.replies[0].text == t("approved_leader", name="Lý Văn Khoa")
    assert decided.notices[0].to.chat_id == "900"
    assert decided.menus and decided.menus[0].to.chat_id == "900"
    assert text_of(await secretary.press(approve)) == t("already_decided")
    assert "Lý Văn Khoa" in text_of(await newcomer.say("/start"))


async def test_rejected_request_is_removed(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    shared = (await person(services, "100").say("/moi")).replies[0].text.split(": ")[1][:9]
    newcomer = person(services, "901")
    await newcomer.say(f"/start {shared}")
    asked = await newcomer.say("Đỗ Thị Hạnh")
    reject = asked.notices[0].reply.buttons[0][1].payload
    decided = await person(services, "100").press(reject)
    assert decided.notices[0].reply.text == t("rejected_member", name="Đỗ Thị Hạnh")
    left = Member.full_name == "Đỗ Thị Hạnh", Member.status == MemberStatus.LEFT
    assert await count(services, Member, *left) == 1
    assert await count(services, ChannelAccount, ChannelAccount.external_id == "901") == 0
    assert text_of(await person(services, "100").press(reject)) == t("already_decided")
    assert text_of(await newcomer.say("/start")) == t("start_how_to_join")


async def test_cancel_withdraws_unfinished_join(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    shared = (await person(services, "100").say("/moi")).replies[0].text.split(": ")[1][:9]
    newcomer = person(services, "902")
    await newcomer.say(f"/start {shared}")
    assert text_of(await newcomer.say("/huy")) == t("cancelled")
    assert text_of(await newcomer.say("/huy")) == t("nothing_to_cancel")
    assert await count(services, Member, Member.status == MemberStatus.PENDING) == 0
    assert text_of(await newcomer.say(f"/start {shared}")) == t("ask_name", cell="Chi bộ Ấp Một")


async def test_permissions_follow_roles_and_cells(services: Services) -> None:
    cell = await seed_cell(services)
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    await join_as(services, cell, "Lê Văn Tám", "300")
    await join_as(services, other, "Nguyễn Văn Hùng", "400")
    member = person(services, "300")
    assert text_of(await member.say("/moi")) == t("not_allowed")
    assert text_of(await member.say("/dangvien")) == t("not_allowed")
    help_text = text_of(await member.say("/trogiup"))
    assert "/huy" in help_text and "/moi" not in help_text
    # The other cell's secretary cannot invite members of this cell by forging a payload.
    forged = f"inv:m:{cell.member_ids['Phạm Thị Hoa']}"
    assert text_of(await person(services, "400").press(forged)) == t("not_allowed")
    assert "/moi" in text_of(await person(services, "400").say("/trogiup"))
    assert text_of(await person(services, "nobody").say("/moi")) == t("not_linked")


async def test_stale_and_forged_buttons(services: Services) -> None:
    await seed_cell(services)
    someone = person(services, "1")
    for payload in ("", "zzz:1", "join", "mem:ok:notanumber", "x" * 80, "inv:m:999999"):
        answer = text_of(await someone.press(payload))
        assert answer in {t("stale_button"), t("not_linked"), t("member_unknown", ref="999999")}


async def test_audit_records_who_did_what(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    actions = await count(services, AuditEntry, AuditEntry.action == "joined")
    assert actions == 1
