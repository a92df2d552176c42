"""The hazards app on a fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from haz_helpers import settings_for

from services.hazards.bootstrap import bootstrap
from services.hazards.entrypoints.api import create_app
from shared.crypto import FieldKeys


@pytest.fixture(autouse=True)
def field_keys(field_keys: FieldKeys) -> FieldKeys:
    """A fresh field-encryption key per test, never the data folder's."""
    return field_keys


@pytest.fixture
def hazards(database_url):  # type: ignore[no-untyped-def]
    h = bootstrap(settings_for(database_url))
    yield h
    h.engine.dispose()


@pytest.fixture
def client(hazards):  # type: ignore[no-untyped-def]
    return create_app(hazards).test_client()
