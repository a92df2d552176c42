"""Migration 0002_sec creates exactly the identity tables the code uses."""

import sqlalchemy as sa

from services.gateway.bootstrap import MIGRATIONS
from services.gateway.identity.adapters import users as user_tables
from shared.db import make_engine, migrate


def test_migration_matches_the_identity_tables(database_url):
    migrate(database_url, MIGRATIONS)
    engine = make_engine(database_url)
    inspector = sa.inspect(engine)
    for table in (user_tables.users, user_tables.background_checks,
                  user_tables.refresh_tokens, user_tables.revoked_tokens):
        migrated = {c["name"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name for c in table.columns}, table.name
    engine.dispose()
