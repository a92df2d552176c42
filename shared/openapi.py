"""OpenAPI error responses, one helper for every service.

flask-smorest documents a catch-all ``default`` error, which tells a client nothing:
each operation lists the error statuses it really answers, with the shared error body
(``{code, status, message, errors}``, see ``shared.web``).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from flask_smorest import Blueprint

F = TypeVar("F", bound=Callable[..., Any])

SIGNED_IN = (401, 403)  # no or expired token; a role the view does not allow


def errors(blp: Blueprint, *statuses: int) -> Callable[[F], F]:
    """Document these error statuses, each with the shared error body."""
    def decorate(fn: F) -> F:
        for status in statuses:
            fn = blp.alt_response(status, response=HTTPStatus(status).name)(fn)
        return fn

    return decorate
