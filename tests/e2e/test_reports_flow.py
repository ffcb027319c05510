"""/baocao end to end, on Telegram (buttons, files) and Zalo (typed numbers, a download link
and a photo), with the same scenario code: the secretary picks «Tháng trước» and gets the
workbook and the chart; the deputy types a period (a mistake first); a member and committee
staff are refused; another cell's secretary gets only his own cell. On Zalo without a public
address the text says where to get the files instead."""

from __future__ import annotations

import io
import re
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.harness import Harness, running_bot
from bot.people import Person, Seen, ZaloPerson
from core.clock import ManualClock
from core.members import grant_role
from core.texts import t
from db.models import Role, Unit
from tests.channels.zalo_helpers import free_port
from tests.e2e.helpers import member_code
from tests.e2e.people_helpers import CELL, DEPUTY, MEMBER, OTHER, SECRETARY, join, local, mark
from tests.services.report_seed import GONE, seed_report
from tests.services.test_reports import png_size
from tests.support import Cell, seed_cell

pytestmark = pytest.mark.e2e
CHANNELS = ["telegram", "zalo"]
OCTOBER = date(2026, 10, 1)
LINK = re.compile(r"https?://\S+")
OTHER_CELL, THEM_NUMBER = "Chi bộ Ấp Hai", 2101
BUTTONS = [
    t("report_btn_this_month", label="11/2026"),
    t("report_btn_last_month", label="10/2026"),
    t("report_btn_this_quarter", label="IV/2026"),
    t("report_btn_last_quarter", label="III/2026"),
    t("report_btn_this_year", label="2026"),
    t("report_btn_custom"),
]


async def files(h: Harness, person: Person, after: int) -> tuple[str, bytes, bytes]:
    """What /baocao delivered after `after`: the summary text, the workbook, the chart.
    Telegram sends a document and a photo; Zalo a text with a download link, a photo it
    fetched from our server, and the chart's caption."""
    if isinstance(person, ZaloPerson):
        message, photo, caption = await h.zalo.events(
            person.chat_id, after=after, min_count=3, timeout=10
        )
        assert (message.kind, photo.kind, caption.kind) == ("message", "photo", "message")
        assert caption.body.startswith(t("report_chart_caption", from_month="11/2025",
                                         to_month="10/2026"))  # fmt: skip
        [url] = LINK.findall(message.body)
        async with httpx.AsyncClient(timeout=10) as http:
            got = await http.get(url)
        assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
        assert photo.file_id is not None
        return message.body, got.content, await h.zalo.download(photo.file_id)
    document, chart = await h.client.events(int(person.chat_id), after=after, min_count=2,
                                             timeout=10)  # fmt: skip
    assert (document.kind, chart.kind) == ("document", "photo")
    assert document.file_name is not None and document.file_name.endswith("-2026-10.xlsx")
    assert chart.body == t("report_chart_caption", from_month="11/2025", to_month="10/2026")
    assert document.file_id is not None and chart.file_id is not None
    content = await h.client.download(document.file_id)
    return document.body, content, await h.client.download(chart.file_id)


def sheets_of(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


async def staff_role(h: Harness, cell: Cell, name: str) -> None:
    """`name` becomes staff of the committee above the cell (a plain member of the cell)."""
    async with h.app.services.db.unit_of_work() as uow:
        committee = await uow.session.scalar(select(Unit.parent_id).where(Unit.id == cell.id))
    await grant_role(h.app.services, cell.member_ids[name], str(committee), Role.STAFF)


async def other_secretary(h: Harness, other: Cell) -> Person:
    them = h.person(THEM_NUMBER, SECRETARY)
    await them.say(f"/start {await member_code(h, other, SECRETARY)}")
    await them.tap(t("btn_its_me", name=SECRETARY))
    return them


async def pick(
    person: Person, label: str, expect: int, cell: str = CELL
) -> tuple[int, list[Seen]]:
    """/baocao, then the button: where the chat was before the answer, and the answer."""
    menu = await person.say("/baocao")
    assert [m.labels for m in menu] == [BUTTONS]
    assert menu[0].body == t("report_choose", cell=cell)
    after = await mark(person)
    return after, await person.tap(label, expect=expect, timeout=15)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_report_on_the_phone(sqlite_url: str, channel: str) -> None:
    clock = ManualClock(local(2026, 11, 2, 15))
    port = free_port()
    public = {"public_base_url": f"http://127.0.0.1:{port}", "webhook_port": port}
    async with running_bot(
        sqlite_url,
        migrate_first=False,
        clock=clock,
        channel=channel,
        **(public if channel == "zalo" else {}),
    ) as h:
        services = h.app.services
        cell = await seed_cell(services)
        other = await seed_cell(services, "Chi bộ Ấp Hai")
        hung, mai, tam, hoa = [await join(h, cell, n) for n in (SECRETARY, DEPUTY, MEMBER, OTHER)]
        await staff_role(h, cell, OTHER)
        await seed_report(services, cell, other, OCTOBER, linked=False)
        sent = 3 if channel == "zalo" else 2

        # The secretary: «Tháng trước» → the figures, the workbook and the chart.
        before, _ = await pick(hung, BUTTONS[1], sent)
        text, workbook, chart = await files(h, hung, before)
        assert text.split("\n")[:6] == [
            t("report_ready", cell=CELL, period="tháng 10/2026"),
            t("report_sum_members", total=4, active=4, reachable=4),
            t("report_sum_meetings", count=2, rate="67%"),
            t("report_sum_selfcheck", done=2, asked=5, rate="40%"),
            t("report_sum_flags", raised=3, contacted=1, open=2),
            t("report_sum_duties", count=4, on_time=1, judged=3, rate="33%"),
        ]
        sheets = sheets_of(workbook)
        assert sheets["Sinh hoạt"][3][5:8] == (6, 1, 2)
        assert [r[1] for r in sheets["Điểm danh"][1:6]] == [
            SECRETARY, DEPUTY, MEMBER, OTHER, t("rv_left", name=GONE),
        ]  # fmt: skip
        assert [r[5] for r in sheets["Đảng viên"][1:]] == ["Có"] * 4
        assert png_size(chart) == (1200, 700)

        # The deputy types a period: a mistake is named, then the quarter comes.
        await mai.say("/baocao")
        asked = await mai.tap(t("report_btn_custom"))
        assert [s.body for s in asked] == [t("report_ask_custom")]
        wrong = await mai.say("13/2026")
        assert [s.body for s in wrong] == [t("report_period_impossible", text="13/2026", years=3)]
        before = await mark(mai)
        await mai.say("quý 3/2026", expect=sent, timeout=15)
        quarter = await h.arrivals(mai, before, expect=sent)
        assert quarter[0].body.startswith(t("report_ready", cell=CELL, period="quý III/2026"))

        # A member and committee staff are refused; another cell's secretary gets his own.
        for who in (tam, hoa):
            assert [s.body for s in await who.say("/baocao")] == [t("not_allowed")]
        them = await other_secretary(h, other)
        before, _ = await pick(them, BUTTONS[1], sent, OTHER_CELL)
        text, workbook, _ = await files(h, them, before)
        assert text.startswith(t("report_ready", cell=OTHER_CELL, period="tháng 10/2026"))
        theirs = sheets_of(workbook)
        assert theirs["Sinh hoạt"][1][5:8] == (1, 0, 1)
        assert GONE not in str(theirs)


async def test_zalo_without_a_public_address_says_where_to_get_the_files(
    sqlite_url: str,
) -> None:
    clock = ManualClock(local(2026, 11, 2, 15))
    async with running_bot(sqlite_url, migrate_first=False, clock=clock, channel="zalo") as h:
        cell = await seed_cell(h.app.services)
        hung = await join(h, cell, SECRETARY)
        _, seen = await pick(hung, BUTTONS[0], 2)
        stem = f"{cell.code}-2026-11"
        assert seen[0].body.startswith(t("report_ready", cell=CELL, period="tháng 11/2026"))
        assert seen[0].body.endswith(t("file_unavailable", filename=f"bao-cao-{stem}.xlsx"))
        assert seen[1].body.endswith(t("photo_unavailable", filename=f"bieu-do-{stem}.png"))
        assert await h.zalo.calls("sendPhoto") == []
