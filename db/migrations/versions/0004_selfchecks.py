"""selfchecks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 18:08:14.137478
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selfcheck_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_name", sa.String(length=24), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcheck_periods")),
        sa.UniqueConstraint(
            "form_name", "starts_on", name=op.f("uq_selfcheck_periods_form_name_starts_on")
        ),
    )
    op.create_table(
        "cell_forms",
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("form_name", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_cell_forms_cell_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("cell_id", "form_name", name=op.f("pk_cell_forms")),
    )
    op.create_table(
        "selfchecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_progress",
                "submitted",
                name="selfcheck_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.String(length=16), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_selfchecks_cell_id_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_selfchecks_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["selfcheck_periods.id"],
            name=op.f("fk_selfchecks_period_id_selfcheck_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selfchecks")),
        sa.UniqueConstraint(
            "period_id", "member_id", name=op.f("uq_selfchecks_period_id_member_id")
        ),
    )
    with op.batch_alter_table("selfchecks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_selfchecks_cell_id_period_id", ["cell_id", "period_id"], unique=False
        )

    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selfcheck_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contacted_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_flags_cell_id_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contacted_by"],
            ["members.id"],
            name=op.f("fk_flags_contacted_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_flags_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["selfcheck_id"],
            ["selfchecks.id"],
            name=op.f("fk_flags_selfcheck_id_selfchecks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
        sa.UniqueConstraint(
            "selfcheck_id", "question_id", name=op.f("uq_flags_selfcheck_id_question_id")
        ),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flags_cell_id_contacted_at", ["cell_id", "contacted_at"], unique=False
        )

    op.create_table(
        "selfcheck_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selfcheck_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=24), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["selfcheck_id"],
            ["selfchecks.id"],
            name=op.f("fk_selfcheck_answers_selfcheck_id_selfchecks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcheck_answers")),
        sa.UniqueConstraint(
            "selfcheck_id",
            "question_id",
            name=op.f("uq_selfcheck_answers_selfcheck_id_question_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("selfcheck_answers")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_cell_id_contacted_at")

    op.drop_table("flags")
    with op.batch_alter_table("selfchecks", schema=None) as batch_op:
        batch_op.drop_index("ix_selfchecks_cell_id_period_id")

    op.drop_table("selfchecks")
    op.drop_table("cell_forms")
    op.drop_table("selfcheck_periods")
