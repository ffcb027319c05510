"""The draft's aggregation rules for self-check flags (research-vi.md §8.2 and §8.3).

Each rule looks at one member's history and may give the secretary a suggestion: whom to
visit, whom to talk with, which rule to keep in mind. A suggestion is never a conclusion;
no rule labels a member, and nothing here ever says "suy thoái".

| Rule (catalogue key)  | When                                                             |
|-----------------------|------------------------------------------------------------------|
| flag_hint_visit       | an open "support" flag                                           |
| flag_hint_rules       | an open flag on M1 (meetings) or M2 (dues): the statute's yearly |
|                       | threshold as a plain fact, with the months the member named it  |
| flag_hint_talk        | flags in two consecutive monthly periods, on ≥ 2 different       |
|                       | questions together, one of them still open                       |
| flag_hint_quarter     | open flags of a quarterly self-check (the "C" answers)           |
| flag_hint_light       | the same "B" answer on the same quarterly question in the last   |
|                       | quarter the member sent and the quarter before                   |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.forms import FlagKind, Period

RULES_QUESTIONS = frozenset({"M1", "M2"})  # monthly form: meetings attended, dues paid
REPEATED_ANSWER = "b"  # quarterly scale: "at times not yet, correcting it"
NORMAL_B = frozenset({"Q4"})  # §8.3: on Q4 (speaking up) "B" is an ordinary answer


def period_index(kind: Period, starts_on: date) -> int:
    """Months (or quarters) since year 0: consecutive periods differ by one."""
    if kind is Period.MONTHLY:
        return starts_on.year * 12 + starts_on.month - 1
    return starts_on.year * 4 + (starts_on.month - 1) // 3


@dataclass(frozen=True, slots=True)
class FlagFact:
    """One flag of a member (open or already contacted) and the period it belongs to."""

    question_id: str
    kind: str
    open: bool
    period: Period
    index: int
    label: str  # the period's label, "11/2026"
    year: int


@dataclass(frozen=True, slots=True)
class RepeatFact:
    """A "B" answer in a quarterly self-check the member sent."""

    question_id: str
    topic: str
    answer: str  # the option's label
    index: int


@dataclass(frozen=True, slots=True)
class History:
    flags: list[FlagFact]
    repeats: list[RepeatFact]
    last_quarter: int | None  # the newest quarterly self-check the member sent
    year_limit: int  # the statute's months in a year (a setting)


@dataclass(frozen=True, slots=True)
class Hint:
    key: str
    params: dict[str, Any]


Rule = Callable[[History], dict[str, Any] | None]


def _support(h: History) -> dict[str, Any] | None:
    return {} if any(f.open and f.kind == FlagKind.SUPPORT for f in h.flags) else None


def _meetings_or_dues(h: History) -> dict[str, Any] | None:
    named = [f for f in h.flags if f.question_id in RULES_QUESTIONS and f.period is Period.MONTHLY]
    if not any(f.open for f in named):
        return None
    year = max(f.year for f in named)
    months = {f.index for f in named if f.year == year}
    return {"limit": h.year_limit, "year": year, "count": len(months)}


def _two_months(h: History) -> dict[str, Any] | None:
    monthly = [f for f in h.flags if f.period is Period.MONTHLY]
    if not monthly:
        return None
    newest = max(f.index for f in monthly)
    pair = [f for f in monthly if f.index in (newest - 1, newest)]
    before = [f for f in pair if f.index == newest - 1]
    if not before or not any(f.open for f in pair):
        return None
    different = {f.question_id for f in pair}
    if len(different) < 2:
        return None
    after = next(f for f in pair if f.index == newest)
    return {"count": len(different), "first": before[0].label, "second": after.label}


def _quarterly_help(h: History) -> dict[str, Any] | None:
    count = sum(1 for f in h.flags if f.open and f.period is Period.QUARTERLY)
    return {"count": count} if count else None


def _same_b(h: History) -> dict[str, Any] | None:
    if h.last_quarter is None:
        return None
    newest = h.last_quarter
    before = {r.question_id for r in h.repeats if r.index == newest - 1}
    again = [
        r
        for r in h.repeats
        if r.index == newest and r.question_id in before and r.question_id not in NORMAL_B
    ]
    if not again:
        return None
    return {"answer": again[0].answer, "topics": ", ".join(r.topic for r in again)}


RULES: tuple[tuple[str, Rule], ...] = (
    ("flag_hint_visit", _support),
    ("flag_hint_rules", _meetings_or_dues),
    ("flag_hint_talk", _two_months),
    ("flag_hint_quarter", _quarterly_help),
    ("flag_hint_light", _same_b),
)


def hints(history: History) -> list[Hint]:
    """The suggestions for one member, in the order of the table."""
    found = [(key, rule(history)) for key, rule in RULES]
    return [Hint(key, params) for key, params in found if params is not None]
