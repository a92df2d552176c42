"""Web hardening every service gets from ``shared.web.create_flask``.

- Content-Security-Policy (``SHOUHU_CSP`` overrides it): nothing inline, nothing from
  another site; a page allows its own inline stylesheet by hash (``csp_with_styles``).
- HSTS only when the request came over TLS (directly or per ``X-Forwarded-Proto``
  from the reverse proxy): sending it over plain HTTP would be meaningless.
- ``Cache-Control: no-store`` on answers to signed-in callers: shared phones must not
  keep children's data in their cache. Static files (Leaflet, scripts) are cacheable.
- Request bodies capped by ``SHOUHU_MAX_BODY_BYTES`` (default 10 MiB, ledgers included),
  or by the view's own ``@body_limit`` (an unauthenticated webhook: a few KiB).
- JSON nested too deeply for the parser is a 400, never a 500.
- Log records redacted (``shared.privacy.install_redaction``).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, abort, current_app, g, request

from shared.config import env_int
from shared.privacy import install_redaction

# Nothing inline and nothing from elsewhere: a page with its own inline stylesheet
# allows it by hash (``csp_with_styles``); the maps and the dashboard send their own
# policy naming their scripts by hash (map_api, dashboard_api). ``SHOUHU_CSP`` overrides.
DEFAULT_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"
BODY_ATTR = "_shouhu_max_body"
F = TypeVar("F", bound=Callable[..., Any])


def csp_hashes(*inline: str) -> str:
    """CSP sources allowing exactly these inline scripts or stylesheets, by SHA-256."""
    return " ".join("'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest())
                    .decode() + "'" for text in inline)


def csp_with_styles(*stylesheets: str) -> str:
    """The default policy, allowing exactly these inline stylesheets (by SHA-256),
    never ``'unsafe-inline'``."""
    return os.environ.get("SHOUHU_CSP") or DEFAULT_CSP.replace(
        "style-src 'self'", f"style-src 'self' {csp_hashes(*stylesheets)}")


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """This view takes bodies of at most ``max_bytes`` (413 otherwise), instead of the
    app's cap: larger for file imports, far smaller for unauthenticated webhooks."""

    def deco(fn: F) -> F:
        setattr(fn, BODY_ATTR, max_bytes)  # read by the app's before-request check
        return fn

    return deco


def view_body_limit() -> int | None:
    """The ``@body_limit`` of the view this request goes to (a function or a method of a
    class-based view), if it declares one."""
    view = current_app.view_functions.get(request.endpoint or "")
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    return getattr(method or view, BODY_ATTR, None)


def behind_tls() -> bool:
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.is_secure or proto == "https"


def harden(app: Flask) -> None:
    csp = os.environ.get("SHOUHU_CSP", DEFAULT_CSP)
    if os.environ.get("SHOUHU_MAX_BODY_BYTES"):
        app.config["MAX_CONTENT_LENGTH"] = env_int("SHOUHU_MAX_BODY_BYTES", 10 * 1024 * 1024)
    install_redaction()

    @app.before_request
    def _body_cap() -> None:  # refuse early, even if the view never reads the body
        cap = view_body_limit() or app.config.get("MAX_CONTENT_LENGTH")
        if cap:
            request.max_content_length = cap  # also bounds a body sent without a length
        if cap and (request.content_length or 0) > cap:
            abort(413, description=f"request body larger than {cap} bytes")

    @app.errorhandler(RecursionError)
    def _too_deep(_exc: RecursionError) -> Response:
        # json.loads recurses once per nesting level: '[' * 100000 must not be a 500
        return Response('{"code": 400, "status": "BAD_REQUEST", "message": '
                        '"request body nested too deeply"}', 400, mimetype="application/json")

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", csp)
        if behind_tls():
            resp.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint and request.endpoint.split(".")[-1] == "static":
            # libraries (Leaflet, the map's script) hold no personal data: let phones
            # on weak signal keep them for a day
            resp.headers["Cache-Control"] = "public, max-age=86400"
        elif g.get("principal") is not None:
            resp.headers["Cache-Control"] = "no-store"
        if g.get("retry_after"):
            resp.headers["Retry-After"] = str(g.retry_after)
        return resp
