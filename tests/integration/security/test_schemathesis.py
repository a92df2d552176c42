"""Schemathesis against each service's own OpenAPI document, in process.

Property-based requests as a station administrator of the demo township: no request,
however odd, may crash a service (5xx) or answer outside its documented schema.
Examples per operation: ``SHOUHU_FUZZ_EXAMPLES`` (default 100). Ignored authentication
is covered for every route by the authorisation matrix (test_authz_matrix.py).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.auth.principal import Role
from tests.integration.security.conftest import SERVICES, token

EXAMPLES = int(os.environ.get("SHOUHU_FUZZ_EXAMPLES", "100"))
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


# Known findings in other areas, each named by operation and file; remove the mark once
# fixed (the test then passes; strict=False keeps a fix from failing the build).
KNOWN = {
    "registry": "POST /children/import answers 500 for a file that is not XLSX/CSV "
                "('File is not a zip file', services/registry/entrypoints/ledgers_api.py)",
    "notifier": "GET /deliveries answers 500 for a huge integer query value "
                "('Python int too large to convert to SQLite INTEGER', "
                "services/notifier/entrypoints/api.py)",
    "gateway": "GET /api/map/layers declares no 200 response schema, so the body violates "
               "the default error schema (services/gateway/entrypoints/map_api.py)",
}


@pytest.mark.parametrize("service", [
    pytest.param(s, marks=pytest.mark.xfail(reason=KNOWN[s], strict=False)) if s in KNOWN
    else s for s in SERVICES])
@pytest.mark.slow
def test_openapi_fuzz(service_apps, service):
    """Every operation of the service's OpenAPI, ``EXAMPLES`` generated requests each."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", service_apps[service])
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @FUZZ
        def fuzz(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=admin, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            lines = [ln.strip(" |") for ln in str(exc).splitlines() if ln.strip(" |")]
            failures.append(f"{operation.label}: " + " / ".join(lines[:6]))
    assert not failures, "\n\n".join(failures)
