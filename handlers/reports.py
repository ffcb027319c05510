"""Reports (/baocao, `chibo report`): the xlsx workbook and the 12-month chart."""

from __future__ import annotations

from core import reports
from core.messages import Button, Reply, buttons
from core.payloads import PayloadError, encode, str_part
from core.policy import Audience
from core.report_periods import PeriodError, Span, choices, compact, from_compact
from core.reports import ReportFiles
from core.router import CommandSpec, Request, Result, Router
from core.texts import t

PICK = "rep"  # rep:<yyyymmdd>:<yyyymmdd> → the report of those days; rep:c → type a period
CUSTOM = "c"


def register(router: Router) -> None:
    """Commands, buttons and flows of /baocao."""
    router.command(CommandSpec("baocao", "cmd_baocao", Audience.SECRETARY), choose)
    router.button(PICK, picked)
    router.flow(reports.FLOW, typed)


def _short(key: str, span: Span) -> str:
    """The button's own label: "11/2026", "IV/2026", "2026"."""
    label = span.label()
    return label.split(" ", 1)[1] if key != "this_year" else str(span.start.year)


async def choose(req: Request) -> Result:
    _, cell = await reports.for_leader(req.services, req.incoming)
    offered = choices(reports.local_today(req.services))
    pick = {
        key: Button(
            t(f"report_btn_{key}", label=_short(key, span)),
            encode(PICK, compact(span.start), compact(span.end)),
        )
        for key, span in offered.items()
    }
    rows = (
        [pick["this_month"], pick["last_month"]],
        [pick["this_quarter"], pick["last_quarter"]],
        [pick["this_year"], Button(t("report_btn_custom"), encode(PICK, CUSTOM))],
    )
    return Reply(t("report_choose", cell=cell), buttons(*rows))


async def picked(req: Request) -> Result:
    first = str_part(req.parts, 0)
    if first == CUSTOM:
        await reports.ask_period(req.services, req.incoming)
        return Reply(t("report_ask_custom"))
    try:
        span = from_compact(first, str_part(req.parts, 1), today=reports.local_today(req.services))
    except PeriodError:
        raise PayloadError("bad report period") from None
    return render(await reports.export(req.services, req.incoming, span))


async def typed(req: Request) -> Result:
    span = await reports.typed_period(req.services, req.incoming, req.incoming.text or "")
    return render(await reports.export(req.services, req.incoming, span))


def _pct(ratio: float | None) -> str:
    return t("report_rate_none") if ratio is None else f"{round(ratio * 100)}%"


def render(files: ReportFiles) -> list[Reply]:
    """The figures that fit a phone screen with the workbook, then the chart."""
    r, n = files.report, files.report.totals()
    lines = [
        t("report_ready", cell=r.cell_name, period=r.span.label()),
        t("report_sum_members", total=n.members, active=n.activated, reachable=n.reachable),
        t("report_sum_meetings", count=n.meetings, rate=_pct(r.attendance_rate)),
        t("report_sum_selfcheck", done=n.selfcheck_done, asked=n.selfcheck_asked,
          rate=_pct(r.selfcheck_rate)),
        t("report_sum_flags", raised=n.flags_raised, contacted=n.flags_contacted,
          open=n.flags_open),
        t("report_sum_duties", count=n.duties, on_time=n.duties_on_time,
          judged=n.duties_judged, rate=_pct(r.on_time_rate)),
        t("report_file_hint"),
    ]  # fmt: skip
    months = (r.trend[0].label, r.trend[-1].label)
    caption = t("report_chart_caption", from_month=months[0], to_month=months[1])
    return [Reply("\n".join(lines), file=files.workbook), Reply(caption, file=files.chart)]
