"""What must hold in the stored data whatever people send: checked by SQL queries."""

from __future__ import annotations

from sqlalchemy import JSON, String, Text, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base
from tests.reliability.world import OTHER_MEMBER, ROLES, STRANGERS, World


async def _count(s: AsyncSession, sql: str, **params: object) -> int:
    return int(await s.scalar(text(sql), params) or 0)


async def foreign_keys(s: AsyncSession, world: World) -> int:
    broken = 0
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child, parent = fk.parent, fk.column
            broken += await _count(
                s,
                f"SELECT count(*) FROM {table.name} c WHERE c.{child.name} IS NOT NULL AND NOT "
                f"EXISTS (SELECT 1 FROM {parent.table.name} p "
                f"WHERE p.{parent.name} = c.{child.name})",
            )
    return broken


async def one_selfcheck_per_member_and_period(s: AsyncSession, world: World) -> int:
    return await _count(
        s,
        "SELECT count(*) FROM (SELECT period_id, member_id FROM selfchecks "
        "GROUP BY period_id, member_id HAVING count(*) > 1) d",
    )


async def selfchecks_and_flags_belong_to_their_member(s: AsyncSession, world: World) -> int:
    wrong_cell = await _count(
        s,
        "SELECT count(*) FROM selfchecks c JOIN members m ON m.id = c.member_id "
        "WHERE c.cell_id <> m.cell_id",
    )
    wrong_flag = await _count(
        s,
        "SELECT count(*) FROM flags f JOIN selfchecks c ON c.id = f.selfcheck_id "
        "WHERE f.member_id <> c.member_id OR f.cell_id <> c.cell_id",
    )
    return wrong_cell + wrong_flag


async def nothing_answered_after_sending(s: AsyncSession, world: World) -> int:
    late = await _count(
        s,
        "SELECT count(*) FROM selfcheck_answers a JOIN selfchecks c ON c.id = a.selfcheck_id "
        "WHERE c.status = 'submitted' AND a.answered_at > c.submitted_at",
    )
    mixed = await _count(
        s,
        "SELECT count(*) FROM selfchecks WHERE (status = 'submitted') <> "
        "(submitted_at IS NOT NULL)",
    )
    return late + mixed


async def people_belong_to_the_cell_of_what_they_answer(s: AsyncSession, world: World) -> int:
    total = 0
    for table, parent, key in (
        ("rsvps", "meetings", "meeting_id"),
        ("attendance", "meetings", "meeting_id"),
        ("duty_assignees", "duties", "duty_id"),
        ("announcement_recipients", "announcements", "announcement_id"),
    ):
        total += await _count(
            s,
            f"SELECT count(*) FROM {table} x JOIN {parent} o ON o.id = x.{key} "
            "JOIN members m ON m.id = x.member_id WHERE m.cell_id <> o.cell_id",
        )
    return total


async def accounts_unchanged_and_no_stranger_linked(s: AsyncSession, world: World) -> int:
    rows = await s.execute(text("SELECT external_id, member_id FROM channel_accounts"))
    found = {(str(user), int(member)) for user, member in rows.all()}
    people = [*ROLES.values(), OTHER_MEMBER]
    expected = {(user, world.ids[name]) for name, user in people if name is not None}
    return len(found ^ expected)


async def no_message_to_a_stranger(s: AsyncSession, world: World) -> int:
    strangers = ", ".join(f"'{user}'" for user in STRANGERS)
    to_strangers = await _count(s, f"SELECT count(*) FROM outbox WHERE chat_id IN ({strangers})")
    unknown_chat = await _count(
        s,
        "SELECT count(*) FROM outbox o WHERE o.member_id IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM channel_accounts a WHERE a.chat_id = o.chat_id)",
    )
    return to_strangers + unknown_chat


async def stored_texts_fit_postgresql(s: AsyncSession, world: World) -> int:
    """Every text within its column's length and without NUL (PostgreSQL refuses both;
    SQLite would keep them silently)."""
    if s.get_bind().dialect.name != "sqlite":
        return 0  # PostgreSQL has enforced it on every write
    broken = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, String | Text) and not isinstance(kind, JSON):
                if isinstance(kind, String) and kind.length:
                    broken += await _count(
                        s,
                        f"SELECT count(*) FROM {table.name} "
                        f"WHERE length({column.name}) > {kind.length}",
                    )
                broken += await _count(
                    s, f"SELECT count(*) FROM {table.name} WHERE instr({column.name}, char(0))"
                )
            elif isinstance(kind, JSON):
                broken += await _count(
                    s,
                    f"SELECT count(*) FROM {table.name} "
                    f"WHERE instr(CAST({column.name} AS TEXT), '\\u0000')",
                )
    return broken


INVARIANTS = (
    foreign_keys,
    one_selfcheck_per_member_and_period,
    selfchecks_and_flags_belong_to_their_member,
    nothing_answered_after_sending,
    people_belong_to_the_cell_of_what_they_answer,
    accounts_unchanged_and_no_stranger_linked,
    no_message_to_a_stranger,
    stored_texts_fit_postgresql,
)


async def check_invariants(world: World) -> list[str]:
    """The names of the invariants that do not hold, with how many rows break each."""
    broken = []
    async with world.services.db.unit_of_work() as uow:
        for invariant in INVARIANTS:
            rows = await invariant(uow.session, world)
            if rows:
                broken.append(f"{invariant.__name__} ({rows} rows)")
    return broken
