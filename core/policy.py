"""Who may do what: the one place where permissions are decided."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from db.models import MemberStatus, Role


class Action(enum.StrEnum):
    USE_MEMBER_FEATURES = "use_member_features"
    INVITE = "invite"
    VIEW_ROSTER = "view_roster"
    APPROVE_MEMBER = "approve_member"
    VIEW_AGGREGATE = "view_aggregate"
    MANAGE_MEETINGS = "manage_meetings"  # schedule, move, cancel, take attendance
    FOLLOW_UP_SELFCHECKS = "follow_up_selfchecks"  # see members' flags, mark contacted, notes
    # Who has (not) done the self-check, by name: the status's list and the cell's report.
    VIEW_SELFCHECK_PROGRESS = "view_selfcheck_progress"
    MANAGE_DUTIES = "manage_duties"  # assign KT/GS duties, confirm or send back reports
    NUDGE = "nudge"  # remind members who have not done the self-check or answered an RSVP
    ANNOUNCE = "announce"  # /thongbao to the whole cell, see who has read it
    REGISTER_PROGRAMME = "register_programme"  # the cell's registration in the model programme
    APPRAISE = "appraise"  # record the model programme's appraisal outcome for a cell


class Audience(enum.StrEnum):
    """Who a command is for; also the scope of a messenger's command menu."""

    STRANGER = "stranger"
    MEMBER = "member"
    SECRETARY = "secretary"  # secretary and deputy
    COMMITTEE = "committee"  # committee staff and inspection committee
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    unit_id: int


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an incoming event, as far as permissions are concerned."""

    channel: str
    external_id: str
    member_id: int | None = None
    full_name: str = ""
    cell_id: int | None = None
    status: MemberStatus | None = None
    grants: frozenset[Grant] = frozenset()
    is_admin: bool = False

    @property
    def is_active(self) -> bool:
        return self.status is MemberStatus.ACTIVE

    def roles_at(self, unit_id: int) -> set[Role]:
        return {g.role for g in self.grants if g.unit_id == unit_id}


CELL_LEADERS = frozenset({Role.SECRETARY, Role.DEPUTY})
COMMITTEE_ROLES = frozenset({Role.STAFF, Role.INSPECTION})

# Action → (roles that count at the unit itself, roles that count at any unit above it).
_RULES: dict[Action, tuple[frozenset[Role], frozenset[Role]]] = {
    Action.INVITE: (CELL_LEADERS, frozenset()),
    Action.VIEW_ROSTER: (CELL_LEADERS, frozenset()),
    Action.APPROVE_MEMBER: (CELL_LEADERS, frozenset()),
    Action.MANAGE_MEETINGS: (CELL_LEADERS, frozenset()),
    Action.FOLLOW_UP_SELFCHECKS: (CELL_LEADERS, frozenset()),  # answers: the cell's leaders only
    Action.VIEW_SELFCHECK_PROGRESS: (CELL_LEADERS, frozenset()),
    Action.MANAGE_DUTIES: (CELL_LEADERS, frozenset()),
    Action.NUDGE: (CELL_LEADERS, frozenset()),
    Action.ANNOUNCE: (CELL_LEADERS, frozenset()),
    # The secretary registers the cell; committee staff may register on its behalf.
    Action.REGISTER_PROGRAMME: (CELL_LEADERS, COMMITTEE_ROLES),
    # Which unit's inspection committee appraises is a setting, checked on top of this rule.
    Action.APPRAISE: (frozenset(), COMMITTEE_ROLES),
    Action.VIEW_AGGREGATE: (CELL_LEADERS | COMMITTEE_ROLES, COMMITTEE_ROLES),
}


# Members' self-check answers, and who has or has not done it by name: the cell's secretary
# and deputy only, never an administrator of the deployment (privacy rule; committees above
# see counts only).
PRIVATE_ACTIONS = frozenset({Action.FOLLOW_UP_SELFCHECKS, Action.VIEW_SELFCHECK_PROGRESS})


def allows(actor: Actor, action: Action, unit_path: Sequence[int]) -> bool:
    """May `actor` do `action` on the unit whose ids from the root are `unit_path`?"""
    if actor.is_admin and action not in PRIVATE_ACTIONS:
        return True
    if action is Action.USE_MEMBER_FEATURES:
        return actor.is_active
    if not actor.is_active or not unit_path:
        return False
    here, above = _RULES[action]
    if actor.roles_at(unit_path[-1]) & here:
        return True
    return any(actor.roles_at(unit_id) & above for unit_id in unit_path[:-1])


def audiences(actor: Actor) -> set[Audience]:
    """Every audience whose commands this person may see in help and menus."""
    if actor.is_admin:
        return set(Audience) - {Audience.STRANGER}
    if not actor.is_active:
        return {Audience.STRANGER}
    result = {Audience.MEMBER}
    roles = {g.role for g in actor.grants}
    if roles & CELL_LEADERS:
        result.add(Audience.SECRETARY)
    if roles & COMMITTEE_ROLES:
        result.add(Audience.COMMITTEE)
    return result
