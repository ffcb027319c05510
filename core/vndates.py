"""Dates and times as people type them in Vietnamese: "5/12", "thứ 7 tuần sau", "7h30 tối".

Strict enough never to guess, lenient about case, diacritics and spaces. Every failure is a
:class:`DateInputError` whose ``code`` names a text in ``core.catalogue.dates`` and whose
``params`` fill it. Time is passed in (``today`` / ``now``); nothing here reads the clock.

Judgement calls:

- The day always comes before the month; a two-digit year is 20xx.
- A date without a year is its next occurrence: this year, or next year when (month, day) is
  already behind today. If that year has no such day ("29/2" in 2027) it is impossible.
- A weekday alone (or with "này") is the nearest such day, today included. "tuần sau" and
  "tuần tới" mean that day in next week, "tuần này" in this week (weeks start on Monday), so
  on a Sunday "thứ 2" and "thứ 2 tuần sau" are both tomorrow.
- "hôm qua" and "hôm kia" are answered with ``date_past``; "mốt" typed as "một" is refused.
- A time period fixes the hour: "sáng" 0-11, "trưa" 11-14 (1-2 mean 13-14), "chiều"/"pm"
  add 12 to 1-11 and keep 12-23, "tối" the same but "12 giờ tối" is refused like
  "12 giờ sáng". Minutes may be "rưỡi" (:30) or "kém 15" (a quarter to).
- ``parse_datetime`` accepts the period next to the date ("tối nay 7h", "chiều thứ 7 lúc 3h").
  Two different readings of the same text ("5.12 10.11") are refused as ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from core.vntext import fold

__all__ = ["DATE_ERROR_CODES", "DateInputError", "parse_date", "parse_datetime", "parse_time"]

DATE_ERROR_CODES: frozenset[str] = frozenset(
    {
        "date_unreadable",
        "date_impossible",
        "date_past",
        "date_missing",
        "time_unreadable",
        "time_impossible",
        "time_missing",
        "datetime_unreadable",
        "datetime_ambiguous",
    }
)
_UNREADABLE = frozenset({"date_unreadable", "time_unreadable"})

_SHOWN_MAX = 40  # characters of the input echoed back in a message
_MAX_WORDS = 16  # more words than any accepted date and time together


class DateInputError(ValueError):
    """Typed text is not a usable date or time; ``code`` is one of :data:`DATE_ERROR_CODES`."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, str | int] = {"text": _shown(text)}


def _shown(text: str) -> str:
    shown = " ".join(unicodedata.normalize("NFC", text).split())
    return shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 1] + "…"


def _key(text: str) -> str:
    """Matching key: folded, trailing full stop or question mark dropped."""
    return fold(text).rstrip(".!? ")


# --- dates -----------------------------------------------------------------------------------

_DAY_PREFIX = r"(?:ngay )?(?:(?:mung|mong) )?"
_YEAR = r"(?P<y>[0-9]{4}|[0-9]{2})"
_NUMERIC = re.compile(
    _DAY_PREFIX + r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?:(?P=sep)" + _YEAR + ")?"
)
_WORDED = re.compile(
    _DAY_PREFIX + r"(?P<d>[0-9]{1,2}) thang (?P<m>[0-9]{1,2})(?: nam " + _YEAR + ")?"
)
_WEEKDAY = re.compile(
    r"(?:thu ?(?P<word>hai|ba|tu|nam|sau|bay|[2-7])|t(?P<short>[2-7])|(?P<sunday>chu nh[au]t|cn))"
    r"(?: (?P<week>nay|tuan nay|tuan sau|tuan toi))?"
)
_WEEKDAY_NUMBERS = {"hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7}
_NEXT_WEEK = frozenset({"tuan sau", "tuan toi"})
_RELATIVE_DAYS = {
    "hom nay": 0,
    "nay": 0,
    "mai": 1,
    "ngay mai": 1,
    "ngay kia": 2,
    "mot": 2,
    "ngay mot": 2,
    "hom qua": -1,
    "hom kia": -2,
}
_DAY_AFTER_TOMORROW = frozenset({"mot", "ngay mot"})


def parse_date(text: str, *, today: date) -> date:
    """The calendar date meant by ``text``, never before ``today``."""
    key = re.sub(r" ?/ ?", "/", _key(text))
    found = _relative(key, text, today) or _weekday(key, text, today)
    found = found or _calendar(key, text, today)
    if found is None:
        raise DateInputError("date_unreadable", text)
    return found


def _relative(key: str, text: str, today: date) -> date | None:
    offset = _RELATIVE_DAYS.get(key)
    if offset is None:
        return None
    if key in _DAY_AFTER_TOMORROW and "ộ" in unicodedata.normalize("NFC", text).lower():
        return None  # "một" (one) folds like "mốt" (the day after tomorrow)
    if offset < 0:
        raise DateInputError("date_past", text)
    return _shift(today, offset, text)


def _weekday(key: str, text: str, today: date) -> date | None:
    match = _WEEKDAY.fullmatch(key)
    if match is None:
        return None
    target = _weekday_index(match)
    week = match["week"]
    if week is None or week == "nay":
        return _shift(today, (target - today.weekday()) % 7, text)
    offset = target - today.weekday() + (7 if week in _NEXT_WEEK else 0)
    if offset < 0:
        raise DateInputError("date_past", text)
    return _shift(today, offset, text)


def _weekday_index(match: re.Match[str]) -> int:
    """Monday 0 ... Sunday 6, like ``date.weekday()``; "thứ 2" is Monday."""
    if match["sunday"]:
        return 6
    word = match["word"] or match["short"]
    number = _WEEKDAY_NUMBERS[word] if word in _WEEKDAY_NUMBERS else int(word)
    return number - 2


def _calendar(key: str, text: str, today: date) -> date | None:
    match = _NUMERIC.fullmatch(key) or _WORDED.fullmatch(key)
    if match is None:
        return None
    day, month = int(match["d"]), int(match["m"])
    if match["y"] is None:
        ahead = (month, day) >= (today.month, today.day)
        return _make_date(today.year if ahead else today.year + 1, month, day, text)
    year = int(match["y"])
    found = _make_date(year + 2000 if len(match["y"]) == 2 else year, month, day, text)
    if found < today:
        raise DateInputError("date_past", text)
    return found


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError("date_impossible", text) from None


def _shift(today: date, days: int, text: str) -> date:
    try:
        return today + timedelta(days=days)
    except OverflowError:
        raise DateInputError("date_impossible", text) from None


# --- times -----------------------------------------------------------------------------------

_TIME = re.compile(
    r"""
    (?P<h>[0-9]{1,2})
    (?P<unit>
        [:.](?P<mm>[0-9]{2})
      | [ ]?(?:h|g|gio)
        (?:
            [ ]?(?P<m>[0-9]{1,2})(?:[ ]?(?:p|phut))?
          | [ ]?(?P<half>ruoi)
          | [ ]?kem[ ]?(?P<less>[0-9]{1,2})(?:[ ]?(?:p|phut))?
        )?
    )?
    (?:[ ]?(?P<period>sang|trua|chieu|toi|am|pm))?
    """,
    re.VERBOSE,
)
_MORNING = frozenset({"sang", "am"})
_NOON_HOURS = {11: 11, 12: 12, 13: 13, 14: 14, 1: 13, 2: 14}


def parse_time(text: str) -> time:
    """The time of day meant by ``text`` (24-hour unless a period word says otherwise)."""
    match = _TIME.fullmatch(_key(text))
    if match is None or not (match["unit"] or match["period"]):  # a bare "19" is no time
        raise DateInputError("time_unreadable", text)
    hour, minute, less = int(match["h"]), _minute(match), int(match["less"] or 0)
    if hour > 23 or minute > 59 or less > 59:
        raise DateInputError("time_impossible", text)
    hour_of_day = _apply_period(hour, match["period"])
    if hour_of_day is None:
        raise DateInputError("time_unreadable", text)
    total = hour_of_day * 60 + minute - less
    if total < 0:
        raise DateInputError("time_impossible", text)
    return time(*divmod(total, 60))


def _minute(match: re.Match[str]) -> int:
    if match["half"]:
        return 30
    return int(match["mm"] or match["m"] or 0)


def _apply_period(hour: int, period: str | None) -> int | None:
    """The 24-hour hour, or None when the period contradicts the hour or leaves it ambiguous."""
    if period is None:
        return hour
    if period in _MORNING:
        return hour if hour <= 11 else None
    if period == "trua":
        return _NOON_HOURS.get(hour)
    if 1 <= hour <= 11:
        return hour + 12
    if hour == 12:
        return None if period == "toi" else 12
    return hour if hour >= 13 else None


# --- date and time together ------------------------------------------------------------------

_SEPARATORS = frozenset({"luc", "vao", "-", "–"})
_PERIODS = frozenset({"sang", "trua", "chieu", "toi", "am", "pm"})
_Words = tuple[str, ...]
_Reading = tuple[date, time] | DateInputError | None


def parse_datetime(text: str, *, now: datetime) -> datetime:
    """A local moment after ``now`` (aware); the result carries ``now.tzinfo``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    words = tuple(w for w in text.replace(",", " ").split() if fold(w) not in _SEPARATORS)
    if len(words) > _MAX_WORDS:
        raise DateInputError("datetime_unreadable", text)
    readings = [r for r in _readings(words, now.date()) if r is not None]
    moments = {r for r in readings if not isinstance(r, DateInputError)}
    if len(moments) > 1:
        raise DateInputError("datetime_ambiguous", text)
    if moments:
        day, clock = moments.pop()
        return _after(datetime.combine(day, clock, tzinfo=now.tzinfo), now, text)
    errors = [r for r in readings if isinstance(r, DateInputError)]
    raise errors[0] if errors else _missing_part(words, text, now.date())


def _after(moment: datetime, now: datetime, text: str) -> datetime:
    if moment <= now:
        raise DateInputError("date_past", text)
    return moment


def _readings(words: _Words, today: date) -> Iterator[_Reading]:
    """Every split of the words into a date part and a time part, in both orders."""
    for cut in range(1, len(words)):
        head, tail = words[:cut], words[cut:]
        for date_words, time_words in ((head, tail), (tail, head)):
            for core, period in _period_variants(date_words):
                yield _reading(core, _join(time_words, period), today)


def _period_variants(words: _Words) -> Iterator[tuple[_Words, str | None]]:
    """The words as they are, and without a period word at either end ("tối nay")."""
    yield words, None
    keys = [fold(w) for w in words]
    lead = 2 if keys[:1] == ["buoi"] else 1
    if len(words) > lead and keys[lead - 1] in _PERIODS:
        yield words[lead:], keys[lead - 1]
    trail = 2 if len(keys) > 1 and keys[-2] == "buoi" else 1
    if len(words) > trail and keys[-1] in _PERIODS:
        yield words[:-trail], keys[-1]


def _join(words: _Words, period: str | None) -> str:
    return " ".join((*words, period) if period else words)


def _reading(date_words: _Words, time_text: str, today: date) -> _Reading:
    """A (date, time), the error of a recognised but wrong part, or None if a part is not one."""
    day = _try_date(" ".join(date_words), today)
    clock = _try_time(time_text)
    if _unreadable(day) or _unreadable(clock):
        return None
    if isinstance(day, DateInputError):
        return day
    if isinstance(clock, DateInputError):
        return clock
    return day, clock


def _missing_part(words: _Words, text: str, today: date) -> DateInputError:
    for core, period in _period_variants(words):
        day = _try_date(" ".join(core), today)
        if not _unreadable(day):
            return day if isinstance(day, DateInputError) else DateInputError("time_missing", text)
        clock = _try_time(_join(core, period))
        if not _unreadable(clock):
            return (
                clock
                if isinstance(clock, DateInputError)
                else DateInputError("date_missing", text)
            )
    return DateInputError("datetime_unreadable", text)


def _try_date(text: str, today: date) -> date | DateInputError:
    try:
        return parse_date(text, today=today)
    except DateInputError as error:
        return error


def _try_time(text: str) -> time | DateInputError:
    try:
        return parse_time(text)
    except DateInputError as error:
        return error


def _unreadable(outcome: object) -> bool:
    return isinstance(outcome, DateInputError) and outcome.code in _UNREADABLE
