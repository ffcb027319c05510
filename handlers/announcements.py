"""Announcements to the whole cell (/thongbao) with a read button: render what core decides."""

from __future__ import annotations

from core import announcements as ann
from core.announcements import Detail, Draft, Step, Summary
from core.messages import Button, Reply, buttons
from core.payloads import PayloadError, encode, int_part, str_part
from core.policy import Audience
from core.router import CommandSpec, Request, Result, Router
from core.texts import local_date, t


def register(router: Router) -> None:
    """Commands, buttons and flows of /thongbao."""
    router.command(CommandSpec("thongbao", "cmd_thongbao", Audience.SECRETARY), show)
    router.button(ann.WRITE, write)
    router.button(ann.VIEW, view)
    router.button(ann.READ, read)
    router.button(ann.NUDGE, nudge)
    router.flow(ann.FLOW, typed)


# --- rendering ------------------------------------------------------------------------------


def render_list(req: Request, items: list[Summary], *, replace: bool = False) -> Reply:
    tz = req.services.config.timezone
    lines = [t("ann_list_title")]
    rows: list[list[Button]] = []
    for n, item in enumerate(items, start=1):
        values = {"date": local_date(item.created_at, tz), "read": item.read, "total": item.total}
        lines.append(t("ann_list_item", n=n, text=item.excerpt, **values))
        label = t("ann_btn_open", text=ann.excerpt(item.excerpt, ann.LABEL_MAX), **values)
        rows.append([Button(label, encode(ann.VIEW, item.id))])
    lines += ["", t("ann_list_hint")]
    rows.append([Button(t("ann_btn_new"), encode(ann.WRITE, "new"))])
    return Reply("\n".join(lines), buttons(*rows), replace=replace)


def render_draft(draft: Draft) -> Reply:
    """The step of writing. Asking for the text replaces what held the pressed button and,
    on text-only channels, closes an older numbered list, so a typed number is text."""
    stop = Button(t("ann_btn_stop"), encode(ann.WRITE, "stop", draft.number))
    if draft.step is Step.TEXT:
        limit = ann.number_text(ann.TEXT_MAX)
        text = t("ann_ask_text", count=draft.recipients, limit=limit)
        return Reply(text, buttons([stop]), replace=True)
    row = [
        Button(t("ann_btn_send"), encode(ann.WRITE, "send", draft.number)),
        Button(t("ann_btn_edit"), encode(ann.WRITE, "edit", draft.number)),
        stop,
    ]
    return Reply(t("ann_preview", count=draft.recipients, text=draft.text), buttons(row))


def _names(names: list[str]) -> str:
    shown = ", ".join(names[: ann.NAMES_MAX])
    more = len(names) - ann.NAMES_MAX
    return t("ann_names_more", names=shown, count=more) if more > 0 else shown


def render_detail(req: Request, d: Detail) -> Reply:
    s = d.summary
    date = local_date(s.created_at, req.services.config.timezone)
    lines = [t("ann_detail", date=date, name=d.author, text=s.excerpt, read=s.read, total=s.total)]
    if d.read:
        lines.append(t("ann_detail_read", count=len(d.read), names=_names(d.read)))
    if d.unread:
        lines.append(t("ann_detail_unread", count=len(d.unread), names=_names(d.unread)))
    else:
        lines.append(t("ann_everyone_read"))
    rows = [[Button(t("ann_btn_nudge"), encode(ann.NUDGE, s.id))]] if d.unread else []
    rows.append([Button(t("ann_btn_back"), encode(ann.VIEW))])
    return Reply("\n".join(lines), buttons(*rows), replace=True)


# --- handlers -------------------------------------------------------------------------------


async def show(req: Request) -> Result:
    """`/thongbao`: the latest announcements, or straight to writing the first one."""
    overview = await ann.open_view(req.services, req.incoming)
    if overview.draft is not None:
        return render_draft(overview.draft)
    return render_list(req, overview.items)


async def typed(req: Request) -> Result:
    return render_draft(await ann.typed(req.services, req.incoming, req.incoming.text or ""))


async def write(req: Request) -> Result:
    """anw:new | anw:send:<draft> | anw:edit:<draft> | anw:stop:<draft>."""
    action = str_part(req.parts, 0)
    if action == "new":
        return render_draft(await ann.compose(req.services, req.incoming))
    number = int_part(req.parts, 1)
    if action == "edit":
        return render_draft(await ann.edit(req.services, req.incoming, number))
    if action == "stop":
        await ann.stop(req.services, req.incoming, number)
        return Reply(t("ann_stopped"), replace=True)
    if action != "send":
        raise PayloadError("unknown announcement action")
    sent = await ann.send(req.services, req.incoming, number)  # the preview, kept as sent
    return Reply(t("ann_sent", count=sent.recipients) + "\n\n" + sent.text, replace=True)


async def view(req: Request) -> Result:
    """anv: back to the list | anv:<announcement>: who has read it."""
    if not req.parts:
        return render_list(req, await ann.listing(req.services, req.incoming), replace=True)
    found = await ann.detail(req.services, req.incoming, int_part(req.parts, 0))
    return render_detail(req, found)


async def read(req: Request) -> Result:
    reading = await ann.mark_read(req.services, req.incoming, int_part(req.parts, 0))
    return ann.read_reply(req.services, reading)


async def nudge(req: Request) -> Result:
    done = await ann.nudge(req.services, req.incoming, int_part(req.parts, 0))
    if done.count:
        return Reply(t("ann_nudged", count=done.count))
    return Reply(t("ann_nudged_today" if done.unread else "ann_nudge_none"))
