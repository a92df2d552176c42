"""The one place where the registry's domain errors become HTTP responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask

from services.registry.domain.exceptions import (
    ApprovalRequired,
    ApprovalSpent,
    DuplicateCase,
    DuplicateChild,
    InvalidChild,
    InvalidImport,
    NotFound,
    RegistryError,
    StaleVersion,
    TransitionRefused,
)
from shared.web import error_response

STATUS: dict[type[RegistryError], int] = {
    InvalidChild: 422,
    NotFound: 404,
    DuplicateChild: 409,
    DuplicateCase: 409,
    StaleVersion: 412,
    TransitionRefused: 409,
    ApprovalRequired: 403,
    ApprovalSpent: 403,
    InvalidImport: 400,
}


def register_errors(app: Flask) -> None:
    @app.errorhandler(RegistryError)
    def _domain(exc: RegistryError):
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        errors: dict[str, Any] | None = None
        if isinstance(exc, InvalidChild):
            errors = {"json": {exc.field: [exc.message]}}
        elif isinstance(exc, DuplicateChild):
            errors = {"matched_on": exc.matched_on}
            if exc.existing_id:
                errors["existing_id"] = exc.existing_id
        elif isinstance(exc, DuplicateCase):
            errors = {"case_id": exc.case_id}
        return error_response(status, HTTPStatus(status).phrase, str(exc), errors)
