"""What Zalo cannot carry as is: replies over 2,000 characters, photos, documents."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import quote

import httpx
import openpyxl
import pytest

from bot.harness import Harness, running_bot
from core.clock import ManualClock
from core.members import import_rows, roster_of_cell
from core.messages import Attachment, Button, Reply, buttons
from core.roster import RosterRow
from core.textmenu import menu, render
from core.texts import t
from core.units import add_unit
from db.models import UnitKind
from handlers.roster import render_roster
from tests.channels.zalo_helpers import CELL, SECRETARY, chat_seq, code_in, free_port, link, only
from tests.support import Cell, seed_cell

LIMIT = 2000


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, migrate_first=False, channel="zalo") as harness:
        yield harness


@pytest.fixture
async def public(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    """The bot's web server is also where download links point (PUBLIC_BASE_URL)."""
    port = free_port()
    async with running_bot(
        sqlite_url,
        migrate_first=False,
        channel="zalo",
        clock=clock,
        public_base_url=f"http://127.0.0.1:{port}",
        webhook_port=port,
    ) as harness:
        yield harness


def _long_names(count: int) -> list[str]:
    filler = "Tôn Nữ Hoàng Thị Minh Khai Phương Thảo Ngọc Bích Diệu Hương Thanh Tâm Bảo Châu Kim"
    words = ["An", "Bình", "Cúc", "Dung", "Giang", "Hà", "Khánh", "Linh", "Mỹ", "Nga"]
    return [f"{a} {b} {filler} {filler}"[:100].rstrip() for a in words for b in words][:count]


async def _rows(h: Harness, code: str, names: list[str], role: str = "member") -> None:
    rows = [
        RosterRow(line=i + 2, full_name=n, phone=None, role=role, membership="full")  # type: ignore[arg-type]
        for i, n in enumerate(names)
    ]
    await import_rows(h.app.services, code, rows)


async def test_a_long_reply_is_split_on_lines_with_the_menu_last(h: Harness) -> None:
    services = h.app.services
    committee = await add_unit(
        services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã Lớn", parent=None, code=None
    )
    unit = await add_unit(
        services, kind=UnitKind.CELL, name=CELL, parent=committee.code, code=None
    )
    await _rows(h, unit.code, _long_names(60))
    await _rows(h, unit.code, [SECRETARY], role="secretary")
    roster = await roster_of_cell(services, unit.code)
    ids = {e.full_name: e.member_id for e in roster.entries}
    hung = await link(h, Cell(unit.code, roster.cell_id, ids), SECRETARY, 2001)
    # Someone asks to join: the roster then carries the approve / reject buttons.
    khoa = h.zalo_user(4001, "Khoa")
    await khoa.say(code_in(only(await hung.say("/moi"))))
    seq = await chat_seq(hung)
    await khoa.say("Lý Văn Khoa")
    asked = only(await h.zalo.events(hung.chat_id, after=seq, min_count=1, timeout=5))
    assert asked.body.startswith(t("approve_request", name="Lý Văn Khoa", cell=CELL))

    body = render_roster(await roster_of_cell(services, unit.code))
    approve = [Button(t("btn_approve_name", name="Lý Văn Khoa"), "-")]
    listed = menu(Reply("", buttons(approve, [Button(t("btn_reject"), "-")])))
    assert len(body) > 2 * LIMIT
    pieces = [e.body for e in await hung.say("/dangvien", expect=3)]
    assert len(pieces) >= 3 and all(len(p) <= LIMIT for p in pieces)
    lines = [line for p in pieces for line in p.split("\n") if line]
    assert lines == [line for line in f"{body}\n{listed}".split("\n") if line]
    assert pieces[-1].endswith(f"\n\n{listed}")
    assert all(listed.split("\n")[0] not in p for p in pieces[:-1])
    assert [c for c in await h.zalo.calls("sendMessage") if c.status != 200] == []

    # The list's "1" approves Khoa, as the button would.
    assert only(await hung.say("1")).body == t("approved_leader", name="Lý Văn Khoa")


async def test_the_numbered_list_is_never_cut_from_its_end(h: Harness) -> None:
    khoa = h.zalo_user(4001, "Khoa")
    await khoa.say("/start")
    body = "\n".join(["x" * 99] * 19 + ["y" * 60])
    question = Reply(
        body, buttons([Button("Tôi sẽ dự", "rsvp:y:1"), Button("Xin vắng", "rsvp:n:1")])
    )
    assert len(body) == 1960 and len(render(question)) > LIMIT
    assert h.app.zalo is not None
    await h.app.zalo.send(khoa.chat_id, question)
    first, second = [m.body for m in await khoa.messages()][-2:]
    assert (first, second) == (body, "1. Tôi sẽ dự\n2. Xin vắng\nTrả lời 1 hoặc 2.")
    assert only(await khoa.say("5")).body == t("menu_no_such_number", number=5, last=2)


async def test_invite_qr_goes_as_a_photo_zalo_fetches(public: Harness) -> None:
    h = public
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    photo, text = await hung.say("/moi", expect=2)
    assert photo.kind == "photo" and photo.file_id is not None
    assert photo.photo_url is not None and photo.photo_url.endswith(".png")
    png = await h.zalo.download(photo.file_id)
    assert png.startswith(b"\x89PNG")
    code = code_in(text)
    assert text.body.startswith(t("cell_invite", cell=CELL, code=code))
    assert text.body.endswith(f"1. {t('btn_invite_each')}\n{t('menu_answer_one')}")
    assert "Telegram" not in text.body


async def test_a_document_becomes_a_link_that_expires(public: Harness, clock: ManualClock) -> None:
    h = public
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    book = openpyxl.Workbook()
    book.active.append(["Họ và tên", "Chức vụ"])
    book.active.append([SECRETARY, "Bí thư"])
    data = io.BytesIO()
    book.save(data)
    xlsx = data.getvalue()
    name = "Danh sách đảng viên.xlsx"
    assert h.app.zalo is not None
    await h.app.zalo.send(hung.chat_id, Reply("Danh sách chi bộ", file=Attachment(name, xlsx)))
    message = (await hung.messages())[-1]
    intro, url, until = message.body.split("\n")[-3:]
    assert message.body.startswith("Danh sách chi bộ\n\n")
    assert intro == f"📎 Tải tệp {name} tại:" and until.startswith("(Đường dẫn dùng được đến ")
    # One unbroken link (a name with spaces must not cut it), under PUBLIC_BASE_URL/files.
    assert url.split() == [url] and url.endswith(f"/{quote(name)}")
    assert url.startswith(f"{h.app.settings.public_base_url}/files/")
    async with httpx.AsyncClient(timeout=5) as http:
        got = await http.get(url)
        assert got.status_code == 200 and got.content == xlsx
        assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in got.headers["content-disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
        assert sheet["A2"].value == SECRETARY
        clock.advance(timedelta(minutes=60))
        assert (await http.get(url)).status_code == 404


async def test_without_a_public_address_the_text_says_where_to_get_files(h: Harness) -> None:
    cell = await seed_cell(h.app.services)
    hung = await link(h, cell, SECRETARY, 2001)
    invite = only(await hung.say("/moi"))  # no photo: only the text, with the code in it
    code = code_in(invite)
    assert t("photo_unavailable", filename=f"moi-{code.replace('-', '')}.png") in invite.body
    assert invite.body.endswith(t("menu_answer_one"))
    assert h.app.zalo is not None
    await h.app.zalo.send(hung.chat_id, Reply("Danh sách", file=Attachment("ds.xlsx", b"PK")))
    note = (await hung.messages())[-1]
    assert note.body == f"Danh sách\n\n{t('file_unavailable', filename='ds.xlsx')}"
    assert "Telegram" in note.body and "chibo" in note.body
    assert await h.zalo.calls("sendPhoto") == []
