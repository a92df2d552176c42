"""The one place gateway errors become HTTP responses (the shared error shape)."""

from __future__ import annotations

from flask import Flask

from services.gateway.domain.exceptions import InvalidPlan, NotFound, UpstreamUnavailable
from shared.web import error_response


def register_errors(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound):
        return error_response(404, "NOT_FOUND", str(exc) or "not found")

    @app.errorhandler(InvalidPlan)
    def _invalid(exc: InvalidPlan):
        return error_response(422, "UNPROCESSABLE_ENTITY", exc.message,
                              {"json": {exc.field: [exc.message]}})

    @app.errorhandler(UpstreamUnavailable)
    def _upstream(exc: UpstreamUnavailable):
        return error_response(503, "SERVICE_UNAVAILABLE", f"{exc} service unavailable; retry")
