"""join the identity tables' branch (0002_sec) with the read model's (0003_gw)

Revision ID: 0004_gw
Revises: 0002_sec, 0003_gw
Create Date: 2026-12-06 13:30:00

Both branches grew from 0001 in parallel; this revision changes nothing but gives the
history one head again, so the next migration has one parent.
"""

revision = '0004_gw'
down_revision = ('0002_sec', '0003_gw')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
