"""`chibo demo`: the real bot, the local emulator, a scripted conversation, a transcript."""

from __future__ import annotations

import asyncio
import re
import socket
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import click
import httpx
from sqlalchemy import select

from bot.harness import Harness, running_bot
from bot.people import Person, Seen, ZaloPerson
from core import reminders, selfcheck_periods
from core.clock import ManualClock
from core.context import Services
from core.inviting import operator_invite
from core.members import grant_role, import_rows
from core.roster import RosterRow, read_roster
from core.texts import local_date, t, when_text
from core.units import add_unit
from db.models import Member, Role, Unit, UnitKind

SAMPLE_ROSTER = Path(__file__).with_name("sample") / "roster.csv"
DEFAULT_OUT = Path("out") / "demo"  # files the bot sends in the demo (the report, the chart)
OFFICE = "Chi bộ Cơ quan Đảng ủy xã"
STAFF = "Võ Thị Lan"  # a member of the office cell and the commune committee's staff
_LINK = re.compile(r"https?://\S+")


class Transcript:
    def __init__(self, pause: float, out: Path) -> None:
        self.pause = pause
        self.out = out  # where files the bot sends are saved
        self.steps = 0
        self.messages = 0
        self.seen: dict[str, int] = {}  # chat → last event seq shown

    async def arrivals(self, h: Harness, person: Person, expect: int = 1) -> list[Seen]:
        """Messages the bot sent this person on its own (reminders, notices)."""
        after = self.seen.get(person.chat_id, 0)
        return self.show(person, await h.arrivals(person, after, expect))

    def step(self, key: str) -> None:
        self.steps += 1
        click.echo("")
        click.echo(t("demo_step", title=t(key)))

    def line(self, text: str) -> None:
        click.echo(text)

    async def say(self, person: Person, text: str, expect: int = 1) -> list[Seen]:
        self.line(t("demo_user", name=person.name, text=text))
        return self.show(person, await person.say(text, expect=expect))

    async def photo(self, person: Person, caption: str, expect: int = 1) -> list[Seen]:
        self.line(t("demo_user_photo", name=person.name, caption=caption))
        return self.show(person, await person.send_photo(caption, expect=expect))

    async def tap(
        self,
        person: Person,
        label: str,
        expect: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - how long the person waits for the answer
    ) -> list[Seen]:
        if isinstance(person, ZaloPerson):  # no buttons: the person types the number
            number = await person.number_for(label)
            self.line(t("demo_type_number", name=person.name, number=number, label=label))
        else:
            self.line(t("demo_tap", name=person.name, label=label))
        return self.show(person, await person.tap(label, expect=expect, timeout=timeout))

    def show(self, person: Person, seen: list[Seen]) -> list[Seen]:
        for event in seen:
            self.seen[person.chat_id] = max(self.seen.get(person.chat_id, 0), event.seq)
            self.messages += 1
            key = "demo_bot_edit" if event.kind == "edit" else "demo_bot"
            self.line(t(key, name=person.name))
            for body_line in event.raw.splitlines():
                self.line(f"   {body_line}")
            if event.kind == "photo" and not event.file_name:
                self.line(t("demo_photo"))
            if event.file_name:
                kind = t("demo_kind_photo" if event.kind == "photo" else "demo_kind_document")
                self.line(t("demo_file", kind=kind, filename=event.file_name, size=event.size))
            if event.labels and not isinstance(person, ZaloPerson):
                self.line(t("demo_buttons", buttons="  ".join(f"[{b}]" for b in event.labels)))
        return seen

    async def wait(self) -> None:
        if self.pause:
            await asyncio.sleep(self.pause)


def _code(events: list[Seen]) -> str:
    """The invite code shown in the bot's last message with one ("…: ABCD-EFGH")."""
    for event in reversed(events):
        for word in event.body.replace("\n", " ").split():
            if len(word) == 9 and word[4] == "-" and word.replace("-", "").isalnum():
                return word
    raise RuntimeError("no invite code in the bot's answer")


def _join(person: Person, code: str) -> str:
    """What a person types to join: Zalo has no deep links, so the bare code."""
    return code if isinstance(person, ZaloPerson) else f"/start {code}"


async def _setup(services: Services, show: Transcript) -> str:
    show.step("demo_s_setup")
    commune = await add_unit(
        services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã An Thạnh", parent=None, code=None
    )
    added = f'chibo unit add --kind committee --name "{commune.name}"'
    show.line(t("demo_operator", command=added))
    cell = await add_unit(
        services, kind=UnitKind.CELL, name="Chi bộ Ấp Phú Hữu", parent=commune.code, code=None
    )
    show.line(
        t(
            "demo_operator",
            command=f'chibo unit add --kind cell --name "{cell.name}" --parent {commune.code}',
        )
    )
    result = read_roster(SAMPLE_ROSTER)
    summary = await import_rows(services, cell.code, result.rows)
    show.line(t("demo_operator", command=f"chibo member import roster.csv --cell {cell.code}"))
    show.line(t("cli_import_ok", added=summary.added, cell=cell.name, skipped=0))
    return cell.code


async def _committee_staff(services: Services, show: Transcript, commune: str) -> tuple[str, int]:
    """The commune's office cell, with one member who is also the committee's staff."""
    office = await add_unit(services, kind=UnitKind.CELL, name=OFFICE, parent=commune, code=None)
    added = f'chibo unit add --kind cell --name "{OFFICE}" --parent {commune}'
    show.line(t("demo_operator", command=added))
    row = RosterRow(line=2, full_name=STAFF, phone=None, role="member", membership="full")
    await import_rows(services, office.code, [row])
    async with services.db.unit_of_work() as uow:
        staff_id = await uow.session.scalar(
            select(Member.id).where(Member.cell_id == office.id, Member.full_name == STAFF)
        )
    assert staff_id is not None
    await grant_role(services, staff_id, commune, Role.STAFF)
    granted = f"chibo role grant --member {staff_id} --unit {commune} --role staff"
    show.line(t("demo_operator", command=granted))
    return office.code, staff_id


async def script(h: Harness, show: Transcript) -> None:
    services = h.app.services
    cell = await _setup(services, show)

    show.step("demo_s_secretary")
    view = await operator_invite(
        services, cell_ref=cell, member_id=1, role=Role.MEMBER, days=30, uses=None
    )
    show.line(t("demo_operator", command=f"chibo invite --cell {cell} --member 1"))
    tz = services.config.timezone
    show.line(t("cli_invite_code", code=view.shown_code, expires=local_date(view.expires_at, tz)))
    if view.link:
        show.line(t("cli_invite_link", link=view.link))
    hung = h.person(2001, "Nguyễn Văn Hùng")
    await show.say(hung, _join(hung, view.shown_code))
    await show.tap(hung, "Đúng, tôi là Nguyễn Văn Hùng")

    show.step("demo_s_help")
    await show.say(hung, "/trogiup")

    show.step("demo_s_invite")
    shared = _code(await show.say(hung, "/moi"))
    await show.tap(hung, "Mời từng đồng chí")
    mai_code = _code(await show.tap(hung, "Trần Thị Mai"))

    show.step("demo_s_member")
    mai = h.person(2002, "Trần Thị Mai")
    await show.say(mai, _join(mai, mai_code))
    await show.tap(mai, "Đúng, tôi là Trần Thị Mai")

    show.step("demo_s_newcomer")
    newcomer = h.person(2003, "Khoa")
    await show.say(newcomer, _join(newcomer, shared))
    await show.say(newcomer, "Lý Văn Khoa")
    await show.arrivals(h, hung)  # the request reaches the secretary
    await show.arrivals(h, mai)  # the deputy is asked too; either of them may decide
    await show.tap(hung, "Duyệt", expect=1)
    await show.arrivals(h, newcomer)

    show.step("demo_s_wrong")
    stranger = h.person(2004, "Tư Lê")
    await show.say(stranger, _join(stranger, "ABCD-EFGH"))
    await show.say(stranger, _join(stranger, mai_code))

    show.step("demo_s_roster")
    await show.say(hung, "/dangvien")
    await meetings_script(h, show, hung, mai, newcomer)


async def meetings_script(
    h: Harness, show: Transcript, hung: Person, mai: Person, khoa: Person
) -> None:
    clock = h.app.clock
    assert isinstance(clock, ManualClock)
    show.step("demo_s_schedule")
    await show.say(hung, "/taohop")
    await show.tap(hung, t("btn_kind_regular"))
    await show.tap(hung, t("btn_repeat_once"))
    await show.say(hung, "5/12")
    await show.say(hung, "19h30")
    await show.say(hung, "Hội trường ấp Phú Hữu")
    await show.say(hung, "Quán triệt Nghị quyết của Đảng ủy xã; kế hoạch kiểm tra, giám sát quý I")
    await show.tap(hung, t("btn_confirm"))

    show.step("demo_s_reminders")
    clock.set(datetime(2026, 12, 2, 12, 30, tzinfo=UTC))  # 19:30 local, three days before
    show.line(t("demo_clock", when=when_text(clock.now(), h.app.services.config.timezone)))
    await reminders.tick(h.app.services)
    assert h.app.deliverer is not None
    h.app.deliverer.wake()
    await show.arrivals(h, mai)
    await show.arrivals(h, khoa)
    await show.tap(khoa, t("btn_will_attend"))

    show.step("demo_s_leave")
    await show.tap(mai, t("btn_ask_leave"))
    await show.tap(mai, t("reason_work"))
    await show.tap(mai, t("btn_write_opinion"))
    await show.say(mai, "Đề nghị chi bộ bàn thêm việc thu đảng phí qua chuyển khoản.")
    await show.arrivals(h, hung, expect=2)  # his own reminder, then Mai's opinion
    await show.say(hung, "/lichhop")

    show.step("demo_s_attendance")
    clock.set(datetime(2026, 12, 5, 14, 30, tzinfo=UTC))  # 21:30 local, after the meeting
    show.line(t("demo_clock", when=when_text(clock.now(), h.app.services.config.timezone)))
    await show.say(hung, "/diemdanh")
    await show.tap(hung, t("att_line_none", name="Lê Văn Tám"))
    await show.tap(hung, t("att_line_present", name="Lê Văn Tám"))
    await show.tap(hung, t("att_line_excused", name="Lê Văn Tám"))
    await show.tap(hung, t("btn_att_rest"))
    await show.tap(hung, t("btn_att_finish"))
    await selfcheck_script(h, show, hung, khoa)
    await duty_script(h, show, hung, khoa)
    await leaders_script(h, show, hung)


async def selfcheck_script(h: Harness, show: Transcript, hung: Person, khoa: Person) -> None:
    """The monthly self-check opens; a member answers it; the secretary gets the one topic
    the member wants help with, and marks it contacted."""
    clock = h.app.clock
    assert isinstance(clock, ManualClock) and h.app.deliverer is not None
    show.step("demo_s_selfcheck")
    clock.set(datetime(2026, 12, 6, 1, 0, tzinfo=UTC))  # 08:00 local
    show.line(t("demo_clock", when=when_text(clock.now(), h.app.services.config.timezone)))
    opened = await selfcheck_periods.tick(h.app.services)
    h.app.deliverer.wake()
    if opened.opened:
        await show.arrivals(h, khoa)  # the first question comes by itself
    else:  # the scheduler opened it already (a slow, paused demo)
        await show.say(khoa, "/tukiemtra")
    form = h.app.services.config.forms[("monthly", 1)]
    for question in form.questions:
        wants_help = question.id == "M7"
        await show.tap(khoa, question.options[-1 if wants_help else 0].label)
        if question.comment:
            await show.tap(khoa, t("sc_btn_skip"))
    await show.tap(khoa, t("sc_btn_submit"))
    await show.arrivals(h, hung, expect=2)  # his own first question, then Khoa's flag
    await show.tap(hung, t("flag_btn_contacted"))


async def duty_script(h: Harness, show: Transcript, hung: Person, khoa: Person) -> None:
    """A KT/GS duty from the plan: given, reported done with a photo, confirmed."""
    show.step("demo_s_duty")
    title = "Giám sát việc đóng đảng phí của tổ đảng viên ấp Phú Hữu"
    await show.say(hung, "/giaoviec")
    await show.tap(hung, t("duty_kind_supervision"))
    await show.say(hung, title)
    await show.tap(hung, t("btn_skip"))
    await show.tap(hung, t("btn_next"))  # Khoa is on the second page of the roster
    await show.tap(hung, t("dw_pick_off", name="Lý Văn Khoa"))
    await show.tap(hung, t("dw_btn_done"))
    await show.say(hung, "7/12")
    await show.say(hung, "20/12")
    await show.tap(hung, t("btn_confirm"))
    await show.arrivals(h, khoa)
    await show.say(khoa, "/nhiemvu")
    await show.tap(khoa, t("duty_open_button", n=1, title=title))
    await show.tap(khoa, t("duty_btn_completion"))
    await show.photo(khoa, "Biên bản giám sát, có chữ ký tổ trưởng")
    await show.arrivals(h, hung)
    await show.tap(hung, t("duty_btn_confirm"))
    await show.arrivals(h, khoa)


async def leaders_script(h: Harness, show: Transcript, hung: Person) -> None:
    """The secretary's status, this month's report saved to disk, and the commune's staff
    looking at the roll-up of its cells."""
    services = h.app.services
    show.step("demo_s_status")
    await show.say(hung, "/tinhhinh")

    show.step("demo_s_report")
    await show.say(hung, "/baocao")
    month = services.clock.now().astimezone(services.config.timezone).strftime("%m/%Y")
    files = 3 if isinstance(hung, ZaloPerson) else 2  # Zalo: a link, the chart, its caption
    label = t("report_btn_this_month", label=month)
    sent = await show.tap(hung, label, expect=files, timeout=30)  # the first chart is slow
    for path in await _save_files(h, hung, sent, show.out):
        show.line(t("demo_saved", path=path))

    show.step("demo_s_rollup")
    async with services.db.unit_of_work() as uow:
        commune = await uow.session.scalar(
            select(Unit.code).where(Unit.kind == UnitKind.COMMITTEE)
        )
    assert commune is not None
    office, staff_id = await _committee_staff(services, show, commune)
    view = await operator_invite(
        services, cell_ref=office, member_id=staff_id, role=Role.MEMBER, days=30, uses=None
    )
    show.line(t("demo_operator", command=f"chibo invite --cell {office} --member {staff_id}"))
    lan = h.person(2005, STAFF)
    await show.say(lan, _join(lan, view.shown_code))
    await show.tap(lan, t("btn_its_me", name=STAFF))
    await show.say(lan, "/tonghop")


async def _save_files(h: Harness, person: Person, sent: list[Seen], out: Path) -> list[Path]:
    """Write what the bot sent to disk: Telegram's documents and photos from the emulator;
    on Zalo the workbook behind the download link and the chart's photo."""
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    written: list[Path] = []
    for number, seen in enumerate(sent, start=1):
        if seen.file_id is None:
            link = _LINK.search(seen.body)
            if link is None:
                continue
            async with httpx.AsyncClient(timeout=10) as http:
                got = await http.get(link.group(0))
            got.raise_for_status()
            content, filename = got.content, unquote(link.group(0).rpartition("/")[2])
        else:
            client = h.zalo if isinstance(person, ZaloPerson) else h.client
            content = await client.download(seen.file_id)
            filename = seen.file_name or f"anh-{number}.png"  # Zalo's photos have no name
        path = out / Path(filename).name
        await asyncio.to_thread(path.write_bytes, content)
        written.append(path)
    return written


async def run_demo(pause: float = 0.0, channel: str = "telegram", out: Path = DEFAULT_OUT) -> None:
    with tempfile.TemporaryDirectory(prefix="chibo-demo-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/demo.db"
        # The demo's own clock: Tuesday 01/12/2026, 09:00 in Hà Nội; the script moves it.
        clock = ManualClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
        # Zalo has no files: the bot links to them on its own web server (PUBLIC_BASE_URL).
        port = _free_port()
        files: dict[str, Any] = {
            "public_base_url": f"http://127.0.0.1:{port}",
            "webhook_port": port,
        }
        async with running_bot(
            url,
            clock=clock,
            channel=channel,
            quiet_hours="21:00-06:30",
            selfcheck_forms="monthly",
            **(files if channel == "zalo" else {}),
        ) as h:
            show = Transcript(pause, out)
            click.echo(t("demo_title", url=h.emulator.url, channel=channel.capitalize()))
            await script(h, show)
            click.echo("")
            click.echo(t("demo_done", steps=show.steps, messages=show.messages))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
