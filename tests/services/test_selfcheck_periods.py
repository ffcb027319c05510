"""Self-check periods open by themselves, on both engines with a manual clock: on the
configured day and time only, once however often the tick runs (or the bot restarts), with
each active member's first question in the outbox; reminders on the configured days to
members who have not sent, only the latest after downtime, none after the period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from core import selfcheck_periods
from core.clock import ManualClock
from core.context import Services
from core.forms import Period, default_forms
from core.outbox import reply_of
from core.selfcheck_periods import window
from core.texts import t
from db.engine import Database
from db.models import (
    CellForm,
    Member,
    MemberRole,
    Membership,
    MemberStatus,
    Outbox,
    OutboxStatus,
    Role,
    SelfCheck,
    SelfCheckPeriod,
    SelfCheckStatus,
)
from jobs.scheduler import build_scheduler, run_selfcheck_tick
from tests.services.test_onboarding import join_as
from tests.services.test_selfcheck import answer_all_plainly, first_label
from tests.support import Cell, only, person, seed_cell

MONTHLY = default_forms()[("monthly", 1)]
QUARTERLY = default_forms()[("quarterly", 1)]
HN = timedelta(hours=7)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - HN


def configured(services: Services, **changes: Any) -> Services:
    """Monthly periods only unless a test says otherwise (quarterly ones would open too)."""
    changes.setdefault("selfcheck_forms", ("monthly",))
    return replace(services, config=replace(services.config, **changes))


async def setup(services: Services) -> Cell:
    """Secretary Hùng (100), deputy Mai (200) and member Tám (300) have joined; Hoa is on the
    roster only."""
    cell = await seed_cell(services)
    await join_as(services, cell, "Nguyễn Văn Hùng", "100")
    await join_as(services, cell, "Trần Thị Mai", "200")
    await join_as(services, cell, "Lê Văn Tám", "300")
    return cell


async def rows(services: Services, prefix: str = "sc:") -> list[Outbox]:
    async with services.db.unit_of_work() as uow:
        found = await uow.session.scalars(
            select(Outbox).where(Outbox.dedupe_key.startswith(prefix)).order_by(Outbox.id)
        )
        return list(found)


async def keys(services: Services, prefix: str = "sc:") -> list[str]:
    return [r.dedupe_key for r in await rows(services, prefix)]


async def periods(services: Services) -> list[SelfCheckPeriod]:
    async with services.db.unit_of_work() as uow:
        found = await uow.session.scalars(select(SelfCheckPeriod).order_by(SelfCheckPeriod.id))
        return list(found)


async def checks(services: Services) -> list[SelfCheck]:
    async with services.db.unit_of_work() as uow:
        return list(await uow.session.scalars(select(SelfCheck).order_by(SelfCheck.member_id)))


async def at(services: Services, clock: ManualClock, when: datetime) -> None:
    clock.set(when)
    await selfcheck_periods.tick(services)


def test_windows_and_labels() -> None:
    monthly = window(Period.MONTHLY, date(2026, 2, 10), 5)
    assert monthly == selfcheck_periods.Window(date(2026, 2, 5), date(2026, 2, 28), "02/2026")
    assert window(Period.MONTHLY, date(2026, 2, 4), 5) is None  # not open yet; January closed
    assert window(Period.MONTHLY, date(2028, 2, 29), 1) == selfcheck_periods.Window(
        date(2028, 2, 1), date(2028, 2, 29), "02/2028"
    )
    quarters = {m: window(Period.QUARTERLY, date(2026, m, 28), 1) for m in range(1, 13)}
    assert [q.label for q in quarters.values() if q] == [
        t("sc_label_quarter", quarter=r, year=2026)
        for r in ["I"] * 3 + ["II"] * 3 + ["III"] * 3 + ["IV"] * 3
    ]
    assert quarters[5] == selfcheck_periods.Window(
        date(2026, 4, 1), date(2026, 6, 30), "quý II/2026"
    )
    assert window(Period.QUARTERLY, date(2026, 5, 2), 3) == selfcheck_periods.Window(
        date(2026, 4, 3), date(2026, 6, 30), "quý II/2026"
    )
    assert window(Period.QUARTERLY, date(2026, 10, 2), 3) is None


def test_reminder_words_follow_the_members_progress() -> None:
    period = SelfCheckPeriod(id=4, ends_on=date(2026, 12, 31), label="12/2026")
    questions, every = MONTHLY.questions, {q.id for q in MONTHLY.questions}
    for answered, expected in (
        (set(), t("sc_reminder_not_started", total=14)),
        ({"M1", "M2"}, t("sc_reminder_progress", done=2, total=14)),
        (every - {"M14"}, t("sc_reminder_progress", done=13, total=14)),
        (every, t("sc_reminder_unsent")),  # all answered, not sent (or changed after sending)
    ):
        reply = selfcheck_periods.reminder_reply(period, MONTHLY, questions, answered)
        assert reply.text.splitlines()[-1] == expected
        assert [(b.label, b.payload) for b in reply.button_list()] == [
            (t("sc_btn_continue"), "sco:4")
        ]


async def test_opens_on_the_configured_day_and_time_only(
    services: Services, clock: ManualClock
) -> None:
    await setup(services)
    services = configured(services, selfcheck_open_day=5)
    for when in (local(2026, 12, 4, 12), local(2026, 12, 5, 7, 29)):
        clock.set(when)
        assert await selfcheck_periods.tick(services) == selfcheck_periods.PeriodTickResult(0, 0)
    assert await periods(services) == []
    clock.set(local(2026, 12, 5, 7, 30))
    assert await selfcheck_periods.tick(services) == selfcheck_periods.PeriodTickResult(1, 3)
    [period] = await periods(services)
    assert (period.form_name, period.starts_on, period.ends_on, period.label) == (
        "monthly",
        date(2026, 12, 5),
        date(2026, 12, 31),
        "12/2026",
    )
    assert period.opened_at == local(2026, 12, 5, 7, 30)
    # Hùng, Mai and Tám are active; Hoa (roster only) gets nothing.
    assert len(await checks(services)) == 3
    assert {r.not_before for r in await rows(services)} == {local(2026, 12, 5, 7, 30)}
    assert {r.expires_at for r in await rows(services)} == {local(2027, 1, 1)}


async def test_a_later_local_time_and_a_late_start(services: Services, clock: ManualClock) -> None:
    await setup(services)
    services = configured(services, selfcheck_send_after=time(9, 15))
    await at(services, clock, local(2026, 12, 1, 9, 14))
    assert await periods(services) == []
    # The bot was down on the 1st: the period opens when it is back, reminders count from then.
    await at(services, clock, local(2026, 12, 10, 8))
    assert await periods(services) == []
    await at(services, clock, local(2026, 12, 10, 9, 15))
    [period] = await periods(services)
    assert period.starts_on == date(2026, 12, 1) and period.opened_at == local(2026, 12, 10, 9, 15)
    assert selfcheck_periods.reminder_times(period, services.config) == {
        3: local(2026, 12, 13, 9, 15),
        7: local(2026, 12, 17, 9, 15),
    }


async def test_opening_twice_or_after_a_restart_changes_nothing(
    services: Services, clock: ManualClock, database_url: str
) -> None:
    await setup(services)
    services = configured(services)
    await at(services, clock, local(2026, 12, 1, 7, 30))
    first = (await keys(services), len(await checks(services)), len(await periods(services)))
    assert first[1:] == (3, 1)
    assert await selfcheck_periods.tick(services) == selfcheck_periods.PeriodTickResult(0, 0)
    clock.advance(timedelta(minutes=1))
    restarted = replace(services, db=Database(database_url))  # a new process, same database
    try:
        assert await selfcheck_periods.tick(restarted) == selfcheck_periods.PeriodTickResult(0, 0)
    finally:
        await restarted.db.dispose()
    again = (await keys(services), len(await checks(services)), len(await periods(services)))
    assert again == first


async def test_members_get_their_first_question_and_answer_it(
    services: Services, clock: ManualClock
) -> None:
    cell = await setup(services)
    services = configured(services)
    await at(services, clock, local(2026, 12, 1, 7, 30))
    [period] = await periods(services)
    tam_id = cell.member_ids["Lê Văn Tám"]
    [row] = await rows(services, f"sc:open:{period.id}:{tam_id}")
    assert row.kind == "selfcheck" and row.member_id == tam_id
    message = reply_of(row.body)
    assert t("sc_progress", number=1, total=14, text=MONTHLY.questions[0].text) in message.text
    assert MONTHLY.intro in message.text
    assert [b.label for b in message.button_list()] == [
        o.label for o in MONTHLY.questions[0].options
    ]
    [check] = [c for c in await checks(services) if c.member_id == tam_id]
    assert check.position == "M1" and check.status is SelfCheckStatus.IN_PROGRESS
    # Tám taps the first option of the message the bot sent: the next question follows.
    tam = person(services, "300")
    second = only(await tam.press(message.button_list()[0].payload))
    assert t("sc_progress", number=2, total=14, text=MONTHLY.questions[1].text) in second.text
    resumed = only(await tam.say("/tukiemtra"))
    assert t("sc_progress", number=2, total=14, text=MONTHLY.questions[1].text) in resumed.text


async def test_quarterly_opens_with_its_label_and_questions_by_post(
    services: Services, clock: ManualClock
) -> None:
    cell = await setup(services)
    services = configured(services, selfcheck_forms=("monthly", "quarterly"))
    await at(services, clock, local(2026, 12, 1, 7, 30))
    assert [(p.form_name, p.label, p.starts_on, p.ends_on) for p in await periods(services)] == [
        ("monthly", "12/2026", date(2026, 12, 1), date(2026, 12, 31)),
        ("quarterly", "quý IV/2026", date(2026, 10, 1), date(2026, 12, 31)),
    ]
    await at(services, clock, local(2027, 1, 1, 7, 30))
    [*_, january, first_quarter] = await periods(services)
    assert (january.label, first_quarter.label) == ("01/2027", "quý I/2027")
    assert first_quarter.ends_on == date(2027, 3, 31)
    # The secretary holds a post: the quarterly form asks one question more (Q10).
    total = len(QUARTERLY.questions)
    for name, expected in (("Nguyễn Văn Hùng", total), ("Lê Văn Tám", total - 1)):
        [row] = await rows(services, f"sc:open:{first_quarter.id}:{cell.member_ids[name]}")
        text = reply_of(row.body).text
        assert t("sc_header", title=QUARTERLY.title, label="quý I/2027") in text
        assert f"1/{expected}:" in text


async def test_reminders_on_days_3_and_7_only_to_those_who_have_not_sent(
    services: Services, clock: ManualClock, database_url: str
) -> None:
    cell = await setup(services)
    services = configured(services)
    await at(services, clock, local(2026, 12, 1, 7, 30))
    [period] = await periods(services)
    mai, tam = person(services, "200"), person(services, "300")
    await tam.say("/tukiemtra")
    await answer_all_plainly(tam)
    await tam.tap(t("sc_btn_submit"))
    await mai.say("/tukiemtra")
    await mai.tap(first_label("M1"))
    await mai.tap(first_label("M2"))
    for day in (2, 3):
        await at(services, clock, local(2026, 12, day, 12))
    await at(services, clock, local(2026, 12, 4, 7, 29))
    assert await keys(services, "sc:rem:") == []
    await at(services, clock, local(2026, 12, 4, 7, 30))
    hung_id, mai_id = cell.member_ids["Nguyễn Văn Hùng"], cell.member_ids["Trần Thị Mai"]
    assert await keys(services, "sc:rem:") == [
        f"sc:rem:{period.id}:{hung_id}:3",
        f"sc:rem:{period.id}:{mai_id}:3",
    ]
    hung_row, mai_row = await rows(services, "sc:rem:")
    assert hung_row.kind == "selfcheck_reminder" and hung_row.status is OutboxStatus.PENDING
    title = t("sc_reminder", title=MONTHLY.title, label="12/2026", until="31/12/2026")
    assert reply_of(hung_row.body).text == "\n".join(
        [title, t("sc_reminder_not_started", total=14)]
    )
    reminder = reply_of(mai_row.body)
    assert t("sc_reminder_progress", done=2, total=14) in reminder.text
    [button] = reminder.button_list()
    assert (button.label, button.payload) == (t("sc_btn_continue"), f"sco:{period.id}")
    resumed = only(await mai.press(button.payload))  # goes on where she stopped
    assert t("sc_progress", number=3, total=14, text=MONTHLY.questions[2].text) in resumed.text
    for when in (local(2026, 12, 4, 12), local(2026, 12, 5, 7, 30), local(2026, 12, 8, 7, 29)):
        await at(services, clock, when)
    assert len(await keys(services, "sc:rem:")) == 2
    clock.set(local(2026, 12, 8, 7, 30))
    restarted = replace(services, db=Database(database_url))  # the bot restarted meanwhile
    try:
        await selfcheck_periods.tick(restarted)
    finally:
        await restarted.db.dispose()
    await at(services, clock, local(2026, 12, 8, 7, 31))
    for day in range(9, 32, 3):  # nothing more until the period ends, and nothing after
        await at(services, clock, local(2026, 12, day, 7, 30))
    assert [k.rsplit(":", 2)[1:] for k in await keys(services, "sc:rem:")] == [
        [str(hung_id), "3"],
        [str(mai_id), "3"],
        [str(hung_id), "7"],
        [str(mai_id), "7"],
    ]


async def test_after_downtime_only_the_latest_reminder_is_sent(
    services: Services, clock: ManualClock
) -> None:
    cell = await setup(services)
    services = configured(services)
    await at(services, clock, local(2026, 12, 1, 7, 30))
    await at(services, clock, local(2026, 12, 2, 9))  # the last tick before the outage
    await at(services, clock, local(2026, 12, 9, 6))  # back after both days, before 07:30
    by_day: dict[str, set[OutboxStatus]] = {}
    for row in await rows(services, "sc:rem:"):
        by_day.setdefault(row.dedupe_key.rsplit(":", 1)[1], set()).add(row.status)
    assert by_day == {"3": {OutboxStatus.SKIPPED}, "7": {OutboxStatus.PENDING}}
    assert len(await rows(services, "sc:rem:")) == 2 * 3  # Hùng, Mai and Tám; not Hoa
    [tam_latest] = await rows(services, f"sc:rem:1:{cell.member_ids['Lê Văn Tám']}:7")
    assert tam_latest.not_before == local(2026, 12, 9, 7, 30)  # waits for the morning hour
    before = await keys(services)
    await at(services, clock, local(2026, 12, 9, 7, 30))
    assert await keys(services) == before


async def test_no_reminder_after_the_period_ends(services: Services, clock: ManualClock) -> None:
    await setup(services)
    services = configured(services, selfcheck_open_day=28)
    await at(services, clock, local(2026, 12, 28, 8))
    [period] = await periods(services)
    assert selfcheck_periods.reminder_times(period, services.config) == {
        3: local(2026, 12, 31, 7, 30)
    }  # the 7th day after opening is in January
    await at(services, clock, local(2026, 12, 30, 20))  # the last tick before an outage
    await at(services, clock, local(2027, 1, 2, 8))  # the 31st passed while the bot was down
    assert await keys(services, "sc:rem:") == []
    await at(services, clock, local(2027, 1, 4, 8))
    assert await keys(services, "sc:rem:") == []


async def test_a_member_who_joins_later_is_reminded_but_gets_no_opening(
    services: Services, clock: ManualClock
) -> None:
    cell = await setup(services)
    services = configured(services)
    await at(services, clock, local(2026, 12, 1, 7, 30))
    clock.set(local(2026, 12, 2, 10))
    await join_as(services, cell, "Phạm Thị Hoa", "400")
    await at(services, clock, local(2026, 12, 4, 7, 30))
    hoa_id = cell.member_ids["Phạm Thị Hoa"]
    assert await keys(services, f"sc:open:1:{hoa_id}") == []
    [row] = await rows(services, f"sc:rem:1:{hoa_id}:")
    reminder = reply_of(row.body)
    assert t("sc_reminder_not_started", total=14) in reminder.text
    hoa = person(services, "400")
    first = only(await hoa.press(reminder.button_list()[0].payload))
    assert t("sc_progress", number=1, total=14, text=MONTHLY.questions[0].text) in first.text


@pytest.mark.parametrize("forms", [(), ("weekly",)])  # SELFCHECK_FORMS="", an unknown name
async def test_no_active_form_opens_nothing(
    services: Services, clock: ManualClock, forms: tuple[str, ...]
) -> None:
    await setup(services)
    services = configured(services, selfcheck_forms=forms)
    for day in range(1, 9):
        clock.set(local(2026, 12, day, 7, 30))
        assert await selfcheck_periods.tick(services) == selfcheck_periods.PeriodTickResult(0, 0)
    assert await periods(services) == []
    assert await checks(services) == []
    assert await rows(services) == []


@pytest.mark.parametrize("chosen", [1, 7])
async def test_a_cells_chosen_version_is_used(
    services: Services, clock: ManualClock, chosen: int
) -> None:
    cell = await setup(services)
    other = await seed_cell(services, "Chi bộ Ấp Hai")
    await join_as(services, other, "Lê Văn Tám", "900")
    shorter = replace(MONTHLY, version=2, questions=MONTHLY.questions[:10])
    forms = {**services.config.forms, ("monthly", 2): shorter}
    services = configured(services, forms=forms)
    async with services.db.unit_of_work() as uow:
        uow.session.add(
            CellForm(cell_id=cell.id, form_name="monthly", version=chosen, changed_at=clock.now())
        )
        await uow.commit()
    await at(services, clock, local(2026, 12, 1, 7, 30))
    async with services.db.unit_of_work() as uow:
        cells = dict((await uow.session.execute(select(Member.id, Member.cell_id))).all())
    versions = {(cells[c.member_id], c.form_version) for c in await checks(services)}
    # Version 7 does not exist: the cell gets the newest, like a cell that chose nothing.
    assert versions == {(cell.id, 1 if chosen == 1 else 2), (other.id, 2)}
    total = 14 if chosen == 1 else 10
    [row] = await rows(services, f"sc:open:1:{cell.member_ids['Lê Văn Tám']}")
    assert f"1/{total}:" in reply_of(row.body).text
    [row] = await rows(services, f"sc:open:1:{other.member_ids['Lê Văn Tám']}")
    assert "1/10:" in reply_of(row.body).text


async def test_the_scheduled_job_wakes_delivery_when_it_queued_rows(
    services: Services, clock: ManualClock
) -> None:
    await setup(services)
    services = configured(services)
    scheduler = build_scheduler(services, services.config.timezone, lambda: None)
    assert scheduler.get_job("selfcheck_periods") is not None
    woken: list[datetime] = []
    for when in (local(2026, 12, 1, 7, 29), local(2026, 12, 1, 7, 30), local(2026, 12, 1, 7, 31)):
        clock.set(when)
        await run_selfcheck_tick(services, lambda: woken.append(clock.now()))
    assert woken == [local(2026, 12, 1, 7, 30)]


class Statements:
    """Counts the SQL statements the engine sends (a SQLAlchemy event, removed on exit)."""

    def __init__(self, services: Services) -> None:
        self.engine, self.count = services.db.engine.sync_engine, 0

    def seen(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self.seen)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self.seen)


async def add_members(services: Services, cell: Cell, count: int) -> None:
    """`count` more active members of the cell, every tenth with a post (a big roster)."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        members = [
            Member(
                cell_id=cell.id,
                full_name=f"Đảng viên {i}",
                status=MemberStatus.ACTIVE,
                membership=Membership.FULL,
                created_at=now,
                updated_at=now,
            )
            for i in range(count)
        ]
        uow.session.add_all(members)
        await uow.session.flush()
        uow.session.add_all(
            MemberRole(member_id=m.id, unit_id=cell.id, role=Role.DEPUTY) for m in members[::10]
        )
        await uow.commit()


async def test_a_ticks_statements_do_not_grow_with_the_members(
    services: Services, clock: ManualClock
) -> None:
    cell = await setup(services)
    services = configured(services)
    counts = []
    for month, more in ((1, 20), (2, 200)):  # 23 active members, then 223
        await add_members(services, cell, more)
        found = []
        for day, late in ((1, 0), (4, 2)):  # opening; reminders (2 joined after the opening)
            await add_members(services, cell, late)
            clock.set(local(2027, month, day, 7, 30))
            with Statements(services) as statements:
                found.append((await selfcheck_periods.tick(services), statements.count))
        counts.append([count for _, count in found])
        active = 3 + more + (22 if month == 2 else 0)
        assert [result for result, _ in found] == [
            selfcheck_periods.PeriodTickResult(1, active),
            selfcheck_periods.PeriodTickResult(0, active + 2),
        ]
    assert counts[0] == counts[1]


async def test_reminders_in_chunks_survive_a_crash_between_them(
    services: Services, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk is committed on its own; a crash in the next one loses nothing (the next tick
    finds the same reminders due: job_state moved only at the end) and doubles nothing."""
    cell = await setup(services)
    services = configured(services)
    monkeypatch.setattr(selfcheck_periods, "CHUNK", 2)
    await at(services, clock, local(2026, 12, 1, 7, 30))  # three active members: two chunks
    assert len(await keys(services, "sc:open:")) == 3

    inserts = 0

    def crash_on_the_second_chunk(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal inserts
        if statement.startswith("INSERT INTO outbox"):
            inserts += 1
            if inserts == 2:
                raise RuntimeError("the bot stopped")

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", crash_on_the_second_chunk)
    clock.set(local(2026, 12, 4, 7, 30))
    try:
        with pytest.raises(RuntimeError):
            await selfcheck_periods.tick(services)
    finally:
        event.remove(engine, "before_cursor_execute", crash_on_the_second_chunk)
    ids = sorted(cell.member_ids[n] for n in ("Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám"))
    assert await keys(services, "sc:rem:") == [f"sc:rem:1:{m}:3" for m in ids[:2]]
    clock.set(local(2026, 12, 4, 7, 31))
    assert await selfcheck_periods.tick(services) == selfcheck_periods.PeriodTickResult(0, 1)
    assert sorted(await keys(services, "sc:rem:")) == sorted(f"sc:rem:1:{m}:3" for m in ids)
    assert await selfcheck_periods.tick(services) == selfcheck_periods.PeriodTickResult(0, 0)
