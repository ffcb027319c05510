"""Answering a self-check through the real router, on both engines: one question at a time,
back, stop and resume, comments, the summary, sending, flags for the leaders, changes until
the period closes, and refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.clock import ManualClock
from core.context import Services
from core.forms import default_forms
from core.texts import t
from db.models import Flag, SelfCheck, SelfCheckAnswer, SelfCheckPeriod, SelfCheckStatus
from tests.services.test_onboarding import join_as
from tests.support import Person, only, person, seed_cell, text_of

MONTHLY = default_forms()[("monthly", 1)]
QUARTERLY = default_forms()[("quarterly", 1)]


async def open_period(services: Services, form: str = "monthly", label: str = "11/2026") -> int:
    async with services.db.unit_of_work() as uow:
        period = SelfCheckPeriod(
            form_name=form,
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 11, 30),
            label=label,
            opened_at=services.clock.now(),
        )
        uow.session.add(period)
        await uow.session.flush()
        await uow.commit()
        return period.id


async def setup(services: Services) -> tuple[Person, Person, Person]:
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    await join_as(services, cell, "Trần Thị Mai", "200")
    await join_as(services, cell, "Lê Văn Tám", "300")
    return person(services, "100"), person(services, "200"), person(services, "300")


def first_label(question_id: str) -> str:
    question = MONTHLY.question(question_id)
    assert question is not None
    return question.options[0].label


async def answer_all_plainly(tam: Person) -> None:
    """The first option everywhere (no flags), skipping the optional comments."""
    for question in MONTHLY.questions:
        await tam.tap(first_label(question.id))
        if question.comment:
            await tam.tap(t("sc_btn_skip"))


async def stored(services: Services) -> dict[str, str | None]:
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(select(SelfCheckAnswer))
        return {a.question_id: a.value for a in rows}


async def test_nothing_open(services: Services) -> None:
    _, _, tam = await setup(services)
    reply = only(await tam.say("/tukiemtra"))
    assert reply.text == t("sc_none_open")
    assert [b.label for b in reply.button_list()] == [t("sc_btn_history")]


async def test_one_question_at_a_time_with_progress_and_back(services: Services) -> None:
    _, _, tam = await setup(services)
    await open_period(services)
    first = only(await tam.say("/tukiemtra"))
    assert t("sc_progress", number=1, total=14, text=MONTHLY.questions[0].text) in first.text
    assert MONTHLY.intro in first.text  # the first question carries the introduction
    assert [b.label for b in first.button_list()] == [
        o.label for o in MONTHLY.questions[0].options
    ]
    second = only(await tam.tap(first_label("M1")))
    assert second.replace
    assert t("sc_progress", number=2, total=14, text=MONTHLY.questions[1].text) in second.text
    assert second.button_list()[-1].label == t("sc_btn_back")
    back = only(await tam.tap(t("sc_btn_back")))
    assert t("sc_progress", number=1, total=14, text=MONTHLY.questions[0].text) in back.text
    assert back.button_list()[0].label == t("sc_chosen", label=first_label("M1"))
    assert await stored(services) == {"M1": "attended"}


async def test_stop_and_resume_where_left_off(services: Services) -> None:
    _, _, tam = await setup(services)
    await open_period(services)
    await tam.say("/tukiemtra")
    await tam.tap(first_label("M1"))
    await tam.tap(first_label("M2"))
    await tam.say("/lichhop")  # does something else in between
    again = only(await tam.say("/tukiemtra"))
    assert t("sc_progress", number=3, total=14, text=MONTHLY.questions[2].text) in again.text
    # On another channel the member would resume the same way: the position is stored.
    async with services.db.unit_of_work() as uow:
        check = await uow.session.scalar(select(SelfCheck))
        assert check is not None and check.position == "M3"


async def test_comment_summary_submit_and_flags_for_leaders(services: Services) -> None:
    hung, _, tam = await setup(services)
    await open_period(services)
    await tam.say("/tukiemtra")
    await tam.tap("Vắng, chưa kịp báo cáo")  # M1: a follow-up flag
    await tam.tap(first_label("M2"))
    asked = only(await tam.tap("Đang thực hiện"))  # M3 allows a comment
    assert t("sc_ask_comment") in asked.text
    assert t("sc_progress", number=4, total=14, text=MONTHLY.questions[3].text) in text_of(
        await tam.say("Đang làm báo cáo cho tổ dân phố")
    )
    for question in MONTHLY.questions[3:]:
        label = "Có, muốn trao đổi với bí thư" if question.id == "M7" else first_label(question.id)
        await tam.tap(label)
        if question.comment:
            await tam.tap(t("sc_btn_skip"))
    summary = tam.last.replies[0]
    assert t("sc_summary_title") in summary.text
    assert t("sc_summary_comment", text="Đang làm báo cáo cho tổ dân phố") in summary.text
    assert summary.button_list()[0].label == t("sc_btn_submit")
    sent = await tam.tap(t("sc_btn_submit"))
    assert text_of(sent) == t("sc_thanks", label="11/2026")
    # Secretary and deputy each get one private message with topics and answer levels.
    assert len(sent.notices) == 2
    notice = sent.notices[0].reply.text
    assert "Lê Văn Tám" in notice and "«Vắng, chưa kịp báo cáo»" in notice
    assert t("sc_flag_support") in notice and t("sc_flags_note") in notice
    assert "tổ dân phố" not in notice  # comments are not in the flag message
    async with services.db.unit_of_work() as uow:
        flags = list(await uow.session.scalars(select(Flag).order_by(Flag.question_id)))
    assert [(f.question_id, f.kind) for f in flags] == [("M1", "follow_up"), ("M7", "support")]
    del hung


async def test_change_after_sending_needs_sending_again_and_reports_only_new_flags(
    services: Services,
) -> None:
    _, _, tam = await setup(services)
    await open_period(services)
    await tam.say("/tukiemtra")
    await answer_all_plainly(tam)
    assert not (await tam.tap(t("sc_btn_submit"))).notices  # nothing flagged
    summary = only(await tam.say("/tukiemtra"))
    assert t("sc_submitted_note", until="30/11/2026") in summary.text
    await tam.tap(t("sc_btn_edit", number=14))
    back_to_summary = only(await tam.tap("Có"))  # M14: wants a private talk
    assert t("sc_summary_ask") in back_to_summary.text
    async with services.db.unit_of_work() as uow:
        check = await uow.session.scalar(select(SelfCheck))
        assert check is not None and check.status is SelfCheckStatus.IN_PROGRESS
    resent = await tam.tap(t("sc_btn_submit"))
    assert len(resent.notices) == 2
    assert "Xin gặp riêng bí thư" in resent.notices[0].reply.text


async def test_refusals_change_nothing(services: Services, clock: ManualClock) -> None:
    hung, _, tam = await setup(services)
    await open_period(services)
    await tam.say("/tukiemtra")
    payload = tam.last.replies[0].button_list()[0].payload
    # Another member presses Tám's button.
    assert text_of(await hung.press(payload)) == t("selfcheck_not_yours")
    # An option that is not in the question, and a question that does not exist.
    check_id = payload.split(":")[1]
    assert text_of(await tam.press(f"sca:{check_id}:M1:bogus")) == t("selfcheck_bad_answer")
    assert text_of(await tam.press(f"sca:{check_id}:Z9:attended")) == t("selfcheck_bad_answer")
    assert text_of(await tam.press("sca:x")) == t("stale_button")
    assert await stored(services) == {}
    # After the period closes, an old button does nothing.
    clock.advance(timedelta(days=30))
    assert text_of(await tam.press(payload)) == t("selfcheck_closed")
    assert await stored(services) == {}
    assert only(await tam.say("/tukiemtra")).text == t("sc_none_open")


async def test_quarterly_condition_and_optional_text(services: Services) -> None:
    hung, _, tam = await setup(services)
    await open_period(services, "quarterly", "quý IV/2026")
    shown_to_member = only(await tam.say("/tukiemtra")).text
    shown_to_secretary = only(await hung.say("/tukiemtra")).text
    assert "Câu 1/21" in shown_to_member and "Câu 1/22" in shown_to_secretary
    for question in QUARTERLY.applicable(frozenset()):
        if question.options:
            await tam.tap(question.options[0].label)
    assert t("sc_type_text", limit=300) in tam.last.replies[0].text
    too_long = await tam.say("x " * 200)
    assert text_of(too_long) == t("selfcheck_text_long", limit=300, length=399)
    summary = only(await tam.say("Đọc thêm về Nghị quyết, đều đặn hơn"))
    assert "Đọc thêm về Nghị quyết, đều đặn hơn" in summary.text
    assert text_of(await tam.tap(t("sc_btn_submit"))) == t("sc_thanks", label="quý IV/2026")


async def test_history_shows_only_ones_own(services: Services) -> None:
    hung, _, tam = await setup(services)
    await open_period(services)
    await tam.say("/tukiemtra")
    await tam.tap(first_label("M1"))
    await tam.say("/tukiemtra")
    shown = text_of(await tam.press("scm"))
    assert t("sc_state_in_progress", done=1, total=14) in shown
    assert text_of(await hung.press("scm")) == t("sc_history_none")
    async with services.db.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(SelfCheck)) == 1


async def test_a_leader_is_never_told_about_nor_clears_their_own_flags(
    services: Services,
) -> None:
    hung, mai, _ = await setup(services)
    await open_period(services)
    await mai.say("/tukiemtra")
    for question in MONTHLY.questions:
        await mai.tap(
            "Có, muốn trao đổi với bí thư" if question.id == "M7" else first_label(question.id)
        )
        if question.comment:
            await mai.tap(t("sc_btn_skip"))
    sent = await mai.tap(t("sc_btn_submit"))
    assert [n.to.chat_id for n in sent.notices] == ["100"]  # the secretary only
    check_id = sent.notices[0].reply.button_list()[0].payload.split(":")[1]
    assert text_of(await mai.press(f"flc:{check_id}")) == t("flags_own")
    async with services.db.unit_of_work() as uow:
        flags = list(await uow.session.scalars(select(Flag)))
    assert [f.contacted_at for f in flags] == [None]
    assert text_of(await hung.press(f"flc:{check_id}")) != t("flags_own")
