"""Tests for core.vndates: dates and times typed in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from string import Formatter
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.catalogue.dates import TEXTS
from core.vndates import DATE_ERROR_CODES, DateInputError, parse_date, parse_datetime, parse_time

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 27)  # a Friday
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=HANOI)

FRI, SAT, SUN, MON = (date(2026, 11, 27) + timedelta(days=n) for n in range(4))


def d(day: int, month: int, year: int = 2026) -> date:
    return date(year, month, day)


def error_code(action: Callable[[], object]) -> str:
    with pytest.raises(DateInputError) as caught:
        action()
    return caught.value.code


# --- parse_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/12", d(5, 12)),
        ("05/12", d(5, 12)),
        ("5-12", d(5, 12)),
        ("5.12", d(5, 12)),
        ("5 / 12", d(5, 12)),
        ("5/12/2026", d(5, 12)),
        ("05/12/26", d(5, 12)),
        ("5.12.2027", d(5, 12, 2027)),
        ("ngày 5/12", d(5, 12)),
        ("Ngày  05/12/2026.", d(5, 12)),
        ("mùng 5/12", d(5, 12)),
        ("ngày 5 tháng 12", d(5, 12)),
        ("NGÀY 5 THÁNG 12 NĂM 2026", d(5, 12)),
        ("ngay 5 thang 12 nam 26", d(5, 12)),
        ("5 tháng 12", d(5, 12)),
        ("hôm nay", TODAY),
        ("nay", TODAY),
        ("Mai", d(28, 11)),
        ("ngày mai", d(28, 11)),
        ("ngày kia", d(29, 11)),
        ("mốt", d(29, 11)),
        ("mot", d(29, 11)),
        ("ngày mốt", d(29, 11)),
        ("27/11", TODAY),
        ("5/1", d(5, 1, 2027)),
        ("26/11", d(26, 11, 2027)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (FRI, "thứ bảy", SAT),
        (FRI, "thứ 7", SAT),
        (FRI, "T7", SAT),
        (FRI, "thứ 6", FRI),
        (FRI, "thứ sáu tuần sau", d(4, 12)),
        (FRI, "thứ 5", d(3, 12)),
        (FRI, "thứ bảy tuần sau", d(5, 12)),
        (FRI, "chủ nhật", SUN),
        (FRI, "thứ hai", MON),
        (SAT, "thứ bảy", SAT),
        (SAT, "thứ bẩy này", SAT),
        (SAT, "thứ 7 tuần sau", d(5, 12)),
        (SAT, "cn", SUN),
        (SAT, "chủ nhật tuần sau", d(6, 12)),
        (SAT, "thứ 2", MON),
        (SUN, "chủ nhật", SUN),
        (SUN, "chủ nhật tuần tới", d(6, 12)),
        (SUN, "thứ 2", MON),
        (SUN, "thứ 2 tuần sau", MON),
        (SUN, "thứ 7", d(5, 12)),
        (SUN, "thứ 7 tuần này", None),
        (MON, "thứ 2", MON),
        (MON, "thứ 2 tuần sau", d(7, 12)),
        (MON, "cn", d(6, 12)),
        (MON, "thứ tư tuần này", d(2, 12)),
        (MON, "thứ 7 này", d(5, 12)),
        (d(31, 12), "thứ 6", d(1, 1, 2027)),
        (d(31, 12), "thứ năm tuần sau", d(7, 1, 2027)),
    ],
)
def test_weekdays_across_week_boundaries(today: date, text: str, expected: date | None) -> None:
    if expected is None:
        assert error_code(lambda: parse_date(text, today=today)) == "date_past"
    else:
        assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (d(31, 12), "mai", d(1, 1, 2027)),
        (d(31, 12), "1/1", d(1, 1, 2027)),
        (d(31, 12), "31/12", d(31, 12)),
        (d(30, 12), "ngày kia", d(1, 1, 2027)),
        (d(5, 3, 2027), "29/2", d(29, 2, 2028)),  # the next 29/2 is within a year
        (d(10, 1, 2028), "29/2", d(29, 2, 2028)),
        (d(10, 1, 2028), "29/2/2028", d(29, 2, 2028)),
        (d(1, 1, 2032), "29 tháng 2", d(29, 2, 2032)),
    ],
)
def test_year_rollover_and_leap_years(today: date, text: str, expected: date) -> None:
    assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("today", "text", "code"),
    [
        (TODAY, "31/2", "date_impossible"),
        (TODAY, "0/5", "date_impossible"),
        (TODAY, "5/13", "date_impossible"),
        (TODAY, "12/31", "date_impossible"),
        (TODAY, "32 tháng 1", "date_impossible"),
        (TODAY, "29/2/2027", "date_impossible"),
        (TODAY, "29/2/2100", "date_impossible"),
        (d(10, 1, 2027), "29/2", "date_impossible"),  # 2027 has none
        (d(1, 3, 2028), "29/2", "date_impossible"),  # passed, and 2029 has none
        (TODAY, "5/12/2025", "date_past"),
        (TODAY, "26/11/2026", "date_past"),
        (TODAY, "hôm qua", "date_past"),
        (TODAY, "hôm kia", "date_past"),
        (TODAY, "", "date_unreadable"),
        (TODAY, "abc", "date_unreadable"),
        (TODAY, "5", "date_unreadable"),
        (TODAY, "ngày 5", "date_unreadable"),
        (TODAY, "5/12/202", "date_unreadable"),
        (TODAY, "5/12-2026", "date_unreadable"),
        (TODAY, "19:30", "date_unreadable"),
        (TODAY, "thứ 8", "date_unreadable"),
        (TODAY, "t1", "date_unreadable"),
        (TODAY, "ngày một", "date_unreadable"),  # "một" (one), not "mốt"
        (TODAY, "٥/١٢", "date_unreadable"),  # only ASCII digits
    ],
)
def test_date_errors(today: date, text: str, code: str) -> None:
    assert error_code(lambda: parse_date(text, today=today)) == code


def test_error_shows_the_input_tidied_and_short() -> None:
    with pytest.raises(DateInputError) as caught:
        parse_date("  31 /  2  ", today=TODAY)
    assert caught.value.params == {"text": "31 / 2"}
    with pytest.raises(DateInputError) as caught:
        parse_date("x" * 500, today=TODAY)
    assert caught.value.params["text"] == "x" * 39 + "…"
    assert isinstance(caught.value, ValueError)


# --- parse_time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:30", time(19, 30)),
        ("19h30", time(19, 30)),
        ("19H30", time(19, 30)),
        ("19h", time(19)),
        ("19 giờ", time(19)),
        ("19 giờ 30", time(19, 30)),
        ("19 gio 30 phut", time(19, 30)),
        ("19g30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("07:05", time(7, 5)),
        ("7h5", time(7, 5)),
        ("0h", time(0)),
        ("23:59", time(23, 59)),
        ("7h30 tối", time(19, 30)),
        ("7 giờ tối", time(19)),
        ("7 tối", time(19)),
        ("19h tối", time(19)),
        ("7h30 sáng", time(7, 30)),
        ("0 giờ sáng", time(0)),
        ("11h trưa", time(11)),
        ("12h trưa", time(12)),
        ("1h trưa", time(13)),
        ("2 giờ trưa", time(14)),
        ("3h chiều", time(15)),
        ("12h chiều", time(12)),
        ("15h chiều", time(15)),
        ("7pm", time(19)),
        ("7h30 am", time(7, 30)),
        ("7 giờ rưỡi", time(7, 30)),
        ("8 giờ kém 15", time(7, 45)),
        ("8h kém 15 tối", time(19, 45)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("19h65", "time_impossible"),
        ("24:00", "time_impossible"),
        ("25h", "time_impossible"),
        ("7h kém 60", "time_impossible"),
        ("0h kém 15", "time_impossible"),
        ("12 giờ sáng", "time_unreadable"),  # noon or midnight?
        ("12 giờ tối", "time_unreadable"),
        ("19h sáng", "time_unreadable"),
        ("3h trưa", "time_unreadable"),
        ("0h chiều", "time_unreadable"),
        ("19", "time_unreadable"),
        ("1930", "time_unreadable"),
        ("19:5", "time_unreadable"),
        ("19h300", "time_unreadable"),
        ("", "time_unreadable"),
        ("tối", "time_unreadable"),
        ("19h đêm", "time_unreadable"),
    ],
)
def test_time_errors(text: str, code: str) -> None:
    assert error_code(lambda: parse_time(text)) == code


# --- parse_datetime --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/12/2026 19:30", datetime(2026, 12, 5, 19, 30)),
        ("5/12 lúc 19h30", datetime(2026, 12, 5, 19, 30)),
        ("5/12, 19h30", datetime(2026, 12, 5, 19, 30)),
        ("5/12 - 19h30", datetime(2026, 12, 5, 19, 30)),
        ("5.12 19.30", datetime(2026, 12, 5, 19, 30)),
        ("19h30 ngày 5/12", datetime(2026, 12, 5, 19, 30)),
        ("19:30 5/12/2026", datetime(2026, 12, 5, 19, 30)),
        ("lúc 19 giờ ngày 5 tháng 12 năm 2026", datetime(2026, 12, 5, 19)),
        ("ngày 5 tháng 12 vào lúc 7h tối", datetime(2026, 12, 5, 19)),
        ("mai 7h tối", datetime(2026, 11, 28, 19)),
        ("7h tối mai", datetime(2026, 11, 28, 19)),
        ("tối mai lúc 7h", datetime(2026, 11, 28, 19)),
        ("tối nay 7h", datetime(2026, 11, 27, 19)),
        ("hôm nay 10:01", datetime(2026, 11, 27, 10, 1)),
        ("buổi chiều thứ 7 tuần tới lúc 3h", datetime(2026, 12, 5, 15)),
        ("thứ 7 chiều 3h", datetime(2026, 11, 28, 15)),
        ("8h sáng thứ 2", datetime(2026, 11, 30, 8)),
    ],
)
def test_datetimes_in_either_order(text: str, expected: datetime) -> None:
    result = parse_datetime(text, now=NOW)
    assert result == expected.replace(tzinfo=HANOI)
    assert result.tzinfo is HANOI and result.utcoffset() == timedelta(hours=7)


def test_datetime_is_local_to_now() -> None:
    late_utc = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # already 28/11 03:00 in Hà Nội
    local = late_utc.astimezone(HANOI)
    assert parse_datetime("mai 19h", now=local) == datetime(2026, 11, 29, 19, tzinfo=HANOI)
    assert parse_datetime("mai 19h", now=late_utc) == datetime(2026, 11, 28, 19, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "code", "shown"),
    [
        ("hôm nay 10:00", "date_past", "hôm nay 10:00"),  # now is not after now
        ("hôm nay 9h", "date_past", "hôm nay 9h"),
        ("5/12/2025 19h", "date_past", "5/12/2025"),
        ("hôm qua 19h", "date_past", "hôm qua"),
        ("31/2 19h", "date_impossible", "31/2"),
        ("5/12 19h65", "time_impossible", "19h65"),
        ("5/12", "time_missing", "5/12"),
        ("tối mai", "time_missing", "tối mai"),
        ("19h30", "date_missing", "19h30"),
        ("tối 7h", "date_missing", "tối 7h"),
        ("5.12 10.11", "datetime_ambiguous", "5.12 10.11"),  # 5/12 10:11 or 10/11 05:12
        ("họp chi bộ", "datetime_unreadable", "họp chi bộ"),
        ("", "datetime_unreadable", ""),
        ("mai 7h tối sáng", "datetime_unreadable", "mai 7h tối sáng"),
        ("1 " * 40, "datetime_unreadable", ("1 " * 20).strip()[:39] + "…"),
    ],
)
def test_datetime_errors(text: str, code: str, shown: str) -> None:
    with pytest.raises(DateInputError) as caught:
        parse_datetime(text, now=NOW)
    assert (caught.value.code, caught.value.params) == (code, {"text": shown})


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_datetime("mai 19h", now=datetime(2026, 11, 27, 10))
    assert not isinstance(caught.value, DateInputError)


# --- catalogue -------------------------------------------------------------------------------


def test_every_code_has_a_text_with_only_the_text_placeholder() -> None:
    assert TEXTS.keys() == DATE_ERROR_CODES
    for code, template in TEXTS.items():
        names = {name for _, name, _, _ in Formatter().parse(template) if name}
        assert names == {"text"}, code
        assert "ví dụ" in template, code


# --- properties ------------------------------------------------------------------------------

PIECES = [
    *"0123456789/.-:, ",
    "h",
    "g",
    "giờ",
    "phút",
    "rưỡi",
    "kém",
    "sáng",
    "trưa",
    "chiều",
    "tối",
    "pm",
    "ngày",
    "tháng",
    "năm",
    "mùng",
    "mai",
    "mốt",
    "một",
    "kia",
    "hôm",
    "nay",
    "qua",
    "thứ",
    "bảy",
    "tư",
    "t7",
    "cn",
    "chủ nhật",
    "tuần",
    "sau",
    "tới",
    "này",
    "buổi",
    "lúc",
]
datey_text = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
any_text = st.one_of(st.text(max_size=60), datey_text)
todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
nows = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 12, 31),
    timezones=st.sampled_from([HANOI, UTC, ZoneInfo("America/New_York")]),
)


def check_error(error: DateInputError) -> None:
    assert error.code in DATE_ERROR_CODES
    assert TEXTS[error.code].format_map(error.params)


@given(any_text, todays)
def test_parse_date_raises_only_date_input_errors(text: str, today: date) -> None:
    try:
        assert parse_date(text, today=today) >= today
    except DateInputError as error:
        check_error(error)


@given(any_text)
def test_parse_time_raises_only_date_input_errors(text: str) -> None:
    try:
        parse_time(text)
    except DateInputError as error:
        check_error(error)


@given(any_text, nows)
def test_parse_datetime_raises_only_date_input_errors(text: str, now: datetime) -> None:
    try:
        result = parse_datetime(text, now=now)
    except DateInputError as error:
        check_error(error)
    else:
        assert result > now and result.tzinfo is now.tzinfo


@given(
    st.dates(date(2000, 1, 1), date(9999, 12, 31)),
    st.sampled_from(["mai", "mốt", "cn tuần sau", "1/1"]),
)
def test_relative_words_at_the_end_of_the_calendar(today: date, text: str) -> None:
    try:
        found = parse_date(text, today=today)
    except DateInputError as error:
        assert error.code == "date_impossible"
    else:
        # "1/1" typed on 1 January is today itself (a date without a year is today or later).
        assert found > today or (text == "1/1" and found == today)


@given(st.dates(date(2026, 1, 1), date(2035, 12, 31)), st.data())
def test_dates_round_trip(day: date, data: st.DataObject) -> None:
    today = data.draw(st.dates(date(2026, 1, 1), day))
    assert parse_date(day.strftime("%d/%m/%Y"), today=today) == day
    assert parse_date(f"ngày {day.day} tháng {day.month} năm {day.year}", today=today) == day


@given(st.dates(date(2026, 1, 1), date(2035, 12, 31)), st.integers(0, 364))
def test_dates_without_year_fall_within_the_coming_year(today: date, ahead: int) -> None:
    day = today + timedelta(days=ahead)
    assert parse_date(day.strftime("%d/%m"), today=today) == day


@given(st.times())
def test_times_round_trip(moment: time) -> None:
    h, m = moment.hour, moment.minute
    assert parse_time(f"{h}h{m:02d}") == time(h, m)
    assert parse_time(f"{h:02d}:{m:02d}") == time(h, m)


@given(st.dates(date(2026, 1, 1), date(2035, 12, 31)), st.times(), st.booleans())
def test_datetimes_round_trip(day: date, moment: time, time_first: bool) -> None:
    moment = moment.replace(second=0, microsecond=0)
    now = datetime(2026, 1, 1, tzinfo=HANOI) - timedelta(minutes=1)
    date_part, time_part = day.strftime("%d/%m/%Y"), moment.strftime("%H:%M")
    text = f"{time_part} ngày {date_part}" if time_first else f"{date_part} lúc {time_part}"
    assert parse_datetime(text, now=now) == datetime.combine(day, moment, tzinfo=HANOI)
