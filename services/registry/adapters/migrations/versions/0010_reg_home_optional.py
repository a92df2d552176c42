"""a child's home may be unknown

Revision ID: 0010_reg
Revises: 0009_reg
Create Date: 2026-12-06 14:45:00

Most station ledgers have no coordinates: such a row is stored and flagged ("distance
to water unknown") instead of refused, so ``children.home`` becomes nullable. Existing
children all have a home; going back fails while any child has none.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_reg'
down_revision = '0009_reg'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.alter_column("home", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.alter_column("home", existing_type=sa.Text(), nullable=False)
