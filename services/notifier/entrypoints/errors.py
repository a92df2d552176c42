"""The one place where the notifier's domain errors become HTTP answers."""

from __future__ import annotations

from flask import Flask

from services.notifier.domain.exceptions import (
    AckRefused,
    InvalidPerson,
    NotFound,
    NotifierError,
    RulesError,
)
from shared.web import error_response

STATUS = {NotFound: (404, "NOT_FOUND"), AckRefused: (410, "GONE"),
          InvalidPerson: (422, "UNPROCESSABLE_ENTITY"), RulesError: (422, "UNPROCESSABLE_ENTITY")}


def register(app: Flask) -> None:
    @app.errorhandler(NotifierError)
    def _domain(exc: NotifierError):
        status, code = next((v for k, v in STATUS.items() if isinstance(exc, k)),
                            (500, "INTERNAL_SERVER_ERROR"))
        errors = {"json": {exc.field: [exc.message]}} if isinstance(exc, InvalidPerson) else None
        return error_response(status, code, str(exc), errors)
