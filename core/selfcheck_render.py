"""How a self-check step looks: one question with its options, or the summary (also used
for the first question a period sends, and reminders)."""

from __future__ import annotations

from core import flags
from core.forms import Question, QuestionKind
from core.messages import Button, Reply, buttons
from core.payloads import encode
from core.selfcheck import SKIPPED, Answer, Step, Submitted
from core.texts import t

BEGIN = "sco"  # sco:<period>
ANSWER = "sca"  # sca:<selfcheck>:<question>:<value>
SHOW = "scq"  # scq:<selfcheck>:<question> (from the summary); scq:<selfcheck> = back
SKIP = "scx"  # scx:<selfcheck>:<question>
SUBMIT = "scs"  # scs:<selfcheck>
HISTORY = "scm"


def header(step: Step) -> str:
    return t("sc_header", title=step.form.title, label=step.period_label)


def question_reply(step: Step) -> Reply:
    question = step.question
    assert question is not None
    lines = [
        header(step),
        t("sc_progress", number=step.number, total=len(step.questions), text=question.text),
    ]
    if step.number == 1 and not step.answers:
        lines[1:1] = [step.form.intro, t("sc_how_to_stop")] if step.form.intro else []
    rows: list[list[Button]] = []
    if step.commenting:
        lines.append(t("sc_ask_comment"))
        rows.append([Button(t("sc_btn_skip"), encode(SKIP, step.selfcheck_id, question.id))])
    elif question.kind is QuestionKind.TEXT:
        lines.append(t("sc_type_text", limit=question.max_length))
        if question.optional:
            rows.append([Button(t("sc_btn_skip"), encode(SKIP, step.selfcheck_id, question.id))])
    else:
        rows.extend([_option(step, question, o.label, o.value)] for o in question.options)
    if step.number > 1:
        rows.append([Button(t("sc_btn_back"), encode(SHOW, step.selfcheck_id))])
    return Reply("\n".join(line for line in lines if line), buttons(*rows), replace=True)


def _option(step: Step, question: Question, label: str, value: str) -> Button:
    given = step.answers.get(question.id)
    shown = t("sc_chosen", label=label) if given and given.value == value else label
    return Button(shown, encode(ANSWER, step.selfcheck_id, question.id, value))


def answer_text(question: Question, given: Answer | None) -> str:
    if given is None:
        return t("sc_summary_missing")
    if given.value == SKIPPED:
        return t("sc_summary_skipped")
    option = question.option(given.value) if given.value else None
    return option.label if option else (given.text or "")


def summary_reply(step: Step) -> Reply:
    lines = [header(step), t("sc_summary_title")]
    for number, question in enumerate(step.questions, start=1):
        given = step.answers.get(question.id)
        lines.append(
            t(
                "sc_summary_line",
                number=number,
                topic=question.topic,
                answer=answer_text(question, given),
            )
        )
        if given and given.text and question.kind is QuestionKind.CHOICE:
            lines.append(t("sc_summary_comment", text=given.text))
    if step.submitted:
        lines.append(t("sc_submitted_note", until=step.ends_on.strftime("%d/%m/%Y")))
    else:
        lines.append(t("sc_summary_ask"))
    edits = [
        Button(t("sc_btn_edit", number=n), encode(SHOW, step.selfcheck_id, q.id))
        for n, q in enumerate(step.questions, start=1)
    ]
    rows = [edits[i : i + 4] for i in range(0, len(edits), 4)]
    first = (
        [] if step.submitted else [[Button(t("sc_btn_submit"), encode(SUBMIT, step.selfcheck_id))]]
    )
    return Reply("\n".join(lines), buttons(*first, *rows), replace=True)


def step_reply(step: Step) -> Reply:
    return question_reply(step) if step.question is not None else summary_reply(step)


def flags_notice(done: Submitted) -> Reply:
    lines = [t("sc_flags_title", name=done.member_name, label=done.step.period_label)]
    for question, label, kind in done.flagged:
        lines.append(
            t("sc_flag_line", topic=question.topic, answer=label, kind=t(f"sc_flag_{kind}"))
        )
    lines.append(t("sc_flags_note"))
    check = done.step.selfcheck_id
    follow_up = [
        Button(t("flag_btn_contacted"), encode(flags.CONTACTED, check)),
        Button(t("flag_btn_note"), encode(flags.NOTE, check)),
    ]
    return Reply("\n".join(lines), buttons(follow_up))


def history_reply(steps: list[Step]) -> Reply:
    if not steps:
        return Reply(t("sc_history_none"))
    lines = [t("sc_history_title")]
    for step in steps:
        done = sum(1 for q in step.questions if q.id in step.answers)
        state = (
            t("sc_state_submitted")
            if step.submitted
            else t("sc_state_in_progress", done=done, total=len(step.questions))
        )
        lines.append(
            t("sc_history_line", title=step.form.title, label=step.period_label, state=state)
        )
    return Reply("\n".join(lines))
