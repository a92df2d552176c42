"""The HTTP edge every service shares: app factory defaults and one error shape.

Every error body is ``{code, status, message, errors}`` (flask-smorest's shape);
domain errors are mapped to it by each service's ``entrypoints/errors.py``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from shared.auth.flask import init_auth, public
from shared.auth.hardening import harden
from shared.auth.tokens import TokenKeys
from shared.config import env_int


class Segment(BaseConverter):
    """A path parameter: one segment, never ``.`` or ``..``.

    Clients resolve dot segments before sending (``/children/./visits`` arrives as
    ``/children/visits``), so an id of ``.`` would reach another route; refusing it keeps
    every id parameter to its own route, and the OpenAPI pattern tells clients so.
    """

    regex = r"[^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+"


def _segment_schema(_converter: BaseConverter) -> dict[str, str]:
    return {"type": "string", "pattern": f"^(?:{Segment.regex})$"}


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
    app.register_error_handler(MethodNotAllowed, http_error)  # with its Allow header
    init_auth(app, keys)
    harden(app)  # CSP, HSTS behind TLS, no-store, body cap, log redaction

    @app.after_request
    def _headers(resp):  # type: ignore[no-untyped-def]
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    @app.get("/healthz")
    @public
    def healthz():  # type: ignore[no-untyped-def]
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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def error_response(status: int, code: str, message: str,
                   errors: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """The one JSON error shape, for errors raised outside flask-smorest's abort."""
    body = {"code": status, "status": code, "message": message}
    if errors:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    return resp


def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
    """An HTTP error (``abort``, ``refuse``, a route not found) in the one JSON shape."""
    data = getattr(exc, "data", {}) or {}
    resp = error_response(exc.code or 500, exc.name.upper().replace(" ", "_"),
                          exc.description or exc.name, data.get("messages"))
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return resp


def register_http_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
