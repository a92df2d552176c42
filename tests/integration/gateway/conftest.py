"""Gateway tests encrypt the read model's home locations under a key of their own."""

from __future__ import annotations

import pytest

from shared.crypto import FieldKeys


@pytest.fixture(autouse=True)
def field_keys(field_keys: FieldKeys) -> FieldKeys:
    """A fresh field-encryption key per test, never the data folder's."""
    return field_keys
