"""Schemathesis against each service's own OpenAPI document, in process.

Property-based requests as a station administrator of the demo township: no request,
however odd, may crash a service (5xx) or answer outside its documented schema.
Examples per operation: ``SHOUHU_FUZZ_EXAMPLES`` (default 100). Operations that declare
no 2xx response schema are checked for server errors only (and named in a warning);
503 from the gateway means its upstream service is not running here, which is honest.
Ignored authentication is covered for every route by the authorisation matrix.
"""

from __future__ import annotations

import os
import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.auth.principal import Role
from tests.integration.security.conftest import SERVICES, token

EXAMPLES = int(os.environ.get("SHOUHU_FUZZ_EXAMPLES", "100"))
UPSTREAM_DOWN = {502, 503, 504}  # the gateway forwarding to a service not running here


@schemathesis.check
def no_crash(ctx, response, case):  # type: ignore[no-untyped-def]
    """``not_a_server_error``, except an honest 'upstream unavailable, retry'."""
    if response.status_code in UPSTREAM_DOWN:
        return True
    return not_a_server_error(ctx, response, case)


CHECKS = [no_crash, response_schema_conformance]


def _documents_success(operation) -> bool:  # type: ignore[no-untyped-def]
    return any(str(code).startswith("2") for code in operation.definition.raw.get("responses", {}))


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _fuzzer(operation, headers, checks):  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @FUZZ
    def fuzz(case):  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=headers, checks=checks)

    return fuzz


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_openapi_fuzz(service_apps, service):
    """Every operation of the service's OpenAPI, ``EXAMPLES`` generated requests each."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", service_apps[service])
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        checks = CHECKS if _documents_success(operation) else [no_crash]
        if checks is not CHECKS:
            warnings.warn(f"{operation.label} declares no 2xx response schema: only checked "
                          "for server errors", stacklevel=1)
        try:
            _fuzzer(operation, admin, checks)()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            lines = [ln.strip(" |") for ln in str(exc).splitlines() if ln.strip(" |")]
            failures.append(f"{operation.label}: " + " / ".join(lines[:6]))
    assert not failures, "\n\n".join(failures)
