"""`/diemdanh`: one message with a button per member, updated in place as the secretary taps."""

from __future__ import annotations

from core import attendance
from core.attendance import Sheet, Summary
from core.messages import Button, Reply, buttons
from core.payloads import encode, int_part, str_part
from core.router import Request, Result
from core.texts import t, when_text
from handlers.keyboards import pager

MARK = "att"  # att:t:<meeting>:<member>:<page> | att:r:<meeting>:<page> | att:f:<meeting>
PAGE = "attp"  # attp:<meeting>:<page>... pager adds the page as the last part


def _line_key(line: attendance.Line) -> str:
    if line.presence is None:
        return "att_line_none_leave" if line.asked_leave else "att_line_none"
    return f"att_line_{line.presence.value}"


def render(req: Request, sheet: Sheet) -> Reply:
    when = when_text(sheet.starts_at, req.services.config.timezone)
    text = "\n".join(
        [
            t("att_header", kind=t(f"meeting_kind_{sheet.kind.value}"), when=when),
            t("att_legend"),
            t(
                "att_progress",
                marked=sheet.marked,
                total=sheet.total,
                page=sheet.page + 1,
                pages=sheet.pages,
            ),
            t("att_rest_note"),
        ]
    )
    m = sheet.meeting_id
    rows = [
        [
            Button(
                t(_line_key(line), name=line.name),
                encode(MARK, "t", m, line.member_id, sheet.page),
            )
        ]
        for line in sheet.lines
    ]
    rows.append(pager(f"{PAGE}:{m}", sheet.page, sheet.pages))
    rows.append(
        [
            Button(t("btn_att_rest"), encode(MARK, "r", m, sheet.page)),
            Button(t("btn_att_finish"), encode(MARK, "f", m)),
        ]
    )
    return Reply(text, buttons(*rows), replace=req.incoming.is_button)


def render_summary(summary: Summary) -> Reply:
    lines = [
        t(
            "att_done",
            present=summary.present,
            total=summary.total,
            excused=summary.excused,
            absent=summary.absent,
        ),
    ]
    if summary.warnings:
        lines.append("")
        lines.append(t("att_warnings"))
        lines += [t(f"warn_{w.kind.value}", name=w.name, count=w.count) for w in summary.warnings]
    return Reply("\n".join(lines), replace=True)


async def take(req: Request) -> Result:
    return render(req, await attendance.sheet(req.services, req.incoming))


async def page(req: Request) -> Result:
    meeting, number = int_part(req.parts, 0), int_part(req.parts, 1)
    return render(req, await attendance.sheet(req.services, req.incoming, meeting, number))


async def mark(req: Request) -> Result:
    action, meeting = str_part(req.parts, 0), int_part(req.parts, 1)
    services, who = req.services, req.incoming
    if action == "t":
        member, number = int_part(req.parts, 2), int_part(req.parts, 3)
        return render(req, await attendance.toggle(services, who, meeting, member, number))
    if action == "r":
        sheet = await attendance.mark_rest(
            services, who, meeting, int_part(req.parts, 2), finishing=False
        )
        return render(req, sheet)
    if action == "f":
        return render_summary(await attendance.finish(services, who, meeting))
    return Reply(t("stale_button"))
