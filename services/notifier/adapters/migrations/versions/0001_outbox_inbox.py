"""outbox, inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 09:17:05.797409
"""
from shared.messaging.migrations import create_outbox_inbox, drop_outbox_inbox


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_inbox()


def downgrade() -> None:
    drop_outbox_inbox()
