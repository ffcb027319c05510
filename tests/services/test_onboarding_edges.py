"""Races and edge cases of joining, found in review; each ran against real databases."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from core.context import Services
from core.errors import Refused
from core.inviting import operator_invite
from core.members import import_rows, roster_of_cell
from core.roster import RosterRow
from core.texts import t
from db.models import ChannelAccount, Invite, Member, MemberStatus, Role
from tests.services.test_onboarding import count, join_as, member_code
from tests.support import person, seed_cell, text_of


async def shared_code(services: Services, cell_code: str, uses: int | None = None) -> str:
    view = await operator_invite(
        services, cell_ref=cell_code, member_id=None, role=Role.MEMBER, days=30, uses=uses
    )
    return view.shown_code


async def test_one_time_code_raced_by_two_accounts_links_one(services: Services) -> None:
    cell = await seed_cell(services)
    code = await member_code(services, cell, "Lê Văn Tám")
    a, b = person(services, "501"), person(services, "502")
    await a.say(f"/start {code}")
    await b.say(f"/start {code}")
    yes = t("btn_its_me", name="Lê Văn Tám")
    results = await asyncio.gather(a.tap(yes), b.tap(yes))
    texts = sorted(text_of(r) for r in results)
    assert sum("Chào mừng" in x for x in texts) == 1
    assert t("code_used") in texts
    assert await count(services, ChannelAccount) == 1


async def test_double_tap_is_answered_not_crashed(services: Services) -> None:
    cell = await seed_cell(services)
    code = await member_code(services, cell, "Lê Văn Tám")
    tam = person(services, "501")
    await tam.say(f"/start {code}")
    yes = t("btn_its_me", name="Lê Văn Tám")
    results = await asyncio.gather(tam.tap(yes), tam.tap(yes))
    assert t("internal_error") not in [text_of(r) for r in results]
    assert await count(services, ChannelAccount) == 1


async def test_limited_cell_code_admits_only_its_uses(services: Services) -> None:
    cell = await seed_cell(services)
    code = await shared_code(services, cell.code, uses=1)
    people = [person(services, str(600 + i)) for i in range(4)]
    answers = await asyncio.gather(*(p.say(f"/start {code}") for p in people))
    asked = [a for a in answers if text_of(a) == t("ask_name", cell="Chi bộ Ấp Một")]
    assert len(asked) == 1
    async with services.db.unit_of_work() as uow:
        invite = await uow.session.scalar(select(Invite).where(Invite.member_id.is_(None)))
        assert invite is not None and invite.uses_left == 0 and invite.used_count == 1


async def test_approve_and_reject_at_once_decide_once(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    await join_as(services, cell, "Trần Thị Mai", "101")
    newcomer = person(services, "900")
    await newcomer.say(f"/start {await shared_code(services, cell.code)}")
    asked = await newcomer.say("Lý Văn Khoa")
    ok, no = (b.payload for b in asked.notices[0].reply.buttons[0])
    results = await asyncio.gather(
        person(services, "100").press(ok), person(services, "101").press(no)
    )
    texts = [text_of(r) for r in results]
    assert texts.count(t("already_decided")) == 1
    assert sum(len(r.notices) for r in results) == 1  # the newcomer hears one verdict


async def test_no_approval_before_the_name_is_typed(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    newcomer = person(services, "900", "🌸 hoa 🌸")
    await newcomer.say(f"/start {await shared_code(services, cell.code)}")
    roster = await roster_of_cell(services, cell.code)
    pending = next(e for e in roster.entries if e.member_id not in cell.member_ids.values())
    answer = await person(services, "100").press(f"mem:ok:{pending.member_id}:r")
    assert "chưa gõ xong" in text_of(answer)
    assert await count(services, Member, Member.status == MemberStatus.ACTIVE) == 1


async def test_roster_member_using_cell_code_is_merged_on_approval(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    tam = person(services, "501")
    await tam.say(f"/start {await shared_code(services, cell.code)}")
    asked = await tam.say("lê văn tám")
    assert t("approve_request_match", name="Lê Văn Tám") in asked.notices[0].reply.text
    assert text_of(
        await tam.say(f"/start {await member_code(services, cell, 'Lê Văn Tám')}")
    ) == t("pending_approval")
    await person(services, "100").press(asked.notices[0].reply.buttons[0][0].payload)
    same_name = Member.full_name == "Lê Văn Tám"
    assert await count(services, Member, same_name, Member.status == MemberStatus.ACTIVE) == 1
    assert await count(services, Member, same_name, Member.status != MemberStatus.LEFT) == 1
    async with services.db.unit_of_work() as uow:
        account = await uow.session.scalar(
            select(ChannelAccount).where(ChannelAccount.external_id == "501")
        )
        assert account is not None and account.member_id == cell.member_ids["Lê Văn Tám"]


async def test_pending_person_can_withdraw_and_is_told_to_wait(services: Services) -> None:
    cell = await seed_cell(services)
    newcomer = person(services, "900")
    await newcomer.say(f"/start {await shared_code(services, cell.code)}")
    await newcomer.say("Lý Văn Khoa")
    assert text_of(await newcomer.say("/trogiup")) == t("pending_approval")
    assert text_of(await newcomer.say("/huy")) == t("cancelled")
    assert text_of(await newcomer.say("/start")) == t("start_how_to_join")


async def test_reimport_with_phones_does_not_duplicate(services: Services) -> None:
    cell = await seed_cell(services)
    rows = [
        RosterRow(
            line=2, full_name="Lê Văn Tám", phone="0900000003", role="member", membership="full"
        ),
        RosterRow(
            line=3, full_name="Võ Minh Tuấn", phone="0900000005", role="member", membership="full"
        ),
    ]
    summary = await import_rows(services, cell.code, rows)
    assert (summary.added, summary.already_there) == (1, 1)
    again = await import_rows(services, cell.code, rows)
    assert (again.added, again.already_there) == (0, 2)
    async with services.db.unit_of_work() as uow:
        tam = await uow.session.get(Member, cell.member_ids["Lê Văn Tám"])
        assert tam is not None and tam.phone == "0900000003"


async def test_invite_role_is_applied_and_committee_codes_are_refused(services: Services) -> None:
    cell = await seed_cell(services)
    view = await operator_invite(
        services,
        cell_ref=cell.code,
        member_id=cell.member_ids["Lê Văn Tám"],
        role=Role.DEPUTY,
        days=30,
        uses=None,
    )
    tam = person(services, "501")
    await tam.say(f"/start {view.shown_code}")
    await tam.tap(t("btn_its_me", name="Lê Văn Tám"))
    assert "/moi" in text_of(await tam.say("/trogiup"))
    with pytest.raises(Refused) as refused:  # unit 1 is the committee above the cell
        await operator_invite(
            services, cell_ref="1", member_id=None, role=Role.MEMBER, days=30, uses=None
        )
    assert refused.value.key == "unit_not_cell"
