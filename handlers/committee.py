"""The committee roll-up (/tonghop) and the KT/GS model programme (/mohinh)."""

from __future__ import annotations

from core import programme, rollup
from core.messages import Attachment, Button, Reply, buttons
from core.payloads import PayloadError, encode, int_part, str_part
from core.policy import Audience
from core.programme import OUTCOME_CODES, CellView, Registration, UnitView
from core.rollup import CellFigures, Rollup, UnitInfo, help_order
from core.router import CommandSpec, Request, Result, Router
from core.texts import t
from core.vntext import slugify
from db.models import UnitKind
from handlers.keyboards import pager

ROLLUP = "th"  # th:<unit>:<page>: the roll-up of a unit, a page of the cells needing help
UNITS = "thu"  # thu:<unit>:<page>: the units right below, to drill into
EXPORT = "thx"  # thx:<unit>: this month's workbook
UNIT = "mh"  # mh:<unit>:<year>: the programme at a unit
LIST = "mhl"  # mhl:<unit>:<year>:<n|r>:<page>: cells not registered / registered
CELL = "mhc"  # mhc:<cell>:<year>: one cell, with the evidence
REGISTER = "mhr"  # mhr:<cell>:<year>
APPRAISE = "mha"  # mha:<cell>:<year>: choose the outcome
OUTCOME = "mho"  # mho:<cell>:<year>:<code>
SKIP = "mhk"  # no date / no note
HELP_PAGE = 10
UNITS_PAGE = 8


def _pct(rate: float | None) -> str:
    return f"{round(rate * 100)}%" if rate is not None else t("rollup_rate_none")


# --- /tonghop -------------------------------------------------------------------------------


def _problems(c: CellFigures) -> str:
    found = []
    if not c.activated:
        found.append(t("rollup_problem_idle"))
    if not c.meetings_held:
        found.append(t("rollup_problem_no_meeting"))
    if c.completion is not None and c.completion < rollup.LOW_COMPLETION:
        found.append(t("rollup_problem_completion", rate=_pct(c.completion)))
    if c.duties_overdue:
        found.append(t("rollup_problem_overdue", count=c.duties_overdue))
    return "; ".join(found)


def render_rollup(r: Rollup, page: int) -> Reply:
    month = f"{r.window.meetings_to:%m/%Y}"
    lines = [t("rollup_title", unit=r.unit.name, month=month)]
    s = r.totals
    if page == 0:
        lines.append(
            t("rollup_cells", total=s.cells, registered=s.registered, idle=s.not_activated)
        )
        lines.append(t("rollup_meetings", held=s.with_meeting, total=s.cells))
        lines.append(t("rollup_attendance", rate=_pct(s.attendance_rate)))
        period = ", ".join(r.period_labels)
        lines.append(t("rollup_selfcheck", period=period, rate=_pct(s.completion))
                     if period else t("rollup_selfcheck_none"))  # fmt: skip
        lines.append(t("rollup_flags", count=s.open_flags))
        lines.append(t("rollup_duties", rate=_pct(s.on_time_rate), done=s.duties_on_time,
                       due=s.duties_due, overdue=s.duties_overdue))  # fmt: skip
    needy = help_order(r.cells)
    pages = max(1, -(-len(needy) // HELP_PAGE))
    page = min(page, pages - 1)
    shown = needy[page * HELP_PAGE : (page + 1) * HELP_PAGE]
    lines.append("")
    if not r.cells:
        lines.append(t("rollup_no_cells"))
    elif not needy:
        lines.append(t("rollup_all_good"))
    else:
        first = page * HELP_PAGE + 1
        lines.append(t("rollup_help_title", first=first, last=first + len(shown) - 1,
                       count=len(needy)))  # fmt: skip
        lines += [t("rollup_help_item", n=first + i, name=c.name, problems=_problems(c))
                  for i, c in enumerate(shown)]  # fmt: skip
    nav = []
    if page > 0:
        nav.append(Button(t("rollup_btn_back"), encode(ROLLUP, r.unit.id, page - 1)))
    if page < pages - 1:
        nav.append(Button(t("rollup_btn_more"), encode(ROLLUP, r.unit.id, page + 1)))
    more = []
    if r.unit.kind in (UnitKind.PROVINCE, UnitKind.DISTRICT):
        more.append(Button(t("rollup_btn_units"), encode(UNITS, r.unit.id, 0)))
    more.append(Button(t("rollup_btn_export"), encode(EXPORT, r.unit.id)))
    year = r.window.year
    programme_row = [Button(t("rollup_btn_programme"), encode(UNIT, r.unit.id, year))]
    return Reply("\n".join(lines), buttons(nav, more, programme_row), replace=page > 0)


def _pick(text: str, units: list[UnitInfo], prefix: str, *extra: object) -> Reply:
    rows = [[Button(u.name[:60], encode(prefix, u.id, *extra))] for u in units]
    return Reply(text, buttons(*rows))


async def tonghop(req: Request) -> Result:
    units = await rollup.pick_unit(req.services, req.incoming)
    if len(units) > 1:
        return _pick(t("rollup_pick"), units, ROLLUP, 0)
    return render_rollup(await rollup.view(req.services, req.incoming, units[0].id), 0)


async def rollup_page(req: Request) -> Result:
    unit_id, page = int_part(req.parts, 0), int_part(req.parts, 1)
    return render_rollup(await rollup.view(req.services, req.incoming, unit_id), page)


async def units_page(req: Request) -> Result:
    unit_id, page = int_part(req.parts, 0), int_part(req.parts, 1)
    below = await rollup.children(req.services, req.incoming, unit_id)
    name = (await rollup.view_name(req.services, unit_id)) or ""
    if not below:
        return Reply(t("rollup_no_units", unit=name))
    pages = max(1, -(-len(below) // UNITS_PAGE))
    page = min(page, pages - 1)
    shown = below[page * UNITS_PAGE : (page + 1) * UNITS_PAGE]
    text = t("rollup_units", unit=name, page=page + 1, pages=pages)
    rows = [[Button(u.name[:60], encode(ROLLUP, u.id, 0))] for u in shown]
    rows.append(pager(f"{UNITS}:{unit_id}", page, pages))
    return Reply(text, buttons(*rows), replace=page > 0)


async def export(req: Request) -> Result:
    unit, content = await rollup.export(req.services, req.incoming, int_part(req.parts, 0))
    today = rollup.local_today(req.services)
    start, end = today.replace(day=1), today
    name = f"tong-hop-{slugify(unit.name)[:40]}-{today:%Y-%m}.xlsx"
    text = t("rollup_exported", unit=unit.name, start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}")
    return Reply(text, file=Attachment(name, content))


# --- /mohinh --------------------------------------------------------------------------------


def _registration_lines(reg: Registration) -> list[str]:
    if not reg.registered:
        return [t("programme_cell_not_registered", cell=reg.cell_name, year=reg.year)]
    resolution = (f"{reg.resolution_on:%d/%m/%Y}" if reg.resolution_on
                  else t("programme_no_resolution"))  # fmt: skip
    key = (
        "programme_cell_registered_by_committee" if reg.on_behalf else "programme_cell_registered"
    )
    date = f"{reg.registered_on:%d/%m/%Y}" if reg.registered_on else ""
    lines = [t(key, cell=reg.cell_name, date=date, resolution=resolution)]
    if reg.outcome is None:
        lines.append(t("programme_waiting_appraisal"))
        return lines
    on = f"{reg.appraised_on:%d/%m/%Y}" if reg.appraised_on else ""
    lines.append(t("programme_outcome_line", date=on, outcome=_outcome(reg)))
    if reg.note:
        lines.append(t("programme_outcome_note", note=reg.note))
    return lines


def _outcome(reg: Registration) -> str:
    return t(f"programme_outcome_{reg.outcome.value}") if reg.outcome else ""


def render_own(view: CellView) -> Reply:
    reg = view.registration
    lines = [t("programme_title", year=reg.year), *_registration_lines(reg)]
    row = []
    if view.can_register:
        row.append(Button(t("programme_btn_register"), encode(REGISTER, reg.cell_id, reg.year)))
    return Reply("\n".join(lines), buttons(row))


def render_unit(v: UnitView, *, replace: bool = False) -> Reply:
    lines = [t("programme_title", year=v.year)]
    lines.append(t("programme_unit_summary", unit=v.unit.name, registered=v.registered,
                   total=v.total))  # fmt: skip
    if v.outcomes:
        items = ", ".join(
            t("programme_outcome_count", outcome=t(f"programme_outcome_{o.value}"), count=n)
            for o in OUTCOME_CODES.values()
            if (n := v.outcomes.get(o))
        )  # fmt: skip
        lines.append(t("programme_outcomes", items=items))
    which = "registered" if v.listing == "r" else "unregistered"
    lines.append("")
    if v.cells:
        lines.append(t(f"programme_list_{which}", page=v.page + 1, pages=v.pages))
    else:
        lines.append(t(f"programme_list_empty_{which}"))
    rows = [[Button(_cell_label(c), encode(CELL, c.cell_id, v.year))] for c in v.cells]
    rows.append(pager(f"{LIST}:{v.unit.id}:{v.year}:{v.listing}", v.page, v.pages))
    other = "n" if v.listing == "r" else "r"
    label = t("programme_btn_unregistered" if other == "n" else "programme_btn_registered")
    rows.append([Button(label, encode(LIST, v.unit.id, v.year, other, 0))])
    return Reply("\n".join(lines), buttons(*rows), replace=replace)


def _cell_label(reg: Registration) -> str:
    if reg.outcome is None:
        return t("programme_cell_button", name=reg.cell_name)[:60]
    return t("programme_cell_button_outcome", name=reg.cell_name, outcome=_outcome(reg))[:60]


def render_card(view: CellView) -> Reply:
    reg = view.registration
    lines = [t("programme_title", year=reg.year), *_registration_lines(reg)]
    e = view.evidence
    if e is not None:
        lines += [
            "",
            t("programme_evidence_title", year=reg.year),
            t("programme_evidence_meetings", count=e.meetings_held, regular=e.regular_held),
            t("programme_evidence_attendance", rate=_pct(e.attendance_rate)),
            t("programme_evidence_selfcheck", rate=_pct(e.completion),
              done=min(e.selfchecks_done, e.selfchecks_expected), expected=e.selfchecks_expected),
            t("programme_evidence_duties", rate=_pct(e.on_time_rate), done=e.duties_on_time,
              due=e.duties_due, overdue=e.duties_overdue),
            t("programme_evidence_unexcused", count=e.unexcused_members),
        ]  # fmt: skip
    row = []
    if view.can_register:
        label = t("programme_btn_register_for")
        row.append(Button(label, encode(REGISTER, reg.cell_id, reg.year)))
    if view.can_appraise:
        label = t("programme_btn_reappraise" if reg.outcome else "programme_btn_appraise")
        row.append(Button(label, encode(APPRAISE, reg.cell_id, reg.year)))
    return Reply("\n".join(lines), buttons(row))


async def mohinh(req: Request) -> Result:
    year = programme.local_today(req.services).year
    found = await programme.start(req.services, req.incoming, year)
    if isinstance(found, CellView):
        return render_own(found)
    if len(found) > 1:
        return _pick(t("programme_pick"), found, UNIT, year)
    return render_unit(await programme.unit_view(req.services, req.incoming, found[0].id, year))


async def unit_button(req: Request) -> Result:
    unit_id, year = int_part(req.parts, 0), int_part(req.parts, 1)
    return render_unit(await programme.unit_view(req.services, req.incoming, unit_id, year))


async def list_button(req: Request) -> Result:
    unit_id, year = int_part(req.parts, 0), int_part(req.parts, 1)
    listing, page = str_part(req.parts, 2), int_part(req.parts, 3)
    if listing not in ("n", "r"):
        raise PayloadError("listing")
    view = await programme.unit_view(req.services, req.incoming, unit_id, year, listing, page)
    return render_unit(view, replace=True)


async def cell_button(req: Request) -> Result:
    cell_id, year = int_part(req.parts, 0), int_part(req.parts, 1)
    return render_card(await programme.cell_card(req.services, req.incoming, cell_id, year))


async def register_button(req: Request) -> Result:
    cell_id, year = int_part(req.parts, 0), int_part(req.parts, 1)
    on_behalf = await programme.ask_resolution(req.services, req.incoming, cell_id, year)
    if not on_behalf:
        return Reply(t("programme_ask_date", year=year))
    name = await programme.cell_name(req.services, cell_id)
    skip = Button(t("programme_btn_no_date"), encode(SKIP))
    return Reply(t("programme_ask_date_for", cell=name, year=year), buttons([skip]))


async def appraise_button(req: Request) -> Result:
    cell_id, year = int_part(req.parts, 0), int_part(req.parts, 1)
    reg = await programme.check_appraiser(req.services, req.incoming, cell_id, year)
    rows = [
        [Button(t(f"programme_outcome_{o.value}").capitalize(), encode(OUTCOME, cell_id, year, c))]
        for c, o in OUTCOME_CODES.items()
    ]
    return Reply(t("programme_ask_outcome", year=year, cell=reg.cell_name), buttons(*rows))


async def outcome_button(req: Request) -> Result:
    cell_id, year = int_part(req.parts, 0), int_part(req.parts, 1)
    outcome = OUTCOME_CODES.get(str_part(req.parts, 2))
    if outcome is None:
        raise PayloadError("outcome")
    await programme.ask_note(req.services, req.incoming, cell_id, year, outcome)
    text = t("programme_ask_note", outcome=t(f"programme_outcome_{outcome.value}"),
             limit=programme.NOTE_MAX)  # fmt: skip
    return Reply(text, buttons([Button(t("btn_skip"), encode(SKIP))]), replace=True)


def _done(done: programme.Done) -> Reply:
    reg = done.registration
    if done.step == "resolution":
        return Reply(t("programme_registered", cell=reg.cell_name, year=reg.year))
    return Reply(
        t("programme_appraised", cell=reg.cell_name, year=reg.year, outcome=_outcome(reg))
    )


async def typed(req: Request) -> Result:
    return _done(await programme.answer(req.services, req.incoming, req.incoming.text or ""))


async def skip(req: Request) -> Result:
    return _done(await programme.answer(req.services, req.incoming, None))


def register(router: Router) -> None:
    """Commands, buttons and flows of /tonghop and /mohinh."""
    router.command(CommandSpec("tonghop", "cmd_tonghop", Audience.COMMITTEE), tonghop)
    router.command(
        CommandSpec("mohinh", "cmd_mohinh", Audience.COMMITTEE, also=(Audience.SECRETARY,)),
        mohinh,
    )
    router.button(ROLLUP, rollup_page)
    router.button(UNITS, units_page)
    router.button(EXPORT, export)
    router.button(UNIT, unit_button)
    router.button(LIST, list_button)
    router.button(CELL, cell_button)
    router.button(REGISTER, register_button)
    router.button(APPRAISE, appraise_button)
    router.button(OUTCOME, outcome_button)
    router.button(SKIP, skip)
    router.flow(programme.FLOW, typed)
