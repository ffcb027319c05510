"""Report periods: a month, a quarter, a year or any range of days, as people type them.

Accepted (case, diacritics and spaces do not matter):

- a month: ``9/2026``, ``09-2026``, ``tháng 9/2026``, ``2026-09``
- a quarter: ``quý 3/2026``, ``quý III/2026``, ``Q3/2026``, ``2026-Q3``
- a year: ``2026``, ``năm 2026``
- a range of days: ``01/09/2026 - 30/11/2026`` (also ``đến``, ``..``), ``2026-09-01..2026-11-30``

Days are written day first (``1/9/2026`` is the first of September); a two-digit year is 20xx.
A range may not start after today, end before it starts, or last more than `MAX_DAYS`.
Every failure is a :class:`PeriodError` whose ``code`` names a text in the reports catalogue.
Nothing here reads the clock: ``today`` is passed in.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from core.texts import t
from core.vntext import fold

MAX_DAYS = 3 * 366 + 1  # three years, leap days included
FIRST_YEAR = 2000
QUARTERS = ("I", "II", "III", "IV")
_SHOWN_MAX = 40
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

_DMY = r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
_YMD = r"\d{4}-\d{1,2}-\d{1,2}"
_DAY = rf"(?:{_YMD}|{_DMY})"
_RANGE = re.compile(rf"(?:tu )?(?P<a>{_DAY}) ?(?:-|–|—|\.\.|den|toi) ?(?:ngay )?(?P<b>{_DAY})")
_MONTH = re.compile(r"(?:thang )?(?P<m>\d{1,2}) ?[/.-] ?(?P<y>\d{4})")
_ISO_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})")
_QUARTER = re.compile(r"(?:quy|q) ?(?P<q>[1-4]|iv|iii|ii|i) ?[/ -] ?(?:nam )?(?P<y>\d{4})")
_ISO_QUARTER = re.compile(r"(?P<y>\d{4}) ?-? ?q(?P<q>[1-4])")
_YEAR = re.compile(r"(?:nam )?(?P<y>\d{4})")

PERIOD_ERROR_CODES = frozenset(
    {
        "report_period_unreadable",
        "report_period_impossible",
        "report_period_reversed",
        "report_period_future",
        "report_period_too_long",
    }
)


class PeriodError(ValueError):
    """Typed text is not a usable report period; ``code`` is one of `PERIOD_ERROR_CODES`."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(code)
        self.code = code
        shown = " ".join(text.split())
        if len(shown) > _SHOWN_MAX:
            shown = shown[: _SHOWN_MAX - 1] + "…"
        self.params: dict[str, str | int] = {"text": shown, "years": MAX_DAYS // 366}


@dataclass(frozen=True, slots=True)
class Span:
    """The local days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def kind(self) -> str:
        """ "year", "quarter", "month" or "range"."""
        s, e = self.start, self.end
        whole_months = s.day == 1 and e == month_end(e.year, e.month) and s.year == e.year
        if whole_months and (s.month, e.month) == (1, 12):
            return "year"
        if whole_months and s.month == e.month:
            return "month"
        if whole_months and s.month % 3 == 1 and e.month == s.month + 2:
            return "quarter"
        return "range"

    def label(self) -> str:
        """ "tháng 11/2026", "quý IV/2026", "năm 2026" or "01/09/2026 – 30/11/2026"."""
        s, e = self.start, self.end
        kind = self.kind()
        if kind == "year":
            return t("report_span_year", year=s.year)
        if kind == "month":
            return t("report_span_month", month=f"{s.month:02d}", year=s.year)
        if kind == "quarter":
            return t("report_span_quarter", quarter=QUARTERS[s.month // 3], year=s.year)
        return t("report_span_range", start=f"{s:%d/%m/%Y}", end=f"{e:%d/%m/%Y}")

    def slug(self) -> str:
        """For file names: "2026-11", "2026-q4", "2026", "2026-09-01_2026-11-30"."""
        s, e = self.start, self.end
        kind = self.kind()
        if kind == "year":
            return f"{s.year}"
        if kind == "month":
            return f"{s.year}-{s.month:02d}"
        if kind == "quarter":
            return f"{s.year}-q{s.month // 3 + 1}"
        return f"{s:%Y-%m-%d}_{e:%Y-%m-%d}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_span(year: int, month: int) -> Span:
    return Span(date(year, month, 1), month_end(year, month))


def quarter_span(year: int, quarter: int) -> Span:
    first = 3 * (quarter - 1) + 1
    return Span(date(year, first, 1), month_end(year, first + 2))


def year_span(year: int) -> Span:
    return Span(date(year, 1, 1), date(year, 12, 31))


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def choices(today: date) -> dict[str, Span]:
    """The periods offered on buttons: this month, last month, this and last quarter, this
    year (keys name the catalogue's button labels)."""
    quarter = (today.month - 1) // 3 + 1
    last_q_year, last_q = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return {
        "this_month": month_span(today.year, today.month),
        "last_month": month_span(*shift_month(today.year, today.month, -1)),
        "this_quarter": quarter_span(today.year, quarter),
        "last_quarter": quarter_span(last_q_year, last_q),
        "this_year": year_span(today.year),
    }


def parse_period(text: str, *, today: date) -> Span:
    """The period meant by ``text``; raises `PeriodError`."""
    key = fold(text).strip().rstrip(".")
    key = re.sub(r"\s+", " ", key)
    span = _read(key, text)
    if span.end < span.start:
        raise PeriodError("report_period_reversed", text)
    if span.start > today:
        raise PeriodError("report_period_future", text)
    if span.days > MAX_DAYS:
        raise PeriodError("report_period_too_long", text)
    return span


def _read(key: str, text: str) -> Span:
    if found := _RANGE.fullmatch(key):
        return Span(_day(found["a"], text), _day(found["b"], text))
    if found := _ISO_QUARTER.fullmatch(key) or _QUARTER.fullmatch(key):
        quarter = found["q"]
        number = _ROMAN[quarter] if quarter in _ROMAN else int(quarter)
        return quarter_span(_year(found["y"], text), number)
    if found := _ISO_MONTH.fullmatch(key) or _MONTH.fullmatch(key):
        month = int(found["m"])
        if not 1 <= month <= 12:
            raise PeriodError("report_period_impossible", text)
        return month_span(_year(found["y"], text), month)
    if found := _YEAR.fullmatch(key):
        return year_span(_year(found["y"], text))
    raise PeriodError("report_period_unreadable", text)


def _year(digits: str, text: str) -> int:
    year = int(digits)
    if year < FIRST_YEAR or year > 9998:
        raise PeriodError("report_period_impossible", text)
    return year


def _day(part: str, text: str) -> date:
    if re.fullmatch(_YMD, part):
        y, m, d = (int(p) for p in part.split("-"))
    else:
        d, m, y = (int(p) for p in re.split(r"[/.-]", part))
        y = y + 2000 if y < 100 else y
    _year(str(y), text)
    try:
        return date(y, m, d)
    except ValueError:
        raise PeriodError("report_period_impossible", text) from None


def compact(day: date) -> str:
    """A day in a button's payload: 20261130."""
    return f"{day:%Y%m%d}"


def from_compact(start: str, end: str, *, today: date) -> Span:
    """The span a button carries; raises `PeriodError` for anything a button never holds."""
    try:
        span = Span(_from_compact(start), _from_compact(end))
    except ValueError:
        raise PeriodError("report_period_unreadable", f"{start}:{end}") from None
    if span.end < span.start or span.start > today or span.days > MAX_DAYS:
        raise PeriodError("report_period_unreadable", f"{start}:{end}")
    return span


def _from_compact(text: str) -> date:
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))
