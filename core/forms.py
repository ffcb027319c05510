"""Self-check forms (tự kiểm tra) are data: versioned YAML files in `data/forms/`.

A form is a list of questions; a choice question has options (the label a member sees, the
value stored), and an option may raise a flag for the secretary: `support` (the member
wants help) or `follow_up` (worth a talk). A flag is a suggestion to talk, never a verdict.
A question may apply only to some members (`when: has_post`), may allow a short comment, or
may be a short optional text (`kind: text`).

Loading checks everything and fails with one `FormError` naming the file, the question and
the problem, so a typo in a form never reaches a member.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "forms"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
_VALUE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
LABEL_MAX = 40  # a button on a phone
TEXT_MAX = 600
OPTIONS_MIN, OPTIONS_MAX = 2, 8
QUESTIONS_MAX = 40
ANSWER_TEXT_MAX = 500


E = TypeVar("E", bound=enum.StrEnum)


class FormError(ValueError):
    """A form file that cannot be used; the message names the file, question and problem."""


class Period(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class FlagKind(enum.StrEnum):
    SUPPORT = "support"  # the member would like help (health, family, work)
    FOLLOW_UP = "follow_up"  # worth a private talk with the secretary


class Condition(enum.StrEnum):
    HAS_POST = "has_post"  # the member holds a leadership post


class QuestionKind(enum.StrEnum):
    CHOICE = "choice"
    TEXT = "text"  # a short optional text only the secretary reads


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    value: str
    flag: FlagKind | None = None


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    topic: str  # what the secretary sees next to a flag: never the full text
    text: str
    kind: QuestionKind = QuestionKind.CHOICE
    options: tuple[Option, ...] = ()
    when: Condition | None = None
    comment: bool = False  # a short optional comment after the choice
    optional: bool = False
    max_length: int = 0  # for text questions

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    version: int
    period: Period
    title: str
    intro: str
    questions: tuple[Question, ...]

    @property
    def key(self) -> tuple[str, int]:
        return self.name, self.version

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def applicable(self, conditions: frozenset[Condition]) -> tuple[Question, ...]:
        """The questions a member with these `conditions` is asked, in order."""
        return tuple(q for q in self.questions if q.when is None or q.when in conditions)


FORM_KEYS = {"form", "version", "period", "title", "intro", "questions"}
QUESTION_KEYS = {"id", "topic", "text", "kind", "options", "when", "comment", "optional"}
QUESTION_KEYS |= {"max_length"}
OPTION_KEYS = {"label", "value", "flag"}


def load_form(path: Path) -> Form:
    """Read and check one form file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise FormError(f"{path}: not valid YAML{where}") from None
    return parse_form(raw, str(path))


def load_forms(folder: Path = DEFAULT_DIR) -> dict[tuple[str, int], Form]:
    """Every `*.yaml` form in `folder`, by (name, version); a name+version twice fails."""
    forms: dict[tuple[str, int], Form] = {}
    for path in sorted(folder.glob("*.yaml")):
        form = load_form(path)
        if form.key in forms:
            raise FormError(f"{path}: form {form.name} version {form.version} defined twice")
        forms[form.key] = form
    return forms


@functools.cache
def default_forms() -> dict[tuple[str, int], Form]:
    """The forms shipped in `data/forms/`, read once per process."""
    return load_forms(DEFAULT_DIR)


def newest(forms: Mapping[tuple[str, int], Form], name: str) -> Form | None:
    versions = [form for (form_name, _), form in forms.items() if form_name == name]
    return max(versions, key=lambda f: f.version, default=None)


def parse_form(raw: object, source: str) -> Form:
    """Check a form already read from YAML (`source` names it in errors)."""
    data = _mapping(raw, source, "the file", FORM_KEYS)
    name = _text(data, "form", source, "the file", pattern=_VALUE)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 9999:
        raise FormError(f"{source}: version must be a whole number from 1 to 9999")
    period = _enum(Period, data.get("period"), source, "period")
    questions_raw = data.get("questions")
    if not isinstance(questions_raw, list) or not questions_raw:
        raise FormError(f"{source}: questions must be a non-empty list")
    if len(questions_raw) > QUESTIONS_MAX:
        raise FormError(f"{source}: at most {QUESTIONS_MAX} questions")
    questions = tuple(
        _question(item, source, index) for index, item in enumerate(questions_raw, start=1)
    )
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise FormError(f"{source}: question {question.id}: id used twice")
        seen.add(question.id)
    return Form(
        name=name,
        version=version,
        period=period,
        title=_text(data, "title", source, "the file"),
        intro=_text(data, "intro", source, "the file", required=False),
        questions=questions,
    )


def _question(raw: object, source: str, index: int) -> Question:
    where = f"question {index}"
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        where = f"question {raw['id']}"
    data = _mapping(raw, source, where, QUESTION_KEYS)
    question_id = _text(data, "id", source, where, pattern=_ID)
    kind = _enum(QuestionKind, data.get("kind", "choice"), source, f"{where}: kind")
    when = data.get("when")
    condition = None if when is None else _enum(Condition, when, source, f"{where}: when")
    question = Question(
        id=question_id,
        topic=_text(data, "topic", source, where, limit=LABEL_MAX * 2),
        text=_text(data, "text", source, where),
        kind=kind,
        when=condition,
        comment=_flag(data, "comment", source, where),
        optional=_flag(data, "optional", source, where),
    )
    if kind is QuestionKind.TEXT:
        if "options" in data:
            raise FormError(f"{source}: {where}: a text question has no options")
        length = data.get("max_length", 300)
        if not isinstance(length, int) or isinstance(length, bool):
            raise FormError(f"{source}: {where}: max_length must be a whole number")
        if not 10 <= length <= ANSWER_TEXT_MAX:
            raise FormError(f"{source}: {where}: max_length must be 10 to {ANSWER_TEXT_MAX}")
        return replace(question, max_length=length)
    if "max_length" in data:
        raise FormError(f"{source}: {where}: max_length is only for text questions")
    return replace(question, options=_options(data.get("options"), source, where))


def _options(raw: object, source: str, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not OPTIONS_MIN <= len(raw) <= OPTIONS_MAX:
        raise FormError(f"{source}: {where}: options must be a list of 2 to {OPTIONS_MAX}")
    options: list[Option] = []
    for number, item in enumerate(raw, start=1):
        at = f"{where}: option {number}"
        data = _mapping(item, source, at, OPTION_KEYS)
        flag = data.get("flag")
        options.append(
            Option(
                label=_text(data, "label", source, at, limit=LABEL_MAX),
                value=_text(data, "value", source, at, pattern=_VALUE),
                flag=None if flag is None else _enum(FlagKind, flag, source, f"{at}: flag"),
            )
        )
    for field_name in ("value", "label"):
        values = [getattr(o, field_name) for o in options]
        if len(set(values)) != len(values):
            raise FormError(f"{source}: {where}: two options have the same {field_name}")
    return tuple(options)


def _mapping(raw: object, source: str, where: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise FormError(f"{source}: {where}: expected a mapping of keys to values")
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise FormError(f"{source}: {where}: unknown key {unknown[0]!r}")
    return raw


def _text(
    data: Mapping[str, Any],
    key: str,
    source: str,
    where: str,
    *,
    limit: int = TEXT_MAX,
    pattern: re.Pattern[str] | None = None,
    required: bool = True,
) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise FormError(f"{source}: {where}: {key} must be a non-empty text")
    value = " ".join(value.split())
    if len(value) > limit:
        raise FormError(f"{source}: {where}: {key} is longer than {limit} characters")
    if pattern is not None and not pattern.match(value):
        raise FormError(f"{source}: {where}: {key} {value!r} has characters not allowed")
    return value


def _flag(data: Mapping[str, Any], key: str, source: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise FormError(f"{source}: {where}: {key} must be true or false")
    return value


def _enum(cls: type[E], value: object, source: str, where: str) -> E:
    allowed = ", ".join(m.value for m in cls)
    if not isinstance(value, str):
        raise FormError(f"{source}: {where}: must be one of {allowed}")
    try:
        return cls(value)
    except ValueError:
        raise FormError(f"{source}: {where}: {value!r} is not one of {allowed}") from None
