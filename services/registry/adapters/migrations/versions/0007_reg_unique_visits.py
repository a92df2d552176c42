"""one visit per child, visitor and time

Revision ID: 0007_reg
Revises: 0006_reg
Create Date: 2026-11-26 09:00:00

A phone on weak mobile data resends a visit whose answer was lost; the same child,
visitor and ``visited_at`` is the same visit. The unique index lets the registry answer
the resend with the stored visit, and stops two copies arriving at once from both being
stored. Copies stored before this revision move first to ``visits_resent``, as stored
(still encrypted), keeping one per visit in ``visits`` (the smallest id): nothing is
lost, and an operator drops that table once its rows are seen to be copies. A key
rotation does not re-encrypt it, so review it before dropping the old key.
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


COPIES = ("id NOT IN (SELECT MIN(id) FROM visits "
          "GROUP BY child_id, visitor_id, visited_at)")


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(f"CREATE TABLE visits_resent AS SELECT * FROM visits WHERE {COPIES}"))
    moved = bind.execute(sa.text(f"DELETE FROM visits WHERE {COPIES}")).rowcount
    if moved:
        log.warning("moved %d visit(s) stored twice to visits_resent (0007_reg)", moved)
    op.create_index(INDEX, "visits", ["child_id", "visitor_id", "visited_at"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="visits")
    op.execute("INSERT INTO visits SELECT * FROM visits_resent")
    op.drop_table("visits_resent")
