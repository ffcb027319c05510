"""`/giaoviec`: render each step of adding a KT/GS duty; the steps themselves are in core."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from core import duties, duty_wizard
from core.duty_wizard import Prompt, Step
from core.messages import Button, Reply, buttons
from core.payloads import encode, int_part, str_part
from core.router import Request, Result
from core.texts import t
from db.models import DutyKind
from handlers.keyboards import pager

WIZ = "dw"  # dw:<step>:<value> | dw:pick:<member>:<page>
PAGE = "dwp"  # dwp:<page>
DONE = "dwx"  # dwx:ok | dwx:redo | dwx:abort


def _day(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


class Shown(Protocol):
    """A duty as drafted or stored: what its summary shows."""

    @property
    def kind(self) -> DutyKind: ...
    @property
    def title(self) -> str: ...
    @property
    def concerns(self) -> str | None: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def due_on(self) -> date: ...


def summary(d: Shown, names: tuple[str, ...]) -> list[str]:
    lines = [
        t("duty_line_kind", kind=t(f"duty_kind_{d.kind.value}")),
        t("duty_line_title", title=d.title),
    ]
    if d.concerns:
        lines.append(t("duty_line_concerns", text=d.concerns))
    lines.append(t("duty_line_assignees", names=", ".join(names)))
    start, due = f"{d.starts_on:%d/%m/%Y}", f"{d.due_on:%d/%m/%Y}"
    lines.append(t("duty_line_dates", start=start, due=due))
    return lines


def render(prompt: Prompt, *, replace: bool = False) -> Reply:
    step = prompt.step
    if step is Step.KIND:
        row = [
            Button(t(f"duty_kind_{k.value}"), encode(WIZ, step.value, k.value)) for k in DutyKind
        ]
        return Reply(t("dw_kind"), buttons(row), replace=replace)
    if step is Step.TITLE:
        return Reply(t("dw_title", limit=duties.TITLE_MAX), replace=replace)
    if step is Step.CONCERNS:
        skip = Button(t("btn_skip"), encode(WIZ, step.value, "skip"))
        return Reply(t("dw_concerns"), buttons([skip]), replace=replace)
    if step is Step.ASSIGNEES:
        return _assignees(prompt, replace)
    if step is Step.DUE:
        return Reply(t("dw_due", date=_day(prompt.data["start"])), replace=replace)
    if step is Step.CONFIRM:
        text = t("dw_confirm", summary="\n".join(summary(prompt.draft, prompt.names)))
        row = [Button(t(f"btn_{a}"), encode(DONE, a)) for a in ("confirm", "redo", "abort")]
        return Reply(text, buttons(row), replace=replace)
    return Reply(t(f"dw_{step.value}"), replace=replace)


def _assignees(prompt: Prompt, replace: bool) -> Reply:
    text = t("dw_assignees", count=len(prompt.names), page=prompt.page + 1, pages=prompt.pages)
    rows = [
        [
            Button(
                t("dw_pick_on" if c.chosen else "dw_pick_off", name=c.name),
                encode(WIZ, "pick", c.member_id, prompt.page),
            )
        ]
        for c in prompt.choices
    ]
    rows.append(pager(PAGE, prompt.page, prompt.pages))
    rows.append([Button(t("dw_btn_done"), encode(WIZ, Step.ASSIGNEES.value, "done"))])
    return Reply(text, buttons(*rows), replace=replace)


async def begin(req: Request) -> Result:
    return render(await duty_wizard.begin(req.services, req.incoming))


async def chose(req: Request) -> Result:
    step, value = str_part(req.parts, 0), str_part(req.parts, 1)
    if step == "pick":
        member, page = int_part(req.parts, 1), int_part(req.parts, 2)
        prompt = await duty_wizard.toggle(req.services, req.incoming, member, page)
    else:
        prompt = await duty_wizard.choose(req.services, req.incoming, step, value)
    return render(prompt, replace=True)


async def page(req: Request) -> Result:
    number = int_part(req.parts, 0)
    return render(await duty_wizard.turn_page(req.services, req.incoming, number), replace=True)


async def typed(req: Request) -> Result:
    text = req.incoming.text or ""
    return render(await duty_wizard.typed(req.services, req.incoming, text))


async def finish(req: Request) -> Result:
    action = str_part(req.parts, 0)
    if action == "redo":
        return render(await duty_wizard.restart(req.services, req.incoming), replace=True)
    if action == "abort":
        await duty_wizard.abort(req.services, req.incoming)
        return Reply(t("cancelled"), replace=True)
    view = await duty_wizard.confirm(req.services, req.incoming)
    return Reply(t("dw_done", title=view.title, date=f"{view.due_on:%d/%m/%Y}"), replace=True)
