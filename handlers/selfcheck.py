"""`/tukiemtra`: answer the open self-check, see one's own results."""

from __future__ import annotations

from core import selfcheck
from core import selfcheck_render as views
from core.messages import Button, Notice, Outcome, Reply, buttons
from core.payloads import encode, int_part, str_part
from core.router import Request, Result
from core.texts import t


async def start(req: Request) -> Result:
    periods = await selfcheck.open_periods(req.services, req.incoming)
    history = [Button(t("sc_btn_history"), views.HISTORY)]
    if not periods:
        return Reply(t("sc_none_open"), buttons(history))
    if len(periods) == 1:
        step = await selfcheck.begin(req.services, req.incoming, periods[0].id)
        return views.step_reply(step)
    rows = [
        [
            Button(
                t("sc_period_button", title=t(f"sc_form_{p.form_name}"), label=p.label),
                encode(views.BEGIN, p.id),
            )
        ]
        for p in periods
    ]
    return Reply(t("sc_pick_period"), buttons(*rows, history))


async def begin(req: Request) -> Result:
    return views.step_reply(
        await selfcheck.begin(req.services, req.incoming, int_part(req.parts, 0))
    )


async def answer(req: Request) -> Result:
    check, question = int_part(req.parts, 0), str_part(req.parts, 1)
    step = await selfcheck.answer(
        req.services, req.incoming, check, question, str_part(req.parts, 2)
    )
    return views.step_reply(step)


async def show(req: Request) -> Result:
    question = req.parts[1] if len(req.parts) > 1 else None
    step = await selfcheck.move(req.services, req.incoming, int_part(req.parts, 0), question)
    return views.step_reply(step)


async def skip(req: Request) -> Result:
    check, question = int_part(req.parts, 0), str_part(req.parts, 1)
    return views.step_reply(await selfcheck.skip(req.services, req.incoming, check, question))


async def typed(req: Request) -> Result:
    step = await selfcheck.typed(req.services, req.incoming, req.incoming.text or "")
    return views.step_reply(step)


async def submit(req: Request) -> Result:
    done = await selfcheck.submit(req.services, req.incoming, int_part(req.parts, 0))
    thanks = Reply(t("sc_thanks", label=done.step.period_label), replace=True)
    notice = views.flags_notice(done)
    return Outcome([thanks], notices=[Notice(to, notice) for to in done.leaders])


async def history(req: Request) -> Result:
    return views.history_reply(await selfcheck.history(req.services, req.incoming))
