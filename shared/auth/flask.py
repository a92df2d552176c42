"""Authentication and route rules for Flask apps.

Every view declares who may call it with ``@allow(...)`` (or ``@public``); a test
walks each app's URL map and fails for a route without a rule. The principal comes
from ``Authorization: Bearer <token>`` or the gateway's ``shouhu_token`` cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, g, request

from shared.auth.principal import Principal, Role
from shared.auth.tokens import AuthError, TokenKeys

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTR = "_shouhu_roles"
COOKIE = "shouhu_token"
# Library-made routes that are public by design (the OpenAPI document, static files).
PUBLIC_ENDPOINTS = frozenset({"api-docs.openapi_json", "static"})


def init_auth(app: Flask, keys: TokenKeys) -> None:
    app.extensions["shouhu_auth"] = keys

    @app.before_request
    def _identify() -> None:
        g.principal = None
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else request.cookies.get(COOKIE)
        if token:
            try:
                g.principal = keys.verify(token)
            except AuthError:
                g.principal = None


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        abort(401, description="sign in first")
    return principal


def allow(*roles: Role) -> Callable[[F], F]:
    """Only these roles may call the view; others get 403, anonymous callers 401."""

    def deco(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.role not in roles:
                abort(403, description=f"role {principal.role} may not do this")
            return fn(*args, **kwargs)

        setattr(wrapper, RULE_ATTR, frozenset(roles))
        return wrapper  # type: ignore[return-value]

    return deco


def public(fn: F) -> F:
    """Explicitly open to anyone (health checks, login, the OpenAPI document)."""
    setattr(fn, RULE_ATTR, frozenset({"*"}))
    return fn


def require_village(village_code: str) -> None:
    """Object scope: a record outside the caller's villages is reported as absent (404)."""
    if not current_principal().sees_village(village_code):
        abort(404, description="not found")
