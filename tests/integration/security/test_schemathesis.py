"""Schemathesis against each service's own OpenAPI document, in process.

Property-based requests as a station administrator of the demo township: no request,
however odd, may crash a service (5xx) or answer outside its documented schema, status
codes and content types. Examples per operation: ``SHOUHU_FUZZ_EXAMPLES`` (default 100).
Every operation must document a 2xx response with a schema (a page or a file as a
string), or a form's 303 to the page that shows its result (Post/Redirect/Get, its
``Location`` documented), so none is checked for crashes only; 503 from the gateway means
its upstream service is not running here, which is honest. Every service documents each
status it answers (``shared.openapi.errors``): flask-smorest's catch-all ``default``
counts for none.
Ignored authentication is covered for every route by the authorisation matrix.

CI runs derandomized: the same requests every run, so a red build means the code changed.
The long random run is a separate command (``docs/operations.md``)::

    SHOUHU_FUZZ_SEED=random SHOUHU_FUZZ_EXAMPLES=1000 \\
        .venv/bin/python -m pytest tests/integration/security/test_schemathesis.py

(``SHOUHU_FUZZ_SEED=<integer>`` replays the run a failure printed.)
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.auth.principal import Role
from tests.integration.security.conftest import SERVICES, token

EXAMPLES = int(os.environ.get("SHOUHU_FUZZ_EXAMPLES", "100"))
SEED = os.environ.get("SHOUHU_FUZZ_SEED", "")  # '' derandomized, 'random' or an integer
UPSTREAM_DOWN = {502, 503, 504}  # the gateway forwarding to a service not running here


@schemathesis.check
def no_crash(ctx, response, case):  # type: ignore[no-untyped-def]
    """``not_a_server_error``, except an honest 'upstream unavailable, retry'."""
    if response.status_code in UPSTREAM_DOWN:
        return True
    return not_a_server_error(ctx, response, case)


@schemathesis.check
def status_documented(ctx, response, case):  # type: ignore[no-untyped-def]
    """Each status named in the operation's responses: ``default`` documents nothing."""
    documented = set(case.operation.definition.raw.get("responses", {})) - {"default"}
    assert str(response.status_code) in documented, (
        f"{response.status_code} is not documented (documented: {sorted(documented)})")
    return True


CHECKS = [no_crash, status_code_conformance, status_documented, content_type_conformance,
          response_schema_conformance]


def _documents_success(operation) -> bool:  # type: ignore[no-untyped-def]
    """A 2xx response with a schema for each of its bodies, 204 (no body at all), or a
    303 with its ``Location`` (a form's Post/Redirect/Get: no body either)."""
    for code, resp in operation.definition.raw.get("responses", {}).items():
        content = resp.get("content", {})
        if str(code) == "204" or str(code).startswith("2") and content and all(
                "schema" in media for media in content.values()):
            return True
        if str(code) == "303" and "Location" in resp.get("headers", {}):
            return True
    return False


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not SEED, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)


def _fuzzer(operation, headers, checks):  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @FUZZ
    def fuzz(case):  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=headers, checks=checks)

    return seed(int(SEED))(fuzz) if SEED.isdigit() else fuzz


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_openapi_fuzz(service_apps, service):
    """Every operation of the service's OpenAPI, ``EXAMPLES`` generated requests each."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", service_apps[service])
    # identity: the checks read bodies as sent; the gateway's gzip has its own test
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}",
             "Accept-Encoding": "identity"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not _documents_success(operation):
            failures.append(f"{operation.label}: declares no 2xx response schema")
            continue
        try:
            _fuzzer(operation, admin, CHECKS)()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            lines = [ln.strip(" |") for ln in str(exc).splitlines() if ln.strip(" |")]
            failures.append(f"{operation.label}: " + " / ".join(lines[:6]))
    assert not failures, "\n\n".join(failures)


def test_an_operation_without_a_success_schema_is_refused():
    """The rule the fuzz test enforces: a page documented as a string passes, a JSON
    answer with no schema and a 200 with no body described do not."""
    from flask import Flask
    from flask_smorest import Api, Blueprint

    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json")
    blp = Blueprint("b", __name__)
    blp.route("/page")(blp.response(200, {"type": "string"}, content_type="text/html")(
        lambda: "<p>"))
    blp.route("/bare")(lambda: {})
    blp.route("/empty")(blp.response(200)(lambda: {}))
    blp.route("/gone", methods=["DELETE"])(blp.response(204)(lambda: None))
    blp.route("/form", methods=["POST"])(blp.response(303, headers={"Location": {
        "schema": {"type": "string"}}})(lambda: None))
    blp.route("/bounce", methods=["POST"])(blp.response(303)(lambda: None))
    Api(app).register_blueprint(blp)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    verdict = {r.ok().path: _documents_success(r.ok()) for r in schema.get_all_operations()}
    assert verdict == {"/page": True, "/bare": False, "/empty": False, "/gone": True,
                       "/form": True, "/bounce": False}
