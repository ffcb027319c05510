"""`/moi`: the cell's invite link and QR, or a one-time invite for one roster member."""

from __future__ import annotations

from core import inviting
from core.invites import InviteView
from core.messages import Attachment, Button, Reply, buttons
from core.payloads import encode, int_part
from core.qr import qr_png
from core.router import Request, Result
from core.texts import local_date, t
from handlers.keyboards import pager

PICK = "inv"  # inv:m:<member id> → one-time invite
PAGE = "invp"  # invp:<page> → page of not-activated members


def _invite_reply(req: Request, view: InviteView, key: str, extra: list[Button]) -> Reply:
    values = {
        "cell": view.cell_name,
        "name": view.member_name or "",
        "code": view.shown_code,
        "expires": local_date(view.expires_at, req.services.config.timezone),
    }
    lines = [
        t(key, **values),
        t("invite_link", link=view.link) if view.link else "",
        t("invite_typed", code=view.shown_code),
        t(f"{key}_note", **values),
    ]
    png = qr_png(view.link or view.shown_code)
    return Reply(
        "\n".join(line for line in lines if line),
        buttons(extra),
        file=Attachment(f"moi-{view.code}.png", png, kind="photo"),
    )


async def invite(req: Request) -> Result:
    view = await inviting.cell_invite(req.services, req.incoming)
    each = [Button(t("btn_invite_each"), encode(PAGE, 0))]
    return _invite_reply(req, view, "cell_invite", each)


async def invite_page(req: Request) -> Result:
    page = await inviting.invitable(req.services, req.incoming, int_part(req.parts, 0))
    if not page.entries:
        return Reply(t("invite_none_left"), replace=req.incoming.is_button)
    rows = [[Button(e.full_name, encode(PICK, "m", e.member_id))] for e in page.entries]
    rows.append(pager(PAGE, page.page, page.pages))
    text = t("invite_pick", page=page.page + 1, pages=page.pages)
    return Reply(text, buttons(*rows), replace=True)


async def invite_member(req: Request) -> Result:
    view = await inviting.member_invite(req.services, req.incoming, int_part(req.parts, 1))
    return _invite_reply(req, view, "member_invite", [])
