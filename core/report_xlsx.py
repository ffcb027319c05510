"""The cell report as a printable workbook: one sheet per part, Vietnamese headers.

Sheets: Tổng hợp (key figures), Đảng viên (roster, no phone numbers), Sinh hoạt (meetings
and their counts), Điểm danh (who was at each meeting), Tự kiểm tra (completion per member
and period, never answers), Theo dõi (flags per period: counts only), KT-GS (the plan's items
in the period), 12 tháng (the chart's numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from core import xlsx
from core.reports import CellReport, DutyLine, Person, RosterLine, SelfCheckState
from core.texts import t
from core.xlsx import percent
from db.models import Presence, Role

Row = Sequence[object]
_CHANNELS = {"telegram": "Telegram", "zalo": "Zalo"}


def workbook_bytes(report: CellReport) -> bytes:
    book = xlsx.new_workbook()
    title = t("report_page_title", cell=report.cell_name, period=report.span.label())

    def sheet(
        key: str, headers: list[str], rows: Iterator[Row] | list[Row], widths: Sequence[float]
    ) -> None:
        xlsx.add_sheet(book, t(key), headers, rows, widths=widths, page_title=title)

    sheet("report_sheet_summary", _cols("item", "value"), _summary(report), [48, 40])
    sheet(
        "report_sheet_roster",
        _cols("no", "name", "role", "membership", "state", "reachable", "channels"),
        _roster(report.roster),
        [6, 32, 14, 12, 16, 22, 18],
    )
    sheet(
        "report_sheet_meetings",
        _cols(
            "no",
            "date",
            "time",
            "kind",
            "place",
            "present",
            "excused",
            "absent",
            "attendance_rate",
            "note",
        ),
        _meetings(report),
        [6, 12, 8, 12, 28, 9, 10, 10, 10, 16],
    )
    headers, rows = _presence(report)
    sheet("report_sheet_presence", headers, rows, [6, 32] + [11] * (len(headers) - 2))
    headers, rows = _selfchecks(report)
    sheet("report_sheet_selfcheck", headers, rows, [6, 32] + [14] * (len(headers) - 2))
    sheet(
        "report_sheet_flags",
        _cols(
            "period",
            "from",
            "to",
            "flag_members",
            "flags_raised",
            "flags_contacted",
            "flags_open",
        ),
        _flags(report),
        [14, 12, 12, 16, 16, 12, 12],
    )
    sheet(
        "report_sheet_duties",
        _cols(
            "no",
            "title",
            "kind",
            "concerns",
            "assignees",
            "start",
            "due",
            "status",
            "completed",
            "on_time",
        ),
        [_duty(i, d) for i, d in enumerate(report.duties, start=1)],
        [6, 40, 10, 20, 28, 12, 12, 20, 14, 16],
    )
    sheet(
        "report_sheet_trend",
        _cols("month", "attendance_rate", "selfcheck_rate", "on_time_rate"),
        [
            (p.label, percent(p.attendance), percent(p.selfcheck), percent(p.on_time))
            for p in report.trend
        ],
        [10, 14, 18, 18],
    )
    return xlsx.to_bytes(book)


def _cols(*names: str) -> list[str]:
    return [t(f"rcol_{name}") for name in names]


def _summary(r: CellReport) -> list[Row]:
    n = r.totals()
    rows: list[tuple[str, object]] = [
        ("cell", r.cell_name),
        ("parent", r.parent_name or ""),
        ("period", r.span.label()),
        ("made", r.made_at.replace(tzinfo=None, second=0, microsecond=0)),
        ("members", n.members),
        ("activated", n.activated),
        ("reachable", n.reachable),
        ("meetings", n.meetings),
        ("attendance", percent(r.attendance_rate)),
        ("selfcheck_asked", n.selfcheck_asked),
        ("selfcheck_done", n.selfcheck_done),
        ("selfcheck_rate", percent(r.selfcheck_rate)),
        ("flags_raised", n.flags_raised),
        ("flags_contacted", n.flags_contacted),
        ("flags_open", n.flags_open),
        ("duties", n.duties),
        ("duties_done", n.duties_done),
        ("on_time_rate", percent(r.on_time_rate)),
    ]
    return [(t(f"rv_sum_{key}"), value) for key, value in rows]


def _role(role: Role | None) -> str:
    return t(f"rv_{role.value}") if role in (Role.SECRETARY, Role.DEPUTY) else t("rv_member")


def _roster(lines: list[RosterLine]) -> Iterator[Row]:
    for i, line in enumerate(lines, start=1):
        if line.reachable:
            reachable = t("rv_yes")
        else:
            reachable = t("rv_blocked") if line.blocked else t("rv_no")
        yield (
            i,
            line.name,
            _role(line.role),
            t(f"rv_{line.membership.value}"),
            t("rv_activated") if line.activated else t("rv_not_activated"),
            reachable,
            ", ".join(_CHANNELS.get(c, c.title()) for c in (*line.channels, *line.blocked)),
        )


def _meetings(r: CellReport) -> Iterator[Row]:
    for i, m in enumerate(r.meetings, start=1):
        rate = m.present / m.marked if m.marked else None
        yield (
            i,
            m.starts_at.date(),
            f"{m.starts_at:%H:%M}",
            t(f"rv_{m.kind.value}"),
            m.place,
            m.present,
            m.excused,
            m.absent,
            percent(rate),
            "" if m.marked else t("rv_not_marked"),
        )
    present = sum(m.present for m in r.meetings)
    yield (
        None,
        t("rv_total"),
        None,
        None,
        None,
        present,
        sum(m.excused for m in r.meetings),
        sum(m.absent for m in r.meetings),
        percent(r.attendance_rate),
        None,
    )


def _name(p: Person) -> str:
    return p.name if p.on_roster else t("rv_left", name=p.name)


def _presence(r: CellReport) -> tuple[list[str], Iterator[Row]]:
    seen: Counter[str] = Counter()
    heads: list[str] = []
    for m in r.meetings:
        head = f"{m.starts_at:%d/%m/%Y}"
        seen[head] += 1
        heads.append(head if seen[head] == 1 else f"{head} ({seen[head]})")
    headers = [*_cols("no", "name"), *heads, *_cols("present", "excused", "absent")]
    marks = {p: t(f"rv_{p.value}") for p in Presence}

    def rows() -> Iterator[Row]:
        for i, person in enumerate(r.people, start=1):
            got = [r.presence.get((person.member_id, m.meeting_id)) for m in r.meetings]
            counts = Counter(got)
            yield (
                i,
                _name(person),
                *[marks[p] if p else None for p in got],
                counts[Presence.PRESENT],
                counts[Presence.EXCUSED],
                counts[Presence.ABSENT],
            )
        yield (None, t("rv_presence_legend"))

    return headers, rows()


def _selfchecks(r: CellReport) -> tuple[list[str], Iterator[Row]]:
    headers = [*_cols("no", "name"), *[p.label for p in r.periods], t("rcol_done_count")]
    words = {
        SelfCheckState.DONE: t("rv_sc_done"),
        SelfCheckState.IN_PROGRESS: t("rv_sc_in_progress"),
        SelfCheckState.NOT_STARTED: t("rv_sc_not_started"),
    }

    def rows() -> Iterator[Row]:
        for i, person in enumerate(r.people, start=1):
            got = [r.selfchecks.get((person.member_id, p.period_id)) for p in r.periods]
            done = sum(state == SelfCheckState.DONE for state in got)
            cells = [words[state] if state else t("rv_sc_not_asked") for state in got]
            yield (i, _name(person), *cells, done)
        blank: list[object] = [None]
        yield (None, t("rcol_done"), *[p.done for p in r.periods], *blank)
        yield (None, t("rcol_in_progress"), *[p.in_progress for p in r.periods], *blank)
        yield (None, t("rcol_not_started"), *[p.not_started for p in r.periods], *blank)
        rates = [percent(p.done / p.asked if p.asked else None) for p in r.periods]
        yield (None, t("rcol_done_rate"), *rates, percent(r.selfcheck_rate))
        yield (None, t("rv_sc_legend"))

    return headers, rows()


def _flags(r: CellReport) -> Iterator[Row]:
    dates = {p.period_id: (p.starts_on, p.ends_on) for p in r.periods}
    for f in r.flags:
        start, end = dates[f.period_id]
        yield (f.label, start, end, f.members, f.raised, f.contacted, f.open)
    yield (
        t("rv_total"),
        None,
        None,
        None,
        sum(f.raised for f in r.flags),
        sum(f.contacted for f in r.flags),
        sum(f.open for f in r.flags),
    )


def _duty(i: int, d: DutyLine) -> Row:
    if d.on_time is None:
        on_time = t("rv_on_time_pending")
    elif d.on_time:
        on_time = t("rv_on_time_yes")
    else:
        on_time = t("rv_on_time_late") if d.completed_on else t("rv_on_time_overdue")
    return (
        i,
        d.title,
        t(f"duty_kind_{d.kind.value}"),
        d.concerns or "",
        ", ".join(d.assignees),
        d.starts_on,
        d.due_on,
        t(f"rv_duty_{d.status.value}"),
        d.completed_on,
        on_time,
    )
