"""Secretary status (/tinhhinh) and nudges (/nhacnho).

`/tinhhinh` answers with one screen of counts; its buttons show the names behind a count in
place of the status, with «Quay lại» back to it. `/nhacnho` shows how many would be nudged
and why, and sends only on «Gửi nhắc».
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core import nudges
from core import status as core_status
from core.messages import Button, Reply, buttons
from core.nudges import Plan
from core.payloads import PayloadError, encode, int_part, str_part
from core.policy import Audience
from core.router import CommandSpec, Request, Result, Router
from core.status import DELIVERY_WINDOW, DUE_SOON, CellStatus, Drill, Section, View
from core.texts import local_date, t, when_text

DRILL = "tth"  # tth:<view>[:<period>] → names behind a count; tth:b → back to the status
BACK = "b"
NUDGE = nudges.PREFIX  # nhn:a | nhn:y:<yyyymmdd> | nhn:n


def _meeting_lines(st: CellStatus, tz: ZoneInfo) -> list[str]:
    lines = [t("status_no_next")]
    if (nxt := st.next_meeting) is not None:
        kind = t(f"meeting_kind_{nxt.kind.value}")
        lines = [t("status_next_meeting", when=f"{kind}, {when_text(nxt.starts_at, tz)}")]
        lines.append(
            t(
                "status_next_answers",
                attend=nxt.attend,
                excused=nxt.excused,
                unanswered=nxt.unanswered,
            )
        )
    if (last := st.last_meeting) is None:
        return [*lines, t("status_no_last")]
    line = t(
        "status_last_meeting",
        date=local_date(last.starts_at, tz),
        present=last.present,
        total=last.roster,
        excused=last.excused,
        absent=last.absent,
    )
    if last.unmarked:
        line += t("status_last_unmarked", count=last.unmarked)
    return [*lines, line]


def render_status(st: CellStatus, tz: ZoneInfo, *, replace: bool = False) -> Reply:
    m, d, days = st.members, st.duties, DELIVERY_WINDOW.days
    lines = [t("status_title", cell=st.cell_name, date=f"{st.today:%d/%m/%Y}")]
    if d.overdue:
        lines.append(t("status_overdue_alert", count=d.overdue))
    lines.append(
        t(
            "status_members",
            total=m.total,
            active=m.active,
            not_activated=m.not_activated,
            unreachable=m.unreachable,
        )
    )
    lines += _meeting_lines(st, tz)
    lines += [
        t(
            "status_period",
            label=p.label,
            until=f"{p.ends_on:%d/%m}",
            done=p.done,
            going=p.in_progress,
            not_started=p.not_started,
        )
        for p in st.periods
    ] or [t("status_no_period")]
    lines.append(t("status_flags", count=st.open_flags) if st.open_flags else t("status_no_flags"))
    lines.append(t("status_duties", overdue=d.overdue, days=DUE_SOON.days, soon=d.due_soon))
    problems = st.delivery
    lines.append(
        t("status_delivery", days=days, count=problems.messages, members=problems.members)
        if problems.messages
        else t("status_no_delivery", days=days)
    )
    rows = _status_buttons(st)
    if rows:
        lines.append(t("status_hint"))
    return Reply("\n".join(lines), buttons(*rows), replace=replace)


def _button(key: str, count: int, view: View, *parts: object, **params: object) -> list[Button]:
    if not count:
        return []
    return [Button(t(key, count=count, **params), encode(DRILL, view.value, *parts))]


def _status_buttons(st: CellStatus) -> list[list[Button]]:
    nxt, last, m, d = st.next_meeting, st.last_meeting, st.members, st.duties
    rows = [
        _button("status_btn_unanswered", nxt.unanswered if nxt else 0, View.RSVP)
        + _button("status_btn_absent", last.absent + last.excused if last else 0, View.ATTENDANCE)
    ]
    for p in st.periods if st.selfcheck_names else []:
        waiting = p.in_progress + p.not_started
        rows.append(_button("status_btn_selfcheck", waiting, View.SELFCHECK, p.id, label=p.label))
    duty_key = "status_btn_overdue" if d.overdue else "status_btn_due_soon"
    rows.append(_button(duty_key, d.overdue or d.due_soon, View.DUTIES))
    rows.append(
        _button("status_btn_not_activated", m.not_activated, View.NOT_ACTIVATED)
        + _button(
            "status_btn_unreachable", max(m.unreachable, st.delivery.members), View.UNREACHABLE
        )
    )
    if (nxt and nxt.unanswered) or any(p.in_progress + p.not_started for p in st.periods):
        rows.append([Button(t("status_btn_nudge"), encode(NUDGE, "a"))])
    return [row for row in rows if row]


def _section(section: Section) -> list[str]:
    title = t(section.key, **(section.params or {}))
    if not section.count:
        return [t("status_section_empty", title=title)]
    lines = [t("status_section", title=title, count=section.count), ", ".join(section.names)]
    if section.count > len(section.names):
        lines.append(t("status_more", count=section.count - len(section.names)))
    return lines


def _drill_title(drill: Drill, tz: ZoneInfo) -> list[str]:
    when = when_text(drill.meeting_at, tz) if drill.meeting_at else ""
    return {
        View.RSVP: [t("status_list_rsvp_title", when=when)],
        View.ATTENDANCE: [t("status_list_attendance_title", when=when)],
        View.SELFCHECK: [
            t("status_list_selfcheck_title", label=drill.label),
            t("status_list_selfcheck_note"),
        ],
        View.DUTIES: [t("status_list_duties_title")],
        View.NOT_ACTIVATED: [t("status_list_not_activated_title")],
        View.UNREACHABLE: [t("status_list_unreachable_title")],
    }[drill.view]


def render_drill(drill: Drill, tz: ZoneInfo) -> Reply:
    lines = _drill_title(drill, tz)
    for section in drill.sections:
        lines += _section(section)
    if drill.duties is not None:
        lines += [
            t(
                "status_list_duty",
                mark=t("status_list_duty_overdue") if d.overdue else "",
                title=d.title,
                due=f"{d.due_on:%d/%m/%Y}",
                names=", ".join(d.assignees),
            )
            for d in drill.duties
        ] or [t("status_list_duties_empty")]
    if drill.view is View.NOT_ACTIVATED and drill.sections[0].count:
        lines.append(t("status_list_not_activated_hint"))
    back = Button(t("status_btn_back"), encode(DRILL, BACK))
    return Reply("\n".join(lines), buttons([back]), replace=True)


async def show(req: Request) -> Result:
    found = await core_status.status_for(req.services, req.incoming)
    return render_status(found, req.services.config.timezone)


async def drill(req: Request) -> Result:
    tz = req.services.config.timezone
    code = str_part(req.parts, 0)
    if code == BACK:
        found = await core_status.status_for(req.services, req.incoming)
        return render_status(found, tz, replace=True)
    try:
        view = View(code)
    except ValueError as exc:
        raise PayloadError("unknown view") from exc
    period = int_part(req.parts, 1) if view is View.SELFCHECK else None
    return render_drill(await core_status.drill_for(req.services, req.incoming, view, period), tz)


def render_plan(plan: Plan, tz: ZoneInfo) -> Reply:
    if not plan.periods and plan.meeting is None:
        return Reply(t("nudge_nothing_open"))
    if not plan.members:
        key = "nudge_all_done_today" if plan.already else "nudge_nobody"
        return Reply(t(key, count=plan.already))
    lines = [t("nudge_plan_title", count=plan.members)]
    if plan.selfcheck:
        labels = ", ".join(p.label for p in plan.periods)
        lines.append(t("nudge_plan_selfcheck", count=plan.selfcheck, labels=labels))
    if plan.rsvp and plan.meeting is not None:
        when = when_text(plan.meeting.starts_at, tz)
        lines.append(t("nudge_plan_rsvp", count=plan.rsvp, when=when))
    if plan.already:
        lines.append(t("nudge_plan_already", count=plan.already))
    if plan.unreachable:
        lines.append(t("nudge_plan_unreachable", count=plan.unreachable))
    lines.append(t("nudge_plan_ask"))
    row = [
        Button(t("nudge_btn_send"), encode(NUDGE, "y", plan.day)),
        Button(t("nudge_btn_cancel"), encode(NUDGE, "n")),
    ]
    return Reply("\n".join(lines), buttons(row))


async def nudge(req: Request) -> Result:
    return render_plan(await nudges.ask(req.services, req.incoming), req.services.config.timezone)


async def nudge_button(req: Request) -> Result:
    answer = str_part(req.parts, 0)
    if answer == "a":
        return await nudge(req)
    if answer == "n":
        return Reply(t("nudge_cancelled"), replace=True)
    if answer != "y":
        raise PayloadError("unknown answer")
    day = str_part(req.parts, 1)
    done = await nudges.send(req.services, req.incoming, day)
    text = t("nudge_sent", count=done.sent) if done.sent else t("nudge_sent_none")
    return Reply(text, replace=True)


def register(router: Router) -> None:
    """Commands, buttons and flows of /tinhhinh (alias /status) and /nhacnho."""
    router.command(
        CommandSpec("tinhhinh", "cmd_tinhhinh", Audience.SECRETARY, aliases=("status",)), show
    )
    router.command(CommandSpec("nhacnho", "cmd_nhacnho", Audience.SECRETARY), nudge)
    router.button(DRILL, drill)
    router.button(NUDGE, nudge_button)
