"""`chibo member forget` (core/forgetting.py) on both engines: after forgetting, no column of
any table holds the member's name, phone, messenger ids or free texts, while the cell's
status (/tinhhinh), its report (/baocao) and the roll-up (/tonghop) count as before, except
reachability (without accounts nobody can be messaged)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import LargeBinary, func, select, update

from bot.seed import generate
from core import forgetting, reports, rollup, status
from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.errors import Refused
from core.report_periods import Span
from core.texts import t
from db.engine import Database
from db.models import (
    AuditEntry,
    Base,
    ChannelAccount,
    CodeAttempt,
    Conversation,
    Duty,
    DutyReport,
    Flag,
    InboundEvent,
    Member,
    MemberStatus,
    Outbox,
    OutboxStatus,
    PendingMenu,
    Rsvp,
    SelfCheck,
    SelfCheckAnswer,
    SharedFile,
    Unit,
    UnitKind,
)

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội: the generator's "now"
ANSWER = "Tôi còn ngại phát biểu trong các buổi sinh hoạt chi bộ"
OPINION = "Đề nghị chi bộ bàn thêm về việc thu đảng phí qua ngân hàng"
PHONE = "0912345678"


@pytest.fixture
async def seeded(database: Database) -> Services:
    await generate(database.url, "tiny", today=TODAY)
    await database.engine.dispose()  # the generator changed sequences under the pool
    return Services(database, ManualClock(NOW), CoreConfig())


async def _subject(services: Services) -> tuple[int, str, str, int]:
    """An active, reachable member with a unique name, self-checks and RSVPs: id, name,
    telegram id, cell."""
    async with services.db.unit_of_work() as uow:
        s = uow.session
        names = select(Member.full_name).group_by(Member.full_name).having(func.count() == 1)
        row = (
            await s.execute(
                select(Member.id, Member.full_name, ChannelAccount.external_id, Member.cell_id)
                .join(ChannelAccount, ChannelAccount.member_id == Member.id)
                .where(
                    Member.status == MemberStatus.ACTIVE,
                    Member.full_name.in_(names),
                    ChannelAccount.channel == "telegram",
                    ChannelAccount.blocked_at.is_(None),
                    Member.id.in_(select(Rsvp.member_id)),
                    Member.id.in_(select(SelfCheck.member_id)),
                    Member.id.in_(select(Flag.member_id)),
                )
                .order_by(Member.id)
                .limit(1)
            )
        ).one()
        return row[0], row[1], row[2], row[3]


async def _traces(services: Services, member_id: int, name: str, tg: str) -> None:
    """What a real deployment accumulates about a person beyond the generated data."""
    at = NOW - timedelta(days=1)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        await s.execute(update(Member).where(Member.id == member_id).values(phone=PHONE))
        check = await s.scalar(
            select(SelfCheck.id).where(SelfCheck.member_id == member_id).limit(1)
        )
        s.add(
            SelfCheckAnswer(selfcheck_id=check, question_id="q_free", text=ANSWER, answered_at=at)
        )
        rsvp = await s.scalar(select(Rsvp.id).where(Rsvp.member_id == member_id).limit(1))
        await s.execute(
            update(Rsvp).where(Rsvp.id == rsvp).values(note="Đi công tác tỉnh", opinion=OPINION)
        )
        await s.execute(
            update(Flag).where(Flag.member_id == member_id).values(note=f"Đã gặp {name}")
        )
        duty = await s.scalar(select(Duty).limit(1))
        assert duty is not None
        duty.concerns = f"đồng chí {name}"
        s.add(
            DutyReport(
                duty_id=duty.id,
                member_id=member_id,
                kind="progress",
                text=f"{name} báo cáo: {ANSWER}",
                attachment_kind="document",
                attachment_ref="BQACAgIAAxkB-file-id",
                attachment_name="bao-cao.pdf",
                attachment_size=1000,
                created_at=at,
            )
        )
        s.add(
            Outbox(
                dedupe_key="t:to-secretary",
                kind="notice",
                member_id=None,
                channel="telegram",
                chat_id="7000000001",
                body={"text": f"Ý kiến của {name} ({PHONE}): {OPINION}"},
                status=OutboxStatus.SENT,
                not_before=at,
                next_attempt_at=at,
                created_at=at,
                done_at=at,
            )
        )
        s.add(
            Outbox(
                dedupe_key="t:pending",
                kind="reminder",
                member_id=member_id,
                body={"text": f"Kính gửi đồng chí {name}"},
                status=OutboxStatus.PENDING,
                not_before=NOW,
                next_attempt_at=NOW,
                created_at=at,
            )
        )
        s.add(
            AuditEntry(
                at=at, action="note", target_id=member_id, detail={"about": name, "tg": int(tg)}
            )
        )
        s.add(
            InboundEvent(
                channel="telegram",
                event_key="u:1",
                received_at=at,
                body={"message": {"from": {"id": int(tg)}, "text": "/start"}},  # the id only
            )
        )
        s.add(
            PendingMenu(
                channel="telegram",
                chat_id=tg,
                created_at=at,
                options=[{"label": "Có", "payload": "x"}],
            )
        )
        s.add(
            PendingMenu(
                channel="zalo",
                chat_id="z-secretary",
                created_at=at,
                options=[{"label": name, "payload": "y"}],
            )
        )
        s.add(
            Conversation(
                member_id=member_id,
                channel="telegram",
                flow="rsvp",
                step="note",
                data={"draft": OPINION},
                updated_at=at,
            )
        )
        s.add(CodeAttempt(channel="telegram", external_id=tg, at=at, succeeded=True))
        s.add(
            SharedFile(
                token="tok",
                filename="bao-cao.xlsx",
                content_type="x",
                content=name.encode(),
                created_at=at,
                expires_at=NOW + timedelta(hours=1),
            )
        )
        await uow.commit()


def _texts(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


async def _found(services: Services, needles: list[str]) -> list[str]:
    """Where any needle occurs, in every column of every table."""
    hits = []
    async with services.db.unit_of_work() as uow:
        for table in Base.metadata.sorted_tables:
            for row in await uow.session.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    text = _texts(value)
                    hits += [f"{table.name}.{column.name}: {n}" for n in needles if n in text]
                    assert isinstance(column.type, LargeBinary) or not isinstance(value, bytes)
    return hits


@dataclasses.dataclass
class Figures:
    statuses: list[status.CellStatus]
    reports: list[tuple[object, ...]]
    rollups: list[list[rollup.CellFigures]]


async def _figures(services: Services) -> Figures:
    async with services.db.unit_of_work() as uow:
        s = uow.session
        cells = list(await s.scalars(select(Unit.id).where(Unit.kind == UnitKind.CELL)))
        top = await s.scalar(select(Unit.id).where(Unit.parent_id.is_(None)))
        assert top is not None
        statuses = [await status.cell_status(s, services.config, NOW, c) for c in cells]
        found: list[tuple[object, ...]] = []
        for c in cells:
            r = await reports.collect(s, services, c, Span(date(2026, 1, 1), TODAY))
            found.append(
                (
                    len(r.roster),
                    r.meetings,
                    r.presence,
                    r.periods,
                    r.selfchecks,
                    r.flags,
                    len(r.duties),
                    r.trend,
                )
            )
        rollups = []
        for window in (rollup.month_window(TODAY), rollup.year_window(2026, TODAY)):
            made = await rollup.collect(s, top, window, now=NOW, zone=services.config.timezone)
            assert made is not None
            rollups.append(list(made.cells))
    return Figures(statuses, found, rollups)


def _reachability_moved(before: Figures, after: Figures, cell: int) -> Figures:
    """`after` with the one expected change undone: the member is active but unreachable."""
    statuses = []
    for b, a in zip(before.statuses, after.statuses, strict=True):
        if a.cell_id == cell:
            assert a.members.active == b.members.active - 1
            assert a.members.unreachable == b.members.unreachable + 1
            a = dataclasses.replace(a, members=b.members)
        statuses.append(a)
    rollups = []
    for cells_b, cells_a in zip(before.rollups, after.rollups, strict=True):
        fixed = []
        for old, new in zip(cells_b, cells_a, strict=True):
            if new.cell_id == cell:
                assert new.linked == old.linked - 1
                new = dataclasses.replace(new, linked=old.linked)
            fixed.append(new)
        rollups.append(fixed)
    return Figures(statuses, after.reports, rollups)


async def test_forgetting_removes_every_trace_and_keeps_the_counts(
    seeded: Services, figure: Callable[[str], None]
) -> None:
    """`chibo member forget` removes a member's personal data on request while keeping
    aggregate counts: no column of any table holds their name, phone, Telegram id or free
    texts, and /tinhhinh, /baocao and /tonghop count as before (except reachability)."""
    services = seeded
    member_id, name, tg, cell = await _subject(services)
    await _traces(services, member_id, name, tg)
    needles = [name, PHONE, tg, ANSWER, OPINION]
    hits = await _found(services, needles)
    assert {hit.rsplit(": ", 1)[1] for hit in hits} == set(needles)  # the search works
    before = await _figures(services)

    done = await forgetting.forget(services, member_id)

    assert await _found(services, needles) == []
    assert _reachability_moved(before, await _figures(services), cell) == before
    figure(
        f"{services.db.dialect}: {len(hits)} occurrences of name, phone, Telegram id and 2 "
        f"free texts in {len({h.split(': ')[0] for h in hits})} columns before, 0 after; "
        f"{sum(done.deleted.values())} rows deleted, {sum(done.cleared.values())} emptied; "
        f"/tinhhinh of {len(before.statuses)} cells, /baocao, /tonghop (month, year) "
        "identical but reachability (active -1, unreachable +1)"
    )
    assert done.deleted["channel_accounts"] >= 1
    assert done.deleted["inbound_events"] == 1
    assert done.deleted["shared_files"] == 1
    assert done.cleared["outbox (not sent, skipped)"] == 1
    async with services.db.unit_of_work() as uow:
        s = uow.session
        member = await s.get(Member, member_id)
        assert member is not None
        assert (member.full_name, member.phone, member.status) == (
            t("forgotten_name"),
            None,
            MemberStatus.ACTIVE,
        )
        entry = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "member_forgotten"))
        ).one()
        assert entry.target_id == member_id and entry.detail["by"] == "cli"
        pending = await s.scalar(select(Outbox.status).where(Outbox.dedupe_key == "t:pending"))
        assert pending is OutboxStatus.SKIPPED
        assert await s.scalar(select(Duty.concerns).where(Duty.concerns.like("đồng chí %")))


async def test_the_name_is_found_in_any_case(seeded: Services) -> None:
    """A heading that writes the name in capitals is scrubbed too."""
    member_id, name, _, _ = await _subject(seeded)
    async with seeded.db.unit_of_work() as uow:
        duty = await uow.session.scalar(select(Duty).limit(1))
        assert duty is not None
        duty.concerns = f"KIỂM TRA ĐỒNG CHÍ {name.upper()} VÀ {name.lower()}"
        await uow.commit()
    await forgetting.forget(seeded, member_id)
    async with seeded.db.unit_of_work() as uow:
        concerns = await uow.session.scalar(select(Duty.concerns).where(Duty.id == duty.id))
    assert concerns is not None
    assert name.upper() not in concerns and name.lower() not in concerns
    assert concerns.startswith("KIỂM TRA ĐỒNG CHÍ ")


async def test_forgetting_twice_changes_nothing_more(seeded: Services) -> None:
    member_id, _, _, _ = await _subject(seeded)
    await forgetting.forget(seeded, member_id)
    again = await forgetting.forget(seeded, member_id)
    assert again.again and again.deleted == {} and again.cleared == {}


async def test_forgetting_an_unknown_member_is_refused(seeded: Services) -> None:
    with pytest.raises(Refused) as refused:
        await forgetting.forget(seeded, 999_999)
    assert refused.value.key == "forget_not_found"


async def test_a_pending_join_request_is_closed(seeded: Services) -> None:
    """A join request waiting for the secretary means nothing without a name: it is closed."""
    member_id, _, _, _ = await _subject(seeded)
    async with seeded.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Member).where(Member.id == member_id).values(status=MemberStatus.PENDING)
        )
        await uow.commit()
    await forgetting.forget(seeded, member_id)
    async with seeded.db.unit_of_work() as uow:
        found = await uow.session.scalar(select(Member.status).where(Member.id == member_id))
    assert found is MemberStatus.LEFT
