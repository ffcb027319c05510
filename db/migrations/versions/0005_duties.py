"""duties

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 18:24:50.660001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "inspection",
                "supervision",
                "assignment",
                name="duty_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("concerns", sa.String(length=200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "reported",
                "done",
                "returned",
                name="duty_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_duties_cell_id_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["members.id"],
            name=op.f("fk_duties_created_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duties")),
    )
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.create_index("ix_duties_cell_id_year", ["cell_id", "year"], unique=False)
        batch_op.create_index("ix_duties_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "duty_assignees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duty_id"],
            ["duties.id"],
            name=op.f("fk_duty_assignees_duty_id_duties"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_duty_assignees_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_assignees")),
        sa.UniqueConstraint(
            "duty_id", "member_id", name=op.f("uq_duty_assignees_duty_id_member_id")
        ),
    )
    with op.batch_alter_table("duty_assignees", schema=None) as batch_op:
        batch_op.create_index("ix_duty_assignees_member_id", ["member_id"], unique=False)

    op.create_table(
        "duty_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "progress",
                "completion",
                name="duty_report_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("attachment_kind", sa.String(length=16), nullable=True),
        sa.Column("attachment_ref", sa.String(length=500), nullable=True),
        sa.Column("attachment_name", sa.String(length=200), nullable=True),
        sa.Column("attachment_size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "confirmed",
                "returned",
                name="duty_verdict",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("verdict_comment", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["members.id"],
            name=op.f("fk_duty_reports_decided_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duty_id"],
            ["duties.id"],
            name=op.f("fk_duty_reports_duty_id_duties"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_duty_reports_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_reports")),
    )
    with op.batch_alter_table("duty_reports", schema=None) as batch_op:
        batch_op.create_index("ix_duty_reports_duty_id", ["duty_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duty_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_reports_duty_id")

    op.drop_table("duty_reports")
    with op.batch_alter_table("duty_assignees", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_assignees_member_id")

    op.drop_table("duty_assignees")
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.drop_index("ix_duties_status_due_on")
        batch_op.drop_index("ix_duties_cell_id_year")

    op.drop_table("duties")
