"""The outbox and inbox keep the shape every service's first migration gave them.

``shared.messaging.migrations`` builds them from ``tables.py`` in migration 0001 of all
four services. Changing a column there changes what a new database gets at 0001 but not
what a station's existing database has: the change needs a migration step in each
service, and 0001 must keep creating these columns. This test fails first, so that
change is made on purpose.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

from shared.messaging.tables import INBOX, OUTBOX

FIRST_MIGRATION = {
    "outbox": [("seq", "BIGINT", False, True, False),
               ("event_id", "VARCHAR(36)", False, False, True),
               ("topic", "VARCHAR(120)", False, False, False),
               ("key", "VARCHAR(120)", False, False, False),
               ("type", "VARCHAR(120)", False, False, False),
               ("payload", "TEXT", False, False, False),
               ("created_at", "TIMESTAMP WITH TIME ZONE", False, False, False),
               ("sent_at", "TIMESTAMP WITH TIME ZONE", True, False, False),
               ("index ix_outbox_unsent", "sent_at, seq")],
    "inbox": [("consumer_group", "VARCHAR(120)", False, True, False),
              ("event_id", "VARCHAR(36)", False, True, False),
              ("applied_at", "TIMESTAMP WITH TIME ZONE", False, False, False)],
}


def _shape(table: Table) -> list[tuple[object, ...]]:
    dialect = postgresql.dialect()
    columns: list[tuple[object, ...]] = [
        (c.name, str(c.type.compile(dialect=dialect)), c.nullable, c.primary_key,
         bool(c.unique)) for c in table.columns]
    return columns + [(f"index {ix.name}", ", ".join(c.name for c in ix.columns))
                      for ix in sorted(table.indexes, key=lambda ix: str(ix.name))]


def test_outbox_and_inbox_are_as_the_first_migrations_create_them():
    assert {t.name: _shape(t) for t in (OUTBOX, INBOX)} == FIRST_MIGRATION, (
        "the outbox or inbox changed: add a migration step to every service and keep "
        "0001 creating the old columns (shared/messaging/migrations.py)")
