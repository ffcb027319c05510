"""Recurrence rules: dates checked against the calendar, JSON, descriptions, properties."""

from __future__ import annotations

import calendar
import itertools
import json
from datetime import date, time, timedelta
from string import Formatter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.catalogue.recurrence import TEXTS
from core.recurrence import (
    RULE_ERROR_CODES,
    HolidayPolicy,
    Occurrence,
    Rule,
    RuleError,
    RuleKind,
    describe,
    next_occurrence,
    occurrences,
)

EVENING = time(19, 30)
TET_2027 = [date(2027, 2, d) for d in range(5, 10)]  # 05/02 .. 09/02/2027
FOURTEEN_MONTHS = (date(2026, 1, 1), date(2027, 2, 28))


def months_of(first: date, count: int) -> list[tuple[int, int]]:
    index = first.year * 12 + first.month - 1
    return [divmod(i, 12) for i in range(index, index + count)]


def month_days(year: int, month0: int) -> list[date]:
    return [
        date(year, month0 + 1, d) for d in range(1, calendar.monthrange(year, month0 + 1)[1] + 1)
    ]


def ons(found: list[Occurrence]) -> list[date]:
    return [o.on for o in found]


def within(rule: Rule, start: date, end: date) -> list[Occurrence]:
    return occurrences(rule, start=start, end=end)


def day_rule(day: int, **extra: Any) -> Rule:
    return Rule(RuleKind.DAY_OF_MONTH, EVENING, day=day, **extra)


# --- dates ------------------------------------------------------------------------------------


def test_day_31_falls_on_the_last_day_of_shorter_months() -> None:
    found = within(day_rule(31), *FOURTEEN_MONTHS)
    assert ons(found) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 31), date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31),
        date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31),
        date(2027, 1, 31), date(2027, 2, 28),
    ]  # fmt: skip
    assert all(o.on == o.planned and o.at == EVENING for o in found)


def test_day_29_in_a_leap_february() -> None:
    found = occurrences(day_rule(30), start=date(2028, 2, 1), end=date(2028, 3, 31))
    assert ons(found) == [date(2028, 2, 29), date(2028, 3, 30)]


def test_a_day_every_month_has_is_kept() -> None:
    found = within(day_rule(5), *FOURTEEN_MONTHS)
    assert ons(found) == [date(y, m + 1, 5) for y, m in months_of(date(2026, 1, 1), 14)]


def test_tet_moves_the_meeting_to_the_next_free_day_and_keeps_the_planned_date() -> None:
    found = occurrences(day_rule(5), start=date(2027, 1, 1), end=date(2027, 3, 31), skip=TET_2027)
    assert found[1] == Occurrence(on=date(2027, 2, 10), at=EVENING, planned=date(2027, 2, 5))
    assert found[1].moved and not found[0].moved
    assert ons(found) == [date(2027, 1, 5), date(2027, 2, 10), date(2027, 3, 5)]


def test_tet_drops_the_meeting_under_the_skip_policy() -> None:
    rule = day_rule(5, holiday=HolidayPolicy.SKIP)
    found = occurrences(rule, start=date(2027, 1, 1), end=date(2027, 3, 31), skip=TET_2027)
    assert ons(found) == [date(2027, 1, 5), date(2027, 3, 5)]


def test_a_move_never_crosses_into_the_next_month() -> None:
    rule = Rule(RuleKind.LAST_DAY, EVENING)
    found = occurrences(
        rule, start=date(2026, 4, 1), end=date(2026, 5, 31), skip=[date(2026, 4, 30)]
    )
    assert ons(found) == [date(2026, 5, 31)]


def test_a_meeting_moved_into_the_window_is_included() -> None:
    found = occurrences(day_rule(5), start=date(2027, 2, 7), end=date(2027, 2, 28), skip=TET_2027)
    assert found == [Occurrence(on=date(2027, 2, 10), at=EVENING, planned=date(2027, 2, 5))]


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("nth", [1, 2, 3, 4, -1])
def test_nth_weekday_matches_the_calendar(weekday: int, nth: int) -> None:
    rule = Rule(RuleKind.NTH_WEEKDAY, time(8, 0), weekday=weekday, nth=nth)
    expected = []
    for year, month0 in months_of(date(2026, 1, 1), 14):
        matching = [d for d in month_days(year, month0) if d.weekday() == weekday]
        expected.append(matching[nth - 1 if nth > 0 else nth])
    assert ons(within(rule, *FOURTEEN_MONTHS)) == expected


def test_first_saturday_and_last_friday_spot_checks() -> None:
    first_saturday = Rule(RuleKind.NTH_WEEKDAY, time(8, 0), weekday=5, nth=1)
    last_friday = Rule(RuleKind.NTH_WEEKDAY, time(14, 0), weekday=4, nth=-1)
    window = (date(2026, 1, 1), date(2026, 3, 31))
    assert ons(within(first_saturday, *window)) == [
        date(2026, 1, 3), date(2026, 2, 7), date(2026, 3, 7)
    ]  # fmt: skip
    assert ons(within(last_friday, *window)) == [
        date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)
    ]  # fmt: skip


def test_last_day_matches_the_calendar() -> None:
    found = within(Rule(RuleKind.LAST_DAY, EVENING), *FOURTEEN_MONTHS)
    assert ons(found) == [month_days(y, m)[-1] for y, m in months_of(date(2026, 1, 1), 14)]


def test_quarterly_rules_follow_calendar_quarters() -> None:
    window = (date(2026, 2, 1), date(2027, 1, 31))
    first = within(day_rule(10, every_months=3), *window)
    assert ons(first) == [
        date(2026, 4, 10),
        date(2026, 7, 10),
        date(2026, 10, 10),
        date(2027, 1, 10),
    ]
    last = within(day_rule(10, every_months=3, first_month=3), *window)
    assert ons(last) == [
        date(2026, 3, 10),
        date(2026, 6, 10),
        date(2026, 9, 10),
        date(2026, 12, 10),
    ]


def test_yearly_and_half_yearly_rules() -> None:
    window = (date(2026, 1, 1), date(2027, 12, 31))
    assert ons(within(day_rule(31, every_months=12, first_month=6), *window)) == [
        date(2026, 6, 30), date(2027, 6, 30)
    ]  # fmt: skip
    half_yearly = within(day_rule(1, every_months=6, first_month=2), *window)
    assert [o.on.month for o in half_yearly] == [2, 8, 2, 8]


def test_an_empty_window_has_no_occurrences() -> None:
    assert occurrences(day_rule(5), start=date(2026, 3, 1), end=date(2026, 2, 1)) == []


def test_next_occurrence_is_inclusive() -> None:
    rule = day_rule(5)
    assert next_occurrence(rule, after=date(2026, 3, 5)) == Occurrence(
        on=date(2026, 3, 5), at=EVENING, planned=date(2026, 3, 5)
    )
    found = next_occurrence(rule, after=date(2026, 3, 6))
    assert found is not None and found.on == date(2026, 4, 5)


def test_next_occurrence_follows_a_move() -> None:
    found = next_occurrence(day_rule(5), after=date(2027, 2, 1), skip=TET_2027)
    assert found == Occurrence(on=date(2027, 2, 10), at=EVENING, planned=date(2027, 2, 5))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_next_occurrence_looks_three_years_ahead_and_no_further() -> None:
    after = date(2026, 1, 1)
    found = next_occurrence(
        Rule(RuleKind.LAST_DAY, EVENING), after=after, skip=days(after, date(2028, 12, 30))
    )
    assert found is not None and found.on == date(2028, 12, 31)
    assert next_occurrence(day_rule(5), after=after, skip=days(after, date(2028, 12, 31))) is None


# --- validation and JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": RuleKind.DAY_OF_MONTH, "day": 0}, "rule_bad_day"),
        ({"kind": RuleKind.DAY_OF_MONTH, "day": 32}, "rule_bad_day"),
        ({"kind": RuleKind.DAY_OF_MONTH}, "rule_bad_day"),
        ({"kind": RuleKind.DAY_OF_MONTH, "day": True}, "rule_bad_day"),
        ({"kind": RuleKind.NTH_WEEKDAY, "weekday": 7, "nth": 1}, "rule_bad_weekday"),
        ({"kind": RuleKind.NTH_WEEKDAY, "weekday": 5, "nth": 5}, "rule_bad_nth"),
        ({"kind": RuleKind.NTH_WEEKDAY, "weekday": 5, "nth": 0}, "rule_bad_nth"),
        ({"kind": RuleKind.NTH_WEEKDAY, "weekday": 5, "nth": -2}, "rule_bad_nth"),
        ({"kind": RuleKind.LAST_DAY, "every_months": 4}, "rule_bad_interval"),
        ({"kind": RuleKind.LAST_DAY, "every_months": 3, "first_month": 4}, "rule_bad_first_month"),
        ({"kind": RuleKind.LAST_DAY, "first_month": 2}, "rule_bad_first_month"),
        ({"kind": RuleKind.LAST_DAY, "day": 5}, "rule_malformed"),
        ({"kind": RuleKind.DAY_OF_MONTH, "day": 5, "nth": 1}, "rule_malformed"),
        ({"kind": "last_day"}, "rule_malformed"),
        ({"kind": RuleKind.LAST_DAY, "at": time(19, 30, 15)}, "rule_bad_time"),
    ],
)
def test_invalid_rules_cannot_be_built(fields: dict[str, Any], code: str) -> None:
    with pytest.raises(RuleError) as caught:
        Rule(**{"at": EVENING} | fields)
    assert caught.value.code == code == caught.value.key


GOOD = {"kind": "day_of_month", "at": "19:30", "day": 5}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (None, "rule_malformed"),
        ("day_of_month", "rule_malformed"),
        ([GOOD], "rule_malformed"),
        ({}, "rule_malformed"),
        ({"kind": "day_of_month", "day": 5}, "rule_malformed"),
        (GOOD | {"kind": "weekly"}, "rule_malformed"),
        (GOOD | {"kind": ["day_of_month"]}, "rule_malformed"),
        (GOOD | {"colour": "red"}, "rule_malformed"),
        (GOOD | {"day": "5"}, "rule_malformed"),
        (GOOD | {"day": 5.0}, "rule_malformed"),
        (GOOD | {"every_months": None}, "rule_malformed"),
        (GOOD | {"holiday": "maybe"}, "rule_malformed"),
        (GOOD | {"day": 40}, "rule_bad_day"),
        (GOOD | {"at": "7:30"}, "rule_bad_time"),
        (GOOD | {"at": "24:00"}, "rule_bad_time"),
        (GOOD | {"at": "19:30:00"}, "rule_bad_time"),
        (GOOD | {"at": 1930}, "rule_bad_time"),
        (GOOD | {"every_months": 5}, "rule_bad_interval"),
        ({"kind": "nth_weekday", "at": "08:00", "weekday": 5, "nth": 9}, "rule_bad_nth"),
    ],
)
def test_from_json_of_junk_raises_rule_error(data: object, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        Rule.from_json(data)
    assert caught.value.code == code


def test_from_json_fills_defaults() -> None:
    assert Rule.from_json(GOOD) == day_rule(5)


def test_to_json_is_plain_json() -> None:
    rule = Rule(RuleKind.NTH_WEEKDAY, time(8, 0), weekday=5, nth=-1, every_months=3, first_month=2)
    assert json.loads(json.dumps(rule.to_json())) == {
        "kind": "nth_weekday", "at": "08:00", "weekday": 5, "nth": -1,
        "every_months": 3, "first_month": 2, "holiday": "next_day",
    }  # fmt: skip


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    kind = draw(st.sampled_from(RuleKind))
    every = draw(st.sampled_from([1, 2, 3, 6, 12]))
    fields: dict[str, Any] = {
        "kind": kind,
        "at": time(draw(st.integers(0, 23)), draw(st.integers(0, 59))),
        "every_months": every,
        "first_month": draw(st.integers(1, every)),
        "holiday": draw(st.sampled_from(HolidayPolicy)),
    }
    if kind is RuleKind.DAY_OF_MONTH:
        fields["day"] = draw(st.integers(1, 31))
    if kind is RuleKind.NTH_WEEKDAY:
        fields["weekday"] = draw(st.integers(0, 6))
        fields["nth"] = draw(st.sampled_from([1, 2, 3, 4, -1]))
    return Rule(**fields)


@given(rules())
def test_json_round_trip(rule: Rule) -> None:
    assert Rule.from_json(json.loads(json.dumps(rule.to_json()))) == rule


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


FIELD_VALUES = JSON | st.sampled_from(["day_of_month", "nth_weekday", "last_day", "skip", "08:00"])
FIELDS = ["kind", "at", "day", "weekday", "nth", "every_months", "first_month", "holiday"]


@given(JSON | st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, FIELD_VALUES)))
def test_from_json_of_anything_gives_a_rule_or_a_rule_error(data: object) -> None:
    try:
        Rule.from_json(data)
    except RuleError as error:
        assert error.code in RULE_ERROR_CODES


# --- properties ------------------------------------------------------------------------------

windows = st.tuples(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(0, 800)).map(
    lambda w: (w[0], w[0] + timedelta(days=w[1]))
)


@given(rules(), windows, st.lists(st.dates(date(2020, 1, 1), date(2038, 12, 31)), max_size=60))
def test_occurrences_are_ordered_unique_in_the_window_and_stay_in_their_month(
    rule: Rule, window: tuple[date, date], skip: list[date]
) -> None:
    start, end = window
    found = occurrences(rule, start=start, end=end, skip=skip)
    assert all(a.on < b.on for a, b in itertools.pairwise(found))
    planned_months = [(o.planned.year, o.planned.month) for o in found]
    assert len(set(planned_months)) == len(found)
    for o in found:
        assert start <= o.on <= end
        assert (o.on.year, o.on.month) == (o.planned.year, o.planned.month)
        assert o.planned.month in rule.months
        assert o.on not in skip and o.at == rule.at
        assert o.moved <= (rule.holiday is HolidayPolicy.NEXT_DAY and o.planned in skip)


@given(rules(), windows)
def test_next_occurrence_is_the_first_occurrence(rule: Rule, window: tuple[date, date]) -> None:
    after, _ = window
    found = occurrences(rule, start=after, end=after + timedelta(days=400))
    assert next_occurrence(rule, after=after) == found[0]


# --- descriptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (day_rule(5), "ngày 5 hằng tháng, lúc 19:30"),
        (
            day_rule(31),
            "ngày 31 hằng tháng (tháng thiếu ngày thì họp vào ngày cuối tháng), lúc 19:30",
        ),
        (
            day_rule(29),
            "ngày 29 hằng tháng (tháng thiếu ngày thì họp vào ngày cuối tháng), lúc 19:30",
        ),
        (day_rule(28), "ngày 28 hằng tháng, lúc 19:30"),
        (
            Rule(RuleKind.NTH_WEEKDAY, time(8, 0), weekday=5, nth=1),
            "thứ Bảy đầu tiên của tháng, lúc 08:00",
        ),
        (
            Rule(RuleKind.NTH_WEEKDAY, time(14, 0), weekday=4, nth=-1),
            "thứ Sáu cuối cùng của tháng, lúc 14:00",
        ),
        (
            Rule(RuleKind.NTH_WEEKDAY, time(8, 0), weekday=6, nth=2),
            "Chủ nhật thứ hai của tháng, lúc 08:00",
        ),
        (Rule(RuleKind.LAST_DAY, EVENING), "ngày cuối tháng, lúc 19:30"),
        (day_rule(10, every_months=3), "ngày 10 tháng đầu mỗi quý, lúc 19:30"),
        (
            day_rule(31, every_months=3, first_month=3),
            "ngày 31 tháng cuối mỗi quý (tháng thiếu ngày thì họp vào ngày cuối tháng), lúc 19:30",
        ),
        (day_rule(31, every_months=12), "ngày 31 tháng 1 hằng năm, lúc 19:30"),
        (
            Rule(
                RuleKind.NTH_WEEKDAY, time(8, 0), weekday=5, nth=1, every_months=3, first_month=2
            ),
            "thứ Bảy đầu tiên của tháng giữa mỗi quý, lúc 08:00",
        ),
        (
            Rule(RuleKind.LAST_DAY, EVENING, every_months=6, first_month=6),
            "ngày cuối của tháng 6 và tháng 12 hằng năm, lúc 19:30",
        ),
        (day_rule(15, every_months=2, first_month=2), "ngày 15 các tháng chẵn, lúc 19:30"),
    ],
)
def test_describe(rule: Rule, text: str) -> None:
    assert describe(rule) == text


@given(rules())
def test_every_rule_has_a_description(rule: Rule) -> None:
    text = describe(rule)
    assert f"lúc {rule.at:%H:%M}" in text and "{" not in text


def test_every_error_code_has_a_text() -> None:
    assert TEXTS.keys() >= RULE_ERROR_CODES


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_renders(key: str) -> None:
    samples = {"day": 5, "at": "19:30", "weekday": "thứ Bảy", "nth": "đầu tiên"}
    samples |= {"months": "tháng đầu mỗi quý", "month": 1, "second_month": 7}
    names = {name for _, name, _, _ in Formatter().parse(TEXTS[key]) if name}
    assert names <= samples.keys()
    assert key.startswith("rule_") and TEXTS[key].format_map(samples).strip()
