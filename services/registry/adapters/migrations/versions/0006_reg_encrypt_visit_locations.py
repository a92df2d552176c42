"""encrypt visit locations

Revision ID: 0006_reg
Revises: 0005_reg
Create Date: 2026-11-25 11:35:00

``visits.lon/lat`` (plaintext floats: where a home visit was recorded, i.e. the home)
become one encrypted ``location`` column holding ``(lon, lat)``, NULL where no location
was recorded; existing rows are encrypted with the configured field keys.
"""
from shared.crypto_migrations import encrypt_lon_lat

revision = '0006_reg'
down_revision = '0005_reg'
branch_labels = None
depends_on = None


def upgrade() -> None:
    encrypt_lon_lat("visits", "id", "lon", "lat", into="location", nullable=True)


def downgrade() -> None:
    raise NotImplementedError("decrypting personal data back to plaintext is not supported")
