"""The 12-month trend chart: attendance rate, self-check completion and KT/GS on-time rate,
three lines from 0 to 100 %, as a PNG of a fixed size (matplotlib, Agg: no display)."""

from __future__ import annotations

import io
import math

from core.reports import CellReport
from core.texts import t

WIDTH, HEIGHT, DPI = 1200, 700, 100  # pixels
SERIES = (  # (catalogue key, colour, marker)
    ("report_chart_attendance", "#1f77b4", "o"),
    ("report_chart_selfcheck", "#2ca02c", "s"),
    ("report_chart_on_time", "#d62728", "^"),
)


def chart_png(report: CellReport) -> bytes:
    """Render the chart (CPU-bound: call it in a worker thread)."""
    from matplotlib.figure import Figure  # deferred: ~60 MB the bot pays only when reporting

    points = report.trend
    labels = [p.label for p in points]
    values = [
        [_pct(p.attendance) for p in points],
        [_pct(p.selfcheck) for p in points],
        [_pct(p.on_time) for p in points],
    ]
    # A Figure without pyplot: no global state, safe in a worker thread.
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    axes = figure.add_subplot()
    x = list(range(len(points)))
    for (key, colour, marker), ys in zip(SERIES, values, strict=True):
        axes.plot(x, ys, label=t(key), color=colour, marker=marker, linewidth=2.2, markersize=7)
    axes.set_ylim(0, 105)
    axes.set_yticks(range(0, 101, 20))
    axes.set_yticklabels([f"{v} %" for v in range(0, 101, 20)])
    axes.set_xticks(x)
    axes.set_xticklabels(labels)
    axes.set_xlim(-0.5, len(points) - 0.5)
    axes.set_ylabel(t("report_chart_axis"))
    axes.set_xlabel(t("report_chart_month"))
    axes.grid(True, alpha=0.3)
    axes.set_title(
        t(
            "report_chart_title",
            cell=report.cell_name,
            from_month=labels[0] if labels else "",
            to_month=labels[-1] if labels else "",
        ),
        fontsize=14,
    )
    if all(math.isnan(v) for ys in values for v in ys):
        axes.text(
            0.5, 0.5, t("report_chart_empty"), transform=axes.transAxes, ha="center", fontsize=14
        )
    axes.legend(loc="lower left", ncols=3, frameon=False, bbox_to_anchor=(0, -0.22))
    figure.subplots_adjust(left=0.07, right=0.98, top=0.92, bottom=0.2)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)  # never bbox_inches: the size is fixed
    return buffer.getvalue()


def _pct(ratio: float | None) -> float:
    return math.nan if ratio is None else round(ratio * 100, 1)
