"""SQLAlchemy 2 typed models. Every timestamp is UTC (see `UTCDateTime`)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import JSONDoc, UTCDateTime, json_default

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum: VARCHAR plus a CHECK constraint, the same on SQLite and PostgreSQL."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
    )


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMITTEE = "committee"
    CELL = "cell"


class MemberStatus(enum.StrEnum):
    INVITED = "invited"  # on the roster, no messenger account linked yet
    PENDING = "pending"  # joined with a cell code, waiting for the secretary's approval
    ACTIVE = "active"
    LEFT = "left"


class Membership(enum.StrEnum):
    FULL = "full"  # đảng viên chính thức
    PROBATIONARY = "probationary"  # đảng viên dự bị


class Role(enum.StrEnum):
    MEMBER = "member"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    STAFF = "staff"  # committee staff: sees every cell below the unit, in aggregate
    INSPECTION = "inspection"  # the unit's inspection committee (UBKT)
    ADMIN = "admin"


class Unit(Base):
    """A node of the party tree: province/district → committee (đảng bộ) → cell (chi bộ)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind, "unit_kind"))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(48), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_units_parent_id", "parent_id"),)


class Member(Base):
    """A party member on a cell's roster (Đảng viên)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus, "member_status"))
    membership: Mapped[Membership] = mapped_column(_enum(Membership, "membership"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where reminders go when the member has several channels (None: the first linked).
    preferred_channel: Mapped[str | None] = mapped_column(String(16), default=None)

    cell: Mapped[Unit] = relationship()
    roles: Mapped[list[MemberRole]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="selectin"
    )
    accounts: Mapped[list[ChannelAccount]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (Index("ix_members_cell_id_status", "cell_id", "status"),)


class MemberRole(Base):
    """A role a member holds at a unit (secretary of a cell, staff of a committee, ...)."""

    __tablename__ = "member_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))

    member: Mapped[Member] = relationship(back_populates="roles")

    __table_args__ = (
        UniqueConstraint("member_id", "unit_id", "role"),
        Index("ix_member_roles_unit_id_role", "unit_id", "role"),
    )


class ChannelAccount(Base):
    """A member's identity on one messenger; ids are strings, unique per channel."""

    __tablename__ = "channel_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(120))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(back_populates="accounts")

    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        UniqueConstraint("member_id", "channel"),  # one account per member and channel
        Index("ix_channel_accounts_member_id", "member_id"),
    )


class Invite(Base):
    """An invite code: one-time for a roster member, or reusable for a cell with a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uses_left: Mapped[int | None] = mapped_column(Integer)  # None: unlimited until expiry
    used_count: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])

    __table_args__ = (Index("ix_invites_unit_id", "unit_id"),)


class CodeAttempt(Base):
    """One try of an invite code by a messenger account; used to throttle guessing."""

    __tablename__ = "code_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_code_attempts_account_at", "channel", "external_id", "at"),)


class Conversation(Base):
    """Where a member is in a multi-step flow, per member and channel."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=json_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("member_id", "channel"),)


class AuditEntry(Base):
    """Who did what to whom, when. Never holds answers, tokens or phone numbers."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(48))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=json_default)

    __table_args__ = (Index("ix_audit_log_unit_id_at", "unit_id", "at"),)


class PendingMenu(Base):
    """The last set of buttons sent to a chat on a text-only channel, so "2" maps back."""

    __tablename__ = "pending_menus"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    options: Mapped[list[dict[str, str]]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("channel", "chat_id"),)


class InboundEvent(Base):
    """An event a platform pushed to us, kept until handled: platforms without update ids
    (Zalo) repeat webhooks, and a crash after answering 200 must not lose what a person sent.
    `body` is cleared once the event is handled; the key stays a while to drop replays."""

    __tablename__ = "inbound_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("channel", "event_key"),
        Index("ix_inbound_events_done_at", "done_at"),
    )


class SharedFile(Base):
    """A file offered as a short-lived download link, for channels that cannot carry it."""

    __tablename__ = "shared_files"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(80))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# --- meetings (issue 3) ---------------------------------------------------------------------


class MeetingKind(enum.StrEnum):
    REGULAR = "regular"  # sinh hoạt thường kỳ
    THEMATIC = "thematic"  # sinh hoạt chuyên đề
    EXTRAORDINARY = "extraordinary"  # họp bất thường


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpAnswer(enum.StrEnum):
    ATTEND = "attend"
    EXCUSED = "excused"  # xin vắng


class AbsenceReason(enum.StrEnum):
    WORK = "work"  # công tác
    SICK = "sick"  # ốm đau
    FAMILY = "family"  # việc gia đình
    AWAY = "away"  # đi làm ăn xa
    OTHER = "other"


class Presence(enum.StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"


class MeetingRule(Base):
    """A recurrence rule (stored as data) from which a cell's meetings are made."""

    __tablename__ = "meeting_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    rule: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(Boolean)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_meeting_rules_cell_id", "cell_id"),)


class Meeting(Base):
    """One meeting of a cell, made by the secretary or from a rule's occurrence."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_rules.id", ondelete="SET NULL")
    )
    planned_on: Mapped[date | None] = mapped_column(Date)  # the rule's date, before any move
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus, "meeting_status"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(String(2000))
    document_url: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)  # +1 on every reschedule
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("rule_id", "planned_on"),
        Index("ix_meetings_cell_id_starts_at", "cell_id", "starts_at"),
        Index("ix_meetings_status_starts_at", "status", "starts_at"),
    )


class SkipDate(Base):
    """A day without meetings (Tết, holidays): for one cell, or everywhere when cell is null."""

    __tablename__ = "skip_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    on: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(120))

    __table_args__ = (UniqueConstraint("cell_id", "on"),)


class CellSettings(Base):
    """Per-cell choices; a missing row means the deployment's defaults."""

    __tablename__ = "cell_settings"

    cell_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    reminder_offsets: Mapped[list[int]] = mapped_column(JSONDoc)  # minutes before the start


class Rsvp(Base):
    """A member's answer to a meeting reminder: will attend, or asks to be excused."""

    __tablename__ = "rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    answer: Mapped[RsvpAnswer] = mapped_column(_enum(RsvpAnswer, "rsvp_answer"))
    reason: Mapped[AbsenceReason | None] = mapped_column(_enum(AbsenceReason, "absence_reason"))
    note: Mapped[str | None] = mapped_column(String(1000))  # the reason in the member's words
    opinion: Mapped[str | None] = mapped_column(String(2000))  # on the agenda, for the secretary
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)


class Attendance(Base):
    """Who was at a meeting, marked by the secretary after it (điểm danh)."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    presence: Mapped[Presence] = mapped_column(_enum(Presence, "presence"))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        Index("ix_attendance_member_id", "member_id"),
    )


# --- delivery (issue 3) ---------------------------------------------------------------------


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    SKIPPED = "skipped"  # no longer useful (stale) or superseded
    UNREACHABLE = "unreachable"  # no reachable chat (blocked, never linked)


class Outbox(Base):
    """Every proactive message: one row per message, deduplicated by what it is."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # reminder, notice, alert, ...
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(16))  # explicit address, else member's
    chat_id: Mapped[str | None] = mapped_column(String(64))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    body: Mapped[dict[str, Any]] = mapped_column(JSONDoc)  # the rendered Reply
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    sent_channel: Mapped[str | None] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_meeting_id", "meeting_id"),
        Index("ix_outbox_member_id", "member_id"),
    )


class JobState(Base):
    """When a periodic job last finished, so a restart catches up exactly what it missed."""

    __tablename__ = "job_state"

    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- self-checks (issue 5) ------------------------------------------------------------------


class SelfCheckStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class SelfCheckPeriod(Base):
    """When one form is open for answers (a month or a quarter), for every cell."""

    __tablename__ = "selfcheck_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_name: Mapped[str] = mapped_column(String(24))  # monthly, quarterly
    starts_on: Mapped[date] = mapped_column(Date)  # local date it opens
    ends_on: Mapped[date] = mapped_column(Date)  # last local day answers are taken
    label: Mapped[str] = mapped_column(String(32))  # "11/2026", "quý IV/2026"
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("form_name", "starts_on"),)


class CellForm(Base):
    """A cell's chosen version of a form (none: the newest)."""

    __tablename__ = "cell_forms"

    cell_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    form_name: Mapped[str] = mapped_column(String(24), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SelfCheck(Base):
    """One member's answers in one period, under the form version they started with."""

    __tablename__ = "selfchecks"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("selfcheck_periods.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    form_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[SelfCheckStatus] = mapped_column(_enum(SelfCheckStatus, "selfcheck_status"))
    position: Mapped[str | None] = mapped_column(String(16))  # question shown last
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("period_id", "member_id"),
        Index("ix_selfchecks_cell_id_period_id", "cell_id", "period_id"),
    )


class SelfCheckAnswer(Base):
    """One answer: the option's stored value, or a short text (never logged)."""

    __tablename__ = "selfcheck_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    selfcheck_id: Mapped[int] = mapped_column(ForeignKey("selfchecks.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("selfcheck_id", "question_id"),)


class Flag(Base):
    """An answer the secretary may want to follow up: a suggestion to talk, never a verdict."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    selfcheck_id: Mapped[int] = mapped_column(ForeignKey("selfchecks.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # support, follow_up
    value: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        UniqueConstraint("selfcheck_id", "question_id"),
        Index("ix_flags_cell_id_contacted_at", "cell_id", "contacted_at"),
    )


# --- duties (issue 5) -----------------------------------------------------------------------


class DutyKind(enum.StrEnum):
    INSPECTION = "inspection"  # kiểm tra
    SUPERVISION = "supervision"  # giám sát
    ASSIGNMENT = "assignment"  # nhiệm vụ được phân công


class DutyStatus(enum.StrEnum):
    OPEN = "open"
    REPORTED = "reported"  # a completion report waits for the secretary
    DONE = "done"
    RETURNED = "returned"  # sent back with a comment; open again


class DutyReportKind(enum.StrEnum):
    PROGRESS = "progress"
    COMPLETION = "completion"


class DutyVerdict(enum.StrEnum):
    CONFIRMED = "confirmed"
    RETURNED = "returned"


class Duty(Base):
    """One item of a cell's yearly KT/GS plan (`DutyPlan`: the cell's duties of a year)."""

    __tablename__ = "duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[DutyKind] = mapped_column(_enum(DutyKind, "duty_kind"))
    title: Mapped[str] = mapped_column(String(200))
    concerns: Mapped[str | None] = mapped_column(String(200))  # whom or what it concerns
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[DutyStatus] = mapped_column(_enum(DutyStatus, "duty_status"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_duties_cell_id_year", "cell_id", "year"),
        Index("ix_duties_status_due_on", "status", "due_on"),
    )


class DutyAssignee(Base):
    """A member who carries a duty out."""

    __tablename__ = "duty_assignees"

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))

    __table_args__ = (
        UniqueConstraint("duty_id", "member_id"),
        Index("ix_duty_assignees_member_id", "member_id"),
    )


class DutyReport(Base):
    """A progress or completion report; a file is kept as a reference (the platform holds it)."""

    __tablename__ = "duty_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[DutyReportKind] = mapped_column(_enum(DutyReportKind, "duty_report_kind"))
    text: Mapped[str] = mapped_column(String(500))
    attachment_kind: Mapped[str | None] = mapped_column(String(16))  # photo, document
    attachment_ref: Mapped[str | None] = mapped_column(String(500))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verdict: Mapped[DutyVerdict | None] = mapped_column(_enum(DutyVerdict, "duty_verdict"))
    verdict_comment: Mapped[str | None] = mapped_column(String(500))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_duty_reports_duty_id", "duty_id"),)


# --- announcements and the KT/GS model programme (issue 6) ----------------------------------


class Announcement(Base):
    """A message from the secretary to the whole cell, with a «Đã đọc» button (/thongbao)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(3000))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_announcements_cell_id_created_at", "cell_id", "created_at"),)


class AnnouncementRecipient(Base):
    """A member an announcement went to; `read_at` is set when they press «Đã đọc»."""

    __tablename__ = "announcement_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("announcement_id", "member_id"),
        Index("ix_announcement_recipients_member_id", "member_id"),
    )


class AppraisalOutcome(enum.StrEnum):
    REWARDED = "rewarded"  # khen thưởng
    PRAISED = "praised"  # biểu dương
    RECOGNISED = "recognised"  # công nhận
    NOT_MET = "not_met"  # chưa đạt


class ProgrammeRegistration(Base):
    """A cell registered for the year's model programme "chi bộ thực hiện tốt công tác KT, GS
    và nói không với đảng viên vi phạm", and the appraisal at the end of the year."""

    __tablename__ = "programme_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    resolution_on: Mapped[date | None] = mapped_column(Date)  # the cell's resolution to register
    registered_by: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    on_behalf: Mapped[bool] = mapped_column(default=False)  # registered by the committee
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[AppraisalOutcome | None] = mapped_column(
        _enum(AppraisalOutcome, "appraisal_outcome")
    )
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    appraised_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    appraising_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )
    appraised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("cell_id", "year"),
        Index("ix_programme_registrations_year", "year"),
    )
