"""`chibo seed`: the generated data holds together, on both engines, and the same seed gives
the same rows. Only the tiny scale here (3 cells); the big ones run in bench/scale.py."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from bot.cli import main
from bot.seed import SCALES, TELEGRAM_BASE, SeedError, cell_sizes, generate, make_plan
from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.units import add_unit
from db.engine import Database
from db.models import UnitKind

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội: the generator's "now"


async def scalar(db: Database, sql: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


# Each query counts rows that break a rule: all must be 0.
BROKEN = {
    "cell without exactly one secretary": """
        SELECT COUNT(*) FROM units u WHERE u.kind = 'cell' AND 1 <> (
            SELECT COUNT(*) FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.unit_id = u.id AND r.role = 'secretary' AND m.cell_id = u.id)""",
    "cell without exactly one deputy": """
        SELECT COUNT(*) FROM units u WHERE u.kind = 'cell' AND 1 <> (
            SELECT COUNT(*) FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.unit_id = u.id AND r.role = 'deputy' AND m.cell_id = u.id)""",
    "role holder not active or without an account": """
        SELECT COUNT(*) FROM member_roles r JOIN members m ON m.id = r.member_id
        WHERE m.status <> 'active'
           OR NOT EXISTS (SELECT 1 FROM channel_accounts a WHERE a.member_id = m.id
                          AND a.channel = 'telegram')""",
    "active member without an account, or invited member with one": """
        SELECT COUNT(*) FROM members m WHERE
            (m.status = 'active') <> EXISTS (
                SELECT 1 FROM channel_accounts a WHERE a.member_id = m.id)
            AND m.status <> 'pending'""",
    "attendance of someone not on the meeting's cell roster": """
        SELECT COUNT(*) FROM attendance a JOIN meetings g ON g.id = a.meeting_id
        JOIN members m ON m.id = a.member_id
        WHERE m.cell_id <> g.cell_id OR m.status = 'pending'""",
    "attendance at a cancelled or future meeting": """
        SELECT COUNT(*) FROM attendance a JOIN meetings g ON g.id = a.meeting_id
        WHERE g.status = 'cancelled' OR a.marked_at < g.starts_at""",
    "RSVP from another cell or from someone not active": """
        SELECT COUNT(*) FROM rsvps r JOIN meetings g ON g.id = r.meeting_id
        JOIN members m ON m.id = r.member_id
        WHERE m.cell_id <> g.cell_id OR m.status <> 'active'""",
    "self-check of a period that does not exist, or of another cell": """
        SELECT COUNT(*) FROM selfchecks s JOIN members m ON m.id = s.member_id
        LEFT JOIN selfcheck_periods p ON p.id = s.period_id
        WHERE p.id IS NULL OR s.cell_id <> m.cell_id OR m.status <> 'active'""",
    "submitted self-check without a time or not at the summary": """
        SELECT COUNT(*) FROM selfchecks WHERE status = 'submitted'
        AND (submitted_at IS NULL OR position <> 'summary')""",
    "answers outside the last two periods": """
        SELECT COUNT(*) FROM selfcheck_answers a JOIN selfchecks s ON s.id = a.selfcheck_id
        WHERE s.period_id < (SELECT MAX(id) - 1 FROM selfcheck_periods)""",
    "flag without the answer that raised it": """
        SELECT COUNT(*) FROM flags f WHERE NOT EXISTS (
            SELECT 1 FROM selfcheck_answers a WHERE a.selfcheck_id = f.selfcheck_id
            AND a.question_id = f.question_id AND a.value = f.value)""",
    "duty assignee from another cell": """
        SELECT COUNT(*) FROM duty_assignees a JOIN duties d ON d.id = a.duty_id
        JOIN members m ON m.id = a.member_id WHERE m.cell_id <> d.cell_id""",
    "done duty without a confirmed report": """
        SELECT COUNT(*) FROM duties d WHERE d.status = 'done' AND NOT EXISTS (
            SELECT 1 FROM duty_reports r WHERE r.duty_id = d.id AND r.verdict = 'confirmed')""",
    "registration of something that is not a cell": """
        SELECT COUNT(*) FROM programme_registrations g JOIN units u ON u.id = g.cell_id
        WHERE u.kind <> 'cell'""",
    "outbox row still to send": """
        SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')""",
    "cell outside 10-30 members (tiny)": """
        SELECT COUNT(*) FROM (SELECT cell_id, COUNT(*) AS n FROM members GROUP BY cell_id) c
        WHERE c.n < 10 OR c.n > 30""",
}


async def test_tiny_scale_holds_together(database: Database) -> None:
    summary = await generate(database.url, "tiny", seed=3, today=TODAY)
    assert summary.rows["members"] == 60
    assert await scalar(database, "SELECT COUNT(*) FROM members") == 60
    assert await scalar(database, "SELECT COUNT(*) FROM units WHERE kind = 'cell'") == 3
    assert await scalar(database, "SELECT COUNT(*) FROM selfcheck_periods") == 12
    for rule, sql in BROKEN.items():
        assert await scalar(database, sql) == 0, rule
    # Something of everything, with absences and unfinished self-checks among them.
    presence = dict(await rows(database, "SELECT presence, COUNT(*) FROM attendance GROUP BY 1"))
    total = sum(int(str(n)) for n in presence.values())
    assert 0.8 < int(str(presence["present"])) / total < 0.97
    statuses = {s for (s,) in await rows(database, "SELECT DISTINCT status FROM selfchecks")}
    assert statuses == {"submitted", "in_progress"}
    for table in ("rsvps", "selfcheck_answers", "duties", "duty_reports", "outbox"):
        assert await scalar(database, f"SELECT COUNT(*) FROM {table}") > 0, table
    # Committee staff and inspection at the commune and at the top, on Telegram.
    staff = await rows(
        database,
        "SELECT u.kind, r.role, a.external_id FROM member_roles r "
        "JOIN units u ON u.id = r.unit_id JOIN channel_accounts a ON a.member_id = r.member_id "
        "WHERE r.role IN ('staff', 'inspection') AND a.channel = 'telegram'",
    )
    assert {(k, r) for k, r, _ in staff} == {
        ("committee", "staff"),
        ("committee", "inspection"),
        ("district", "staff"),
        ("district", "inspection"),
    }
    assert all(int(str(e)) > TELEGRAM_BASE for _, _, e in staff)
    # Ids continue after the generated ones (PostgreSQL sequences were moved).
    services = Services(database, ManualClock(NOW), CoreConfig())
    committee = (await rows(database, "SELECT code FROM units WHERE kind = 'committee'"))[0][0]
    added = await add_unit(
        services, kind=UnitKind.CELL, name="Chi bộ Mới", parent=str(committee), code=None
    )
    assert added.id == await scalar(database, "SELECT MAX(id) FROM units") > 5


async def test_refuses_a_database_that_holds_units(database: Database) -> None:
    await generate(database.url, "tiny", today=TODAY)
    before = await scalar(database, "SELECT COUNT(*) FROM members")
    with pytest.raises(SeedError, match="already holds"):
        await generate(database.url, "tiny", seed=2, today=TODAY)
    assert await scalar(database, "SELECT COUNT(*) FROM members") == before


async def test_refuses_a_database_not_migrated(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="chibo db upgrade"):
        await generate(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", "tiny", today=TODAY)


DUMP = [
    "SELECT id, cell_id, full_name, phone, status FROM members ORDER BY id",
    "SELECT code, name, parent_id FROM units ORDER BY id",
    "SELECT cell_id, kind, status, starts_at FROM meetings ORDER BY id",
    "SELECT meeting_id, member_id, presence FROM attendance ORDER BY meeting_id, member_id",
    "SELECT period_id, member_id, status, position FROM selfchecks ORDER BY id",
    "SELECT selfcheck_id, question_id, value FROM selfcheck_answers ORDER BY id",
    "SELECT cell_id, title, status, due_on FROM duties ORDER BY id",
    "SELECT dedupe_key, status FROM outbox ORDER BY id",
]


async def dump(url: str) -> list[list[tuple[object, ...]]]:
    db = Database(url)
    try:
        return [await rows(db, sql) for sql in DUMP]
    finally:
        await db.dispose()


async def test_same_seed_same_rows(tmp_path: Path, sqlite_template: Path) -> None:
    urls = []
    for name in ("a", "b", "c"):
        shutil.copy(sqlite_template, tmp_path / f"{name}.db")
        urls.append(f"sqlite+aiosqlite:///{tmp_path / name}.db")
    await generate(urls[0], "tiny", seed=7, today=TODAY)
    await generate(urls[1], "tiny", seed=7, today=TODAY, batch_members=15)  # other batching
    await generate(urls[2], "tiny", seed=8, today=TODAY)
    first, second, other = await dump(urls[0]), await dump(urls[1]), await dump(urls[2])
    assert first == second
    assert first[0] != other[0]  # other names


def test_cell_sizes_fit_the_scales() -> None:
    import random

    for scale in SCALES.values():
        sizes = cell_sizes(scale, random.Random(1))
        assert sum(sizes) == scale.members and len(sizes) == scale.cells
        assert scale.min_size <= min(sizes) and max(sizes) <= scale.max_size
    district = cell_sizes(SCALES["district"], random.Random(1))
    assert sum(20 <= s <= 50 for s in district) > len(district) / 2  # most cells 20-50
    plan = make_plan(SCALES["province"], 1)
    assert len(plan.cells) == 5_000 and len(plan.communes) == 120
    assert len({c.code for c in plan.cells}) == 5_000


def test_cli_seeds_once_then_refuses(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    args = ["seed", "--scale", "tiny", "--database-url", url, "--today", "2026-11-27"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "members" in first.output and "60" in first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert "already holds" in again.output


async def test_rows_read_back_through_the_models(database: Database) -> None:
    """Values were sent without SQLAlchemy's type processing: they read back as the models'
    types, and compare with bound parameters as if the ORM had written them."""
    from sqlalchemy import func, select

    from db.models import (
        Meeting,
        Member,
        MemberStatus,
        Outbox,
        ProgrammeRegistration,
        SelfCheckPeriod,
    )

    await generate(database.url, "tiny", seed=5, today=TODAY)
    async with database.unit_of_work() as uow:
        s = uow.session
        meetings = list(await s.scalars(select(Meeting)))
        assert all(m.starts_at.tzinfo is not None for m in meetings)
        past = await s.scalar(select(func.count()).where(Meeting.starts_at < NOW))
        assert past == sum(m.starts_at < NOW for m in meetings) > 0
        assert past < len(meetings)  # next month's meeting is ahead
        statuses = set(await s.scalars(select(Member.status)))
        assert MemberStatus.ACTIVE in statuses
        body = await s.scalar(select(Outbox.body).limit(1))
        assert isinstance(body, dict) and body["text"]
        flags = set(await s.scalars(select(ProgrammeRegistration.on_behalf)))
        assert flags <= {True, False} and flags
        period = await s.scalar(
            select(SelfCheckPeriod).where(SelfCheckPeriod.starts_on == date(2026, 11, 1))
        )
        assert period is not None and period.label == "11/2026"
