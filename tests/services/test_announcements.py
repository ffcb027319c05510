"""Announcements (/thongbao) through the real router on both engines: writing and sending,
«Đã đọc», the leaders' view, nudges, and who may do what."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from channels.zalo import TEXT_LIMIT
from core import textmenu
from core.announcements import NUDGE, READ, TEXT_MAX, VIEW, WRITE, notice, number_text
from core.clock import ManualClock
from core.context import Services
from core.payloads import encode
from core.texts import t
from db.models import (
    Announcement,
    AnnouncementRecipient,
    AuditEntry,
    Member,
    MemberStatus,
    Outbox,
)
from tests.conftest import START
from tests.services.test_onboarding import count, join_as
from tests.support import Cell, Person, only, person, seed_cell, text_of

HUNG, MAI, TAM, HOA = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"
TEXT = "Triển khai học tập Nghị quyết Trung ương 10.\nHọp lúc 19:30 thứ Bảy tại hội trường ấp."
LIMIT = number_text(TEXT_MAX)


async def setup(services: Services) -> tuple[Cell, Person, Person, Person, Person]:
    cell = await seed_cell(services)
    users = {HUNG: "100", MAI: "200", TAM: "300", HOA: "400"}
    for name, user in users.items():
        await join_as(services, cell, name, user)
    hung, mai, tam, hoa = (person(services, u) for u in users.values())
    return cell, hung, mai, tam, hoa


async def announce(secretary: Person, text: str = TEXT) -> int:
    """/thongbao → (the list: «Soạn thông báo mới») → the text → «Gửi»; the new id."""
    shown = await secretary.say("/thongbao")
    if t("ann_btn_new") in [b.label for b in only(shown).button_list()]:
        await secretary.tap(t("ann_btn_new"))
    await secretary.say(text)
    sent = only(await secretary.tap(t("ann_btn_send")))
    assert sent.replace and sent.text.endswith(text)
    return await latest(secretary)


async def latest(someone: Person) -> int:
    async with someone.router.services.db.unit_of_work() as uow:
        found = await uow.session.scalar(select(func.max(Announcement.id)))
        assert found is not None
        return int(found)


async def recipients(services: Services, id_: int) -> dict[int, AnnouncementRecipient]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(AnnouncementRecipient).where(AnnouncementRecipient.announcement_id == id_)
        )
        return {r.member_id: r for r in rows}


async def outbox(services: Services, prefix: str) -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Outbox).where(Outbox.dedupe_key.like(f"{prefix}%")).order_by(Outbox.id)
        )
        return list(rows)


async def test_send_makes_one_row_per_member_and_one_message_each(services: Services) -> None:
    cell, hung, _, _, _ = await setup(services)
    asked = only(await hung.say("/thongbao"))  # nothing sent yet: straight to writing
    assert asked.text == t("ann_ask_text", count=3, limit=LIMIT)
    assert [b.label for b in asked.button_list()] == [t("ann_btn_stop")]
    preview = only(await hung.say(f"  {TEXT}  \n"))
    assert preview.text == t("ann_preview", count=3, text=TEXT)  # lines kept, ends trimmed
    assert [b.label for b in preview.button_list()] == [
        t("ann_btn_send"),
        t("ann_btn_edit"),
        t("ann_btn_stop"),
    ]
    assert await count(services, Announcement) == 0  # nothing before «Gửi»
    [send] = [b.payload for b in preview.button_list() if b.label == t("ann_btn_send")]
    sent = only(await hung.press(send))
    assert sent.text == t("ann_sent", count=3) + "\n\n" + TEXT and sent.replace

    [found] = await _all(services)
    ids = cell.member_ids
    assert (found.cell_id, found.text, found.created_by) == (cell.id, TEXT, ids[HUNG])
    rows = await recipients(services, found.id)
    assert set(rows) == set(ids.values())
    assert rows[ids[HUNG]].read_at == START  # the author has read it and gets no copy
    assert all(rows[ids[n]].read_at is None for n in (MAI, TAM, HOA))
    messages = await outbox(services, f"ann:{found.id}:")
    assert [m.member_id for m in messages] == sorted(ids[n] for n in (MAI, TAM, HOA))
    body = messages[0].body
    assert TEXT in body["text"] and t("ann_author", name=HUNG) in body["text"]
    assert body["buttons"] == [[[t("ann_btn_read"), encode(READ, found.id)]]]
    assert {m.kind for m in messages} == {"announcement"}
    [entry] = await _audits(services, "announcement_sent")
    assert entry.detail == {"announcement": found.id, "recipients": 3}  # never the text
    assert entry.actor_id == ids[HUNG] and entry.unit_id == cell.id

    # The preview's «Gửi» again: stale, nothing more.
    assert text_of(await hung.press(send)) == t("stale_button")
    assert await count(services, Announcement) == 1
    assert await count(services, Outbox, Outbox.kind == "announcement") == 3


async def test_bad_text_edit_and_cancel_change_nothing(services: Services) -> None:
    _, hung, _, _, _ = await setup(services)
    await hung.say("/thongbao")
    assert text_of(await hung.say("   \n  ")) == t("ann_empty")
    long = "Nghị quyết " * (TEXT_MAX // 11 + 1)
    length = number_text(len(long.strip()))
    assert text_of(await hung.say(long)) == t("ann_too_long", limit=LIMIT, length=length)
    exactly = "đ" * TEXT_MAX  # the limit itself is fine
    preview = only(await hung.say(exactly))
    assert preview.text == t("ann_preview", count=3, text=exactly)
    payloads = {b.label: b.payload for b in preview.button_list()}
    assert text_of(await hung.say("Một nội dung khác")) == t("ann_use_buttons")
    # «Sửa»: type again; the old preview's «Gửi» no longer sends.
    again = only(await hung.press(payloads[t("ann_btn_edit")]))
    assert again.text == t("ann_ask_text", count=3, limit=LIMIT) and again.replace
    edited = only(await hung.say("Nội dung đã sửa"))
    assert text_of(await hung.press(payloads[t("ann_btn_send")])) == t("stale_button")
    [stop] = [b.payload for b in edited.button_list() if b.label == t("ann_btn_stop")]
    assert text_of(await hung.press(stop)) == t("ann_stopped")
    # /huy while the text is awaited.
    await hung.say("/thongbao")
    assert text_of(await hung.say("/huy")) == t("cancelled")
    assert text_of(await hung.say("Sau khi hủy")) != t("ann_preview", count=3, text="Sau khi hủy")
    assert await count(services, Announcement) == 0
    assert await count(services, AnnouncementRecipient) == 0
    assert await count(services, Outbox, Outbox.kind == "announcement") == 0


async def test_read_is_recorded_once(services: Services, clock: ManualClock) -> None:
    cell, hung, _, tam, _ = await setup(services)
    id_ = await announce(hung)
    clock.advance(timedelta(hours=1))
    first = only(await tam.press(encode(READ, id_)))
    assert first.replace and first.buttons == ()
    assert TEXT in first.text and t("ann_read_now", when="16:00, thứ Hai 02/11/2026") in first.text
    read_at = (await recipients(services, id_))[cell.member_ids[TAM]].read_at
    assert read_at == START + timedelta(hours=1)
    clock.advance(timedelta(hours=1))
    again = only(await tam.press(encode(READ, id_)))
    assert t("ann_read_before", when="16:00, thứ Hai 02/11/2026") in again.text
    assert (await recipients(services, id_))[cell.member_ids[TAM]].read_at == read_at


async def test_forged_other_cell_and_stale_payloads_change_nothing(services: Services) -> None:
    cell, hung, _, tam, hoa = await setup(services)
    id_ = await announce(hung)
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    for name, user in ((HUNG, "500"), (TAM, "600")):
        await join_as(services, other, name, user)
    theirs = await announce(person(services, "500"), "Thông báo của chi bộ Ấp Hai")
    assert text_of(await tam.press(encode(READ, theirs))) == t("ann_not_yours")
    assert text_of(await tam.press(encode(READ, 99999))) == t("ann_not_yours")
    for garbage in ("anr", "anr:abc", "anr:1:2:x!", f"anr:-{id_}", "anr:" + "9" * 40):
        assert text_of(await tam.press(garbage)) == t("stale_button"), garbage
    assert text_of(await person(services, "777").press(encode(READ, id_))) == t("not_linked")
    # A member who left the cell is refused.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Member)
            .where(Member.id == cell.member_ids[HOA])
            .values(status=MemberStatus.LEFT)
        )
        await uow.commit()
    assert text_of(await hoa.press(encode(READ, id_))) == t("ann_member_left")
    unread = [r for r in (await recipients(services, id_)).values() if r.read_at is None]
    assert len(unread) == 3
    assert all(r.read_at is None for r in (await recipients(services, theirs)).values()
               if r.member_id != other.member_ids[HUNG])  # fmt: skip


async def test_the_leaders_view_and_nudges_once_a_day(
    services: Services, clock: ManualClock
) -> None:
    cell, hung, mai, tam, hoa = await setup(services)
    id_ = await announce(hung)
    await tam.press(encode(READ, id_))
    listed = only(await hung.say("/thongbao"))
    excerpt = " ".join(TEXT.split())[:59].rstrip() + "…"
    item = t("ann_list_item", n=1, date="02/11/2026", text=excerpt, read=1, total=3)
    assert item in listed.text
    labels = [b.label for b in listed.button_list()]
    short = excerpt[:27].rstrip() + "…"
    opened = t("ann_btn_open", text=short, date="02/11/2026", read=1, total=3)
    assert labels == [opened, t("ann_btn_new")]
    shown = only(await hung.tap(labels[0]))
    assert t("ann_detail_read", count=1, names=TAM) in shown.text
    assert t("ann_detail_unread", count=2, names=f"{HOA}, {MAI}") in shown.text
    assert [b.label for b in shown.button_list()] == [t("ann_btn_nudge"), t("ann_btn_back")]

    assert text_of(await hung.tap(t("ann_btn_nudge"))) == t("ann_nudged", count=2)
    nudges = await outbox(services, f"ann:nudge:{id_}:")
    assert sorted(m.member_id or 0 for m in nudges) == sorted(
        cell.member_ids[n] for n in (MAI, HOA)
    )
    assert t("ann_nudge_head", date="02/11/2026") in nudges[0].body["text"]
    assert nudges[0].body["buttons"] == [[[t("ann_btn_read"), encode(READ, id_)]]]
    # The same day, by the secretary or the deputy: nobody is nudged twice.
    clock.advance(timedelta(hours=6))  # 21:00 local, still the same day
    assert text_of(await hung.press(encode(NUDGE, id_))) == t("ann_nudged_today")
    assert text_of(await mai.press(encode(NUDGE, id_))) == t("ann_nudged_today")
    assert len(await outbox(services, f"ann:nudge:{id_}:")) == 2
    # The next day Hoa reads it; only Mai is left (and a leader is not nudged by herself).
    clock.advance(timedelta(hours=12))
    await hoa.press(encode(READ, id_))
    assert text_of(await mai.press(encode(NUDGE, id_))) == t("ann_nudge_none")
    assert text_of(await hung.press(encode(NUDGE, id_))) == t("ann_nudged", count=1)
    assert len(await outbox(services, f"ann:nudge:{id_}:")) == 3
    await mai.press(encode(READ, id_))  # the deputy reads it too: nobody left to nudge
    clock.advance(timedelta(days=1))
    assert text_of(await hung.press(encode(NUDGE, id_))) == t("ann_nudge_none")
    shown = only(await hung.press(encode(VIEW, id_)))
    assert t("ann_everyone_read") in shown.text and t("ann_btn_nudge") not in str(shown.buttons)
    entries = await _audits(services, "announcement_nudged")
    assert [e.detail for e in entries] == [
        {"announcement": id_, "members": 2},
        {"announcement": id_, "members": 1},
    ]
    assert [e.actor_id for e in entries] == [cell.member_ids[HUNG]] * 2
    back = only(await hung.tap(t("ann_btn_back")))
    assert back.replace and t("ann_list_title") in back.text


async def test_who_may_announce_see_and_nudge(services: Services) -> None:
    cell, hung, mai, tam, _ = await setup(services)
    id_ = await announce(hung)
    # A member: no /thongbao, no view, no nudge, no writing.
    for act in (
        tam.say("/thongbao"),
        tam.press(encode(VIEW, id_)),
        tam.press(encode(VIEW)),
        tam.press(encode(NUDGE, id_)),
        tam.press(encode(WRITE, "new")),
    ):
        assert text_of(await act) == t("not_allowed")
    # Another cell's secretary: cannot see or nudge this cell's announcement.
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    await join_as(services, other, HUNG, "500")
    stranger = person(services, "500")
    assert text_of(await stranger.press(encode(VIEW, id_))) == t("not_allowed")
    assert text_of(await stranger.press(encode(NUDGE, id_))) == t("not_allowed")
    assert text_of(await stranger.press(encode(NUDGE, 424242))) == t("ann_gone")
    assert text_of(await stranger.say("/thongbao")) == t("ann_nobody")  # alone in their cell
    assert await count(services, Outbox, Outbox.kind == "announcement_nudge") == 0
    # The deputy sees the list, nudges, and sends one of her own.
    assert t("ann_list_title") in text_of(await mai.say("/thongbao"))
    assert text_of(await mai.press(encode(NUDGE, id_))) == t("ann_nudged", count=2)
    own = await announce(mai, "Thông báo của phó bí thư")
    rows = await recipients(services, own)
    assert rows[cell.member_ids[MAI]].read_at is not None
    assert rows[cell.member_ids[HUNG]].read_at is None
    assert len(await outbox(services, f"ann:{own}:")) == 3


async def test_the_members_message_fits_one_zalo_message(services: Services) -> None:
    name = "Nguyễn " * 17  # a 119-character name
    for nudge in (False, True):
        reply = notice(services, 1, "đ" * TEXT_MAX, START, name.strip(), nudge=nudge)
        assert len(textmenu.render(reply)) <= TEXT_LIMIT


async def _all(services: Services) -> list[Announcement]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Announcement).order_by(Announcement.id)))


async def _audits(services: Services, action: str) -> list[AuditEntry]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return list(rows)
