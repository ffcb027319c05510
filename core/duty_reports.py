"""Reporting on a duty, and the secretary's decision on a completion report.

An assignee reports progress or completion with a short text, a photo or a file (kept as a
reference: the messenger holds the file). A completion report goes to the secretary and deputy
with «Xác nhận hoàn thành» / «Trả lại»; the first decision counts, and the assignees are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit, conversation
from core.context import Services
from core.duties import DutyView, leader, local_today, views_of
from core.errors import Refused
from core.identity import load_actor, require_member, unit_path
from core.messages import Button, Incoming, Received, Reply, buttons
from core.outbox import Message, enqueue
from core.payloads import encode
from core.policy import Action, allows
from core.roster_queries import leader_members
from core.texts import t
from db.models import (
    Duty,
    DutyAssignee,
    DutyReport,
    DutyReportKind,
    DutyStatus,
    DutyVerdict,
    Member,
)

FLOW = "dutyreport"  # waiting for an assignee's report (text, photo or file)
RETURN_FLOW = "dutyreturn"  # waiting for the comment of «Trả lại»
DECIDE = "dud"  # dud:<report>:y|n
TEXT_MAX = 500
FILE_MAX_BYTES = 10 * 1024 * 1024  # a reference only, but nobody should send a film
RECENT_REPORTS = 3


@dataclass(frozen=True, slots=True)
class ReportLine:
    kind: DutyReportKind
    name: str
    on: date
    text: str
    attachment: str | None  # the file's name, or its kind when it has none
    verdict: DutyVerdict | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class Detail:
    duty: DutyView
    can_report: bool  # an assignee, and the duty is not done
    pending: int | None  # a completion report waiting for this leader's decision
    reports: list[ReportLine]


async def _duty_of_cell(s: AsyncSession, duty_id: int, cell_id: int) -> Duty:
    duty = await s.get(Duty, duty_id)
    if duty is None or duty.cell_id != cell_id:
        raise Refused("duty_unknown")
    return duty


async def assignees(s: AsyncSession, duty_id: int) -> list[int]:
    rows = await s.scalars(
        select(DutyAssignee.member_id)
        .where(DutyAssignee.duty_id == duty_id)
        .order_by(DutyAssignee.member_id)
    )
    return list(rows)


async def detail(services: Services, who: Incoming, duty_id: int) -> Detail:
    today = local_today(services)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        duty = await _duty_of_cell(s, duty_id, require_member(actor))
        is_leader = allows(actor, Action.MANAGE_DUTIES, await unit_path(s, duty.cell_id))
        mine = actor.member_id in await assignees(s, duty.id)
        if not (mine or is_leader):
            raise Refused("duty_not_yours")
        reports = list(
            await s.execute(
                select(DutyReport, Member.full_name)
                .join(Member, Member.id == DutyReport.member_id, isouter=True)
                .where(DutyReport.duty_id == duty.id)
                .order_by(DutyReport.id.desc())
                .limit(RECENT_REPORTS)
            )
        )
        pending = next(
            (r.id for r, _ in reports if _waiting(r) and duty.status is DutyStatus.REPORTED),
            None,
        )
        tz = services.config.timezone
        lines = [
            ReportLine(
                r.kind,
                name or "",
                r.created_at.astimezone(tz).date(),
                r.text,
                (r.attachment_name or r.attachment_kind) if r.attachment_ref else None,
                r.verdict,
                r.verdict_comment,
            )
            for r, name in reports
        ]
        view = (await views_of(s, [duty], today, actor.member_id))[0]
        can_report = mine and duty.status is not DutyStatus.DONE
        return Detail(view, can_report, pending if is_leader else None, lines)


def _waiting(report: DutyReport) -> bool:
    return report.kind is DutyReportKind.COMPLETION and report.verdict is None


async def ask(services: Services, who: Incoming, duty_id: int, kind: DutyReportKind) -> DutyView:
    """«Báo cáo tiến độ» / «Báo cáo hoàn thành»: wait for the assignee's text or file."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        duty = await _duty_of_cell(s, duty_id, require_member(actor))
        _may_report(duty, actor.member_id in await assignees(s, duty.id), kind)
        state = conversation.State(FLOW, "text", {"duty": duty.id, "kind": kind.value})
        await conversation.enter(s, now, actor.member_id or 0, who.channel, state)
        await uow.commit()
        return (await views_of(s, [duty], local_today(services), actor.member_id))[0]


def _may_report(duty: Duty, assigned: bool, kind: DutyReportKind) -> None:
    if not assigned:
        raise Refused("duty_not_yours")
    if duty.status is DutyStatus.DONE:
        raise Refused("duty_already_done")
    if duty.status is DutyStatus.REPORTED and kind is DutyReportKind.COMPLETION:
        raise Refused("duty_waiting_decision")


async def report(
    services: Services, who: Incoming, text: str, received: Received | None
) -> tuple[DutyView, DutyReportKind]:
    """Store the report the assignee typed or sent; a completion waits for the secretary."""
    now = services.clock.now()
    clean = " ".join(text.split())
    if len(clean) > TEXT_MAX:
        raise Refused("text_too_long", limit=TEXT_MAX)
    if received is not None and received.size > FILE_MAX_BYTES:
        raise Refused("duty_file_too_large", limit=FILE_MAX_BYTES // (1024 * 1024))
    if not clean and received is None:
        raise Refused("duty_report_empty")
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await load_actor(s, services.config, who.channel, who.sender_id)
        state = await conversation.current(s, actor.member_id or 0, who.channel)
        if state is None or state.flow != FLOW:
            raise Refused("nothing_to_continue")
        kind = DutyReportKind(state.data["kind"])
        duty = await _duty_of_cell(s, int(state.data["duty"]), require_member(actor))
        _may_report(duty, actor.member_id in await assignees(s, duty.id), kind)
        row = DutyReport(
            duty_id=duty.id, member_id=actor.member_id, kind=kind, text=clean, created_at=now
        )
        if received is not None:
            row.attachment_kind, row.attachment_ref = received.kind[:16], received.ref[:500]
            row.attachment_name, row.attachment_size = received.name[:200], received.size
        s.add(row)
        if kind is DutyReportKind.COMPLETION:
            duty.status = DutyStatus.REPORTED
        duty.updated_at = now
        await s.flush()
        await conversation.leave(s, actor.member_id or 0, who.channel)
        notice = _report_notice(duty, row, actor.full_name)
        await _tell(
            s, services, now, await leader_members(s, duty.cell_id), f"rep:{row.id}", notice
        )
        audit.record(
            s, now, "duty_reported", actor_id=actor.member_id, unit_id=duty.cell_id,
            duty=duty.id, kind=kind.value, attachment=received is not None,
        )  # fmt: skip
        await uow.commit()
        return (await views_of(s, [duty], local_today(services), actor.member_id))[0], kind


def _report_notice(duty: Duty, row: DutyReport, name: str) -> Reply:
    lines = [t(f"duty_notice_{row.kind.value}", name=name, title=duty.title)]
    if row.text:
        lines.append(t("duty_report_text", text=row.text))
    if row.attachment_ref:
        lines.append(t("duty_report_file", name=row.attachment_name or t("duty_file_photo")))
    if row.kind is not DutyReportKind.COMPLETION:
        return Reply("\n".join(lines))
    return Reply(
        "\n".join(lines),
        buttons(
            [
                Button(t("duty_btn_confirm"), encode(DECIDE, row.id, "y")),
                Button(t("duty_btn_return"), encode(DECIDE, row.id, "n")),
            ]
        ),
    )


async def _tell(
    s: AsyncSession, services: Services, now: datetime, members: list[int], key: str, reply: Reply
) -> None:
    messages = [
        Message(key=f"duty:{key}:{m}", kind="duty", reply=reply, member_id=m, not_before=now)
        for m in members
    ]
    await enqueue(s, services, now, messages)


async def _pending(s: AsyncSession, report_id: int, cell_id: int) -> tuple[DutyReport, Duty]:
    row = await s.get(DutyReport, report_id)
    if row is None:
        raise Refused("duty_unknown")
    duty = await _duty_of_cell(s, row.duty_id, cell_id)
    if not _waiting(row) or duty.status is not DutyStatus.REPORTED:
        raise Refused("already_decided")
    return row, duty


async def confirm(services: Services, who: Incoming, report_id: int) -> DutyView:
    """«Xác nhận hoàn thành»: the duty is done; the assignees are told."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await leader(services, s, who)
        row, duty = await _pending(s, report_id, actor.cell_id or 0)
        row.verdict, row.decided_by, row.decided_at = DutyVerdict.CONFIRMED, actor.member_id, now
        duty.status, duty.done_at, duty.updated_at = DutyStatus.DONE, now, now
        notice = Reply(t("duty_confirmed_notice", title=duty.title, name=actor.full_name))
        await _tell(s, services, now, await assignees(s, duty.id), f"ok:{row.id}", notice)
        audit.record(
            s, now, "duty_confirmed", actor_id=actor.member_id, unit_id=duty.cell_id, duty=duty.id
        )
        await uow.commit()
        return (await views_of(s, [duty], local_today(services)))[0]


async def ask_return(services: Services, who: Incoming, report_id: int) -> DutyView:
    """«Trả lại»: wait for the comment the leader types."""
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await leader(services, s, who)
        _, duty = await _pending(s, report_id, actor.cell_id or 0)
        state = conversation.State(RETURN_FLOW, "comment", {"report": report_id})
        await conversation.enter(s, now, actor.member_id or 0, who.channel, state)
        await uow.commit()
        return (await views_of(s, [duty], local_today(services)))[0]


async def send_back(services: Services, who: Incoming, comment: str) -> DutyView:
    """The typed comment: the duty is open again; the assignees get the comment."""
    now = services.clock.now()
    clean = " ".join(comment.split())
    if not clean:
        raise Refused("duty_comment_empty")
    if len(clean) > TEXT_MAX:
        raise Refused("text_too_long", limit=TEXT_MAX)
    async with services.db.unit_of_work() as uow:
        s = uow.session
        actor = await leader(services, s, who)
        state = await conversation.current(s, actor.member_id or 0, who.channel)
        if state is None or state.flow != RETURN_FLOW:
            raise Refused("nothing_to_continue")
        await conversation.leave(s, actor.member_id or 0, who.channel)
        try:
            row, duty = await _pending(s, int(state.data["report"]), actor.cell_id or 0)
        except Refused:
            await uow.commit()  # decided meanwhile by the other leader: stop waiting
            raise
        row.verdict, row.verdict_comment = DutyVerdict.RETURNED, clean
        row.decided_by, row.decided_at = actor.member_id, now
        duty.status, duty.updated_at = DutyStatus.RETURNED, now
        notice = Reply(
            t("duty_returned_notice", title=duty.title, name=actor.full_name, text=clean)
        )
        await _tell(s, services, now, await assignees(s, duty.id), f"back:{row.id}", notice)
        audit.record(
            s, now, "duty_returned", actor_id=actor.member_id, unit_id=duty.cell_id, duty=duty.id
        )
        await uow.commit()
        return (await views_of(s, [duty], local_today(services)))[0]
