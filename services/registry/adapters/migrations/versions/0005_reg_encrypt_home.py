"""encrypt children's home locations and outbox payloads

Revision ID: 0005_reg
Revises: 0004_reg
Create Date: 2026-11-25 11:10:00

``children.home_lon/home_lat`` (plaintext floats) become one encrypted ``home`` column
holding ``(lon, lat)``. Existing rows, and the event payloads in the outbox (which carry
home locations too), are encrypted with the configured field keys.
"""
from shared.crypto_migrations import encrypt_lon_lat, encrypt_outbox

revision = '0005_reg'
down_revision = '0004_reg'
branch_labels = None
depends_on = None


def upgrade() -> None:
    encrypt_lon_lat("children", "id", "home_lon", "home_lat", into="home")
    encrypt_outbox()


def downgrade() -> None:
    raise NotImplementedError("decrypting personal data back to plaintext is not supported")
