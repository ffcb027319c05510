"""A small real world for the fuzzing and authorization checks, built through the bot's own
flows on a real database: a district, a commune committee, two cells (A and B), people of
every role on one channel, an open self-check period, meetings, a duty and an announcement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from core.context import CoreConfig, Services
from core.members import grant_role, import_rows
from core.quiet import NO_QUIET_HOURS
from core.roster import RosterRow
from core.router import Router
from core.texts import t
from core.units import add_unit
from db.models import (
    Announcement,
    Duty,
    DutyReport,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    ProgrammeRegistration,
    Role,
    SelfCheck,
    SelfCheckPeriod,
    SelfCheckStatus,
    UnitKind,
)
from handlers import build_router
from tests.services.test_announcements import announce
from tests.services.test_duties import assign
from tests.services.test_meetings import wizard_once
from tests.services.test_onboarding import member_code
from tests.support import Cell, Person

CELL_A, CELL_B = "Chi bộ Ấp Một", "Chi bộ Ấp Hai"
HUNG, MAI, TAM, HOA, LAN, SAU = (
    "Nguyễn Văn Hùng",
    "Trần Thị Mai",
    "Lê Văn Tám",
    "Phạm Thị Hoa",
    "Đặng Thị Lan",
    "Ngô Văn Sáu",
)
BINH, QUAN = "Võ Thanh Bình", "Hồ Minh Quân"
ROSTER_A = [
    (HUNG, "secretary"),
    (MAI, "deputy"),
    (TAM, "member"),
    (HOA, "member"),
    (LAN, "member"),
    (SAU, "member"),  # invited, never joins
]
ROSTER_B = [(BINH, "secretary"), (QUAN, "member")]
# Who plays each role, and the account they talk from (the same id on every channel).
ROLES: dict[str, tuple[str | None, str]] = {
    "member": (TAM, "103"),
    "deputy": (MAI, "102"),
    "secretary": (HUNG, "101"),
    "other_secretary": (BINH, "201"),  # the secretary of cell B
    "committee_staff": (QUAN, "202"),  # a member of B, staff of the commune above A and B
    "stranger": (None, "777"),  # no account
    "admin": (LAN, "105"),  # a deployment administrator who is a plain member of A
}
OTHER_MEMBER = (HOA, "104")
_LINE = "Quán triệt Nghị quyết Trung ương, kiểm điểm việc thực hiện nhiệm vụ tháng 11 của chi bộ."
LONG_AGENDA = "\n".join(f"{n}. {_LINE}" for n in range(1, 40))[:2000]  # scheduling.AGENDA_MAX
LONG_ANNOUNCEMENT = " ".join([_LINE] * 40)[
    :1700
]  # announcements.TEXT_MAX  # a second plain member of A
STRANGERS = ("777", "778", "5550001", "987654321012")


def config_for(channel: str) -> CoreConfig:
    return CoreConfig(
        admin_accounts=frozenset({(channel, ROLES["admin"][1])}),
        join_link_template="https://t.me/chibo_test_bot?start={code}",
        channels=frozenset({"telegram", "zalo"}),
        quiet_hours=NO_QUIET_HOURS,
    )


@dataclass
class World:
    services: Services
    router: Router
    channel: str
    cell_a: Cell
    cell_b: Cell
    commune_id: int
    ids: dict[str, int]  # member id by name, both cells
    period_id: int = 0
    meeting_ids: list[int] = field(default_factory=list)  # A: the next one, the last held one
    other_meeting_id: int = 0  # B's
    duty_id: int = 0
    announcement_id: int = 0
    selfcheck_ids: dict[str, int] = field(default_factory=dict)  # by name

    def person(self, user_id: str, name: str = "") -> Person:
        return Person(self.router, user_id, name, channel=self.channel)

    def user(self, role: str) -> str:
        return ROLES[role][1]


def _rows(roster: list[tuple[str, str]]) -> list[RosterRow]:
    return [
        RosterRow(line=i + 2, full_name=n, phone=None, role=r, membership="full")  # type: ignore[arg-type]
        for i, (n, r) in enumerate(roster)
    ]


async def _cell(services: Services, name: str, parent: str, roster: list[tuple[str, str]]) -> Cell:
    unit = await add_unit(services, kind=UnitKind.CELL, name=name, parent=parent, code=None)
    await import_rows(services, unit.code, _rows(roster))
    async with services.db.unit_of_work() as uow:
        members = await uow.session.scalars(select(Member).where(Member.cell_id == unit.id))
        ids = {m.full_name: m.id for m in members}
    return Cell(unit.code, unit.id, ids)


async def _join(world: World, cell: Cell, name: str, user_id: str) -> None:
    someone = world.person(user_id, name)
    await someone.say(f"/start {await member_code(world.services, cell, name)}")
    await someone.tap(t("btn_its_me", name=name))


async def build_world(services: Services, channel: str) -> World:
    """Everything through the product's services and the router, as people would do it."""
    await add_unit(services, kind=UnitKind.DISTRICT, name="Huyện Mỹ Lợi", parent=None, code="hml")
    commune = await add_unit(
        services, kind=UnitKind.COMMITTEE, name="Đảng ủy xã Mỹ Lợi", parent="hml", code="xml"
    )
    cell_a = await _cell(services, CELL_A, "xml", ROSTER_A)
    cell_b = await _cell(services, CELL_B, "xml", ROSTER_B)
    world = World(
        services,
        build_router(services),
        channel,
        cell_a,
        cell_b,
        commune.id,
        {**cell_a.member_ids, **cell_b.member_ids},
    )
    for name, user in [*ROLES.values(), OTHER_MEMBER]:
        if name is not None:
            await _join(world, cell_b if name in cell_b.member_ids else cell_a, name, user)
    await grant_role(services, world.ids[QUAN], "xml", Role.STAFF)
    hung, binh = world.person(ROLES["secretary"][1]), world.person(ROLES["other_secretary"][1])
    tam = world.person(ROLES["member"][1])
    # Meetings: A's next one (scheduled by the secretary, with an agenda as long as allowed),
    # a held one last month; B's next one. The longest texts make the longest replies.
    await hung.say("/taohop")
    await hung.tap(t("btn_kind_regular"))
    await hung.tap(t("btn_repeat_once"))
    for answer in ("20/11/2026", "19:30", "Hội trường ấp", LONG_AGENDA):
        await hung.say(answer)
    await hung.tap(t("btn_confirm"))
    await wizard_once(binh, "21/11/2026", "19:30")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        held = datetime(2026, 10, 25, 12, 30, tzinfo=UTC)
        s.add(
            Meeting(
                cell_id=cell_a.id,
                kind=MeetingKind.REGULAR,
                status=MeetingStatus.SCHEDULED,
                starts_at=held,
                duration_minutes=90,
                place="Hội trường ấp",
                agenda="Sinh hoạt thường kỳ tháng 10",
                created_at=held,
                updated_at=held,
            )
        )
        s.add(
            SelfCheckPeriod(
                form_name="monthly",
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30),
                label="11/2026",
                opened_at=services.clock.now(),
            )
        )
        await uow.commit()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        upcoming = await s.scalars(
            select(Meeting.id).where(Meeting.cell_id == cell_a.id).order_by(Meeting.starts_at)
        )
        last, nxt = list(upcoming)
        world.meeting_ids = [nxt, last]
        world.other_meeting_id = int(
            await s.scalar(select(Meeting.id).where(Meeting.cell_id == cell_b.id)) or 0
        )
        world.period_id = int(await s.scalar(select(func.max(SelfCheckPeriod.id))) or 0)
    # Tám answers the RSVP and starts the self-check; Hùng starts his too.
    await tam.press(f"rsvp:y:{nxt}")
    await tam.say("/tukiemtra")
    await tam.tap("Đã dự")
    await hung.say("/tukiemtra")
    await assign(hung, names=(TAM,))
    world.announcement_id = await announce(hung, LONG_ANNOUNCEMENT)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        world.duty_id = int(await s.scalar(select(func.max(Duty.id))) or 0)
        assert world.announcement_id == await s.scalar(select(func.max(Announcement.id)))
        checks = await s.execute(select(SelfCheck.member_id, SelfCheck.id))
        by_member = {member: check for member, check in checks.all()}
    names = {v: k for k, v in world.ids.items()}
    world.selfcheck_ids = {names[m]: c for m, c in by_member.items()}
    assert set(world.selfcheck_ids) == {TAM, HUNG}, world.selfcheck_ids
    return world


NEWCOMER = "779"  # asked to join cell A with its shared code; waits for approval


@dataclass
class Extras:
    """Objects only some buttons act on, added for the authorization matrix."""

    join_code: str  # Sáu's one-time code
    pending_id: int  # the newcomer waiting for approval
    report_id: int  # Tám's report that the duty is done, waiting for a decision
    closed_check_id: int  # Tám's sent self-check of 10/2026, with a flag
    year: int = 2026


async def add_extras(world: World) -> Extras:
    services = world.services
    hung, tam = world.person(ROLES["secretary"][1]), world.person(ROLES["member"][1])
    shown = "\n".join(r.text for r in (await hung.say("/moi")).replies)
    shared = shown.split(": ", 1)[1].split("\n", 1)[0]
    newcomer = world.person(NEWCOMER, "Khoa")
    await newcomer.say(f"/start {shared}")
    await newcomer.say("Lý Văn Khoa")
    await tam.press(f"dur:{world.duty_id}:c")
    await tam.say("Đã kiểm tra xong tổ 1, còn tổ 2")
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        closed = SelfCheckPeriod(
            form_name="monthly",
            starts_on=date(2026, 10, 1),
            ends_on=date(2026, 10, 31),
            label="10/2026",
            opened_at=now,
        )
        s.add(closed)
        await s.flush()
        check = SelfCheck(
            period_id=closed.id,
            member_id=world.ids[TAM],
            cell_id=world.cell_a.id,
            form_version=1,
            status=SelfCheckStatus.SUBMITTED,
            started_at=now,
            updated_at=now,
            submitted_at=now,
        )
        s.add(check)
        await s.flush()
        s.add(
            Flag(
                selfcheck_id=check.id,
                member_id=world.ids[TAM],
                cell_id=world.cell_a.id,
                question_id="M2",
                kind="support",
                value="needs_talk",
                created_at=now,
            )
        )
        s.add(
            ProgrammeRegistration(
                cell_id=world.cell_a.id,
                year=2026,
                registered_by=world.ids[HUNG],
                registered_at=now,
            )
        )
        pending = await s.scalar(select(Member.id).where(Member.status == MemberStatus.PENDING))
        report = await s.scalar(select(func.max(DutyReport.id)))
        await uow.commit()
        assert pending is not None and report is not None
        check_id = check.id
    return Extras(
        join_code=await member_code(services, world.cell_a, SAU),
        pending_id=int(pending),
        report_id=int(report),
        closed_check_id=check_id,
    )
