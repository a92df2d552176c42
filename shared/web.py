"""The HTTP edge every service shares: app factory defaults and one error shape.

Every error body is ``{code, status, message, errors}`` (flask-smorest's shape), with
``status`` the upper-snake HTTP phrase (``NOT_FOUND``). ``STATUS_OF_KIND`` is the one
table from a domain error's kind (``shared.errors``) to its HTTP status; field errors
go under ``errors.{location}.{field}``, a domain error's details under ``errors``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from shared.auth.flask import init_auth, public
from shared.auth.hardening import harden
from shared.auth.tokens import TokenKeys
from shared.config import env_int
from shared.errors import DomainError, Kind


class Segment(BaseConverter):
    """A path parameter: one segment, never ``.`` or ``..``.

    Clients resolve dot segments before sending (``/children/./visits`` arrives as
    ``/children/visits``), so an id of ``.`` would reach another route; refusing it keeps
    every id parameter to its own route, and the OpenAPI pattern tells clients so.
    """

    regex = r"[^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+"


def _segment_schema(_converter: BaseConverter) -> dict[str, str]:
    return {"type": "string", "pattern": f"^(?:{Segment.regex})$"}


STATUS_OF_KIND: dict[Kind, int] = {
    Kind.INVALID: 422,
    Kind.MALFORMED: 400,
    Kind.UNAUTHORIZED: 401,
    Kind.FORBIDDEN: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.GONE: 410,
    Kind.STALE: 412,
    Kind.TOO_LARGE: 413,
    Kind.TOO_MANY: 429,
    Kind.UNAVAILABLE: 503,
    Kind.INTERNAL: 500,
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_flask(name: str, title: str, keys: TokenKeys,
                 extra_config: dict[str, Any] | None = None) -> tuple[Flask, Api]:
    """A Flask app with OpenAPI, security headers, token authentication and /healthz."""
    app = Flask(name)
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    app.config.update(extra_config or {})
    trust_proxies(app)
    app.url_map.converters["default"] = app.url_map.converters["string"] = Segment
    api = Api(app)
    api.register_converter(Segment, _segment_schema)
    app.register_error_handler(HTTPException, http_error)  # replaces flask-smorest's
    app.register_error_handler(DomainError, domain_error)
    init_auth(app, keys)
    harden(app)  # CSP, HSTS behind TLS, no-store, body cap, log redaction

    @app.after_request
    def _headers(resp):
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    @app.get("/healthz")
    @public
    def healthz():
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app, api


def trust_proxies(app: Flask) -> None:
    """Behind ``SHOUHU_TRUSTED_PROXIES`` reverse proxies (the gateway in front of the
    services, nginx in front of the gateway), the client's address is the one they put
    in ``X-Forwarded-For``: sign-in limits and the audit trail see the person, not the
    proxy. Without the setting the header is ignored, so nobody can forge it."""
    hops = env_int("SHOUHU_TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]  # Flask's documented way


def status_name(status: int) -> str:
    """The body's ``status``: the HTTP phrase in upper snake case (``NOT_FOUND``)."""
    return HTTP_STATUS_CODES.get(status, "Unknown Error").upper().replace(" ", "_")


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error (pages that answer in HTML use it too)."""
    return STATUS_OF_KIND[exc.kind]


def error_response(status: int, message: str, errors: dict[str, Any] | None = None):
    """The one JSON error shape."""
    body: dict[str, Any] = {"code": status, "status": status_name(status), "message": message}
    if errors:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    return resp


def domain_error(exc: DomainError):
    """A domain error in the one JSON shape, its status from ``STATUS_OF_KIND``."""
    errors = dict(exc.details)
    if exc.field:
        errors[exc.location] = {exc.field: [exc.field_message]}
    if exc.retry_after_s:
        g.retry_after = exc.retry_after_s  # the Retry-After header (shared.auth.hardening)
    return error_response(status_of(exc), str(exc) or exc.kind.replace("_", " "), errors)


def http_error(exc: HTTPException):
    """An HTTP error (``abort``, ``refuse``, a route not found, a body too large) in the
    one JSON shape; ``abort``'s ``message``, ``errors`` (or webargs' ``messages``) and
    ``headers`` are kept."""
    data = getattr(exc, "data", None) or {}
    status = exc.code or 500
    message = data.get("message") or exc.description or exc.name
    if status == 413:
        message = _too_large(message)
    resp = error_response(status, message, data.get("errors") or data.get("messages"))
    resp.headers.update(data.get("headers") or {})
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return resp


def _too_large(otherwise: str) -> str:
    """A refused body, with the limit of this route (``body_limit``) or of the app."""
    limit = request.max_content_length
    if not limit:
        return otherwise
    size = f"{limit // 2 ** 20} MB" if limit % 2 ** 20 == 0 else f"{limit // 1024} KiB"
    return f"the body exceeds this route's limit of {size}"
