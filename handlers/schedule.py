"""`/taohop`: render each step of scheduling a meeting; the steps themselves are in core."""

from __future__ import annotations

from core import scheduling
from core.messages import Button, Reply, buttons
from core.payloads import encode, str_part
from core.recurrence import RuleKind, describe
from core.router import Request, Result
from core.scheduling import Prompt, Step
from core.texts import t, when_text
from db.models import MeetingKind

WIZ = "mk"  # mk:<step>:<value>
DONE = "mkx"  # mkx:ok | mkx:redo | mkx:abort


def _choice(step: Step, key: str, value: object) -> Button:
    return Button(t(key), encode(WIZ, step.value, value))


def render(req: Request, prompt: Prompt) -> Reply:
    step = prompt.step
    if step is Step.KIND:
        row = [_choice(step, f"btn_kind_{k.value}", k.value) for k in MeetingKind]
        return Reply(t("wiz_kind"), buttons(row))
    if step is Step.REPEAT:
        return Reply(
            t("wiz_repeat"),
            buttons([_choice(step, f"btn_repeat_{v}", v) for v in ("once", "1", "3")]),
        )
    if step is Step.RULE:
        rows = [[_choice(step, f"btn_rule_{k.value}", k.value)] for k in RuleKind]
        return Reply(t("wiz_rule"), buttons(*rows))
    if step is Step.RULE_WEEKDAY:
        days = [_choice(step, f"weekday_name_{d}", d) for d in range(7)]
        return Reply(t("wiz_rule_weekday"), buttons(days[:4], days[4:]))
    if step is Step.RULE_NTH:
        weekday = t(f"weekday_name_{prompt.data['weekday']}")
        row = [_choice(step, f"btn_nth_{n}", n) for n in (1, 2, 3, 4, -1)]
        return Reply(
            t("wiz_rule_nth", weekday=weekday[:1].upper() + weekday[1:]), buttons(row[:3], row[3:])
        )
    if step is Step.PLACE and prompt.last_place:
        same = Button(
            t("btn_same_place", place=prompt.last_place)[:60], encode(WIZ, "place", "same")
        )
        return Reply(t("wiz_place"), buttons([same]))
    if step is Step.AGENDA:
        return Reply(t("wiz_agenda"), buttons([_choice(step, "btn_skip", "skip")]))
    if step is Step.CONFIRM:
        return _confirm(req, prompt)
    return Reply(t(f"wiz_{step.value}"))


def _confirm(req: Request, prompt: Prompt) -> Reply:
    draft = prompt.draft
    lines = [t("wiz_summary_kind", kind=t(f"meeting_kind_{draft.kind.value}"))]
    if draft.rule is not None:
        lines.append(t("wiz_summary_rule", rule=describe(draft.rule)))
    elif draft.starts_at is not None:
        when = when_text(draft.starts_at, req.services.config.timezone)
        lines.append(t("wiz_summary_once", when=when))
    lines.append(t("wiz_summary_place", place=draft.place))
    if draft.agenda:
        lines.append(t("wiz_summary_agenda", agenda=draft.agenda))
    return Reply(
        t("wiz_confirm", summary="\n".join(lines)),
        buttons(
            [
                Button(t("btn_confirm"), encode(DONE, "ok")),
                Button(t("btn_redo"), encode(DONE, "redo")),
                Button(t("btn_abort"), encode(DONE, "abort")),
            ]
        ),
    )


async def begin(req: Request) -> Result:
    return render(req, await scheduling.begin(req.services, req.incoming))


async def chose(req: Request) -> Result:
    step, value = str_part(req.parts, 0), str_part(req.parts, 1)
    if step == "place" and value == "same":
        prompt = await scheduling.same_place(req.services, req.incoming)
    else:
        prompt = await scheduling.choose(req.services, req.incoming, step, value)
    reply = render(req, prompt)
    return Reply(reply.text, reply.buttons, replace=True)


async def typed(req: Request) -> Result:
    return render(req, await scheduling.typed(req.services, req.incoming, req.incoming.text or ""))


async def finish(req: Request) -> Result:
    action = str_part(req.parts, 0)
    if action == "redo":
        reply = render(req, await scheduling.restart(req.services, req.incoming))
        return Reply(reply.text, reply.buttons, replace=True)
    if action == "abort":
        await scheduling.abort(req.services, req.incoming)
        return Reply(t("cancelled"), replace=True)
    view = await scheduling.confirm(req.services, req.incoming)
    when = when_text(view.starts_at, req.services.config.timezone)
    return Reply(t("wiz_done", when=when), replace=True)
