"""Invite codes: creating them, reading them back, and throttling guesses."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.context import CoreConfig
from core.errors import Refused
from db.models import CodeAttempt, Invite, Member, MemberStatus, Role

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are typed on Zalo
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed → the stored form (case, spaces and dashes do not matter)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


_TYPED_CODE = re.compile(r"^(?:[A-Za-z0-9]{4}[- ][A-Za-z0-9]{4}|[A-Z0-9]{8})$")


def looks_like_code(text: str) -> bool:
    """ "ABCD-EFGH", "abcd efgh" or "ABCDEFGH" typed alone: someone joining by code."""
    return bool(_TYPED_CODE.match(text.strip()))


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


@dataclass(frozen=True, slots=True)
class InviteView:
    code: str
    cell_name: str
    member_name: str | None
    expires_at: datetime
    link: str | None

    @property
    def shown_code(self) -> str:
        return display_code(self.code)


def join_link(config: CoreConfig, code: str) -> str | None:
    return config.join_link_template.format(code=code) if config.join_link_template else None


async def create_invite(
    session: AsyncSession,
    *,
    now: datetime,
    unit_id: int,
    valid_for: timedelta,
    member_id: int | None = None,
    role: Role = Role.MEMBER,
    uses: int | None = None,
    created_by_id: int | None = None,
) -> Invite:
    """A one-time invite for a roster member, or a (reusable) cell invite."""
    invite = Invite(
        code=new_code(),
        unit_id=unit_id,
        member_id=member_id,
        role=role,
        created_by_id=created_by_id,
        created_at=now,
        expires_at=now + valid_for,
        uses_left=1 if member_id is not None else uses,
        used_count=0,
    )
    session.add(invite)
    await session.flush()
    return invite


async def reusable_cell_invite(
    session: AsyncSession, *, now: datetime, unit_id: int, valid_for: timedelta
) -> Invite | None:
    """An open cell invite that stays valid for at least half its lifetime, if there is one."""
    return await session.scalar(
        select(Invite)
        .where(
            Invite.unit_id == unit_id,
            Invite.member_id.is_(None),
            Invite.role == Role.MEMBER,
            Invite.revoked_at.is_(None),
            Invite.uses_left.is_(None),
            Invite.expires_at > now + valid_for / 2,
        )
        .order_by(Invite.expires_at.desc())
        .limit(1)
    )


async def check_throttle(
    session: AsyncSession, config: CoreConfig, now: datetime, channel: str, external_id: str
) -> None:
    """Refuse an account that failed too often, or that failed at all while the failures of
    all accounts together reached the global cap: during such a wave, only accounts
    without a recent failure may still try (docs/DECISIONS.md)."""
    recent = (CodeAttempt.succeeded.is_(False), CodeAttempt.at > now - config.code_failure_window)
    failures = await session.scalar(
        select(func.count(CodeAttempt.id)).where(
            CodeAttempt.channel == channel, CodeAttempt.external_id == external_id, *recent
        )
    )
    minutes = int(config.code_failure_window.total_seconds() // 60)
    if (failures or 0) >= config.code_failures_allowed:
        raise Refused("code_throttled", minutes=minutes)
    if failures and config.code_failures_global:
        everyone = await session.scalar(select(func.count(CodeAttempt.id)).where(*recent))
        if (everyone or 0) >= config.code_failures_global:
            raise Refused("code_throttled_global", minutes=minutes)


def note_attempt(
    session: AsyncSession, now: datetime, channel: str, external_id: str, ok: bool
) -> None:
    session.add(CodeAttempt(channel=channel, external_id=external_id, at=now, succeeded=ok))


async def usable_invite(session: AsyncSession, now: datetime, code: str) -> Invite:
    """The invite behind `code`, or a refusal that says what is wrong with it."""
    invite = await session.scalar(select(Invite).where(Invite.code == normalize_code(code)))
    if invite is None:
        raise Refused("code_unknown")
    if invite.revoked_at is not None or invite.expires_at <= now:
        raise Refused("code_expired")
    if invite.uses_left is not None and invite.uses_left <= 0:
        raise Refused("code_used")
    if invite.member_id is not None:
        member = await session.get(Member, invite.member_id)
        if member is None or member.status is MemberStatus.LEFT:
            raise Refused("code_unknown")
    return invite


async def consume(session: AsyncSession, invite_id: int) -> None:
    """Use the code once, atomically: two people racing for the last use cannot both win."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, or_(Invite.uses_left.is_(None), Invite.uses_left > 0))
        .values(used_count=Invite.used_count + 1, uses_left=Invite.uses_left - 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Refused("code_used")


async def give_back(session: AsyncSession, invite_id: int) -> None:
    """A withdrawn join request returns its use of the code."""
    await session.execute(
        update(Invite)
        .where(Invite.id == invite_id)
        .values(used_count=Invite.used_count - 1, uses_left=Invite.uses_left + 1)
        .execution_options(synchronize_session=False)
    )
