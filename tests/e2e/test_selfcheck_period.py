"""Self-check periods end to end, on Telegram (buttons) and Zalo (typed numbers), with the same
scenario code: the periods open by themselves (the tick the scheduler runs), several members
answer, stop, resume after a restart, change an answer after sending; the one who never
answers gets exactly the configured reminders; the secretary and deputy get the flags and
mark them contacted. And a quarterly form whose question for post holders only some see."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

import pytest
from sqlalchemy import select

from bot.harness import Harness, running_bot
from bot.people import Person, Seen
from core import selfcheck_periods
from core.clock import ManualClock
from core.forms import Form, Question, QuestionKind, default_forms
from core.texts import t, when_text
from db.models import Flag, Member, SelfCheck, SelfCheckAnswer, SelfCheckPeriod, SelfCheckStatus
from tests.e2e.people_helpers import (
    DEPUTY,
    MEMBER,
    NUMBERS,
    OTHER,
    SECRETARY,
    arrived,
    join,
    local,
    mark,
    marks,
    only,
    since,
    wake,
)
from tests.support import Cell, seed_cell

pytestmark = pytest.mark.e2e
CHANNELS = ["telegram", "zalo"]
MONTHLY = default_forms()[("monthly", 1)]
QUARTERLY = default_forms()[("quarterly", 1)]
DECEMBER = "12/2026"
Q4 = t("sc_label_quarter", quarter="IV", year=2026)
COMMENT = "Đã xong một nửa phần việc được giao"  # Tám's comment: never shown to the leaders
WISH = "Tham gia đầy đủ sinh hoạt, đọc tài liệu trước buổi họp"  # Tám's optional Q18


def question(form: Form, question_id: str) -> Question:
    found = form.question(question_id)
    assert found is not None
    return found


def label_of(form: Form, question_id: str, value: str) -> str:
    option = question(form, question_id).option(value)
    assert option is not None
    return option.label


def progress(questions: Sequence[Question], number: int) -> str:
    return t("sc_progress", number=number, total=len(questions), text=questions[number - 1].text)


def header(form: Form, label: str) -> str:
    return t("sc_header", title=form.title, label=label)


def flag_line(form: Form, question_id: str, value: str) -> str:
    q = question(form, question_id)
    option = q.option(value)
    assert option is not None and option.flag is not None
    kind = t(f"sc_flag_{option.flag.value}")
    return t("sc_flag_line", topic=q.topic, answer=option.label, kind=kind)


async def answer(
    person: Person,
    questions: Sequence[Question],
    start: int,
    picks: dict[str, str] | None = None,
    texts: dict[str, str] | None = None,
) -> Seen:
    """Answer `questions` from number `start` to the end: the first option unless `picks`
    names another label; a comment or an optional text is typed when `texts` has one, else
    skipped. Checks every step shows the next question; returns the summary."""
    picks, texts = picks or {}, texts or {}
    shown: Seen | None = None
    for number in range(start, len(questions) + 1):
        q = questions[number - 1]
        if q.kind is QuestionKind.TEXT:
            typed = texts.get(q.id)
            shown = only(await (person.say(typed) if typed else person.tap(t("sc_btn_skip"))))
        else:
            shown = only(await person.tap(picks.get(q.id, q.options[0].label)))
            if q.comment:
                assert t("sc_ask_comment") in shown.body
                assert t("sc_btn_skip") in shown.labels
                typed = texts.get(q.id)
                shown = only(await (person.say(typed) if typed else person.tap(t("sc_btn_skip"))))
        if number < len(questions):
            assert progress(questions, number + 1) in shown.body, (number, shown.body[:200])
    assert shown is not None and t("sc_summary_title") in shown.body
    return shown


def bot(
    url: str, clock: ManualClock, channel: str, forms: str
) -> AbstractAsyncContextManager[Harness]:
    """The bot on `channel`, running the periods of `forms` (the tick is called by hand)."""
    return running_bot(
        url, migrate_first=False, clock=clock, channel=channel, selfcheck_forms=forms
    )


async def tick(h: Harness) -> selfcheck_periods.PeriodTickResult:
    """What the scheduler does every minute, then the deliverer's turn."""
    result = await selfcheck_periods.tick(h.app.services)
    wake(h)
    return result


async def opening(h: Harness, people: list[Person]) -> list[Seen]:
    """The tick that opens the period: each person gets exactly their first question."""
    before = await marks(people)
    await tick(h)
    return [only(await arrived(h, p, after)) for p, after in zip(people, before, strict=True)]


async def count(h: Harness, person: Person, start: str) -> int:
    """How many messages the bot has sent this person (since the bot started) that begin
    with `start`: events, so a message edited later still counts as sent."""
    return sum(
        1 for s in await since(h, person, 0) if s.kind == "message" and s.body.startswith(start)
    )


async def stored(h: Harness) -> dict[str, SelfCheck]:
    """Every self-check, by member name."""
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Member.full_name, SelfCheck).join(Member, Member.id == SelfCheck.member_id)
        )
        return {name: check for name, check in rows.all()}


async def flags_of(h: Harness, cell: Cell, name: str) -> dict[str, Flag]:
    async with h.app.services.db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(Flag).where(Flag.member_id == cell.member_ids[name])
        )
        return {f.question_id: f for f in rows}


async def submit_with_flags(
    h: Harness, person: Person, leaders: list[Person], label: str
) -> list[Seen]:
    """«Gửi» on the summary: the thanks, and exactly one new notice to each other leader (a
    leader who sends never gets the notice about herself)."""
    leaders = [leader for leader in leaders if leader is not person]
    before = await marks(leaders)
    replies = await person.tap(t("sc_btn_submit"))
    assert len(replies) == 1
    thanks = replies[0]
    assert thanks.replaced and thanks.body == t("sc_thanks", label=label)
    title = t("sc_flags_title", name=person.name, label=label)
    notices = []
    for leader, after in zip(leaders, before, strict=True):
        got = await arrived(h, leader, after)
        notices.append(only([s for s in got if s.body.startswith(title)]))
    for notice in notices:
        assert notice.kind == "message"
        assert notice.body.endswith(t("sc_flags_note"))
        assert notice.labels == [t("flag_btn_contacted"), t("flag_btn_note")]
    return notices


@pytest.mark.parametrize("channel", CHANNELS)
async def test_monthly_period_with_four_members(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 12, 1, 8))
    questions = MONTHLY.questions
    until = "31/12/2026"
    reminder = t("sc_reminder", title=MONTHLY.title, label=DECEMBER, until=until)

    async with bot(sqlite_url, clock, channel, "monthly") as h:
        cell = await seed_cell(h.app.services)
        hung, mai, tam, hoa = [await join(h, cell, n) for n in (SECRETARY, DEPUTY, MEMBER, OTHER)]
        everyone = [hung, mai, tam, hoa]

        # 01/12, 08:00: the tick opens 12/2026; everyone gets the first question.
        for first in await opening(h, everyone):
            assert first.body.startswith(header(MONTHLY, DECEMBER))
            assert MONTHLY.intro in first.body and t("sc_how_to_stop") in first.body
            assert first.body.endswith(progress(questions, 1))
            assert first.labels == [o.label for o in question(MONTHLY, "M1").options]
        async with h.app.services.db.unit_of_work() as uow:
            periods = list(await uow.session.scalars(select(SelfCheckPeriod)))
        assert [(p.form_name, p.label) for p in periods] == [("monthly", DECEMBER)]

        # Tám answers everything from the message that came by itself: one answer is
        # flagged, one has a comment. Secretary and deputy each get one notice.
        wants_help = label_of(MONTHLY, "M7", "wants_help")
        summary = await answer(tam, questions, 1, {"M7": wants_help}, {"M3": COMMENT})
        assert t("sc_summary_comment", text=COMMENT) in summary.body
        for notice in await submit_with_flags(h, tam, [hung, mai], DECEMBER):
            assert flag_line(MONTHLY, "M7", "wants_help") in notice.body
            assert notice.body.count("• ") == 1  # one topic: the answer level, no comment
            assert COMMENT not in notice.body

        # The secretary marks Tám's flag contacted, from the notice.
        card = only(await hung.tap(t("flag_btn_contacted")))
        assert card.replaced
        assert card.body.startswith(t("flag_card_title", label=DECEMBER, name=MEMBER))
        when = when_text(clock.now(), h.app.services.config.timezone)
        assert card.body.endswith(t("flag_contacted_now", name=SECRETARY, when=when))
        assert card.labels == [t("flag_btn_note")]
        flags = await flags_of(h, cell, MEMBER)
        assert list(flags) == ["M7"] and flags["M7"].contacted_by == cell.member_ids[SECRETARY]

        # Exactly one notice each about Tám, ever (the chat's whole history, edits apart).
        for leader in (hung, mai):
            notices = await count(h, leader, t("sc_flags_title", name=MEMBER, label=DECEMBER))
            assert notices == 1, leader.name

        # Hoa answers five questions, then stops (the bot is about to restart).
        for number in range(1, 6):
            q = questions[number - 1]
            shown = only(await hoa.tap(q.options[0].label))
            if q.comment:
                shown = only(await hoa.tap(t("sc_btn_skip")))
            assert progress(questions, number + 1) in shown.body

    # The bot restarts on the same database and clock, a little later that day.
    clock.set(local(2026, 12, 1, 20))
    async with bot(sqlite_url, clock, channel, "monthly") as h:
        hung, mai, tam, hoa = [h.person(NUMBERS[n], n) for n in (SECRETARY, DEPUTY, MEMBER, OTHER)]
        everyone = [hung, mai, tam, hoa]
        for person in everyone:  # the new emulator learns each chat when its person writes
            only(await person.say("/lichhop"))

        # Hoa goes on at question 6 and finishes; nothing of hers is flagged.
        resumed = only(await hoa.say("/tukiemtra"))
        assert resumed.body.startswith(header(MONTHLY, DECEMBER))
        assert progress(questions, 6) in resumed.body and MONTHLY.intro not in resumed.body
        await answer(hoa, questions, 6)
        assert only(await hoa.tap(t("sc_btn_submit"))).body == t("sc_thanks", label=DECEMBER)

        # Mai (the deputy) answers with one flag and sends; the secretary is told, not she.
        assert progress(questions, 1) in only(await mai.say("/tukiemtra")).body
        needs_talk = label_of(MONTHLY, "M2", "needs_talk")
        await answer(mai, questions, 1, {"M2": needs_talk})
        for notice in await submit_with_flags(h, mai, [hung, mai], DECEMBER):
            assert flag_line(MONTHLY, "M2", "needs_talk") in notice.body
            assert notice.body.count("• ") == 1

        # Then she changes answer 12 from the summary and sends again: only the new topic.
        sent = only(await mai.say("/tukiemtra"))
        assert t("sc_submitted_note", until=until) in sent.body
        assert t("sc_btn_submit") not in sent.labels
        again = only(await mai.tap(t("sc_btn_edit", number=12)))
        assert progress(questions, 12) in again.body
        first_m12 = question(MONTHLY, "M12").options[0].label
        assert t("sc_chosen", label=first_m12) in again.labels
        stuck = label_of(MONTHLY, "M12", "stuck")
        back = only(await mai.tap(stuck))
        assert t("sc_summary_title") in back.body and t("sc_summary_ask") in back.body
        assert t(
            "sc_summary_line", number=12, topic=question(MONTHLY, "M12").topic, answer=stuck
        ) in (back.body)
        for notice in await submit_with_flags(h, mai, [hung, mai], DECEMBER):
            assert flag_line(MONTHLY, "M12", "stuck") in notice.body
            assert question(MONTHLY, "M2").topic not in notice.body
            assert notice.body.count("• ") == 1
        assert set(await flags_of(h, cell, DEPUTY)) == {"M2", "M12"}
        # One notice per sending to the secretary; Mai never gets one about herself.
        assert await count(h, hung, t("sc_flags_title", name=DEPUTY, label=DECEMBER)) == 2
        assert await count(h, mai, t("sc_flags_title", name=DEPUTY, label=DECEMBER)) == 0
        for leader in (hung, mai):  # nothing about Hoa; Tám's one notice was counted above
            assert await count(h, leader, t("sc_flags_title", name=OTHER, label=DECEMBER)) == 0

        # Hùng never answers. 04/12 (3 days after opening), 07:00: not yet (07:30).
        clock.set(local(2026, 12, 4, 7))
        before = await marks(everyone)
        assert (await tick(h)).queued == 0
        clock.set(local(2026, 12, 4, 8))
        await tick(h)
        first_reminder = only(await arrived(h, hung, before[0]))
        not_started = t("sc_reminder_not_started", total=len(questions))
        assert first_reminder.body == f"{reminder}\n{not_started}"
        assert first_reminder.labels == [t("sc_btn_continue")]
        clock.set(local(2026, 12, 4, 9))
        assert (await tick(h)).queued == 0  # a second tick the same day: nothing more

        # 08/12 (7 days after opening): the second and last reminder.
        clock.set(local(2026, 12, 8, 8))
        await tick(h)
        only(await arrived(h, hung, first_reminder.seq))
        clock.set(local(2026, 12, 15, 8))
        assert (await tick(h)).queued == 0  # no third reminder is configured

        for person, after in zip(everyone, before, strict=True):
            reminders = [s for s in await since(h, person, after) if s.body.startswith(reminder)]
            assert len(reminders) == (2 if person is hung else 0), person.name

        checks = await stored(h)
        assert {n: c.status for n, c in checks.items()} == {
            SECRETARY: SelfCheckStatus.IN_PROGRESS,
            DEPUTY: SelfCheckStatus.SUBMITTED,
            MEMBER: SelfCheckStatus.SUBMITTED,
            OTHER: SelfCheckStatus.SUBMITTED,
        }
        async with h.app.services.db.unit_of_work() as uow:
            answered = list(
                await uow.session.scalars(
                    select(SelfCheckAnswer.question_id).where(
                        SelfCheckAnswer.selfcheck_id == checks[OTHER].id
                    )
                )
            )
        assert sorted(answered) == sorted(q.id for q in questions)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_quarterly_form_with_a_question_for_post_holders(
    sqlite_url: str, channel: str
) -> None:
    clock = ManualClock(local(2026, 10, 1, 8))
    async with bot(sqlite_url, clock, channel, "quarterly") as h:
        cell = await seed_cell(h.app.services)
        hung, tam = [await join(h, cell, n) for n in (SECRETARY, MEMBER)]
        q10 = question(QUARTERLY, "Q10")
        with_post = QUARTERLY.questions
        without = tuple(q for q in with_post if q.id != "Q10")
        assert (len(with_post), len(without)) == (22, 21)

        # 01/10, 08:00: quý IV/2026 opens.
        shown_hung, shown_tam = await opening(h, [hung, tam])
        assert shown_hung.body.startswith(header(QUARTERLY, Q4))
        assert shown_hung.body.endswith(progress(with_post, 1))
        assert "Câu 1/22" in shown_hung.body
        assert shown_tam.body.endswith(progress(without, 1)) and "Câu 1/21" in shown_tam.body

        # The secretary holds a post: he is asked Q10, as question 10 of 22, and skips the
        # optional text at the end.
        for number in range(1, 10):
            shown = only(await hung.tap(with_post[number - 1].options[0].label))
        assert shown.body.endswith(progress(with_post, 10)) and q10.text in shown.body
        for number in range(10, 22):
            shown = only(await hung.tap(with_post[number - 1].options[0].label))
        assert shown.body.endswith(t("sc_type_text", limit=300))
        assert progress(with_post, 22) in shown.body
        assert shown.labels == [t("sc_btn_skip"), t("sc_btn_back")]
        summary = only(await hung.tap(t("sc_btn_skip")))
        q18 = question(QUARTERLY, "Q18")
        skipped = t("sc_summary_skipped")
        assert t("sc_summary_line", number=22, topic=q18.topic, answer=skipped) in summary.body
        assert t("sc_summary_line", number=10, topic=q10.topic, answer="Luôn giữ được") in (
            summary.body
        )
        assert only(await hung.tap(t("sc_btn_submit"))).body == t("sc_thanks", label=Q4)

        # A plain member: 21 questions, never Q10; he types the optional text.
        after = await mark(tam)
        summary = await answer(tam, without, 1, texts={"Q18": WISH})
        assert t("sc_summary_line", number=21, topic=q18.topic, answer=WISH) in summary.body
        assert only(await tam.tap(t("sc_btn_submit"))).body == t("sc_thanks", label=Q4)
        everything = [shown_tam, *await since(h, tam, after)]
        assert not any(q10.text in s.body or q10.topic in s.body for s in everything)
        assert not any("/22" in s.body for s in everything)

        checks = await stored(h)
        async with h.app.services.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(SelfCheckAnswer.selfcheck_id, SelfCheckAnswer.question_id)
            )
            answered: dict[int, set[str]] = {}
            for check_id, question_id in rows.all():
                answered.setdefault(check_id, set()).add(question_id)
            texts = await uow.session.execute(
                select(SelfCheckAnswer.value, SelfCheckAnswer.text).where(
                    SelfCheckAnswer.question_id == "Q18"
                )
            )
            q18_answers = sorted((v or "", x or "") for v, x in texts.all())
        assert answered[checks[SECRETARY].id] == {q.id for q in with_post}
        assert answered[checks[MEMBER].id] == {q.id for q in without}
        assert q18_answers == [("", WISH), ("skipped", "")]
        assert all(c.status is SelfCheckStatus.SUBMITTED for c in checks.values())
