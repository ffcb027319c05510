"""Feature handlers, registered in one place and one order."""

from __future__ import annotations

from core import onboarding
from core.context import Services
from core.policy import Audience
from core.router import CommandSpec, Router
from handlers import cancel, events, guide, invite, roster, start


def build_router(services: Services) -> Router:
    router = Router(
        services,
        flow_lookup=onboarding.waiting_flow,
        event_handler=events.on_event,
    )
    # Everyone.
    router.command(CommandSpec("start", "cmd_start", Audience.MEMBER, listed=False), start.start)
    router.command(
        CommandSpec("trogiup", "cmd_trogiup", Audience.MEMBER, aliases=("help",)),
        guide.make_help(router.specs),
    )
    router.command(CommandSpec("huy", "cmd_huy", Audience.MEMBER), cancel.cancel)
    # Secretary and deputy.
    router.command(CommandSpec("moi", "cmd_moi", Audience.SECRETARY), invite.invite)
    router.command(CommandSpec("dangvien", "cmd_dangvien", Audience.SECRETARY), roster.roster)
    # Buttons, by payload prefix.
    router.button(start.JOIN, start.join_button)
    router.button(start.DECIDE, start.decide_button)
    router.button(invite.PICK, invite.invite_member)
    router.button(invite.PAGE, invite.invite_page)
    # Free text while a flow waits for it.
    router.flow(onboarding.JOIN_FLOW, start.name_typed)
    return router
