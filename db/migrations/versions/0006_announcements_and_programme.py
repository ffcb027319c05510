"""announcements and programme

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 20:42:40.308639
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=3000), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_id"],
            ["units.id"],
            name=op.f("fk_announcements_cell_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["members.id"],
            name=op.f("fk_announcements_created_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_announcements_cell_id_created_at", ["cell_id", "created_at"], unique=False
        )

    op.create_table(
        "programme_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("resolution_on", sa.Date(), nullable=True),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "rewarded",
                "praised",
                "recognised",
                "not_met",
                name="appraisal_outcome",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("outcome_note", sa.String(length=500), nullable=True),
        sa.Column("appraised_by", sa.Integer(), nullable=True),
        sa.Column("appraising_unit_id", sa.Integer(), nullable=True),
        sa.Column("appraised_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appraised_by"],
            ["members.id"],
            name=op.f("fk_programme_registrations_appraised_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["appraising_unit_id"],
            ["units.id"],
            name=op.f("fk_programme_registrations_appraising_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cell_id"],
            ["units.id"],
            name=op.f("fk_programme_registrations_cell_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"],
            ["members.id"],
            name=op.f("fk_programme_registrations_registered_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_registrations")),
        sa.UniqueConstraint(
            "cell_id", "year", name=op.f("uq_programme_registrations_cell_id_year")
        ),
    )
    with op.batch_alter_table("programme_registrations", schema=None) as batch_op:
        batch_op.create_index("ix_programme_registrations_year", ["year"], unique=False)

    op.create_table(
        "announcement_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_recipients_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_announcement_recipients_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_recipients")),
        sa.UniqueConstraint(
            "announcement_id",
            "member_id",
            name=op.f("uq_announcement_recipients_announcement_id_member_id"),
        ),
    )
    with op.batch_alter_table("announcement_recipients", schema=None) as batch_op:
        batch_op.create_index("ix_announcement_recipients_member_id", ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcement_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_announcement_recipients_member_id")

    op.drop_table("announcement_recipients")
    with op.batch_alter_table("programme_registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_registrations_year")

    op.drop_table("programme_registrations")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_cell_id_created_at")

    op.drop_table("announcements")
