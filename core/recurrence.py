"""Recurring meetings: a rule stored as JSON, its dates computed with dateutil.rrule.

A cell meets monthly (sinh hoạt thường kỳ) and at least quarterly on a theme (chuyên đề). The
secretary sets a `Rule` once; `occurrences` and `next_occurrence` give the dates to remind
members of and `describe` says the rule in Vietnamese. Pure: dates in, dates out, no clock.

Decisions other code relies on:

* A day the month lacks. A DAY_OF_MONTH rule for the 29th, 30th or 31st falls on the last day
  of a shorter month (31 → 30/4, 28/2, 29/2 in a leap year). A month is never skipped for it.
* Which months. `every_months` (1, 2, 3, 6 or 12) counts calendar months from January: the
  rule applies in months `first_month`, `first_month + every_months`, … up to December, with
  `first_month` in 1..every_months (default 1). A quarterly rule thus meets in January, April,
  July and October, or with first_month=3 in each quarter's last month. Rules never anchor on
  the date someone asks from, so every caller sees the same dates.
* Skipped dates (`skip`: holidays such as Tết, or dates the secretary lists). With
  HolidayPolicy.NEXT_DAY a meeting on a skipped date moves to the next day that is not
  skipped, but never into the next month: if the month runs out, that month's meeting is
  dropped. With HolidayPolicy.SKIP it is dropped. A moved occurrence keeps `planned`, the
  rule's own date, so reminders can be keyed on it. Weekends are not skipped unless listed.
* Windows. `occurrences` gives, in order, every occurrence whose actual day `on` lies in
  [start, end], at most one per planned month; a meeting planned before `start` but moved
  onto or after it is included. `next_occurrence` gives the first with `on >= after`
  (inclusive), looking at most three years ahead.
* `at` is a naive local time of day (Asia/Ho_Chi_Minh), whole minutes; conversion to UTC
  happens at the edge.
* JSON: {"kind", "at": "HH:MM", "day" | "weekday" + "nth", "every_months", "first_month",
  "holiday"}. `from_json` rejects unknown keys, wrong types, and fields that do not belong to
  the kind, with a RuleError whose code is also its catalogue key.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeGuard, TypeVar

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule, weekdays

from core.catalogue.recurrence import TEXTS
from core.errors import Refused

RULE_ERROR_CODES = frozenset(
    {
        "rule_malformed",
        "rule_bad_time",
        "rule_bad_day",
        "rule_bad_weekday",
        "rule_bad_nth",
        "rule_bad_interval",
        "rule_bad_first_month",
    }
)
INTERVALS = frozenset({1, 2, 3, 6, 12})
NTHS = frozenset({1, 2, 3, 4, -1})
LOOKAHEAD = relativedelta(years=3)
_JSON_KEYS = frozenset(
    {"kind", "at", "day", "weekday", "nth", "every_months", "first_month", "holiday"}
)
_HH_MM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_COMMON_YEAR = 2023  # not a leap year: the shortest length of each month
_E = TypeVar("_E", bound=enum.StrEnum)


class RuleError(Refused):
    """A rule that cannot be; `code` (one of RULE_ERROR_CODES) is also its catalogue key."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RuleKind(enum.StrEnum):
    DAY_OF_MONTH = "day_of_month"
    NTH_WEEKDAY = "nth_weekday"
    LAST_DAY = "last_day"


class HolidayPolicy(enum.StrEnum):
    NEXT_DAY = "next_day"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Rule:
    """When a cell meets; a Rule that exists is valid (construction raises RuleError)."""

    kind: RuleKind
    at: time  # local time of day
    day: int | None = None  # DAY_OF_MONTH: 1..31
    weekday: int | None = None  # NTH_WEEKDAY: 0 = Monday .. 6 = Sunday
    nth: int | None = None  # NTH_WEEKDAY: 1..4, or -1 = the last one
    every_months: int = 1  # 1 monthly, 3 quarterly (thematic meetings), …
    first_month: int = 1  # 1..every_months: the first month of the year that has a meeting
    holiday: HolidayPolicy = HolidayPolicy.NEXT_DAY

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def months(self) -> tuple[int, ...]:
        return tuple(range(self.first_month, 13, self.every_months))

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind.value, "at": f"{self.at:%H:%M}"}
        for key in ("day", "weekday", "nth"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        data |= {"every_months": self.every_months, "first_month": self.first_month}
        return data | {"holiday": self.holiday.value}

    @classmethod
    def from_json(cls, data: object) -> Rule:
        if not isinstance(data, Mapping) or not {"kind", "at"} <= data.keys() <= _JSON_KEYS:
            raise RuleError("rule_malformed")
        return cls(
            kind=_enum(RuleKind, data["kind"]),
            at=_parse_time(data["at"]),
            day=_optional_int(data.get("day")),
            weekday=_optional_int(data.get("weekday")),
            nth=_optional_int(data.get("nth")),
            every_months=_int(data.get("every_months", 1)),
            first_month=_int(data.get("first_month", 1)),
            holiday=_enum(HolidayPolicy, data.get("holiday", HolidayPolicy.NEXT_DAY.value)),
        )


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting: held `on` at `at`; `planned` is the rule's own date before any move."""

    on: date
    at: time
    planned: date

    @property
    def moved(self) -> bool:
        return self.on != self.planned


def occurrences(
    rule: Rule, *, start: date, end: date, skip: Collection[date] = ()
) -> list[Occurrence]:
    """Every occurrence with start <= on <= end, in order."""
    return list(_occurrences(rule, start, end, frozenset(skip)))


def next_occurrence(rule: Rule, *, after: date, skip: Collection[date] = ()) -> Occurrence | None:
    """The first occurrence with on >= after (inclusive), within three years; else None."""
    return next(_occurrences(rule, after, after + LOOKAHEAD, frozenset(skip)), None)


def describe(rule: Rule) -> str:
    """The rule in Vietnamese, e.g. «thứ Bảy đầu tiên của tháng, lúc 08:00»."""
    key = f"rule_{rule.kind.value}"
    if rule.kind is RuleKind.DAY_OF_MONTH and _may_lack_day(rule):
        key += "_may_lack"
    if rule.every_months > 1:
        key += "_in"
    params: dict[str, object] = {"at": f"{rule.at:%H:%M}", "day": rule.day}
    if rule.kind is RuleKind.NTH_WEEKDAY:
        params["weekday"] = TEXTS[f"rule_weekday_{rule.weekday}"]
        params["nth"] = TEXTS[f"rule_nth_{rule.nth}"]
    params["months"] = _describe_months(rule)
    return TEXTS[key].format_map(params)


# --- computing dates -------------------------------------------------------------------------


def _occurrences(
    rule: Rule, start: date, end: date, skip: frozenset[date]
) -> Iterator[Occurrence]:
    # From the first of start's month: a meeting planned earlier may have moved into the window.
    for planned in _planned_dates(rule, start.replace(day=1), end):
        found = _place(rule, planned, skip)
        if found is not None and start <= found.on <= end:
            yield found


def _planned_dates(rule: Rule, first: date, last: date) -> Iterator[date]:
    if last < first:
        return
    dates = rrule(
        MONTHLY,
        dtstart=datetime.combine(first, time()),
        until=datetime.combine(last, time()),
        bymonth=rule.months,
        **_day_in_month(rule),
    )
    for moment in dates:
        yield moment.date()


def _day_in_month(rule: Rule) -> dict[str, Any]:
    if rule.kind is RuleKind.LAST_DAY:
        return {"bymonthday": -1}
    if rule.kind is RuleKind.NTH_WEEKDAY:
        assert rule.weekday is not None and rule.nth is not None
        return {"byweekday": weekdays[rule.weekday](rule.nth)}
    # The rule's day, or the month's last day if that comes first (a month without the day).
    return {"bymonthday": (rule.day, -1), "bysetpos": 1}


def _place(rule: Rule, planned: date, skip: frozenset[date]) -> Occurrence | None:
    if planned not in skip:
        return Occurrence(on=planned, at=rule.at, planned=planned)
    if rule.holiday is HolidayPolicy.SKIP:
        return None
    on = planned + timedelta(days=1)
    while on in skip and on.month == planned.month:
        on += timedelta(days=1)
    return Occurrence(on=on, at=rule.at, planned=planned) if on.month == planned.month else None


# --- describing ------------------------------------------------------------------------------


def _may_lack_day(rule: Rule) -> bool:
    shortest = min(calendar.monthrange(_COMMON_YEAR, month)[1] for month in rule.months)
    return rule.day is not None and rule.day > shortest


def _describe_months(rule: Rule) -> str:
    match rule.every_months:
        case 2:
            return TEXTS["rule_months_odd" if rule.first_month == 1 else "rule_months_even"]
        case 3:
            return TEXTS[f"rule_months_quarter_{rule.first_month}"]
        case 6:
            return TEXTS["rule_months_half_year"].format_map(
                {"month": rule.first_month, "second_month": rule.first_month + 6}
            )
        case 12:
            return TEXTS["rule_months_yearly"].format_map({"month": rule.first_month})
    return ""


# --- validating ------------------------------------------------------------------------------


def _validate(rule: Rule) -> None:
    if not isinstance(rule.kind, RuleKind) or not isinstance(rule.holiday, HolidayPolicy):
        raise RuleError("rule_malformed")
    if not isinstance(rule.at, time) or rule.at.tzinfo is not None:
        raise RuleError("rule_bad_time")
    if rule.at.second or rule.at.microsecond:
        raise RuleError("rule_bad_time")
    _validate_day_fields(rule)
    if not _is_int(rule.every_months) or rule.every_months not in INTERVALS:
        raise RuleError("rule_bad_interval")
    if not _is_int(rule.first_month) or not 1 <= rule.first_month <= rule.every_months:
        raise RuleError("rule_bad_first_month")


def _validate_day_fields(rule: Rule) -> None:
    used = {
        RuleKind.DAY_OF_MONTH: ("day",),
        RuleKind.NTH_WEEKDAY: ("weekday", "nth"),
        RuleKind.LAST_DAY: (),
    }[rule.kind]
    if any(getattr(rule, key) is not None for key in {"day", "weekday", "nth"} - set(used)):
        raise RuleError("rule_malformed")
    if "day" in used and not (_is_int(rule.day) and 1 <= rule.day <= 31):
        raise RuleError("rule_bad_day")
    if "weekday" in used and not (_is_int(rule.weekday) and 0 <= rule.weekday <= 6):
        raise RuleError("rule_bad_weekday")
    if "nth" in used and not (_is_int(rule.nth) and rule.nth in NTHS):
        raise RuleError("rule_bad_nth")


def _is_int(value: object) -> TypeGuard[int]:
    return type(value) is int  # not bool, which is an int to isinstance


def _int(value: object) -> int:
    if _is_int(value):
        return value
    raise RuleError("rule_malformed")


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _enum(kind: type[_E], value: object) -> _E:
    if isinstance(value, str) and value in {member.value for member in kind}:
        return kind(value)
    raise RuleError("rule_malformed")


def _parse_time(value: object) -> time:
    found = _HH_MM.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise RuleError("rule_bad_time")
    return time(int(found[1]), int(found[2]))
