"""fix tasks (隐患整改)

Revision ID: 0004_haz
Revises: 0003_haz
Create Date: 2026-12-06 13:30:00

One row per missing or damaged protection being put right: assigned to the village
committee with a due date, reported fixed with a photo, confirmed by a patrol.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_haz'
down_revision = '0003_haz'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fix_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hazard_id", sa.String(36), nullable=False),
        sa.Column("village_code", sa.String(12), nullable=False),
        sa.Column("protection", sa.String(20), nullable=False),
        sa.Column("problem", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_to", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finding_id", sa.String(36), nullable=False, server_default=""),
        sa.Column("note", sa.String(500), nullable=False, server_default=""),
        sa.Column("fixed_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fixed_note", sa.String(500), nullable=False, server_default=""),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(40), nullable=True),
        sa.Column("confirmed_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirm_note", sa.String(500), nullable=False, server_default=""),
        sa.Column("overdue_notified_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    for column in ("hazard_id", "village_code", "status"):
        op.create_index(f"ix_fix_tasks_{column}", "fix_tasks", [column])


def downgrade() -> None:
    op.drop_table("fix_tasks")
