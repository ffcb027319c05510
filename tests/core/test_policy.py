"""The permission table: every role × every action on a cell and on the committee above it."""

from __future__ import annotations

import pytest

from core.policy import Action, Actor, Audience, Grant, allows, audiences
from db.models import MemberStatus, Role

COMMITTEE, CELL, OTHER_CELL = 1, 2, 3
CELL_PATH, OTHER_PATH = [COMMITTEE, CELL], [COMMITTEE, OTHER_CELL]


def actor(*grants: tuple[Role, int], status: MemberStatus = MemberStatus.ACTIVE) -> Actor:
    return Actor(
        "test",
        "1",
        member_id=1,
        cell_id=CELL,
        status=status,
        grants=frozenset(Grant(r, u) for r, u in grants),
    )


PEOPLE = {
    "member": actor(),
    "deputy": actor((Role.DEPUTY, CELL)),
    "secretary": actor((Role.SECRETARY, CELL)),
    "other_secretary": actor((Role.SECRETARY, OTHER_CELL)),
    "committee_staff": actor((Role.STAFF, COMMITTEE)),
    "inspection": actor((Role.INSPECTION, COMMITTEE)),
    "pending_secretary": actor((Role.SECRETARY, CELL), status=MemberStatus.PENDING),
    "stranger": Actor("test", "2"),
    "admin": Actor("test", "3", is_admin=True),
}
ALLOWED = {
    Action.INVITE: {"deputy", "secretary", "admin"},
    Action.VIEW_ROSTER: {"deputy", "secretary", "admin"},
    Action.APPROVE_MEMBER: {"deputy", "secretary", "admin"},
    Action.MANAGE_MEETINGS: {"deputy", "secretary", "admin"},
    Action.FOLLOW_UP_SELFCHECKS: {"deputy", "secretary"},  # answers: not even an admin
    Action.VIEW_SELFCHECK_PROGRESS: {"deputy", "secretary"},  # who has not done it: the same
    Action.MANAGE_DUTIES: {"deputy", "secretary", "admin"},
    Action.VIEW_AGGREGATE: {"deputy", "secretary", "committee_staff", "inspection", "admin"},
    Action.NUDGE: {"deputy", "secretary", "admin"},
    Action.ANNOUNCE: {"deputy", "secretary", "admin"},
    Action.REGISTER_PROGRAMME: {"deputy", "secretary", "committee_staff", "inspection", "admin"},
    Action.APPRAISE: {"committee_staff", "inspection", "admin"},
    Action.USE_MEMBER_FEATURES: {
        "member",
        "deputy",
        "secretary",
        "other_secretary",
        "committee_staff",
        "inspection",
        "admin",
    },
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_policy_table(action: Action, who: str) -> None:
    assert allows(PEOPLE[who], action, CELL_PATH) is (who in ALLOWED[action])


def test_roles_do_not_leak_to_another_cell() -> None:
    for action in (Action.INVITE, Action.VIEW_ROSTER, Action.APPROVE_MEMBER):
        assert not allows(PEOPLE["secretary"], action, OTHER_PATH)
    assert allows(PEOPLE["committee_staff"], Action.VIEW_AGGREGATE, OTHER_PATH)


def test_audiences() -> None:
    assert audiences(PEOPLE["stranger"]) == {Audience.STRANGER}
    assert audiences(PEOPLE["pending_secretary"]) == {Audience.STRANGER}
    assert audiences(PEOPLE["member"]) == {Audience.MEMBER}
    assert audiences(PEOPLE["deputy"]) == {Audience.MEMBER, Audience.SECRETARY}
    assert Audience.COMMITTEE in audiences(PEOPLE["inspection"])
