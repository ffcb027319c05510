"""/nhacnho on both engines: only members who have not sent the open self-check or not
answered the next meeting, after a confirmation; once per member per local day; who may."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from core.clock import ManualClock
from core.context import Services
from core.members import grant_role
from core.messages import Button
from core.outbox import reply_of
from core.payloads import encode
from core.reminders import RSVP
from core.selfcheck_render import BEGIN
from core.texts import t, when_text
from db.models import AuditEntry, Outbox, Role, Rsvp, SelfCheckStatus, Unit
from handlers.status import NUDGE
from tests.services.test_onboarding import count, join_as
from tests.services.test_status import HUNG, MAI, TAM, World, at, check, period, setup
from tests.support import Person, only, person, seed_cell, text_of

SEND, CANCEL = t("nudge_btn_send"), t("nudge_btn_cancel")


async def nudges(services: Services) -> dict[str, Outbox]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(Outbox).where(Outbox.kind == "nudge"))
        return {row.dedupe_key: row for row in rows}


def plan_text(services: Services, members: int, selfcheck: int, rsvp: int, **extra: int) -> str:
    lines = [t("nudge_plan_title", count=members)]
    if selfcheck:
        lines.append(t("nudge_plan_selfcheck", count=selfcheck, labels="11/2026"))
    if rsvp:
        when = when_text(at(11, 5), services.config.timezone)
        lines.append(t("nudge_plan_rsvp", count=rsvp, when=when))
    if extra.get("already"):
        lines.append(t("nudge_plan_already", count=extra["already"]))
    if extra.get("unreachable"):
        lines.append(t("nudge_plan_unreachable", count=extra["unreachable"]))
    return "\n".join([*lines, t("nudge_plan_ask")])


async def asked(who: Person) -> str:
    reply = only(await who.say("/nhacnho"))
    assert [b.label for b in reply.button_list()] == [SEND, CANCEL]
    return reply.text


async def test_confirm_then_once_per_member_per_day(
    services: Services, clock: ManualClock
) -> None:
    w = await setup(services)
    mai_id, tam_id = w.ids[MAI], w.ids[TAM]
    # Mai: self-check and meeting; Tám: self-check (he asked leave); Bảy: both, but he has
    # blocked the bot; Hùng: done both.
    expected = plan_text(services, members=2, selfcheck=2, rsvp=1, unreachable=1)
    assert await asked(w.hung) == expected
    assert await nudges(services) == {}  # nothing before the confirmation
    cancelled = only(await w.hung.tap(CANCEL))
    assert cancelled.replace and cancelled.text == t("nudge_cancelled")
    assert await nudges(services) == {}

    await asked(w.hung)
    sent = only(await w.hung.tap(SEND))
    assert sent.replace and sent.text == t("nudge_sent", count=2)
    rows = await nudges(services)
    assert sorted(rows) == sorted([f"nudge:{mai_id}:20261102", f"nudge:{tam_id}:20261102"])
    mai_row, tam_row = rows[f"nudge:{mai_id}:20261102"], rows[f"nudge:{tam_id}:20261102"]
    assert (mai_row.member_id, tam_row.member_id) == (mai_id, tam_id)
    when = when_text(at(11, 5), services.config.timezone)
    mai_nudge = reply_of(mai_row.body)
    assert mai_nudge.text == "\n".join(
        [
            t("nudge_title", cell="Chi bộ Ấp Một"),
            t("nudge_selfcheck", label="11/2026", until="30/11/2026"),
            t("nudge_rsvp", kind=t("meeting_kind_regular"), when=when),
            t("nudge_thanks"),
        ]
    )
    assert mai_nudge.buttons == (
        (Button(t("nudge_btn_selfcheck", label="11/2026"), encode(BEGIN, w.period)),),
        (
            Button(t("btn_will_attend"), encode(RSVP, "y", w.next_meeting)),
            Button(t("btn_ask_leave"), encode(RSVP, "n", w.next_meeting)),
        ),
    )
    tam_nudge = reply_of(tam_row.body)
    assert t("nudge_rsvp", kind=t("meeting_kind_regular"), when=when) not in tam_nudge.text
    assert [b.payload for b in tam_nudge.button_list()] == [encode(BEGIN, w.period)]
    # Useful until the later of the meeting's start and the period's last day.
    assert mai_row.expires_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    audits = await count(services, AuditEntry, AuditEntry.action == "nudge_sent")
    assert audits == 1

    # Mai answers from the nudge's button: the meeting knows.
    await w.mai.press(encode(RSVP, "y", w.next_meeting))
    assert await count(services, Rsvp, Rsvp.member_id == mai_id) == 2  # this and a later one

    # The same day, the deputy asks again: Tám was nudged today (and she does not nudge
    # herself), nothing to send.
    assert text_of(await w.mai.say("/nhacnho")) == t("nudge_all_done_today", count=1)
    # The first confirmation pressed again sends nothing more.
    again = await w.hung.press(encode(NUDGE, "y", "20261102"))
    assert text_of(again) == t("nudge_sent_none")
    assert len(await nudges(services)) == 2
    assert await count(services, AuditEntry, AuditEntry.action == "nudge_sent") == 1

    # 00:30 the next local day (still 2 November in UTC): yesterday's button is stale, a new
    # /nhacnho nudges them again, now about the self-check only.
    clock.set(datetime(2026, 11, 2, 17, 30, tzinfo=UTC))
    stale = await w.hung.press(encode(NUDGE, "y", "20261102"))
    assert text_of(stale) == t("nudge_stale")
    assert len(await nudges(services)) == 2
    assert await asked(w.hung) == plan_text(services, 2, 2, 0, unreachable=1)
    assert only(await w.hung.tap(SEND)).text == t("nudge_sent", count=2)
    rows = await nudges(services)
    assert f"nudge:{mai_id}:20261103" in rows and f"nudge:{tam_id}:20261103" in rows
    assert len(rows) == 4
    assert await count(services, AuditEntry, AuditEntry.action == "nudge_sent") == 2


async def test_who_may_nudge(services: Services) -> None:
    w = await setup(services)
    assert text_of(await w.tam.say("/nhacnho")) == t("not_allowed")
    assert text_of(await w.tam.press(encode(NUDGE, "y", "20261102"))) == t("not_allowed")
    assert text_of(await w.tam.press(encode(NUDGE, "a"))) == t("not_allowed")
    assert text_of(await w.tam.press(encode(NUDGE, "x"))) == t("stale_button")
    assert text_of(await w.tam.press(encode(NUDGE, "y"))) == t("stale_button")
    # Committee staff of the unit above are refused too (aggregates only, no nudging).
    async with services.db.unit_of_work() as uow:
        committee = await uow.session.scalar(select(Unit.parent_id).where(Unit.id == w.cell.id))
    await grant_role(services, w.ids[TAM], str(committee), Role.STAFF)
    assert text_of(await w.tam.say("/nhacnho")) == t("not_allowed")
    assert await nudges(services) == {}
    # Another cell's secretary nudges only their own cell: Ấp Hai's Tám, once his answer to
    # Ấp Hai's meeting is gone (the secretary, who has not done either, is not nudged).
    async with services.db.unit_of_work() as uow:
        theirs_tam = await uow.session.scalar(
            select(Rsvp).where(Rsvp.member_id.not_in(w.ids.values()))
        )
        assert theirs_tam is not None
        await uow.session.delete(theirs_tam)
        await uow.commit()
    theirs = person(services, "900")
    reply = only(await theirs.say("/nhacnho"))
    when = when_text(at(11, 3), services.config.timezone)
    assert reply.text.split("\n")[:2] == [
        t("nudge_plan_title", count=1),
        t("nudge_plan_rsvp", count=1, when=when),
    ]
    assert only(await theirs.tap(SEND)).text == t("nudge_sent", count=1)
    [row] = (await nudges(services)).values()
    assert row.member_id not in w.ids.values()
    assert "Chi bộ Ấp Hai" in reply_of(row.body).text


async def test_nothing_to_nudge(services: Services) -> None:
    cell = await seed_cell(services)
    await join_as(services, cell, HUNG, "100")
    hung = person(services, "100")
    assert text_of(await hung.say("/nhacnho")) == t("nudge_nothing_open")
    async with services.db.unit_of_work() as uow:
        p = period("11/2026", date(2026, 11, 1), date(2026, 11, 30))
        uow.session.add(p)
        await uow.session.flush()
        hung_id = cell.member_ids[HUNG]
        uow.session.add(check(p.id, hung_id, cell.id, SelfCheckStatus.SUBMITTED))
        await uow.commit()
    # The only active member has sent it; the others have not activated the bot.
    assert text_of(await hung.say("/nhacnho")) == t("nudge_nobody")
    assert await nudges(services) == {}


async def test_the_status_button_asks_the_same(services: Services) -> None:
    w: World = await setup(services)
    await w.hung.say("/tinhhinh")
    reply = only(await w.hung.tap(t("status_btn_nudge")))
    assert reply.text == plan_text(services, members=2, selfcheck=2, rsvp=1, unreachable=1)
    assert await nudges(services) == {}
