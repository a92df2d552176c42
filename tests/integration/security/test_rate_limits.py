"""Exports of every service answer 429, with a reason and Retry-After, past the limit."""

from __future__ import annotations

import pytest

from shared.auth.principal import Principal, Role
from shared.auth.ratelimit import EXPORTS_PER_MINUTE
from tests.integration.security.conftest import KEYS, TOWNSHIP, token

EXPORTS = [("hazards", "/hazards/export?format=csv"), ("registry", "/audit/export"),
           ("registry", "/ledgers/reception?format=xlsx")]


@pytest.mark.parametrize(("svc", "path"), EXPORTS)
def test_exports_are_limited_per_person(service_apps, svc, path):
    client = service_apps[svc].test_client()
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
    codes = [client.get(path, headers=admin).status_code for _ in range(EXPORTS_PER_MINUTE)]
    assert codes == [200] * EXPORTS_PER_MINUTE
    refused = client.get(path, headers=admin)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json["message"].startswith(f"too many exports: at most {EXPORTS_PER_MINUTE}")
    colleague = KEYS.issue(Principal("another-admin", Role.STATION_ADMIN, TOWNSHIP))
    assert client.get(path, headers={"Authorization": f"Bearer {colleague}"}).status_code == 200
