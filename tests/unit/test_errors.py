"""One error mapping: every kind has its status, every body one shape.

``shared.web`` maps a domain error's kind to HTTP; these tests pin the table, where a
field error and a domain error's details land, and that library errors (``abort``, a
body too large, an unknown route) speak the same ``status`` vocabulary.
"""

from typing import Any

import pytest
from flask_smorest import Blueprint, abort

from services.gateway.domain.exceptions import UpstreamUnavailable
from services.gateway.identity.domain.identity import AccountLocked
from services.hazards.domain.exceptions import DuplicateFixTask, FileTooLarge, ImportRefused
from services.notifier.domain.exceptions import InvalidTransition
from services.registry.domain.exceptions import DuplicateChild, InvalidChild, NotFound
from shared.auth import TokenKeys
from shared.auth.flask import public
from shared.auth.hardening import body_limit
from shared.errors import DomainError, FieldError, Kind, found_in_scope
from shared.web import STATUS_OF_KIND, create_flask

KEYS = TokenKeys({"k1": "x" * 40}, "k1")
EXPECTED = {
    Kind.INVALID: (422, "UNPROCESSABLE_ENTITY"),
    Kind.MALFORMED: (400, "BAD_REQUEST"),
    Kind.UNAUTHORIZED: (401, "UNAUTHORIZED"),
    Kind.FORBIDDEN: (403, "FORBIDDEN"),
    Kind.NOT_FOUND: (404, "NOT_FOUND"),
    Kind.CONFLICT: (409, "CONFLICT"),
    Kind.GONE: (410, "GONE"),
    Kind.STALE: (412, "PRECONDITION_FAILED"),
    Kind.TOO_LARGE: (413, "REQUEST_ENTITY_TOO_LARGE"),
    Kind.TOO_MANY: (429, "TOO_MANY_REQUESTS"),
    Kind.UNAVAILABLE: (503, "SERVICE_UNAVAILABLE"),
    Kind.INTERNAL: (500, "INTERNAL_SERVER_ERROR"),
}


def _client(error: Exception | None = None):  # type: ignore[no-untyped-def]
    """An app whose ``/raise`` raises ``error`` and whose ``/small`` takes 1 KiB."""
    app, api = create_flask(__name__, "t", KEYS)
    blp = Blueprint("errors", __name__)

    @blp.route("/raise", methods=["GET"])
    @public
    def raising():  # type: ignore[no-untyped-def]
        """Raise the error under test."""
        assert error is not None
        raise error

    @blp.route("/abort", methods=["GET"])
    @public
    def aborting():  # type: ignore[no-untyped-def]
        """Abort as a view does with flask-smorest."""
        abort(422, message="not a valid event", errors={"json": {"type": ["unknown"]}},
              headers={"X-Why": "test"})

    @blp.route("/small", methods=["POST"])
    @public
    @body_limit(1024)
    def small():  # type: ignore[no-untyped-def]
        """A route with a small body limit."""
        return {}

    api.register_blueprint(blp)
    return app.test_client()


def test_every_kind_has_one_status():
    assert set(STATUS_OF_KIND) == set(Kind)
    assert {k: v for k, v in STATUS_OF_KIND.items()} == {k: s for k, (s, _) in EXPECTED.items()}


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_answers_its_status_in_the_one_shape(kind: Kind):
    class Refusal(DomainError):
        pass

    Refusal.kind = kind
    resp = _client(Refusal("why it was refused")).get("/raise")
    status, name = EXPECTED[kind]
    assert resp.status_code == status
    assert resp.get_json() == {"code": status, "status": name, "message": "why it was refused"}


def test_an_error_without_a_kind_is_internal():
    resp = _client(InvalidTransition("delivered → queued")).get("/raise")
    assert (resp.status_code, resp.get_json()["status"]) == (500, "INTERNAL_SERVER_ERROR")


def test_a_field_error_lands_under_its_location_and_field():
    body = _client(InvalidChild("home", "outside the township")).get("/raise").get_json()
    assert body["message"] == "home: outside the township"
    assert body["errors"] == {"json": {"home": ["outside the township"]}}


def test_a_whole_file_refused_is_a_field_error_on_the_file():
    resp = _client(ImportRefused("no usable CRS")).get("/raise")
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"files": {"file": ["no usable CRS"]}}
    too_large = _client(FileTooLarge("zip bomb: 2 GB unpacked")).get("/raise")
    assert too_large.status_code == 413 and "errors" not in too_large.get_json()


def test_details_land_under_errors():
    body = _client(DuplicateChild("c-1", "id_number")).get("/raise").get_json()
    assert body["status"] == "CONFLICT"
    assert body["errors"] == {"matched_on": "id_number", "existing_id": "c-1"}
    hidden = _client(DuplicateChild("", "id_number")).get("/raise").get_json()
    assert hidden["errors"] == {"matched_on": "id_number"}  # outside scope: never named
    task = _client(DuplicateFixTask("t-9")).get("/raise").get_json()
    assert task["errors"] == {"task_id": "t-9"}


def test_an_empty_message_says_the_kind():
    assert _client(NotFound()).get("/raise").get_json()["message"] == "not found"


def test_a_locked_account_says_when_to_retry():
    from datetime import UTC, datetime

    resp = _client(AccountLocked(datetime(2026, 1, 1, tzinfo=UTC))).get("/raise")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "60"


def test_an_unavailable_upstream_names_the_service():
    body = _client(UpstreamUnavailable("hazards")).get("/raise").get_json()
    assert body["message"] == "hazards service unavailable; retry"


def test_library_errors_speak_the_same_vocabulary():
    client = _client()
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.get_json()["status"]) == (404, "NOT_FOUND")
    aborted = client.get("/abort")
    assert aborted.get_json() == {"code": 422, "status": "UNPROCESSABLE_ENTITY",
                                  "message": "not a valid event",
                                  "errors": {"json": {"type": ["unknown"]}}}
    assert aborted.headers["X-Why"] == "test"


def test_a_body_too_large_names_the_routes_limit():
    resp = _client().post("/small", data=b"x" * 2048)
    assert resp.status_code == 413
    assert resp.get_json()["status"] == "REQUEST_ENTITY_TOO_LARGE"
    assert resp.get_json()["message"] == "the body exceeds this route's limit of 1 KiB"


def test_found_in_scope_hides_what_the_caller_may_not_see():
    visible: dict[str, Any] = {"village": "1"}
    assert found_in_scope(visible, lambda r: r["village"] == "1", NotFound("no x")) is visible
    with pytest.raises(NotFound, match="no x"):
        found_in_scope({"village": "2"}, lambda r: r["village"] == "1", NotFound("no x"))
    with pytest.raises(NotFound, match="no y"):
        found_in_scope(None, lambda r: True, NotFound("no y"))


def test_field_errors_keep_their_parts():
    exc = FieldError("page", "too far")
    assert (exc.field, exc.message, str(exc), exc.kind) == (
        "page", "too far", "page: too far", Kind.INVALID)
