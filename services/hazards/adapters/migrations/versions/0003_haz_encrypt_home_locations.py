"""encrypt home locations and outbox payloads

Revision ID: 0003_haz
Revises: 0002_haz
Create Date: 2026-11-25 11:10:00

``homes.lon/lat`` (plaintext floats) become one encrypted ``location`` column holding
``(lon, lat)``. Existing rows, and the event payloads in the outbox, are encrypted with
the configured field keys.
"""
from shared.crypto_migrations import encrypt_lon_lat, encrypt_outbox

revision = '0003_haz'
down_revision = '0002_haz'
branch_labels = None
depends_on = None


def upgrade() -> None:
    encrypt_lon_lat("homes", "child_id", "lon", "lat", into="location")
    encrypt_outbox()


def downgrade() -> None:
    raise NotImplementedError("decrypting personal data back to plaintext is not supported")
