"""one visit per child, visitor and time

Revision ID: 0007_reg
Revises: 0006_reg
Create Date: 2026-11-26 09:00:00

A phone on weak mobile data resends a visit whose answer was lost; the same child,
visitor and ``visited_at`` is the same visit. The unique index lets the registry answer
the resend with the stored visit, and stops two copies arriving at once from both being
stored. Copies stored before this revision are removed first, keeping one per visit
(the one with the smallest id: the rows are the same visit sent twice).
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0007_reg'
down_revision = '0006_reg'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)
INDEX = "uq_visits_child_visitor_time"


def upgrade() -> None:
    removed = op.get_bind().execute(sa.text(
        "DELETE FROM visits WHERE id NOT IN (SELECT MIN(id) FROM visits "
        "GROUP BY child_id, visitor_id, visited_at)")).rowcount
    if removed:
        log.warning("removed %d visit(s) stored twice before 0007_reg", removed)
    op.create_index(INDEX, "visits", ["child_id", "visitor_id", "visited_at"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="visits")
