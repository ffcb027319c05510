"""`/nhiemvu`: my KT/GS duties (and the cell's open ones for the secretary), reports on a duty,
and the secretary's confirm-done / send-back buttons."""

from __future__ import annotations

from core import duty_reports
from core.duties import SHOW, DutyView, Listing, listing
from core.duty_reports import DECIDE, Detail
from core.messages import Button, Reply, buttons
from core.payloads import encode, int_part, str_part
from core.router import Request, Result
from core.texts import t
from db.models import DutyReportKind, DutyVerdict
from handlers.duty_wizard import summary

OPEN = SHOW  # dut:<duty>: show one duty
REPORT = "dur"  # dur:<duty>:p|c: report progress or completion
KINDS = {"p": DutyReportKind.PROGRESS, "c": DutyReportKind.COMPLETION}


def _item(v: DutyView) -> str:
    mark = " " + t("duty_overdue_mark") if v.overdue else ""
    due = f"{v.due_on:%d/%m/%Y}"
    kind = t(f"duty_kind_{v.kind.value}")
    line = t("duty_item", kind=kind, title=v.title, due=due, mark=mark)
    return line + "\n" + t("duty_item_state", state=t(f"duty_status_{v.status.value}"))


def render_listing(found: Listing) -> Reply:
    lines = [t("duty_mine_title") if found.mine else t("duty_mine_empty")]
    lines += [_item(v) for v in found.mine]
    if found.cell is not None:
        lines.append("")
        title = t("duty_cell_title", count=len(found.cell)) if found.cell else ""
        lines.append(title or t("duty_cell_empty"))
        lines += [_item(v) + "\n" + t("duty_line_assignees", names=", ".join(v.assignees))
                  for v in found.cell]  # fmt: skip
    shown = {v.id: v for v in [*found.mine, *(found.cell or [])]}
    rows = [
        [Button(t("duty_open_button", n=i, title=v.title)[:60], encode(OPEN, v.id))]
        for i, v in enumerate(shown.values(), start=1)
    ]
    if rows:
        lines += ["", t("duty_pick_hint")]
    return Reply("\n".join(lines), buttons(*rows))


def render_detail(d: Detail) -> Reply:
    v = d.duty
    lines = summary(v, v.assignees)
    state = t(f"duty_status_{v.status.value}")
    lines.append(
        t("duty_line_status", state=state + (" " + t("duty_overdue_mark") if v.overdue else ""))
    )
    if d.reports:
        lines.append(t("duty_recent"))
    for r in d.reports:
        kind = t(f"duty_report_{r.kind.value}")
        text = " ".join(p for p in (r.text, "📎 " + r.attachment if r.attachment else "") if p)
        lines.append(
            t("duty_report_line", date=f"{r.on:%d/%m}", name=r.name, text=f"[{kind}] {text}")
        )
        if r.verdict is DutyVerdict.CONFIRMED:
            lines.append(t("duty_verdict_confirmed"))
        elif r.verdict is DutyVerdict.RETURNED:
            lines.append(t("duty_verdict_returned", text=r.comment or ""))
    row: list[Button] = []
    if d.can_report:
        row = [Button(t(f"duty_btn_{k.value}"), encode(REPORT, v.id, c)) for c, k in KINDS.items()]
    if d.pending is not None:
        row += [Button(t("duty_btn_confirm"), encode(DECIDE, d.pending, "y")),
                Button(t("duty_btn_return"), encode(DECIDE, d.pending, "n"))]  # fmt: skip
    return Reply("\n".join(lines), buttons(row))


async def mine(req: Request) -> Result:
    return render_listing(await listing(req.services, req.incoming))


async def show(req: Request) -> Result:
    return render_detail(
        await duty_reports.detail(req.services, req.incoming, int_part(req.parts, 0))
    )


async def ask_report(req: Request) -> Result:
    kind = KINDS.get(str_part(req.parts, 1))
    if kind is None:
        return Reply(t("stale_button"))
    view = await duty_reports.ask(req.services, req.incoming, int_part(req.parts, 0), kind)
    label = t(f"duty_report_{kind.value}")
    return Reply(t("duty_ask_report", kind=label, title=view.title, limit=duty_reports.TEXT_MAX))


async def report_typed(req: Request) -> Result:
    who = req.incoming
    _, kind = await duty_reports.report(req.services, who, who.text or "", who.received)
    return Reply(t(f"duty_reported_{kind.value}"))


async def decide(req: Request) -> Result:
    report_id, answer = int_part(req.parts, 0), str_part(req.parts, 1)
    if answer == "y":
        view = await duty_reports.confirm(req.services, req.incoming, report_id)
        return Reply(t("duty_confirmed", title=view.title), replace=True)
    if answer != "n":
        return Reply(t("stale_button"))
    view = await duty_reports.ask_return(req.services, req.incoming, report_id)
    return Reply(t("duty_ask_comment", title=view.title))


async def comment_typed(req: Request) -> Result:
    view = await duty_reports.send_back(req.services, req.incoming, req.incoming.text or "")
    return Reply(t("duty_returned", title=view.title))
