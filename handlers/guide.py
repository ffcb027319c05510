"""`/trogiup`: what this person can do, by role."""

from __future__ import annotations

from collections.abc import Iterable

from core.help import audiences_of
from core.messages import Reply
from core.policy import Audience
from core.router import CommandSpec, Handler, Request, Result
from core.texts import t

SECTIONS = (
    (Audience.MEMBER, "help_section_member"),
    (Audience.SECRETARY, "help_section_secretary"),
    (Audience.COMMITTEE, "help_section_committee"),
    (Audience.ADMIN, "help_section_admin"),
)


def render_help(specs: Iterable[CommandSpec], allowed: set[Audience]) -> str:
    listed = [s for s in specs if s.listed]
    lines = [t("help_header")]
    for audience, title in SECTIONS:
        mine = [s for s in listed if s.serves(audience)]
        if audience not in allowed or not mine:
            continue
        lines.append("")
        lines.append(t(title))
        lines.extend(
            t("help_line", command=s.name, description=t(s.description_key)) for s in mine
        )
    lines.append("")
    lines.append(t("help_footer"))
    return "\n".join(lines)


def make_help(specs: list[CommandSpec]) -> Handler:
    async def help_command(req: Request) -> Result:
        allowed, pending = await audiences_of(req.services, req.incoming)
        if pending:
            return Reply(t("pending_approval"))
        if allowed == {Audience.STRANGER}:
            return Reply(t("start_how_to_join"))
        return Reply(render_help(specs, allowed))

    return help_command
