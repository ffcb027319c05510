"""Self-check forms as data: the default forms, every way a form file can be wrong, and
property tests that loading never fails with anything but a FormError naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.forms import (
    DEFAULT_DIR,
    LABEL_MAX,
    Condition,
    FlagKind,
    Form,
    FormError,
    Period,
    QuestionKind,
    load_form,
    load_forms,
    parse_form,
)
from core.payloads import encode

SOURCE = "forms/test.yaml"


def minimal(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "form": "monthly",
        "version": 1,
        "period": "monthly",
        "title": "Tự kiểm tra hằng tháng",
        "questions": [
            {
                "id": "M1",
                "topic": "Dự sinh hoạt",
                "text": "Đồng chí đã dự họp chưa ạ?",
                "options": [
                    {"label": "Đã dự", "value": "yes_went"},
                    {"label": "Vắng", "value": "absent", "flag": "follow_up"},
                ],
            }
        ],
    }
    form.update(changes)
    return form


# --- the forms we ship ---------------------------------------------------------------------------


def test_default_forms_load() -> None:
    forms = load_forms(DEFAULT_DIR)
    monthly, quarterly = forms[("monthly", 1)], forms[("quarterly", 1)]
    assert monthly.period is Period.MONTHLY and len(monthly.questions) == 14
    assert quarterly.period is Period.QUARTERLY
    # The conditional question is asked only of members with a leadership post.
    everyone = {q.id for q in quarterly.applicable(frozenset())}
    with_post = {q.id for q in quarterly.applicable(frozenset({Condition.HAS_POST}))}
    assert with_post - everyone == {"Q10"}
    q18 = quarterly.question("Q18")
    assert q18 is not None and q18.kind is QuestionKind.TEXT and q18.optional


@pytest.mark.parametrize("key", [("monthly", 1), ("quarterly", 1)])
def test_default_forms_follow_the_drafting_principles(key: tuple[str, int]) -> None:
    form = load_forms(DEFAULT_DIR)[key]
    for question in form.questions:
        assert not question.text.isascii(), question.id  # Vietnamese with diacritics
        for option in question.options:
            assert len(option.label) <= LABEL_MAX
            # An answer fits a Telegram button's callback data, whatever the prefix.
            encode("sca", 999999, question.id, option.value)
        if question.kind is QuestionKind.CHOICE:
            # The first option is always the "fine" answer: it never raises a flag.
            assert question.options[0].flag is None, question.id
    flagged = [o for q in form.questions for o in q.options if o.flag is not None]
    assert flagged, "a form with no flags cannot suggest a talk"


def test_monthly_flags_follow_the_draft() -> None:
    monthly = load_forms(DEFAULT_DIR)[("monthly", 1)]

    def flag(question: str, value: str) -> FlagKind | None:
        found = monthly.question(question)
        assert found is not None
        option = found.option(value)
        assert option is not None
        return option.flag

    assert flag("M1", "absent_unreported") is FlagKind.FOLLOW_UP
    assert flag("M7", "wants_help") is FlagKind.SUPPORT
    assert flag("M14", "wants_meeting") is FlagKind.FOLLOW_UP
    assert flag("M4", "not_yet") is None  # a gentle reminder, never a flag


# --- what a broken file says -------------------------------------------------------------------


def question(**changes: Any) -> dict[str, Any]:
    base = dict(minimal()["questions"][0])
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


BROKEN: list[tuple[dict[str, Any], str]] = [
    (minimal(version=0), "version must be a whole number"),
    (minimal(version="1"), "version must be a whole number"),
    (minimal(period="weekly"), "period: 'weekly' is not one of monthly, quarterly"),
    (minimal(questions=[]), "questions must be a non-empty list"),
    (minimal(title=""), "the file: title must be a non-empty text"),
    (minimal(colour="red"), "the file: unknown key 'colour'"),
    (minimal(form="Tháng"), "form 'Tháng' has characters not allowed"),
    (minimal(questions=[question(), question()]), "question M1: id used twice"),
    (minimal(questions=[question(id="1a")]), "id '1a' has characters not allowed"),
    (minimal(questions=[question(text=None)]), "question M1: text must be a non-empty text"),
    (minimal(questions=[question(when="is_old")]), "question M1: when: 'is_old' is not one of"),
    (minimal(questions=[question(kind="scale")]), "question M1: kind: 'scale' is not one of"),
    (minimal(questions=[question(comment="yes")]), "question M1: comment must be true or false"),
    (minimal(questions=[question(options=[{"label": "Có", "value": "a"}])]), "options must be"),
    (
        minimal(questions=[question(options=[{"label": "Có", "value": True}] * 2)]),
        "question M1: option 1: value must be a non-empty text",
    ),
    (
        minimal(
            questions=[
                question(options=[{"label": "Có", "value": "a"}, {"label": "Có", "value": "b"}])
            ]
        ),
        "question M1: two options have the same label",
    ),
    (
        minimal(
            questions=[
                question(
                    options=[
                        {"label": "Có", "value": "a"},
                        {"label": "Không", "value": "b", "flag": "bad_member"},
                    ]
                )
            ]
        ),
        "question M1: option 2: flag: 'bad_member' is not one of support, follow_up",
    ),
    (
        minimal(questions=[question(options=[{"label": "x" * 41, "value": "a"}] * 2)]),
        "question M1: option 1: label is longer than 40 characters",
    ),
    (
        minimal(questions=[question(kind="text", max_length=5000)]),
        "question M1: a text question has no options",
    ),
    (
        minimal(questions=[question(kind="text", options=None, max_length=5000)]),
        "question M1: max_length must be 10 to 500",
    ),
    (minimal(questions=[question(max_length=100)]), "max_length is only for text questions"),
    (minimal(questions=["M1"]), "question 1: expected a mapping"),
]


@pytest.mark.parametrize(("raw", "problem"), BROKEN)
def test_a_broken_form_names_file_question_and_problem(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(FormError) as caught:
        parse_form(raw, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: ") and problem in message, message


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("form: monthly\nquestions: [\n", encoding="utf-8")
    with pytest.raises(FormError, match=r"bad\.yaml: not valid YAML at line \d+"):
        load_form(bad)
    with pytest.raises(FormError, match=r"missing\.yaml: cannot be read"):
        load_form(tmp_path / "missing.yaml")
    # YAML 1.1 reads a bare `yes` as true: the loader refuses it instead of storing True.
    yes = tmp_path / "yes.yaml"
    text = yaml.safe_dump(minimal(), allow_unicode=True).replace("yes_went", "yes")
    yes.write_text(text, encoding="utf-8")
    with pytest.raises(FormError, match="option 1: value must be a non-empty text"):
        load_form(yes)


def test_the_same_version_twice_is_refused(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(minimal(), allow_unicode=True), "utf-8")
    with pytest.raises(FormError, match=r"b\.yaml: form monthly version 1 defined twice"):
        load_forms(tmp_path)


# --- properties ---------------------------------------------------------------------------------

words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạ ", min_size=1, max_size=30).filter(
    lambda s: s.strip()
)
values = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@st.composite
def forms(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 6))
    questions = []
    for index in range(count):
        labels = draw(
            st.lists(words, min_size=2, max_size=5, unique_by=lambda s: " ".join(s.split()))
        )
        option_values = draw(
            st.lists(values, min_size=len(labels), max_size=len(labels), unique=True)
        )
        flags = draw(
            st.lists(
                st.sampled_from([None, "support", "follow_up"]),
                min_size=len(labels),
                max_size=len(labels),
            )
        )
        options = [
            {"label": label, "value": value} | ({"flag": flag} if flag else {})
            for label, value, flag in zip(labels, option_values, flags, strict=True)
        ]
        questions.append(
            {
                "id": f"Q{index}",
                "topic": draw(words),
                "text": draw(words),
                "options": options,
                **({"when": "has_post"} if draw(st.booleans()) else {}),
            }
        )
    return minimal(version=draw(st.integers(1, 9999)), questions=questions)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(forms())
def test_a_valid_form_survives_a_yaml_round_trip(raw: dict[str, Any]) -> None:
    text = yaml.safe_dump(raw, allow_unicode=True)
    form = parse_form(yaml.safe_load(text), SOURCE)
    assert isinstance(form, Form)
    assert [q.id for q in form.questions] == [q["id"] for q in raw["questions"]]
    for parsed, given_q in zip(form.questions, raw["questions"], strict=True):
        assert [o.value for o in parsed.options] == [o["value"] for o in given_q["options"]]
        assert [o.flag for o in parsed.options] == [
            None if "flag" not in o else FlagKind(o["flag"]) for o in given_q["options"]
        ]


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(json_like)
def test_any_yaml_value_is_a_form_or_a_form_error(raw: object) -> None:
    try:
        parse_form(raw, SOURCE)
    except FormError as error:
        assert str(error).startswith(f"{SOURCE}: ")


@settings(max_examples=150)
@given(forms(), st.sampled_from(["form", "version", "period", "title", "questions"]), json_like)
def test_one_bad_field_is_a_form_error(raw: dict[str, Any], key: str, junk: object) -> None:
    raw[key] = junk
    try:
        parse_form(raw, SOURCE)
    except FormError as error:
        assert str(error).startswith(f"{SOURCE}: ")
