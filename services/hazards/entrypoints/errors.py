"""The one place where the hazards service's domain errors become HTTP responses."""

from __future__ import annotations

from flask import Flask, request

from services.hazards.domain.exceptions import (
    DeviceRefused,
    DuplicateFixTask,
    FileTooLarge,
    FixTaskRefused,
    HazardsError,
    ImportRefused,
    InvalidCheckIn,
    InvalidHazard,
    NotFound,
)
from shared.web import error_response


def register_errors(app: Flask) -> None:
    @app.errorhandler(HazardsError)
    def _domain(exc: HazardsError):  # type: ignore[no-untyped-def]
        if isinstance(exc, InvalidHazard | InvalidCheckIn):
            return error_response(422, "UNPROCESSABLE_ENTITY", str(exc),
                                  {"json": {exc.field: [exc.message]}})
        if isinstance(exc, FixTaskRefused):
            return error_response(409, "CONFLICT", str(exc), {"json": {exc.field: [exc.message]}})
        if isinstance(exc, DuplicateFixTask):
            return error_response(409, "CONFLICT", str(exc), {"task_id": exc.task_id})
        if isinstance(exc, NotFound):
            return error_response(404, "NOT_FOUND", str(exc))
        if isinstance(exc, FileTooLarge):
            return error_response(413, "PAYLOAD_TOO_LARGE", str(exc))
        if isinstance(exc, ImportRefused):
            return error_response(422, "UNPROCESSABLE_ENTITY", str(exc),
                                  {"files": {"file": [str(exc)]}})
        if isinstance(exc, DeviceRefused):
            return error_response(401, "UNAUTHORIZED", f"device call refused: {exc}")
        return error_response(400, "BAD_REQUEST", str(exc))

    @app.errorhandler(413)
    def _too_large(_exc):  # type: ignore[no-untyped-def]
        limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
        size = f"{limit // 2 ** 20} MB" if limit % 2 ** 20 == 0 else f"{limit // 1024} KiB"
        return error_response(413, "PAYLOAD_TOO_LARGE",
                              f"the body exceeds this route's limit of {size}")
