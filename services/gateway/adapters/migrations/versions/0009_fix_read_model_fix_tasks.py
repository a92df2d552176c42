"""fix tasks in the read model

Revision ID: 0009_fix
Revises: 0008_roads
Create Date: 2026-12-06 13:40:00

The dashboard's open and overdue fix tasks (隐患整改) by village, from the hazards
service's ``hazards.fix_task.*`` events; ``shouhu gateway rebuild`` fills it again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_fix'
down_revision = '0008_roads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fix_tasks",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("hazard_id", sa.String(36), nullable=False),
        sa.Column("village_code", sa.String(12), nullable=False),
        sa.Column("protection", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_fix_tasks_hazard_id", "fix_tasks", ["hazard_id"])
    op.create_index("ix_fix_tasks_village_code", "fix_tasks", ["village_code"])


def downgrade() -> None:
    op.drop_table("fix_tasks")
