"""`/start [code]`, confirming identity, typing one's name, and approving join requests."""

from __future__ import annotations

from dataclasses import replace

from core import invites, onboarding
from core.commands import Command
from core.messages import Button, MenuUpdate, Notice, Outcome, Reply, buttons
from core.payloads import PayloadError, encode, int_part, str_part
from core.policy import audiences
from core.router import Request, Result
from core.texts import t
from db.models import Role

JOIN = "join"  # join:yes:<code> / join:no:<code>
DECIDE = "mem"  # mem:ok:<member id> / mem:no:<member id>


async def start(req: Request) -> Result:
    if req.args:
        step = await onboarding.use_code(req.services, req.incoming, req.args)
        if isinstance(step, onboarding.AskName):
            return Reply(t("ask_name", cell=step.cell_name))
        return Reply(
            t("confirm_identity", name=step.member_name, cell=step.cell_name),
            buttons(
                [Button(t("btn_its_me", name=step.member_name), encode(JOIN, "yes", step.code))],
                [Button(t("btn_not_me"), encode(JOIN, "no", step.code))],
            ),
        )
    greeting = await onboarding.greet(req.services, req.incoming)
    actor = greeting.actor
    if actor.member_id is None:
        return Reply(t("start_how_to_join"))
    if not actor.is_active:
        return Reply(t("pending_approval"))
    return Reply(t("start_welcome_back", name=actor.full_name, cell=greeting.cell_name))


async def typed(req: Request) -> Result:
    """Free text nobody waits for. A bare invite code from someone not yet linked is a
    join: on Zalo there are no deep links, so the code is typed."""
    text = req.incoming.text or ""
    greeting = await onboarding.greet(req.services, req.incoming)
    if greeting.actor.member_id is not None:
        return Reply(t("unknown_text"))
    if invites.looks_like_code(text):
        return await start(replace(req, command=Command("start", text.strip())))
    return Reply(t("start_how_to_join"))


async def join_button(req: Request) -> Result:
    answer, code = str_part(req.parts, 0), str_part(req.parts, 1)
    if answer != "yes":
        return Reply(t("not_me"), replace=True)
    joined = await onboarding.confirm_identity(req.services, req.incoming, code)
    menu = MenuUpdate(req.address, frozenset(audiences(joined.actor)))
    text = t("joined", name=joined.actor.full_name, cell=joined.cell_name)
    return Outcome([Reply(text, replace=True)], menus=[menu])


async def name_typed(req: Request) -> Result:
    asked = await onboarding.submit_name(req.services, req.incoming, req.incoming.text or "")
    if not asked.leaders:
        return Reply(t("join_requested_no_leader", name=asked.member_name, cell=asked.cell_name))
    lines = [t("approve_request", name=asked.member_name, cell=asked.cell_name)]
    if asked.role is not Role.MEMBER:
        lines.append(t("approve_request_role", role=t(f"role_{asked.role.value}")))
    if asked.roster_match:
        lines.append(t("approve_request_match", name=asked.member_name))
    question = Reply(
        "\n".join(lines),
        buttons(
            [
                Button(t("btn_approve"), encode(DECIDE, "ok", asked.member_id)),
                Button(t("btn_reject"), encode(DECIDE, "no", asked.member_id)),
            ]
        ),
    )
    return Outcome(
        [Reply(t("join_requested", name=asked.member_name, cell=asked.cell_name))],
        notices=[Notice(leader, question) for leader in asked.leaders],
    )


async def decide_button(req: Request) -> Result:
    verdict = str_part(req.parts, 0)
    if verdict not in ("ok", "no"):
        raise PayloadError("unknown verdict")
    approve = verdict == "ok"
    decided = await onboarding.decide(req.services, req.incoming, int_part(req.parts, 1), approve)
    name = decided.member_name
    tell = Reply(t("approved_member" if approve else "rejected_member", name=name))
    # From the approval message: answer in place. From the roster list (a third part "r"):
    # keep the list and its other buttons, answer below it.
    in_place = len(req.parts) < 3
    outcome = Outcome(
        [
            Reply(
                t("approved_leader" if approve else "rejected_leader", name=name), replace=in_place
            )
        ],
        notices=[Notice(chat, tell) for chat in decided.member_chats],
    )
    if decided.member_actor is not None:
        wanted = frozenset(audiences(decided.member_actor))
        outcome.menus.extend(MenuUpdate(chat, wanted) for chat in decided.member_chats)
    return outcome
