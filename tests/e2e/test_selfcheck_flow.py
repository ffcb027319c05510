"""A self-check end to end on Telegram (buttons) and Zalo (typed numbers), with one scenario:
start, stop, the bot restarts, resume where left off, a comment, the summary, change an
answer, send; the secretary gets the flags in private."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.harness import Harness, running_bot
from core.clock import ManualClock
from core.forms import default_forms
from core.texts import t
from db.models import SelfCheckAnswer, SelfCheckPeriod
from tests.e2e.people_helpers import MEMBER, NUMBERS, SECRETARY, arrived, join, mark, only
from tests.support import seed_cell

pytestmark = pytest.mark.e2e
MONTHLY = default_forms()[("monthly", 1)]


def first(question_id: str) -> str:
    question = MONTHLY.question(question_id)
    assert question is not None
    return question.options[0].label


def progress(number: int) -> str:
    return t("sc_progress", number=number, total=14, text=MONTHLY.questions[number - 1].text)


async def open_period(h: Harness) -> None:
    async with h.app.services.db.unit_of_work() as uow:
        uow.session.add(
            SelfCheckPeriod(
                form_name="monthly",
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30),
                label="11/2026",
                opened_at=h.app.services.clock.now(),
            )
        )
        await uow.commit()


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_selfcheck_across_a_restart(
    sqlite_url: str, clock: ManualClock, channel: str
) -> None:
    async with running_bot(
        sqlite_url, migrate_first=False, clock=clock, channel=channel, selfcheck_forms="monthly"
    ) as h:
        cell = await seed_cell(h.app.services)
        await join(h, cell, SECRETARY)
        tam = await join(h, cell, MEMBER)
        await open_period(h)
        assert progress(1) in only(await tam.say("/tukiemtra")).body
        assert progress(2) in only(await tam.tap(first("M1"))).body
        assert progress(3) in only(await tam.tap(first("M2"))).body

    # The bot restarts: the member goes on where they stopped.
    async with running_bot(
        sqlite_url, migrate_first=False, clock=clock, channel=channel, selfcheck_forms="monthly"
    ) as h:
        tam, hung = h.person(NUMBERS[MEMBER], MEMBER), h.person(NUMBERS[SECRETARY], SECRETARY)
        await hung.say("/lichhop")  # the new emulator learns the secretary's chat
        resumed = only(await tam.say("/tukiemtra"))
        assert progress(3) in resumed.body
        assert t("sc_ask_comment") in only(await tam.tap("Đang thực hiện")).body
        assert progress(4) in only(await tam.say("Đã xong một nửa")).body
        for question in MONTHLY.questions[3:]:
            label = "Có, muốn trao đổi với bí thư" if question.id == "M7" else first(question.id)
            shown = only(await tam.tap(label))
            if question.comment:
                shown = only(await tam.tap(t("sc_btn_skip")))
        assert t("sc_summary_title") in shown.body
        assert t("sc_summary_comment", text="Đã xong một nửa") in shown.body

        # Changes an answer from the summary, then sends.
        again = only(await tam.tap(t("sc_btn_edit", number=1)))
        assert progress(1) in again.body
        assert t("sc_chosen", label=first("M1")) in again.labels
        back = only(await tam.tap("Vắng, chưa kịp báo cáo"))
        assert t("sc_summary_title") in back.body and "Vắng, chưa kịp báo cáo" in back.body
        seq = await mark(hung)
        assert only(await tam.tap(t("sc_btn_submit"))).body == t("sc_thanks", label="11/2026")

        notice = only(await arrived(h, hung, seq)).body
        assert notice.startswith(t("sc_flags_title", name=MEMBER, label="11/2026"))
        assert "«Vắng, chưa kịp báo cáo»" in notice and t("sc_flag_support") in notice
        assert "Đã xong một nửa" not in notice  # comments stay between member and summary
        async with h.app.services.db.unit_of_work() as uow:
            answers = {
                a.question_id: a.value for a in await uow.session.scalars(select(SelfCheckAnswer))
            }
        assert len(answers) == 14 and answers["M1"] == "absent_unreported"
