"""encrypt outbox payloads

Revision ID: 0003_ntf
Revises: 0002_ntf
Create Date: 2026-11-25 11:30:00

Event payloads in the outbox are encrypted at rest in every service (shared/messaging);
existing plaintext rows are encrypted with the configured field keys.
"""
from shared.crypto_migrations import encrypt_outbox

revision = '0003_ntf'
down_revision = '0002_ntf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    encrypt_outbox()


def downgrade() -> None:
    raise NotImplementedError("decrypting personal data back to plaintext is not supported")
