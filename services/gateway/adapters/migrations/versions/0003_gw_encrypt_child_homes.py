"""encrypt the read model's home locations and outbox payloads

Revision ID: 0003_gw
Revises: 0002_gw
Create Date: 2026-11-25 11:10:00

``child_homes.lon/lat`` (plaintext floats) become one encrypted ``home`` column holding
``(lon, lat)``. Existing rows, and the event payloads in the outbox, are encrypted with
the configured field keys.
"""
from shared.crypto_migrations import encrypt_lon_lat, encrypt_outbox

revision = '0003_gw'
down_revision = '0002_gw'
branch_labels = None
depends_on = None


def upgrade() -> None:
    encrypt_lon_lat("child_homes", "child_id", "lon", "lat", into="home")
    encrypt_outbox()


def downgrade() -> None:
    raise NotImplementedError("decrypting personal data back to plaintext is not supported")
