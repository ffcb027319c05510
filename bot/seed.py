"""Generated data at scale, for benchmarks and demos (`chibo seed --scale district|province`).

Fills an EMPTY, migrated database with a realistic party organisation and a year of its life:

- district: one district, 10,000 members in 263 cells under 17 committees (16 communes and the
  district agencies' committee); province: one province, 150,000 members in 5,000 cells under
  120 committees (119 communes and the province agencies' committee); tiny: 3 cells, for tests.
- Cells of 10-80 members, most of 20-50; Vietnamese names (family, middle and given names with
  their real frequencies); one secretary and one deputy per cell; committee staff and
  inspection members sit in each committee's agency cell ("Chi bộ Cơ quan"), the top unit's
  in the first cell of the agencies' committee.
- About 85% of members activated: ACTIVE with a Telegram account (some Zalo, some both, a few
  blocked); some cells not activated at all (their roster imported, nobody linked: no
  meetings, self-checks or duties in the bot); a few INVITED and PENDING in the others.
- `months` (default 12) of monthly regular meetings per cell, the next month's too, and some
  thematic ones; RSVPs; attendance for past meetings (~90% present, excused and unexcused
  absences, the most recent meeting sometimes not marked yet).
- A monthly self-check period per month; when a period opens every active member gets a
  self-check at the first question (as core.selfcheck_periods does), most are submitted, some
  stay in progress or not started. Answers and flags only for the last `answer_periods` (2)
  periods, to keep the province at a sane size: older self-checks have a status but no answers.
- KT/GS duties (a few per cell over the months, most done, some overdue, returned or
  reported), with assignees and reports; model programme registrations for the current and
  the previous year (about 42% of cells) with appraisal outcomes for the previous year and a
  few of the current one; outbox rows for the last meeting's reminders and the current
  period's messages, all finished (sent, some failed or unreachable): nothing is pending.

Dates are relative to `today` in Asia/Ho_Chi_Minh, "now" being today at 12:00 local time;
the same seed and today give the same rows. Rows are built per batch of cells (~6,000 members)
and go in one table at a time in chunks of 10,000-20,000 rows per transaction, as plain tuples:
executemany on SQLite, COPY on PostgreSQL (SQLAlchemy's per-value type processing cost more
than the rest of the generator; `_converter` sends what the column types would). Ids are
assigned here (PostgreSQL sequences are moved past them at the end). PostgreSQL gets VACUUM
ANALYZE at the end, as autovacuum would leave a database in use (statistics, visibility map);
SQLite is left as an application would leave it (no ANALYZE).
"""

from __future__ import annotations

import bisect
import calendar
import hashlib
import itertools
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, Date, Enum, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.forms import Form, QuestionKind, default_forms
from core.vntext import slugify
from db.engine import create_engine
from db.models import (
    AbsenceReason,
    AppraisalOutcome,
    Attendance,
    ChannelAccount,
    Duty,
    DutyAssignee,
    DutyKind,
    DutyReport,
    DutyReportKind,
    DutyStatus,
    DutyVerdict,
    Flag,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Presence,
    ProgrammeRegistration,
    Role,
    Rsvp,
    RsvpAnswer,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckPeriod,
    SelfCheckStatus,
    Unit,
    UnitKind,
)
from db.types import UTCDateTime

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TELEGRAM_BASE = 7_000_000_000  # a member's Telegram user id (= chat id): this + member id
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
SUMMARY = "summary"  # core.selfcheck.SUMMARY: the position of a finished self-check
Progress = Callable[[str], None]


class SeedError(Exception):
    """The database cannot be seeded (not empty, not migrated)."""


@dataclass(frozen=True)
class Scale:
    name: str
    members: int
    cells: int
    communes: int  # commune committees (đảng bộ xã/phường)
    agency_cells: int  # cells of the top's agencies' committee (0: no such committee)
    top_kind: UnitKind
    top_name: str
    agency_name: str = ""
    min_size: int = 10
    max_size: int = 80


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 60, 3, 1, 0, UnitKind.DISTRICT, "Đảng bộ huyện Thử Nghiệm", max_size=30),
    "district": Scale(
        "district",
        10_000,
        263,
        16,
        5,
        UnitKind.DISTRICT,
        "Đảng bộ huyện Châu Thành",
        "Đảng bộ Các cơ quan huyện",
    ),
    "province": Scale(
        "province",
        150_000,
        5_000,
        119,
        40,
        UnitKind.PROVINCE,
        "Đảng bộ tỉnh An Giang",
        "Đảng bộ Các cơ quan tỉnh",
    ),
}


def _words(line: str) -> list[str]:
    return line.split()


# --- names --------------------------------------------------------------------------------

# Family names and their approximate shares (%) in the population.
FAMILY = [
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Phan", 4.5),
    ("Huỳnh", 2.6), ("Hoàng", 2.5), ("Võ", 2.2), ("Vũ", 1.8), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.7),
    ("Trương", 0.8), ("Đoàn", 0.6), ("Lâm", 0.5), ("Mai", 0.5), ("Cao", 0.4), ("Lương", 0.4),
    ("Hà", 0.4), ("Tạ", 0.3), ("Châu", 0.3), ("Lưu", 0.3), ("Tô", 0.3), ("Thái", 0.3),
    ("Triệu", 0.2), ("Quách", 0.2), ("Kiều", 0.1), ("La", 0.1), ("Thạch", 0.3), ("Danh", 0.2),
]  # fmt: skip
MIDDLE_MALE = [
    ("Văn", 55), ("Minh", 8), ("Hữu", 7), ("Đức", 7), ("Quốc", 5), ("Thanh", 5), ("Công", 4),
    ("Quang", 4), ("Tấn", 3), ("Ngọc", 3), ("Thành", 3), ("Xuân", 2), ("Hoàng", 2),
    ("Trọng", 2), ("Duy", 2), ("Văn Minh", 1), ("Hoài", 1),
]  # fmt: skip
MIDDLE_FEMALE = [
    ("Thị", 65), ("Ngọc", 8), ("Thu", 5), ("Thanh", 5), ("Kim", 4), ("Hồng", 4), ("Mỹ", 3),
    ("Bích", 2), ("Thúy", 2), ("Hoài", 2), ("Minh", 2), ("Diệu", 1), ("Thị Kim", 1),
    ("Thị Ngọc", 1),
]  # fmt: skip
GIVEN_MALE = _words(
    "Hùng Dũng Tuấn Minh Nam Hải Long Thắng Sơn Hòa Bình Cường Phong Tâm Trung Thành Hiếu "
    "Lợi Tài Phúc Quang Khánh Tùng Đức Hưng Toàn Vinh Kiên Thịnh Tân Lâm Hoàng Phát Thái "
    "Chiến Định Tám Út Sáu Bảy Hậu Nhân Nghĩa Trí Tín Vũ Danh Quý Lộc Hiệp Thuận Phước Khoa "
    "Đạt Huy Tiến Thanh Việt Hiển"
)
GIVEN_FEMALE = _words(
    "Hoa Lan Mai Hương Hạnh Thảo Linh Trang Nga Hà Ngọc Thủy Phương Yến Loan Tuyết Dung "
    "Hằng Nhung Vân Xuân Thu Hồng Liên Cúc Đào Huệ Trinh Diễm Oanh Tâm Hiền Nguyệt Thoa Bích "
    "Kim Lệ Sương Ánh Quyên Nhàn Thắm Giang Hiếu Duyên Châu"
)
FEMALE_SHARE = 0.36


class Picker:
    """random.choices with precomputed cumulative weights (called millions of times)."""

    def __init__(self, items: Sequence[tuple[str, float]]) -> None:
        self.values = [v for v, _ in items]
        self.cum = list(itertools.accumulate(w for _, w in items))

    def __call__(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _zipf(names: list[str]) -> list[tuple[str, float]]:
    return [(n, 1.0 / (i + 4)) for i, n in enumerate(names)]


PICK_FAMILY = Picker(FAMILY)
PICK_MIDDLE = {False: Picker(MIDDLE_MALE), True: Picker(MIDDLE_FEMALE)}
PICK_GIVEN = {False: Picker(_zipf(GIVEN_MALE)), True: Picker(_zipf(GIVEN_FEMALE))}


def person_name(rng: random.Random) -> str:
    female = rng.random() < FEMALE_SHARE
    return f"{PICK_FAMILY(rng)} {PICK_MIDDLE[female](rng)} {PICK_GIVEN[female](rng)}"


# --- places -------------------------------------------------------------------------------

PLACE_FIRST = _words(
    "Tân An Bình Hòa Phước Long Mỹ Thạnh Vĩnh Tam Đông Tây Phú Hưng Thuận Xuân Hiệp Nhơn "
    "Khánh Định"
)
PLACE_SECOND = _words(
    "Phú Bình Hòa Lợi Thành Hưng An Long Thuận Lộc Phước Thạnh Tiến Mỹ Sơn Hải Điền Hậu"
)
UNITS_IN_COMMUNE = [
    "Công an {kind}",
    "Quân sự {kind}",
    "Trạm Y tế",
    "Trường Tiểu học {place}",
    "Trường THCS {place}",
    "Trường Mầm non {place}",
]
AGENCIES = [
    "Văn phòng {top}",
    "Ban Tổ chức",
    "Ủy ban Kiểm tra",
    "Ban Tuyên giáo và Dân vận",
    "Sở Tài chính",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Môi trường",
    "Sở Nội vụ",
    "Sở Xây dựng",
    "Công an {top_short}",
    "Bộ Chỉ huy Quân sự {top_short}",
]
DUTY_TITLES = {
    DutyKind.INSPECTION: [
        "Kiểm tra việc chấp hành Điều lệ Đảng của đồng chí {name}",
        "Kiểm tra việc thực hiện nhiệm vụ đảng viên của đồng chí {name}",
        "Kiểm tra việc thu, nộp và quản lý đảng phí {quarter}",
        "Kiểm tra việc thực hiện nghị quyết chi bộ {quarter}",
    ],
    DutyKind.SUPERVISION: [
        "Giám sát việc tu dưỡng, rèn luyện đạo đức, lối sống của đồng chí {name}",
        "Giám sát việc giữ mối liên hệ với chi ủy và nhân dân nơi cư trú của đồng chí {name}",
        "Giám sát việc thực hiện nghị quyết chi bộ về {topic}",
    ],
    DutyKind.ASSIGNMENT: [
        "Vận động các hộ dân tham gia {topic}",
        "Phụ trách tổ an ninh tự quản, báo cáo chi bộ hằng tháng",
        "Tham gia tổ kiểm tra của chi bộ {quarter}",
    ],
}
TOPICS = [
    "xây dựng nông thôn mới",
    "làm đường giao thông nông thôn",
    "phòng, chống dịch bệnh trên cây lúa",
    "bảo vệ môi trường, thu gom rác thải",
    "phòng, chống ma túy trong thanh niên",
    "chuyển đổi số, dịch vụ công trực tuyến",
]
REASONS = [
    (AbsenceReason.WORK, 40),
    (AbsenceReason.SICK, 25),
    (AbsenceReason.FAMILY, 20),
    (AbsenceReason.AWAY, 10),
    (AbsenceReason.OTHER, 5),
]


# --- the plan: units, cells and member id ranges -------------------------------------------


@dataclass
class CommunePlan:
    id: int
    code: str
    name: str
    agency: bool  # the top's agencies' committee
    cells: list[CellPlan] = field(default_factory=list)


@dataclass
class CellPlan:
    index: int
    id: int
    code: str
    name: str
    commune: CommunePlan
    size: int
    first_member: int  # member ids first_member .. first_member + size - 1
    activated: bool
    holds_committee: bool  # the committee's agency cell: its staff and inspection members
    holds_top: bool  # the first cell: the top unit's staff and inspection members


@dataclass
class Plan:
    scale: Scale
    top_id: int
    top_code: str
    communes: list[CommunePlan]
    cells: list[CellPlan]


def cell_sizes(scale: Scale, rng: random.Random) -> list[int]:
    """`scale.cells` sizes between min and max summing to `scale.members`, skewed like real
    cells (Beta(2, 3) over the range: most between 20 and 50)."""
    n, lo, hi = scale.cells, scale.min_size, scale.max_size
    if not lo * n <= scale.members <= hi * n:
        raise ValueError(f"{scale.members} members do not fit in {n} cells of {lo}-{hi}")
    shares = [rng.betavariate(2.0, 3.0) for _ in range(n)]
    k = (scale.members - lo * n) / ((hi - lo) * sum(shares))
    sizes = [max(lo, min(hi, round(lo + (hi - lo) * k * s))) for s in shares]
    while (diff := scale.members - sum(sizes)) != 0:
        i = rng.randrange(n)
        step = 1 if diff > 0 else -1
        if lo <= sizes[i] + step <= hi:
            sizes[i] += step
    return sizes


def make_plan(scale: Scale, seed: int) -> Plan:
    rng = random.Random(f"{seed}/plan/{scale.name}")
    sizes = cell_sizes(scale, rng)
    top_code = slugify(scale.top_name.removeprefix("Đảng bộ "))
    top_short = scale.top_name.split(" ", 2)[2] if scale.top_name.count(" ") >= 2 else ""
    top_word = "Tỉnh ủy" if scale.top_kind is UnitKind.PROVINCE else "Huyện ủy"
    unit_ids = itertools.count(2)
    communes: list[CommunePlan] = []
    if scale.agency_cells:
        communes.append(
            CommunePlan(
                next(unit_ids),
                slugify(scale.agency_name.removeprefix("Đảng bộ ")),
                scale.agency_name,
                True,
            )
        )
    # One place per slug ("Thuận Thành" and "Thuận Thạnh" share one): codes stay unique.
    slugs = {slugify(f"{a} {b}"): f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND if a != b}
    places = sorted(slugs.values())
    rng.shuffle(places)
    for i in range(scale.communes):
        ward = rng.random() < 0.2
        name = f"Đảng bộ {'phường' if ward else 'xã'} {places[i]}"
        communes.append(
            CommunePlan(next(unit_ids), slugify(name.replace("Đảng bộ ", "")), name, False)
        )
    # Cells per commune: the agencies' committee gets its own count, the communes share the
    # rest unevenly (wards and big communes have more), at least 3 each.
    commune_cells = scale.cells - scale.agency_cells
    weights = [rng.uniform(0.5, 1.5) for _ in range(scale.communes)]
    counts = [max(min(3, commune_cells), int(commune_cells * w / sum(weights))) for w in weights]
    while sum(counts) != commune_cells:
        i = rng.randrange(scale.communes)
        step = 1 if sum(counts) < commune_cells else -1
        if counts[i] + step >= min(3, commune_cells):
            counts[i] += step
    per_commune = ([scale.agency_cells] if scale.agency_cells else []) + counts
    cells: list[CellPlan] = []
    first_member = 1
    index = 0
    for commune, count in zip(communes, per_commune, strict=True):
        kind_word = "phường" if " phường " in f" {commune.name} " else "xã"
        place = commune.name.split(" ", 3)[-1]
        if commune.agency:
            names = [a.format(top=top_word, top_short=top_short) for a in AGENCIES]
            names = [*names, *(f"Cơ quan {n}" for n in range(1, count + 1))][:count]
        else:
            services = [u.format(kind=kind_word, place=place) for u in UNITS_IN_COMMUNE]
            names = ["Cơ quan Đảng ủy", *services[: count // 6]]
            hamlet = "Khu phố" if kind_word == "phường" else "Ấp"
            names += [f"{hamlet} {n}" for n in range(1, count - len(names) + 1)]
        for position, cell_name in enumerate(names):
            unit_id = next(unit_ids)
            activated = position == 0 or rng.random() >= 0.05
            cell = CellPlan(
                index=index,
                id=unit_id,
                code=f"{commune.code}-{slugify(cell_name)}"[:48].rstrip("-"),
                name=f"Chi bộ {cell_name}",
                commune=commune,
                size=sizes[index],
                first_member=first_member,
                activated=activated,
                holds_committee=position == 0,
                holds_top=index == 0,
            )
            commune.cells.append(cell)
            cells.append(cell)
            first_member += cell.size
            index += 1
    codes = [c.code for c in cells]
    if len(set(codes)) != len(codes):  # pragma: no cover - names are unique per commune
        raise ValueError("cell codes collide")
    return Plan(scale, 1, top_code, communes, cells)


# --- time -----------------------------------------------------------------------------------


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


def month_start(day: date, shift: int) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True)
class Calendar:
    today: date
    now: datetime
    months: list[date]  # first day of each month of the window, oldest first
    answer_periods: int

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def before(self) -> datetime:
        """When the rosters were imported: a month before the window."""
        return local(month_start(self.start, -1), 9)


# --- rows -----------------------------------------------------------------------------------

TABLES: list[Table] = [
    Member.__table__,  # type: ignore[list-item]
    MemberRole.__table__,  # type: ignore[list-item]
    ChannelAccount.__table__,  # type: ignore[list-item]
    Meeting.__table__,  # type: ignore[list-item]
    Rsvp.__table__,  # type: ignore[list-item]
    Attendance.__table__,  # type: ignore[list-item]
    SelfCheck.__table__,  # type: ignore[list-item]
    SelfCheckAnswer.__table__,  # type: ignore[list-item]
    Flag.__table__,  # type: ignore[list-item]
    Duty.__table__,  # type: ignore[list-item]
    DutyAssignee.__table__,  # type: ignore[list-item]
    DutyReport.__table__,  # type: ignore[list-item]
    ProgrammeRegistration.__table__,  # type: ignore[list-item]
    Outbox.__table__,  # type: ignore[list-item]
]
# Tables whose ids are assigned here (others are referenced by nothing: their ids come from
# the database).
OWN_IDS = ["units", "members", "meetings", "selfcheck_periods", "selfchecks", "duties"]


@dataclass
class Counters:
    meeting: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    selfcheck: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    duty: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    message: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@dataclass
class Person:
    id: int
    name: str
    status: MemberStatus
    telegram: bool
    zalo: bool
    blocked: bool
    linked_at: datetime | None
    leader: bool
    reliability: float  # chance of being at a meeting
    diligence: float  # chance of finishing a self-check
    troubled: bool  # answers that raise flags more often

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.ACTIVE

    def chat(self) -> tuple[str, str]:
        """(channel, chat id) the bot writes to first."""
        if self.telegram:
            return "telegram", str(TELEGRAM_BASE + self.id)
        return "zalo", zalo_id(self.id)


def zalo_id(member_id: int) -> str:
    return hashlib.sha256(f"seed-zalo:{member_id}".encode()).hexdigest()[:16]


@dataclass
class Periods:
    ids: list[int]
    opened: list[datetime]
    starts: list[date]


Rows = dict[str, list[dict[str, Any]]]


def _new_rows() -> Rows:
    return {t.name: [] for t in TABLES}


class CellWriter:
    """All rows of one cell, from its own random stream (the same whatever the batching)."""

    def __init__(
        self,
        plan: Plan,
        cell: CellPlan,
        cal: Calendar,
        periods: Periods,
        form: Form,
        seed: int,
        ids: Counters,
        rows: Rows,
        committee_inspector: dict[int, int],
    ) -> None:
        self.plan, self.cell, self.cal, self.periods, self.form = plan, cell, cal, periods, form
        self.rng = random.Random(f"{seed}/cell/{cell.index}")
        self.ids, self.rows = ids, rows
        self.committee_inspector = committee_inspector
        self.people: list[Person] = []
        self.meetings: list[tuple[int, datetime, MeetingStatus, int]] = []  # id, start, status, v

    def write(self) -> None:
        self.members()
        if self.cell.activated:
            self.meeting_rows()
            self.selfchecks()
            self.duties()
            self.outbox()
        self.programme()  # the committee registers cells without the bot on their behalf

    # members, roles, accounts

    def members(self) -> None:
        rng, cell, cal = self.rng, self.cell, self.cal
        roles: list[tuple[int, int, Role]] = []
        for j in range(cell.size):
            member_id = cell.first_member + j
            leader = j < 2 or (cell.holds_committee and j < 5) or (cell.holds_top and j < 9)
            if not cell.activated:
                status = MemberStatus.INVITED
            elif leader:
                status = MemberStatus.ACTIVE
            else:
                x = rng.random()
                status = (
                    MemberStatus.ACTIVE
                    if x < 0.90
                    else MemberStatus.INVITED
                    if x < 0.98
                    else MemberStatus.PENDING
                )
            linked = status is not MemberStatus.INVITED
            telegram = linked and (leader or rng.random() < 0.85)
            zalo = linked and (not telegram or rng.random() < 0.18)
            if status is MemberStatus.PENDING:
                linked_at = cal.now - timedelta(hours=rng.uniform(2, 24 * 14))
            elif linked:
                # Most linked in the first three months of the window, some later.
                days = rng.uniform(0, 90) if rng.random() < 0.85 else rng.uniform(90, 300)
                linked_at = min(
                    cal.now - timedelta(days=1), local(cal.start, 8) + timedelta(days=days)
                )
            else:
                linked_at = None
            person = Person(
                id=member_id,
                name=person_name(rng),
                status=status,
                telegram=telegram,
                zalo=zalo,
                blocked=linked and not leader and rng.random() < 0.01,
                linked_at=linked_at,
                leader=leader,
                reliability=0.97 if rng.random() < 0.85 else rng.uniform(0.55, 0.85),
                diligence=(
                    0.97
                    if (x := rng.random()) < 0.7
                    else 0.8
                    if x < 0.9
                    else rng.uniform(0.1, 0.5)
                ),
                troubled=rng.random() < 0.05,
            )
            self.people.append(person)
            updated = linked_at or cal.before
            self.rows["members"].append(
                {
                    "id": member_id,
                    "cell_id": cell.id,
                    "full_name": person.name,
                    "phone": (
                        f"0{rng.choice('35789')}{rng.randrange(10**8):08d}"
                        if rng.random() < 0.75
                        else None
                    ),
                    "status": status,
                    "membership": (
                        Membership.PROBATIONARY if rng.random() < 0.04 else Membership.FULL
                    ),
                    "created_at": cal.before,
                    "updated_at": updated,
                    "preferred_channel": "zalo"
                    if telegram and zalo and rng.random() < 0.3
                    else None,
                }
            )
            for channel, present in (("telegram", telegram), ("zalo", zalo)):
                if not present:
                    continue
                assert linked_at is not None
                external = (
                    str(TELEGRAM_BASE + member_id) if channel == "telegram" else zalo_id(member_id)
                )
                self.rows["channel_accounts"].append(
                    {
                        "member_id": member_id,
                        "channel": channel,
                        "external_id": external,
                        "chat_id": external,
                        "display_name": person.name.split(" ")[-1],
                        "linked_at": linked_at,
                        "blocked_at": (
                            linked_at + timedelta(days=rng.uniform(1, 60))
                            if person.blocked and channel == "telegram"
                            else None
                        ),
                    }
                )
        first = cell.first_member
        roles += [(first, cell.id, Role.SECRETARY), (first + 1, cell.id, Role.DEPUTY)]
        if cell.holds_committee:
            commune = cell.commune.id
            roles += [
                (first + 2, commune, Role.STAFF),
                (first + 3, commune, Role.STAFF),
                (first + 4, commune, Role.INSPECTION),
            ]
            self.committee_inspector[commune] = first + 4
        if cell.holds_top:
            top = self.plan.top_id
            roles += [
                (first + 5, top, Role.STAFF),
                (first + 6, top, Role.STAFF),
                (first + 7, top, Role.INSPECTION),
                (first + 8, top, Role.INSPECTION),
            ]
        for member_id, unit_id, role in roles:
            self.rows["member_roles"].append(
                {"member_id": member_id, "unit_id": unit_id, "role": role}
            )

    @property
    def secretary(self) -> int:
        return self.cell.first_member

    def on_roster(self) -> list[Person]:
        """Who the secretary marks at meetings: everyone approved (pending ones are not)."""
        return [p for p in self.people if p.status is not MemberStatus.PENDING]

    # meetings, RSVPs, attendance

    def meeting_rows(self) -> None:
        rng, cal, cell = self.rng, self.cal, self.cell
        agency = cell.holds_committee or cell.commune.agency
        day = rng.randint(3, 10)
        hour, minute = (14, 0) if agency else rng.choice([(19, 30), (19, 0), (8, 0), (14, 0)])
        place = (
            "Hội trường Đảng ủy"
            if agency
            else f"Nhà văn hóa {cell.name.removeprefix('Chi bộ ').lower()}"
        )
        starts: list[tuple[datetime, MeetingKind, str]] = []
        for first in [*cal.months, month_start(cal.months[-1], 1)]:
            on = first.replace(day=day)
            label = f"{first.month:02d}/{first.year}"
            starts.append(
                (
                    local(on, hour, minute),
                    MeetingKind.REGULAR,
                    f"Sinh hoạt chi bộ thường kỳ tháng {label}: đánh giá kết quả tháng, "
                    "triển khai nhiệm vụ tháng tới",
                )
            )
            if first.month % 3 == 0 and rng.random() < 0.5:
                topic = rng.choice(TOPICS)
                starts.append(
                    (
                        local(first.replace(day=day + 12), hour, minute),
                        MeetingKind.THEMATIC,
                        f"Sinh hoạt chuyên đề: {topic}",
                    )
                )
        roster = self.on_roster()
        linked = [p for p in self.people if p.active]
        for starts_at, kind, agenda in starts:
            meeting_id = next(self.ids.meeting)
            past = starts_at + timedelta(hours=3) < cal.now
            cancelled = past and rng.random() < 0.02
            status = MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED
            version = 2 if rng.random() < 0.05 else 1
            created = min(
                starts_at - timedelta(days=rng.uniform(7, 20)), cal.now - timedelta(hours=1)
            )
            self.rows["meetings"].append(
                {
                    "id": meeting_id,
                    "cell_id": cell.id,
                    "rule_id": None,
                    "planned_on": None,
                    "kind": kind,
                    "status": status,
                    "starts_at": starts_at,
                    "duration_minutes": 120 if kind is MeetingKind.REGULAR else 180,
                    "place": place,
                    "agenda": agenda,
                    "document_url": None,
                    "version": version,
                    "created_by_id": self.secretary,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            self.meetings.append((meeting_id, starts_at, status, version))
            if cancelled:
                continue
            # RSVPs: past meetings, and upcoming ones within a week (reminders went out).
            upcoming = starts_at > cal.now
            if upcoming and starts_at - cal.now > timedelta(days=7):
                continue
            excused: set[int] = set()
            for p in linked:
                if p.linked_at is None or p.linked_at > starts_at - timedelta(days=3):
                    continue
                if rng.random() >= (0.35 if upcoming else 0.65):
                    continue
                away = rng.random() > p.reliability + 0.02
                if away:
                    excused.add(p.id)
                answered = (
                    cal.now - timedelta(hours=rng.uniform(1, 48))
                    if upcoming
                    else starts_at - timedelta(hours=rng.uniform(2, 72))
                )
                reason = _pick_reason(rng) if away else None
                self.rows["rsvps"].append(
                    {
                        "meeting_id": meeting_id,
                        "member_id": p.id,
                        "answer": RsvpAnswer.EXCUSED if away else RsvpAnswer.ATTEND,
                        "reason": reason,
                        "note": None,
                        "opinion": None,
                        "answered_at": answered,
                    }
                )
            if upcoming or not past:
                continue
            # The last few days' meetings are sometimes not marked yet.
            if cal.now - starts_at < timedelta(days=3) and rng.random() < 0.5:
                continue
            marked_at = starts_at + timedelta(minutes=rng.uniform(90, 600))
            for p in roster:
                if p.id in excused:
                    presence = Presence.EXCUSED
                elif p.leader or rng.random() < p.reliability:
                    presence = Presence.PRESENT
                else:
                    presence = Presence.EXCUSED if rng.random() < 0.6 else Presence.ABSENT
                self.rows["attendance"].append(
                    {
                        "meeting_id": meeting_id,
                        "member_id": p.id,
                        "presence": presence,
                        "marked_by_id": self.secretary,
                        "marked_at": marked_at,
                    }
                )

    # self-checks, answers, flags

    def selfchecks(self) -> None:
        rng, cal, periods = self.rng, self.cal, self.periods
        questions = [q for q in self.form.questions if q.kind is QuestionKind.CHOICE]
        answered_from = len(periods.ids) - cal.answer_periods
        for n, (period_id, opened) in enumerate(zip(periods.ids, periods.opened, strict=True)):
            current = n == len(periods.ids) - 1
            closes = local(month_end(periods.starts[n]) + timedelta(days=1))
            horizon = cal.now if current else closes
            # Share of the period gone by: members finish over its first three weeks.
            progress = min(1.0, (horizon - opened) / timedelta(days=20))
            for p in self.people:
                if not p.active or p.linked_at is None or p.linked_at > opened:
                    continue
                check_id = next(self.ids.selfcheck)
                x = rng.random()
                submitted = x < p.diligence * progress
                started = submitted or x < p.diligence * progress + 0.08
                applicable = [q for q in questions if q.when is None or p.leader]
                first_at = opened + (horizon - opened) * min(1.0, rng.random() ** 2 * 0.9)
                if submitted:
                    count = len(applicable)
                elif started and len(applicable) > 1:
                    count = rng.randint(1, len(applicable) - 1)
                else:
                    count = 0
                finished_at = first_at + timedelta(minutes=rng.uniform(2, 25))
                finished_at = min(finished_at, horizon - timedelta(minutes=1))
                position = (
                    SUMMARY if submitted else applicable[count].id if applicable else SUMMARY
                )
                self.rows["selfchecks"].append(
                    {
                        "id": check_id,
                        "period_id": period_id,
                        "member_id": p.id,
                        "cell_id": self.cell.id,
                        "form_version": self.form.version,
                        "status": (
                            SelfCheckStatus.SUBMITTED if submitted else SelfCheckStatus.IN_PROGRESS
                        ),
                        "position": position,
                        "started_at": opened,
                        "updated_at": finished_at if count else opened,
                        "submitted_at": finished_at if submitted else None,
                    }
                )
                if n < answered_from or not count:
                    continue
                step = (finished_at - first_at) / max(1, count)
                for k, q in enumerate(applicable[:count]):
                    option = _pick_option(rng, q.options, p.troubled)
                    at = first_at + step * k
                    self.rows["selfcheck_answers"].append(
                        {
                            "selfcheck_id": check_id,
                            "question_id": q.id,
                            "value": option.value,
                            "text": None,
                            "answered_at": at,
                        }
                    )
                    if option.flag is None:
                        continue
                    contacted = rng.random() < (0.3 if current else 0.7)
                    self.rows["flags"].append(
                        {
                            "selfcheck_id": check_id,
                            "member_id": p.id,
                            "cell_id": self.cell.id,
                            "question_id": q.id,
                            "kind": option.flag.value,
                            "value": option.value,
                            "created_at": finished_at if submitted else at,
                            "contacted_at": (
                                min(cal.now, at + timedelta(days=rng.uniform(1, 10)))
                                if contacted
                                else None
                            ),
                            "contacted_by": self.secretary if contacted else None,
                            "note": None,
                        }
                    )

    # KT/GS duties

    def duties(self) -> None:
        rng, cal = self.rng, self.cal
        active = [p for p in self.people if p.active]
        first_due = cal.start + timedelta(days=30)
        span = (cal.today + timedelta(days=60) - first_due).days
        for _ in range(rng.randint(3, 6)):
            duty_id = next(self.ids.duty)
            kind = rng.choices(list(DUTY_TITLES), weights=[4, 4, 2])[0]
            due_on = first_due + timedelta(days=rng.randrange(max(1, span)))
            starts_on = due_on - timedelta(days=rng.randint(20, 60))
            concerned = rng.choice(self.people)
            quarter = f"quý {('I', 'II', 'III', 'IV')[(due_on.month - 1) // 3]}/{due_on.year}"
            template = rng.choice(DUTY_TITLES[kind])
            title = template.format(name=concerned.name, quarter=quarter, topic=rng.choice(TOPICS))
            x = rng.random()
            if due_on < cal.today:
                status = (
                    DutyStatus.DONE
                    if x < 0.82
                    else DutyStatus.OPEN
                    if x < 0.90
                    else DutyStatus.RETURNED
                    if x < 0.95
                    else DutyStatus.REPORTED
                )
            else:
                status = (
                    DutyStatus.DONE
                    if x < 0.1
                    else DutyStatus.REPORTED
                    if x < 0.15
                    else DutyStatus.OPEN
                )
            created = min(local(starts_on, 9), cal.now - timedelta(days=1))
            reported_at = min(
                cal.now - timedelta(hours=1),
                local(due_on, 10) - timedelta(days=rng.uniform(0, 10)),
            )
            reported_at = max(reported_at, created + timedelta(hours=1))
            done_at = (
                min(
                    cal.now - timedelta(minutes=30),
                    reported_at + timedelta(days=rng.uniform(0, 3)),
                )
                if status is DutyStatus.DONE
                else None
            )
            self.rows["duties"].append(
                {
                    "id": duty_id,
                    "cell_id": self.cell.id,
                    "year": due_on.year,
                    "kind": kind,
                    "title": title[:200],
                    "concerns": concerned.name if "{name}" in template else None,
                    "starts_on": starts_on,
                    "due_on": due_on,
                    "status": status,
                    "created_by": self.secretary,
                    "created_at": created,
                    "updated_at": done_at
                    or (reported_at if status is not DutyStatus.OPEN else created),
                    "done_at": done_at,
                }
            )
            assignees = rng.sample(active, k=min(len(active), rng.choice([1, 1, 2, 2, 3])))
            for a in assignees:
                self.rows["duty_assignees"].append({"duty_id": duty_id, "member_id": a.id})
            if status is DutyStatus.OPEN or not assignees:
                continue
            verdict = {
                DutyStatus.DONE: DutyVerdict.CONFIRMED,
                DutyStatus.RETURNED: DutyVerdict.RETURNED,
            }.get(status)
            decided_at = done_at or reported_at + timedelta(hours=rng.uniform(1, 48))
            self.rows["duty_reports"].append(
                {
                    "duty_id": duty_id,
                    "member_id": assignees[0].id,
                    "kind": DutyReportKind.COMPLETION,
                    "text": "Đã thực hiện xong, báo cáo chi bộ kết quả và biên bản kèm theo.",
                    "attachment_kind": "photo" if rng.random() < 0.4 else None,
                    "attachment_ref": None,
                    "attachment_name": None,
                    "attachment_size": None,
                    "created_at": reported_at,
                    "verdict": verdict,
                    "verdict_comment": (
                        "Đề nghị bổ sung biên bản có chữ ký của tổ kiểm tra."
                        if verdict is DutyVerdict.RETURNED
                        else None
                    ),
                    "decided_by": self.secretary if verdict else None,
                    "decided_at": min(decided_at, cal.now) if verdict else None,
                }
            )

    # the model programme

    def programme(self) -> None:
        rng, cal, cell = self.rng, self.cal, self.cell
        inspector = self.committee_inspector.get(cell.commune.id)
        staff = cell.commune.cells[0].first_member + 2  # the committee's first staff member
        for year in (cal.today.year - 1, cal.today.year):
            if rng.random() >= 0.42:
                continue
            current = year == cal.today.year
            own = cell.activated and rng.random() >= 0.1
            resolution = date(year, rng.randint(1, 3), rng.randint(1, 28))
            if resolution >= cal.today:
                resolution = cal.today - timedelta(days=1)
            registered = min(cal.now, local(resolution, 9) + timedelta(days=rng.uniform(1, 10)))
            outcome: AppraisalOutcome | None = None
            if not current or rng.random() < 0.06:
                outcome = rng.choices(list(AppraisalOutcome), weights=[10, 25, 50, 15])[0]
            appraised = (
                min(cal.now, local(date(year, 12, 15), 9) + timedelta(days=rng.uniform(0, 20)))
                if outcome and not current
                else cal.now - timedelta(days=rng.uniform(1, 10))
            )
            self.rows["programme_registrations"].append(
                {
                    "cell_id": cell.id,
                    "year": year,
                    "resolution_on": resolution,
                    "registered_by": self.secretary if own else staff,
                    "on_behalf": not own,
                    "registered_at": registered,
                    "outcome": outcome,
                    "outcome_note": (
                        "Chi bộ thực hiện đầy đủ kế hoạch kiểm tra, giám sát năm."
                        if outcome
                        else None
                    ),
                    "appraised_by": inspector if outcome else None,
                    "appraising_unit_id": cell.commune.id if outcome else None,
                    "appraised_at": appraised if outcome else None,
                }
            )

    # the outbox: the last meeting's reminders, the current period's messages

    def outbox(self) -> None:
        rng, cal = self.rng, self.cal
        held = [m for m in self.meetings if m[1] < cal.now and m[2] is MeetingStatus.SCHEDULED]
        messages: list[tuple[str, str, int | None, datetime, Person]] = []
        if held:
            meeting_id, starts_at, _, version = held[-1]
            for p in self.people:
                if p.active and p.linked_at and p.linked_at < starts_at - timedelta(days=1):
                    messages.append(
                        (
                            f"rem:{meeting_id}:v{version}:{p.id}:1440",
                            "reminder",
                            meeting_id,
                            starts_at - timedelta(days=1),
                            p,
                        )
                    )
        period_id, opened = self.periods.ids[-1], self.periods.opened[-1]
        for p in self.people:
            if p.active and p.linked_at and p.linked_at <= opened:
                messages.append((f"sc:open:{period_id}:{p.id}", "selfcheck", None, opened, p))
        bodies = {
            "reminder": "Nhắc lịch: ngày mai chi bộ sinh hoạt thường kỳ. Đồng chí có dự không ạ?",
            "selfcheck": "Mời đồng chí trả lời tự kiểm tra hằng tháng (khoảng 3 phút).",
        }
        for key, kind, about, at, p in messages:
            channel, _ = p.chat()
            x = rng.random()
            if p.blocked:
                status, error = OutboxStatus.UNREACHABLE, "blocked"
            elif x < 0.015:
                status, error = OutboxStatus.FAILED, "Forbidden: bot was blocked by the user"
            else:
                status, error = OutboxStatus.SENT, None
            done = min(cal.now, at + timedelta(seconds=rng.uniform(1, 600)))
            sent = status is OutboxStatus.SENT
            self.rows["outbox"].append(
                {
                    "dedupe_key": key,
                    "kind": kind,
                    "member_id": p.id,
                    "channel": None,
                    "chat_id": None,
                    "meeting_id": about,
                    "body": {"text": bodies[kind], "buttons": []},
                    "status": status,
                    "not_before": at,
                    "expires_at": None,
                    "attempts": 5 if status is OutboxStatus.FAILED else 1,
                    "next_attempt_at": at,
                    "last_error": error,
                    "provider_message_id": str(next(self.ids.message)) if sent else None,
                    "sent_channel": channel if sent else None,
                    "claimed_by": None,
                    "claimed_at": None,
                    "created_at": at,
                    "done_at": done,
                }
            )


def _pick_reason(rng: random.Random) -> AbsenceReason:
    return rng.choices([r for r, _ in REASONS], weights=[w for _, w in REASONS])[0]


def _pick_option(rng: random.Random, options: Sequence[Any], troubled: bool) -> Any:
    """Mostly the first option; options that raise a flag rarely (more for `troubled`)."""
    flagged = 0.12 if troubled else 0.008
    weights = [
        0.86 if i == 0 else flagged if o.flag is not None else 0.06 for i, o in enumerate(options)
    ]
    return rng.choices(options, weights=weights)[0]


# --- writing --------------------------------------------------------------------------------


@dataclass
class Summary:
    scale: str
    rows: dict[str, int]
    seconds: float
    engine: str


def _converter(column: Any, sqlite: bool) -> Callable[[Any], Any] | None:
    """How a value of `column` goes to the driver as the column type would send it, without
    SQLAlchemy's per-value processing (most of the generator's time at province scale):
    SQLite gets the strings SQLAlchemy stores there, PostgreSQL (asyncpg) native values."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        if sqlite:
            return lambda v: None if v is None else v.astimezone(UTC).strftime(SQLITE_DATETIME)
        return None
    if isinstance(kind, Enum):
        return lambda v: None if v is None else v.value
    if isinstance(kind, JSON) or getattr(kind, "impl", None).__class__ is JSON:
        return lambda v: None if v is None else json.dumps(v)
    if sqlite and isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if sqlite and isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


async def _insert(
    engine: AsyncEngine, table: Table, rows: list[dict[str, Any]], chunk: int
) -> None:
    """executemany of plain tuples, `chunk` rows per transaction."""
    if not rows:
        return
    sqlite = engine.dialect.name == "sqlite"
    names = list(rows[0])
    marks = ", ".join("?" if sqlite else f"${i}" for i in range(1, len(names) + 1))
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
    converters = [(i, _converter(table.c[n], sqlite)) for i, n in enumerate(names)]
    converting = [(i, f) for i, f in converters if f is not None]
    for start in range(0, len(rows), chunk):
        values = []
        for row in rows[start : start + chunk]:
            record = [row[n] for n in names]
            for i, f in converting:
                record[i] = f(record[i])
            values.append(tuple(record))
        async with engine.begin() as conn:
            if sqlite:
                await conn.exec_driver_sql(sql, values)
            else:  # COPY: the bulk path of PostgreSQL, several times faster than INSERTs
                raw = await conn.get_raw_connection()
                driver: Any = raw.driver_connection
                await driver.copy_records_to_table(table.name, records=values, columns=names)


async def check_empty(engine: AsyncEngine) -> None:
    from db.migrate import head_revision

    async with engine.connect() as conn:
        try:
            revision = (
                await conn.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
        except Exception:
            revision = None
        if revision != head_revision():
            raise SeedError(
                "the database is not migrated to the newest schema: run `chibo db upgrade` first"
            )
        units = (await conn.execute(select(func.count()).select_from(Unit))).scalar_one()
    if units:
        raise SeedError(
            f"the database already holds {units} units: seed only an empty database "
            "(a new SQLite file or a new PostgreSQL database, migrated)"
        )


async def generate(
    url: str,
    scale: Scale | str,
    *,
    seed: int = 1,
    months: int = 12,
    today: date | None = None,
    answer_periods: int = 2,
    progress: Progress | None = None,
    batch_members: int = 6_000,
) -> Summary:
    """Fill the empty database at `url`; returns the row counts per table."""
    chosen = SCALES[scale] if isinstance(scale, str) else scale
    if months < 1:
        raise SeedError("--months must be at least 1")
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    today = today or datetime.now(TZ).date()
    cal = Calendar(
        today=today,
        now=local(today, 12),
        months=[month_start(today, -k) for k in range(months - 1, -1, -1)],
        answer_periods=max(0, min(answer_periods, months)),
    )
    form = max(
        (f for (name, _), f in default_forms().items() if name == "monthly"),
        key=lambda f: f.version,
    )
    plan = make_plan(chosen, seed)
    engine = create_engine(url)
    dialect = engine.dialect.name
    chunk = 20_000 if dialect == "postgresql" else 10_000
    counts: dict[str, int] = {}
    try:
        await check_empty(engine)
        say(
            f"{chosen.name}: {chosen.members:,} members in {chosen.cells:,} cells under "
            f"{len(plan.communes)} committees, {months} months to {today:%d/%m/%Y}, {dialect}"
        )
        units = _unit_rows(plan, cal)
        periods = Periods(
            ids=list(range(1, months + 1)),
            opened=[local(m, 7, 30) for m in cal.months],
            starts=list(cal.months),
        )
        period_rows = [
            {
                "id": i,
                "form_name": "monthly",
                "starts_on": m,
                "ends_on": month_end(m),
                "label": f"{m.month:02d}/{m.year}",
                "opened_at": opened,
            }
            for i, m, opened in zip(periods.ids, cal.months, periods.opened, strict=True)
        ]
        await _insert(engine, Unit.__table__, units, chunk)  # type: ignore[arg-type]
        await _insert(engine, SelfCheckPeriod.__table__, period_rows, chunk)  # type: ignore[arg-type]
        counts["units"], counts["selfcheck_periods"] = len(units), len(period_rows)
        ids = Counters()
        inspectors: dict[int, int] = {}
        done_members = 0
        for batch in _batches(plan.cells, batch_members):
            rows = _new_rows()
            for cell in batch:
                CellWriter(plan, cell, cal, periods, form, seed, ids, rows, inspectors).write()
            for table in TABLES:
                await _insert(engine, table, rows[table.name], chunk)
                counts[table.name] = counts.get(table.name, 0) + len(rows[table.name])
            done_members += sum(c.size for c in batch)
            say(
                f"  {done_members:,}/{chosen.members:,} members, "
                f"{sum(counts.values()):,} rows, {time.perf_counter() - started:.0f} s"
            )
        if dialect == "postgresql":
            async with engine.begin() as conn:
                for name in OWN_IDS:
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                        )
                    )
            say(f"  VACUUM ANALYZE, {time.perf_counter() - started:.0f} s")
            async with engine.connect() as conn:
                idle = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await idle.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    seconds = time.perf_counter() - started
    say(f"done: {sum(counts.values()):,} rows in {seconds:.1f} s")
    return Summary(chosen.name, counts, seconds, dialect)


def _unit_rows(plan: Plan, cal: Calendar) -> list[dict[str, Any]]:
    at = cal.before - timedelta(days=1)
    rows: list[dict[str, Any]] = [
        {
            "id": plan.top_id,
            "parent_id": None,
            "kind": plan.scale.top_kind,
            "name": plan.scale.top_name,
            "code": plan.top_code,
            "created_at": at,
        }
    ]
    for commune in plan.communes:
        rows.append(
            {
                "id": commune.id,
                "parent_id": plan.top_id,
                "kind": UnitKind.COMMITTEE,
                "name": commune.name,
                "code": commune.code,
                "created_at": at,
            }
        )
    for cell in plan.cells:
        rows.append(
            {
                "id": cell.id,
                "parent_id": cell.commune.id,
                "kind": UnitKind.CELL,
                "name": cell.name,
                "code": cell.code,
                "created_at": at,
            }
        )
    rows.sort(key=lambda r: int(r["id"]))
    return rows


def _batches(cells: Iterable[CellPlan], members: int) -> Iterable[list[CellPlan]]:
    batch: list[CellPlan] = []
    size = 0
    for cell in cells:
        batch.append(cell)
        size += cell.size
        if size >= members:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
