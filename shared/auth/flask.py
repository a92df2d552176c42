"""Authentication and route rules for Flask apps.

Every view declares who may call it with ``@allow(...)`` (or ``@public``); a test
walks each app's URL map and fails for a route without a rule. The principal comes
from ``Authorization: Bearer <token>`` or the gateway's ``shouhu_token`` cookie.

A write authenticated by the cookie must also carry the CSRF token (header
``X-CSRF-Token`` or form field ``csrf_token``): bound to the sign-in (an HMAC of the
token's ``sid``), so a cookie planted by a neighbouring site cannot match it; before
sign-in (the login form) it must equal the ``shouhu_csrf`` cookie (double submit).
An app may register a revocation check (``set_revocation_check``): the gateway's
deny-list, the services' revocation list (``shared.auth.revocation``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, g, request

from shared.auth.principal import Principal, Role
from shared.auth.tokens import AuthError, TokenKeys, principal_from_claims

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTR = "_shouhu_roles"
COOKIE = "shouhu_token"
CSRF_COOKIE = "shouhu_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RevocationCheck = Callable[[Mapping[str, Any]], bool]  # verified claims → revoked?
# Library-made routes that are public by design (the OpenAPI document, static files).
PUBLIC_ENDPOINTS = frozenset({"api-docs.openapi_json", "static"})


def refuse(status: int, message: str) -> NoReturn:
    """Abort with ``message`` in the shared error body (``shared.web.http_error``)."""
    abort(status, description=message)


def init_auth(app: Flask, keys: TokenKeys) -> None:
    app.extensions["shouhu_auth"] = keys

    @app.before_request
    def _identify() -> None:
        g.principal = g.claims = None
        header = request.headers.get("Authorization", "")
        from_cookie = not header.startswith("Bearer ")
        token = request.cookies.get(COOKIE) if from_cookie else header[7:]
        if not token:
            return
        try:
            claims = keys.claims(token)
        except AuthError:
            return
        revoked = app.extensions.get("shouhu_revocation_check")
        if revoked is not None and revoked(claims):
            return
        if from_cookie and request.method not in SAFE_METHODS:
            check_csrf(claims)
        g.principal, g.claims = principal_from_claims(claims), claims


def set_revocation_check(app: Flask, check: RevocationCheck) -> None:
    """Tokens for which ``check(claims)`` is true are treated as absent (401)."""
    app.extensions["shouhu_revocation_check"] = check


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def session_csrf(claims: Mapping[str, Any]) -> str:
    """The CSRF token of one sign-in: unguessable without its access token's ``sid``,
    which lives in an HttpOnly cookie."""
    mac = hmac.new(str(claims.get("sid", "")).encode(), b"shouhu csrf v1", hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def csrf_token() -> str:
    """The token a page's forms and scripts send back: the sign-in's when signed in,
    else the ``shouhu_csrf`` cookie's (or a new one for the sign-in form)."""
    claims = g.get("claims")
    if claims and claims.get("sid"):
        return session_csrf(claims)
    return request.cookies.get(CSRF_COOKIE) or new_csrf_token()


def check_csrf(claims: Mapping[str, Any] | None = None) -> None:
    """Refuse (403) a form or cookie-authenticated write without the CSRF token."""
    expected = (session_csrf(claims) if claims and claims.get("sid")
                else request.cookies.get(CSRF_COOKIE, ""))
    given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        refuse(403, "missing or wrong CSRF token; reload the page")


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        refuse(401, "sign in first")
    return principal


def allow(*roles: Role) -> Callable[[F], F]:
    """Only these roles may call the view; others get 403, anonymous callers 401."""

    def deco(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.role not in roles:
                refuse(403, f"role {principal.role} may not do this")
            return fn(*args, **kwargs)

        setattr(wrapper, RULE_ATTR, frozenset(roles))
        return wrapper  # type: ignore[return-value]  # the view's own signature

    return deco


def public(fn: F) -> F:
    """Explicitly open to anyone (health checks, login, the OpenAPI document)."""
    setattr(fn, RULE_ATTR, frozenset({"*"}))
    return fn


def require_village(village_code: str) -> None:
    """Object scope: a record outside the caller's villages is reported as absent (404)."""
    if not current_principal().sees_village(village_code):
        refuse(404, "not found")
