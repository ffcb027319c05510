"""A member's channels: the overview, the preferred channel, linking Zalo with a personal code.

Services and `/kenh` run against the real databases; people link the way they would (a code,
then "that's me"), on the "telegram" and "zalo" channels this deployment runs.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import linking, onboarding
from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.errors import Refused
from core.inviting import operator_invite
from core.linking import LinkedChannel
from core.messages import Address, Incoming
from core.reachability import unreachable
from core.texts import t, when_text
from db.models import AuditEntry, ChannelAccount, Member, Role
from handlers import build_router
from tests.services.test_onboarding import member_code
from tests.support import Cell, Person, seed_cell, text_of

TAM, HOA = "Lê Văn Tám", "Phạm Thị Hoa"
ZALO_BOT = "Trợ lý Chi bộ Ấp Một"


@pytest.fixture
def config() -> CoreConfig:
    return CoreConfig(
        join_link_template="https://t.me/chibo_test_bot?start={code}",
        channels=frozenset({"telegram", "zalo"}),
        zalo_bot_name=ZALO_BOT,
    )


@pytest.fixture
async def cell(services: Services) -> Cell:
    return await seed_cell(services)


def on(channel: str, user_id: str) -> Incoming:
    return Incoming(channel, user_id, user_id, text="/kenh")


def talker(services: Services, channel: str, user_id: str, name: str = "") -> Person:
    return Person(build_router(services), user_id, name, channel=channel)


async def link_on(services: Services, cell: Cell, name: str, channel: str, user_id: str) -> None:
    """The member's first account, from the secretary's roster code."""
    someone = talker(services, channel, user_id, name)
    await someone.say(f"/start {await member_code(services, cell, name)}")
    await someone.tap(t("btn_its_me", name=name))


async def add_channel(services: Services, linked: Incoming, channel: str, user_id: str) -> None:
    """The member, linked as `linked`, links `channel` with a code from /kenh."""
    code = await linking.link_code(services, linked, channel)
    there = Incoming(channel, user_id, user_id, text=f"/start {code.code}")
    step = await onboarding.use_code(services, there, code.code)
    assert isinstance(step, onboarding.ConfirmIdentity)
    await onboarding.confirm_identity(services, there, step.code)


async def accounts_of(services: Services, member_id: int) -> list[tuple[str, str]]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(ChannelAccount.channel, ChannelAccount.external_id)
            .where(ChannelAccount.member_id == member_id)
            .order_by(ChannelAccount.channel)
        )
        return [(channel, external) for channel, external in rows]


async def refused(key: str, call: Awaitable[object]) -> None:
    with pytest.raises(Refused) as caught:
        await call
    assert caught.value.key == key


# --- services ------------------------------------------------------------------------------


async def test_overview_of_a_member_linked_on_telegram(services: Services, cell: Cell) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    view = await linking.overview(services, on("telegram", "501"))
    assert view.linked == [LinkedChannel("telegram", blocked=False, running=True)]
    assert view.preferred == "telegram"
    assert view.unlinked == ["zalo"]
    assert view.switchable == []


async def test_a_zalo_code_links_a_second_account(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    tam = cell.member_ids[TAM]
    code = await linking.link_code(services, on("telegram", "501"), "zalo")
    assert code.channel == "zalo" and code.bot_name == ZALO_BOT and code.link is None
    assert code.expires_at == clock.now() + timedelta(days=1)
    zalo = Incoming("zalo", "z-501", "z-501", text=code.code)
    step = await onboarding.use_code(services, zalo, code.code)
    assert isinstance(step, onboarding.ConfirmIdentity)
    assert (step.member_name, step.cell_name) == (TAM, "Chi bộ Ấp Một")
    joined = await onboarding.confirm_identity(services, zalo, step.code)
    assert joined.actor.member_id == tam
    assert await accounts_of(services, tam) == [("telegram", "501"), ("zalo", "z-501")]
    view = await linking.overview(services, on("zalo", "z-501"))
    assert [c.channel for c in view.linked] == ["telegram", "zalo"]
    assert view.preferred == "telegram"  # the earliest linked, until the member chooses
    assert view.unlinked == [] and view.switchable == ["zalo"]
    # The code was for one use: nobody else can take it.
    stranger = Incoming("zalo", "z-999", "z-999")
    await refused("code_used", onboarding.use_code(services, stranger, code.code))


async def test_a_link_code_lasts_one_day(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    code = await linking.link_code(services, on("telegram", "501"), "zalo")
    clock.advance(timedelta(days=1))
    zalo = Incoming("zalo", "z-501", "z-501")
    await refused("code_expired", onboarding.use_code(services, zalo, code.code))


async def test_a_telegram_code_comes_with_the_deep_link(services: Services, cell: Cell) -> None:
    await link_on(services, cell, TAM, "zalo", "z-501")
    code = await linking.link_code(services, on("zalo", "z-501"), "telegram")
    raw = code.code.replace("-", "")
    assert code.link == f"https://t.me/chibo_test_bot?start={raw}"
    assert code.bot_name is None


async def test_choosing_the_preferred_channel(services: Services, cell: Cell) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    await add_channel(services, on("telegram", "501"), "zalo", "z-501")
    view = await linking.set_preferred(services, on("telegram", "501"), "zalo")
    assert view.preferred == "zalo" and view.switchable == ["telegram"]
    async with services.db.unit_of_work() as uow:
        member = await uow.session.get(Member, cell.member_ids[TAM])
        assert member is not None and member.preferred_channel == "zalo"
        entry = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "preferred_channel")
        )
        assert entry is not None and entry.actor_id == member.id
        assert entry.detail == {"channel": "zalo"}
    # Blocked on Zalo: reminders go to Telegram again, and Zalo cannot be chosen.
    await unreachable(services, Address("zalo", "z-501"))
    view = await linking.overview(services, on("telegram", "501"))
    assert view.preferred == "telegram"
    assert view.linked[1] == LinkedChannel("zalo", blocked=True, running=True)
    assert view.switchable == []
    await refused(
        "channel_blocked", linking.set_preferred(services, on("telegram", "501"), "zalo")
    )


async def test_refusals(services: Services, cell: Cell) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    tam = on("telegram", "501")
    await refused("channel_not_linked", linking.set_preferred(services, tam, "zalo"))
    await refused("channel_not_running", linking.set_preferred(services, tam, "viber"))
    await refused("channel_not_running", linking.link_code(services, tam, "viber"))
    await refused("channel_already_linked", linking.link_code(services, tam, "telegram"))
    stranger = on("telegram", "999")
    await refused("not_linked", linking.overview(services, stranger))
    await refused("not_linked", linking.link_code(services, stranger, "zalo"))
    # Waiting for the secretary's approval: no code to link another channel yet.
    shared = await operator_invite(
        services, cell_ref=cell.code, member_id=None, role=Role.MEMBER, days=30, uses=None
    )
    newcomer = talker(services, "telegram", "900", "Khoa")
    await newcomer.say(f"/start {shared.shown_code}")
    await newcomer.say("Lý Văn Khoa")
    await refused("pending_approval", linking.link_code(services, on("telegram", "900"), "zalo"))


async def test_a_channel_the_deployment_does_not_run_is_not_offered(
    services: Services, cell: Cell
) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    await add_channel(services, on("telegram", "501"), "zalo", "z-501")
    telegram_only = Services(
        services.db, services.clock, CoreConfig(channels=frozenset({"telegram"}))
    )
    view = await linking.overview(telegram_only, on("telegram", "501"))
    assert view.linked[1] == LinkedChannel("zalo", blocked=False, running=False)
    assert view.switchable == [] and view.unlinked == []
    await refused(
        "channel_not_running", linking.set_preferred(telegram_only, on("telegram", "501"), "zalo")
    )


# --- /kenh through the real router ---------------------------------------------------------


async def test_kenh_links_zalo_and_switches_reminders(services: Services, cell: Cell) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    telegram = talker(services, "telegram", "501", TAM)
    shown = (await telegram.say("/kenh")).replies[0]
    assert shown.text.splitlines()[0] == t("channels_current_telegram")
    assert t("channels_can_link") in shown.text
    assert [b.label for b in shown.button_list()] == [t("btn_link_zalo")]
    assert all(len(b.payload.encode()) <= 64 for b in shown.button_list())

    code_reply = (await telegram.tap(t("btn_link_zalo"))).replies[0]
    assert code_reply.replace and not code_reply.buttons
    code = code_reply.text.split(": ", 1)[1].split("\n", 1)[0]
    expires = when_text(services.clock.now() + timedelta(days=1), services.config.timezone)
    assert code_reply.text == "\n".join(
        [
            t("link_code_zalo", code=code, bot_name=ZALO_BOT),
            t("link_code_note", when=expires),
        ]
    )

    zalo = talker(services, "zalo", "z-501", TAM)
    await zalo.say(code)  # on Zalo the code is typed as it is
    await zalo.tap(t("btn_its_me", name=TAM))
    shown = (await telegram.say("/kenh")).replies[0]
    assert shown.text == t("channels_current_telegram")
    assert [b.label for b in shown.button_list()] == [t("btn_prefer_zalo")]

    switched = (await telegram.tap(t("btn_prefer_zalo"))).replies[0]
    assert switched.replace
    assert switched.text == t("preferred_set_zalo")
    assert [b.label for b in switched.button_list()] == [t("btn_prefer_telegram")]
    assert text_of(await zalo.say("/kenh")) == t("channels_current_zalo")


async def test_kenh_shows_a_blocked_channel_without_its_button(
    services: Services, cell: Cell
) -> None:
    await link_on(services, cell, TAM, "telegram", "501")
    await add_channel(services, on("telegram", "501"), "zalo", "z-501")
    await unreachable(services, Address("zalo", "z-501"))
    shown = (await talker(services, "telegram", "501").say("/kenh")).replies[0]
    assert shown.text == "\n".join([t("channels_current_telegram"), t("channels_blocked_zalo")])
    assert shown.buttons == ()
    # An old «Nhận nhắc qua Zalo» button pressed now: a short refusal.
    answer = await talker(services, "telegram", "501").press("chn:p:zalo")
    assert text_of(answer) == t("channel_blocked")


async def test_kenh_for_strangers_and_odd_buttons(services: Services, cell: Cell) -> None:
    await link_on(services, cell, HOA, "telegram", "601")
    assert text_of(await talker(services, "telegram", "999").say("/kenh")) == t("not_linked")
    hoa = talker(services, "telegram", "601")
    assert text_of(await hoa.press("chn:x:zalo")) == t("stale_button")
    assert text_of(await hoa.press("chn:p")) == t("stale_button")
    assert text_of(await hoa.press("chn:l:telegram")) == t("channel_already_linked")
    help_text = text_of(await hoa.say("/trogiup"))
    assert t("help_line", command="kenh", description=t("cmd_kenh")) in help_text
