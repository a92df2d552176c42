"""Background checks in every service (docs/adr/0506-background-checks.md).

The gateway's identity store is the one source of a person's check; the access token
carries until when it lets them work with children (claim ``chk``), refreshed with
every token (15 min) and revoked at once on a match (the match ends their sessions).
A view that puts a person in close contact with children (a home visit, a patrol
check-in) is decorated with ``@needs_background_check``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import g

from shared.auth.flask import current_principal, refuse

F = TypeVar("F", bound=Callable[..., Any])


def check_valid_on(claims: Mapping[str, Any] | None, day: date) -> bool:
    """Does the token's background check cover ``day``?"""
    try:
        return date.fromisoformat((claims or {}).get("chk") or "") >= day
    except (TypeError, ValueError):
        return False


def needs_background_check(fn: F) -> F:
    """The view refuses (403) a caller whose background check does not cover today."""

    @wraps(fn)  # keeps the route rule (@allow) of the view
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_principal()
        if not check_valid_on(g.get("claims"), date.today()):
            refuse(403, "从业查询无效（缺失、过期或发现记录），不能从事接触儿童的工作 — no "
                        "valid background check: you may not do work in contact with children")
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
