"""Following up self-check flags through the real router, on both engines: the leaders'
notice with «Đã liên hệ» and «Ghi chú», notes, /theodoi with the draft's suggestions, who may
do it, and what never shows (free texts, labels such as "suy thoái")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from core.catalogue.flags import TEXTS as FLAG_TEXTS
from core.clock import ManualClock
from core.context import Services
from core.flag_rules import FlagFact, History, hints
from core.forms import Form, Period, QuestionKind, default_forms
from core.messages import Outcome
from core.texts import t, when_text
from db.models import AuditEntry, Conversation, Flag, SelfCheckPeriod
from tests.services.test_onboarding import join_as
from tests.support import Cell, Person, only, person, seed_cell, text_of

MONTHLY = default_forms()[("monthly", 1)]
QUARTERLY = default_forms()[("quarterly", 1)]
COMMENT = "Đang làm báo cáo cho tổ dân phố"
SECRET_TEXT = "Đọc thêm về Nghị quyết, đều đặn hơn"
LABELS = ("suy thoái", "thoái hóa")


async def open_period(services: Services, form: str, starts: date, ends: date, label: str) -> None:
    async with services.db.unit_of_work() as uow:
        uow.session.add(
            SelfCheckPeriod(
                form_name=form,
                starts_on=starts,
                ends_on=ends,
                label=label,
                opened_at=services.clock.now(),
            )
        )
        await uow.commit()


async def setup(services: Services) -> tuple[Cell, dict[str, Person]]:
    cell = await seed_cell(services)
    people = {"hung": "100", "mai": "200", "tam": "300", "hoa": "400"}
    names = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"]
    for name, user in zip(names, people.values(), strict=True):
        await join_as(services, cell, name, user)
    return cell, {key: person(services, user) for key, user in people.items()}


def option(form: Form, question_id: str, value: str) -> str:
    question = form.question(question_id)
    assert question is not None
    found = question.option(value)
    assert found is not None
    return found.label


async def answer(
    member: Person, form: Form, chosen: dict[str, str], text: str | None = None
) -> Outcome:
    """Answer every question (the first option unless `chosen` has a value), write `text` in
    comments and the optional text, and send."""
    await member.say("/tukiemtra")
    for question in form.applicable(frozenset()):
        if question.kind is QuestionKind.TEXT:
            await (member.say(text) if text else member.tap(t("sc_btn_skip")))
            continue
        value = chosen.get(question.id, question.options[0].value)
        await member.tap(option(form, question.id, value))
        if question.comment:
            await (member.say(text) if text else member.tap(t("sc_btn_skip")))
    return await member.tap(t("sc_btn_submit"))


async def flags(services: Services) -> list[Flag]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Flag).order_by(Flag.id)))


async def audits(services: Services, action: str) -> list[AuditEntry]:
    async with services.db.unit_of_work() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list(await uow.session.scalars(query))


def suggestions(block: str) -> list[str]:
    """The suggestion lines of one member's block in /theodoi."""
    lines = block.split("\n")
    if t("flags_hints_title") not in lines:
        return []
    return lines[lines.index(t("flags_hints_title")) + 1 :]


async def monthly_with_flags(services: Services, tam: Person) -> Outcome:
    await open_period(services, "monthly", date(2026, 11, 1), date(2026, 11, 30), "11/2026")
    chosen = {"M1": "absent_unreported", "M3": "in_progress", "M7": "wants_help"}
    return await answer(tam, MONTHLY, chosen, COMMENT)


async def test_contacted_by_the_secretary_leaves_the_list(
    services: Services, clock: ManualClock
) -> None:
    cell, p = await setup(services)
    sent = await monthly_with_flags(services, p["tam"])
    assert len(sent.notices) == 2  # secretary and deputy
    for notice in sent.notices:
        assert [b.label for b in notice.reply.button_list()] == [
            t("flag_btn_contacted"),
            t("flag_btn_note"),
        ]
        assert COMMENT not in notice.reply.text
    [contacted, _] = sent.notices[0].reply.button_list()
    listed = text_of(await p["hung"].say("/theodoi"))
    assert t("flags_member", name="Lê Văn Tám") in listed
    assert "«Vắng, chưa kịp báo cáo»" in listed and t("sc_flag_support") in listed
    assert COMMENT not in listed
    clock.advance(timedelta(hours=2))
    marked = only(await p["hung"].press(contacted.payload))
    assert marked.replace  # the notice itself shows who contacted, and keeps «Ghi chú»
    when = when_text(clock.now(), services.config.timezone)
    assert t("flag_contacted_now", name="Nguyễn Văn Hùng", when=when) in marked.text
    assert [b.label for b in marked.button_list()] == [t("flag_btn_note")]
    hung_id = cell.member_ids["Nguyễn Văn Hùng"]
    assert {(f.contacted_at, f.contacted_by) for f in await flags(services)} == {
        (clock.now(), hung_id)
    }
    [entry] = await audits(services, "flags_contacted")
    assert (entry.actor_id, entry.target_id) == (hung_id, cell.member_ids["Lê Văn Tám"])
    assert set(entry.detail) == {"selfcheck", "flags"}  # no answers in the audit log
    assert text_of(await p["hung"].say("/theodoi")) == t("flags_list_empty")
    # The deputy's copy of the notice: already done, nothing changes.
    again = only(await p["mai"].press(sent.notices[1].reply.button_list()[0].payload))
    assert t("flag_contacted_before", name="Nguyễn Văn Hùng", when=when) in again.text
    assert len(await audits(services, "flags_contacted")) == 1


async def test_the_deputy_marks_from_the_list(services: Services) -> None:
    cell, p = await setup(services)
    await monthly_with_flags(services, p["tam"])
    listed = await p["mai"].say("/theodoi")
    label = t("flag_btn_contacted_for", name="Lê Văn Tám", label="11/2026")
    marked = only(await p["mai"].tap(label))
    assert not marked.replace  # the list stays; the card comes as a new message
    assert t("flag_card_title", label="11/2026", name="Lê Văn Tám") in marked.text
    assert {f.contacted_by for f in await flags(services)} == {cell.member_ids["Trần Thị Mai"]}
    assert listed.replies and text_of(await p["mai"].say("/theodoi")) == t("flags_list_empty")


async def test_members_and_other_cells_are_refused_and_nothing_changes(
    services: Services,
) -> None:
    _, p = await setup(services)
    sent = await monthly_with_flags(services, p["tam"])
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    await join_as(services, other, "Nguyễn Văn Hùng", "500")
    outsider = person(services, "500")
    for someone in (p["hoa"], p["tam"], outsider):
        for button in sent.notices[0].reply.button_list():
            assert text_of(await someone.press(button.payload)) == t("not_allowed")
    assert text_of(await p["hoa"].say("/theodoi")) == t("not_allowed")
    assert text_of(await outsider.say("/theodoi")) == t("flags_list_empty")
    assert all(f.contacted_at is None and f.note is None for f in await flags(services))
    assert await audits(services, "flags_contacted") == []
    async with services.db.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(Conversation))) == []
    assert text_of(await p["hung"].press("flc:99999")) == t("flags_gone")


async def test_note_is_typed_kept_and_shown(services: Services) -> None:
    cell, p = await setup(services)
    sent = await monthly_with_flags(services, p["tam"])
    hung = p["hung"]
    asked = await hung.press(sent.notices[0].reply.button_list()[1].payload)
    assert text_of(asked) == t("flag_ask_note", name="Lê Văn Tám", limit=300)
    too_long = "chữ " * 100
    assert text_of(await hung.say(too_long)) == t("flag_note_long", limit=300, length=399)
    note = "Đã hẹn gặp chiều thứ Bảy tại nhà văn hóa"
    saved = await hung.say(note)  # still waiting after the refusal
    assert text_of(saved) == t("flag_note_saved", name="Lê Văn Tám", label="11/2026")
    assert {f.note for f in await flags(services)} == {note}
    [entry] = await audits(services, "flag_note_saved")
    assert entry.actor_id == cell.member_ids["Nguyễn Văn Hùng"]
    assert note not in str(entry.detail)
    assert t("flag_note_line", text=note) in text_of(await hung.say("/theodoi"))
    async with services.db.unit_of_work() as uow:  # the flow is over
        assert list(await uow.session.scalars(select(Conversation))) == []


async def test_a_note_for_flags_that_are_gone_ends_the_flow(services: Services) -> None:
    _, p = await setup(services)
    sent = await monthly_with_flags(services, p["tam"])
    await p["hung"].press(sent.notices[0].reply.button_list()[1].payload)
    async with services.db.unit_of_work() as uow:  # e.g. the member changed the answers
        for flag in await uow.session.scalars(select(Flag)):
            await uow.session.delete(flag)
        await uow.commit()
    assert text_of(await p["hung"].say("Đã hẹn gặp")) == t("flags_gone")
    async with services.db.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(Conversation))) == []
    assert await audits(services, "flag_note_saved") == []


async def test_monthly_suggestions(services: Services, clock: ManualClock) -> None:
    _, p = await setup(services)
    await monthly_with_flags(services, p["tam"])  # November: M1 and M7 (support)
    clock.set(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    await open_period(services, "monthly", date(2026, 12, 1), date(2026, 12, 31), "12/2026")
    await answer(p["tam"], MONTHLY, {"M2": "needs_talk"})  # December: dues
    clock.advance(timedelta(minutes=10))
    await answer(p["hoa"], MONTHLY, {"M12": "stuck"})  # one support flag, one month only
    listed = text_of(await p["hung"].say("/theodoi"))
    title, hoa, tam, footer = listed.split("\n\n")  # the newest first
    assert title == t("flags_list_title", count=2) and footer == t("flags_list_note")
    # Tám: a visit, the statute's threshold as a fact, and a talk (3 different topics).
    assert tam.startswith(t("flags_member", name="Lê Văn Tám"))
    assert t("flags_period", label="11/2026", date="02/11/2026") in tam
    assert t("flags_period", label="12/2026", date="02/12/2026") in tam
    limit = services.config.unexcused_year_limit
    assert suggestions(tam) == [
        t("flag_hint_visit"),
        t("flag_hint_rules", limit=limit, year=2026, count=2),
        t("flag_hint_talk", count=3, first="11/2026", second="12/2026"),
    ]
    # Hoa: one support flag in one month, a visit only.
    assert hoa.startswith(t("flags_member", name="Phạm Thị Hoa"))
    assert suggestions(hoa) == [t("flag_hint_visit")]
    assert all(word not in listed.lower() for word in LABELS)


async def test_quarterly_suggestions_and_no_free_text(
    services: Services, clock: ManualClock
) -> None:
    _, p = await setup(services)
    await open_period(services, "quarterly", date(2026, 10, 1), date(2026, 12, 31), "quý IV/2026")
    first = await answer(p["tam"], QUARTERLY, {"Q3": "b", "Q4": "b", "Q15": "b"}, SECRET_TEXT)
    assert first.notices == []  # B raises no flag
    clock.set(datetime(2027, 1, 5, 3, 0, tzinfo=UTC))
    await open_period(services, "quarterly", date(2027, 1, 1), date(2027, 3, 31), "quý I/2027")
    sent = await answer(p["tam"], QUARTERLY, {"Q1": "c", "Q3": "b", "Q4": "b"}, SECRET_TEXT)
    assert SECRET_TEXT not in sent.notices[0].reply.text
    listed = text_of(await p["hung"].say("/theodoi"))
    q3 = QUARTERLY.question("Q3")
    assert q3 is not None
    # Q4: "B" is an ordinary answer there (§8.3); Q15 was B only once.
    assert suggestions(listed.split("\n\n")[1]) == [
        t("flag_hint_quarter", count=1),
        t("flag_hint_light", answer=option(QUARTERLY, "Q3", "b"), topics=q3.topic),
    ]
    assert SECRET_TEXT not in listed
    assert all(word not in listed.lower() for word in LABELS)


def fact(question: str, index: int, *, open_: bool = True, kind: str = "follow_up") -> FlagFact:
    return FlagFact(question, kind, open_, Period.MONTHLY, index, f"{index}", 2026)


def keys(*facts: FlagFact) -> list[str]:
    return [h.key for h in hints(History(list(facts), [], None, 3))]


def test_two_months_means_consecutive_and_different() -> None:
    assert keys(fact("M8", 10), fact("M10", 11)) == ["flag_hint_talk"]
    assert keys(fact("M8", 9), fact("M10", 11)) == []  # a month between
    assert keys(fact("M8", 10), fact("M8", 11)) == []  # the same question twice
    assert keys(fact("M8", 11), fact("M10", 11)) == []  # one month only
    assert keys(fact("M8", 10, open_=False), fact("M10", 11, open_=False)) == []


def test_no_text_of_this_feature_labels_a_member() -> None:
    assert all(word not in text.lower() for text in FLAG_TEXTS.values() for word in LABELS)
