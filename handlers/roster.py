"""`/dangvien`: the cell's members and whether each has activated the bot."""

from __future__ import annotations

from core.members import Activation, Roster, RosterEntry, roster_for
from core.messages import Button, Reply, buttons
from core.payloads import encode
from core.router import Request, Result
from core.texts import t
from db.models import Role
from handlers.start import DECIDE

PENDING_STATES = (Activation.PENDING, Activation.JOINING)
GROUPS = (
    (Activation.PENDING, "roster_pending"),
    (Activation.JOINING, "roster_joining"),
    (Activation.NOT_ACTIVATED, "roster_not_activated"),
    (Activation.BLOCKED, "roster_blocked"),
    (Activation.ACTIVATED, "roster_activated"),
)
SHOWN_PER_GROUP = 40


def _line(entry: RosterEntry) -> str:
    for role in (Role.SECRETARY, Role.DEPUTY):
        if role in entry.roles:
            return t("roster_line_role", name=entry.full_name, role=t(f"role_{role.value}"))
    return t("roster_line", name=entry.full_name)


def render_roster(roster: Roster) -> str:
    if not roster.entries:
        return t("roster_empty", cell=roster.cell_name)
    members = [e for e in roster.entries if e.activation not in PENDING_STATES]
    lines = [t("roster_header", cell=roster.cell_name, total=len(members))]
    for activation, title in GROUPS:
        group = roster.having(activation)
        if not group:
            continue
        lines += ["", t(title, count=len(group))]
        lines += [_line(e) for e in group[:SHOWN_PER_GROUP]]
        if len(group) > SHOWN_PER_GROUP:
            lines.append(t("roster_more", count=len(group) - SHOWN_PER_GROUP))
    return "\n".join(lines)


async def roster(req: Request) -> Result:
    result = await roster_for(req.services, req.incoming)
    rows = [
        [
            Button(
                t("btn_approve_name", name=e.full_name), encode(DECIDE, "ok", e.member_id, "r")
            ),
            Button(t("btn_reject"), encode(DECIDE, "no", e.member_id, "r")),
        ]
        for e in result.having(Activation.PENDING)[:10]
    ]
    return Reply(render_roster(result), buttons(*rows))
