"""Report periods as people type them: examples, and properties over many dates (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.report_periods import (
    MAX_DAYS,
    QUARTERS,
    PeriodError,
    Span,
    choices,
    compact,
    from_compact,
    month_end,
    parse_period,
)

TODAY = date(2026, 11, 27)
days = st.dates(min_value=date(2000, 1, 1), max_value=TODAY)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("9/2026", date(2026, 9, 1), date(2026, 9, 30)),
        ("09-2026", date(2026, 9, 1), date(2026, 9, 30)),
        ("Tháng 2/2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("quý 3/2026", date(2026, 7, 1), date(2026, 9, 30)),
        ("Quý IV/2025", date(2025, 10, 1), date(2025, 12, 31)),
        ("q1 2026", date(2026, 1, 1), date(2026, 3, 31)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("năm 2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("01/09/2026 - 30/11/2026", date(2026, 9, 1), date(2026, 11, 30)),
        ("1/9/26–30/11/26", date(2026, 9, 1), date(2026, 11, 30)),
        ("từ 1/9/2026 đến ngày 30/11/2026", date(2026, 9, 1), date(2026, 11, 30)),
        ("2026-09-01..2026-11-30", date(2026, 9, 1), date(2026, 11, 30)),
        ("01-09-2026-30-11-2026", date(2026, 9, 1), date(2026, 11, 30)),
        ("  2026-11  ", date(2026, 11, 1), date(2026, 11, 30)),  # not over yet: allowed
    ],
)
def test_examples(text: str, start: date, end: date) -> None:
    assert parse_period(text, today=TODAY) == Span(start, end)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "report_period_unreadable"),
        ("tháng này", "report_period_unreadable"),
        ("13/2026", "report_period_impossible"),
        ("2026-00", "report_period_impossible"),
        ("quý 5/2026", "report_period_unreadable"),
        ("1999", "report_period_impossible"),
        ("31/04/2026 - 30/11/2026", "report_period_impossible"),
        ("30/11/2026 - 1/9/2026", "report_period_reversed"),
        ("2027", "report_period_future"),
        ("28/11/2026 - 30/11/2026", "report_period_future"),
        ("2020-01-01..2026-11-01", "report_period_too_long"),
    ],
)
def test_mistakes(text: str, code: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, today=TODAY)
    assert caught.value.code == code
    assert caught.value.params["text"] == " ".join(text.split())


@given(days, st.integers(min_value=0, max_value=MAX_DAYS - 1), st.sampled_from(["/", ".", "-"]))
def test_a_range_of_days_reads_back(start: date, length: int, sep: str) -> None:
    end = start + timedelta(days=length)
    typed = f"{start.day}{sep}{start.month}{sep}{start.year} - {end:%d{sep}%m{sep}%Y}"
    assert parse_period(typed, today=TODAY) == Span(start, end)
    iso = f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"
    assert parse_period(iso, today=TODAY) == Span(start, end)


@given(days)
def test_a_month_and_its_quarter_and_year_hold_the_day(day: date) -> None:
    month = parse_period(f"{day.month}/{day.year}", today=TODAY)
    quarter = parse_period(f"quý {QUARTERS[(day.month - 1) // 3]}/{day.year}", today=TODAY)
    year = parse_period(str(day.year), today=TODAY)
    for span in (month, quarter, year):
        assert span.start <= day <= span.end and span.start.day == 1
        assert span.end == month_end(span.end.year, span.end.month)
    assert month == parse_period(f"{day:%Y-%m}", today=TODAY)
    assert quarter == parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}", today=TODAY)
    assert (month.kind(), quarter.kind(), year.kind()) == ("month", "quarter", "year")
    assert month.slug() == f"{day:%Y-%m}" and year.slug() == str(day.year)


@given(st.text(max_size=60))
def test_any_text_is_a_period_or_a_named_mistake(text: str) -> None:
    try:
        span = parse_period(text, today=TODAY)
    except PeriodError as error:
        assert error.code.startswith("report_period_")
        assert len(str(error.params["text"])) <= 40
    else:
        assert span.start <= span.end and span.start <= TODAY and span.days <= MAX_DAYS


@given(days)
def test_the_offered_choices_hold_today_or_come_before(today: date) -> None:
    offered = choices(today)
    for key in ("this_month", "this_quarter", "this_year"):
        assert offered[key].start <= today <= offered[key].end
    assert offered["last_month"].end + timedelta(days=1) == offered["this_month"].start
    assert offered["last_quarter"].end + timedelta(days=1) == offered["this_quarter"].start
    for span in offered.values():  # what a button carries comes back the same
        assert from_compact(compact(span.start), compact(span.end), today=today) == span


@pytest.mark.parametrize(
    ("start", "end"),
    [("20261301", "20261331"), ("2026111", "20261130"), ("20261201", "20261231"),
     ("20261130", "20261101"), ("20000101", "20261130")],
)  # fmt: skip
def test_a_forged_button_period_is_refused(start: str, end: str) -> None:
    with pytest.raises(PeriodError):
        from_compact(start, end, today=TODAY)
