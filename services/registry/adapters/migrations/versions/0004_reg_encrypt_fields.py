"""encrypt personal fields; blind index for ID numbers

Revision ID: 0004_reg
Revises: 0003_reg
Create Date: 2026-11-25 10:05:00

Existing plaintext values are encrypted in place with the configured field keys
(shared/crypto.py); JSON columns become encrypted text.
"""
import json

import sqlalchemy as sa
from alembic import op

from shared.crypto import blind_index, encrypt_field

revision = '0004_reg'
down_revision = '0003_reg'
branch_labels = None
depends_on = None

# table -> {column: (old type, is JSON)}
COLUMNS = {
    "children": {"id_number": (sa.String(18), False), "address": (sa.String(300), False),
                 "phone": (sa.String(32), False), "guardians": (sa.JSON(), True)},
    "child_revisions": {"before": (sa.JSON(), True)},
    "visits": {"findings": (sa.JSON(), True), "next_steps": (sa.Text(), False)},
    "cases": {"report": (sa.JSON(), True), "history": (sa.JSON(), True),
              "referrals": (sa.JSON(), True)},
    "ledger_entries": {"contact": (sa.String(100), False), "summary": (sa.Text(), False),
                       "outcome": (sa.Text(), False)},
}
KEYS = {"children": "id", "child_revisions": "seq", "visits": "id", "cases": "id",
        "ledger_entries": "id"}


def upgrade() -> None:
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_idx', sa.String(length=80), nullable=True))
        batch_op.drop_constraint('uq_children_id_number', type_='unique')
        batch_op.create_unique_constraint('uq_children_id_number_idx', ['id_number_idx'])
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, (old, _) in columns.items():
                batch_op.alter_column(name, existing_type=old, type_=sa.Text(),
                                      server_default=None,
                                      postgresql_using=f'"{name}"::text')
    conn = op.get_bind()
    for table, columns in COLUMNS.items():
        _encrypt_rows(conn, table, KEYS[table], columns)


def _encrypt_rows(conn, table, key, columns):
    names = ", ".join(f'"{c}"' for c in columns)
    rows = conn.execute(sa.text(f'SELECT "{key}", {names} FROM {table}')).fetchall()
    for row in rows:
        values = {}
        for name in columns:  # already text: JSON columns hold their JSON document
            raw = getattr(row, name)
            plain = raw if raw is None or isinstance(raw, str) else json.dumps(raw)
            values[name] = encrypt_field(plain, context=f"{table}.{name}")
        if table == "children" and row.id_number:
            values["id_number_idx"] = blind_index(row.id_number, context="children.id_number")
        sets = ", ".join(f'"{c}" = :{c}' for c in values)
        conn.execute(sa.text(f'UPDATE {table} SET {sets} WHERE "{key}" = :_key'),
                     {**values, "_key": getattr(row, key)})


def downgrade() -> None:
    raise NotImplementedError("decrypting personal data back to plaintext is not supported")
