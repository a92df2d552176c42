"""A registry app on a fresh database (SQLite and PostgreSQL) and tokens for any role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from reg_helpers import KEYS, make_settings

from services.registry.bootstrap import Registry, bootstrap
from services.registry.entrypoints.api import create_app
from shared.auth import Principal, Role
from shared.crypto import FieldKeys


@pytest.fixture(autouse=True)
def field_keys(field_keys: FieldKeys) -> FieldKeys:
    """A fresh field-encryption key per test, never the data folder's."""
    return field_keys


@pytest.fixture
def registry(database_url: str) -> Iterator[Registry]:
    reg = bootstrap(make_settings(database_url))
    yield reg
    reg.engine.dispose()


@pytest.fixture
def client(registry: Registry):  # type: ignore[no-untyped-def]
    return create_app(registry).test_client()


@pytest.fixture
def auth() -> Callable[..., dict[str, str]]:
    def _auth(role: Role = Role.STATION_ADMIN, villages: frozenset[str] = frozenset(),
              user: str = "u-admin") -> dict[str, str]:
        token = KEYS.issue(Principal(user, role, "500110120", villages), check_until=date.max)
        return {"Authorization": f"Bearer {token}"}

    return _auth
