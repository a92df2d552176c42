"""HTTP views of fix tasks (隐患整改): station staff assign, the village reports the fix
with a photo, a patrol confirms it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.hazards.bootstrap import Hazards
from services.hazards.entrypoints.access import (
    FIX_ASSIGNERS,
    FIX_CONFIRMERS,
    FIX_READERS,
    FIX_REPORTERS,
    context,
)
from services.hazards.entrypoints.fix_task_schemas import (
    ConfirmIn,
    FixedIn,
    FixedPhoto,
    FixTaskIn,
    FixTaskOut,
    FixTaskPage,
    FixTaskQuery,
)
from services.hazards.entrypoints.schemas import FILE
from services.hazards.service_layer import fix_tasks
from shared.auth.flask import allow, current_principal
from shared.openapi import SIGNED_IN, errors


def fix_tasks_blueprint(hazards: Hazards) -> Blueprint:
    blp = Blueprint("fix_tasks", __name__, url_prefix="/fix-tasks",
                    description="隐患整改: missing or damaged protections put right")

    @blp.route("")
    class Tasks(MethodView):
        @allow(*FIX_ASSIGNERS)
        @blp.arguments(FixTaskIn)
        @blp.response(201, FixTaskOut)
        @errors(blp, *SIGNED_IN, 404, 409)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Assign a missing or damaged protection (or a finding) to the village
            committee with a due date; 409 naming the open task if it has one"""
            return fix_tasks.assign(hazards.uow(), fix_tasks.AssignFix(**body),
                                    context(hazards), datetime.now(UTC))

        @allow(*FIX_READERS)
        @blp.arguments(FixTaskQuery, location="query")
        @blp.response(200, FixTaskPage)
        @errors(blp, *SIGNED_IN)
        def get(self, q):  # type: ignore[no-untyped-def]
            """Fix tasks in the caller's villages, soonest due first, paged"""
            villages = current_principal().village_codes or None
            items, total = fix_tasks.list_tasks(hazards.uow(), villages, q["status"],
                                                q["page"], q["page_size"])
            return {"items": items, "total": total, "page": q["page"],
                    "page_size": q["page_size"]}

    @blp.route("/<task_id>")
    class TaskById(MethodView):
        @allow(*FIX_READERS)
        @blp.response(200, FixTaskOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, task_id):  # type: ignore[no-untyped-def]
            """One fix task"""
            return fix_tasks.get_task(hazards.uow(), task_id, context(hazards))

    @blp.route("/<task_id>/fixed")
    class Fixed(MethodView):
        @allow(*FIX_REPORTERS)
        @blp.arguments(FixedIn, location="form")
        @blp.arguments(FixedPhoto, location="files")
        @blp.response(200, FixTaskOut)
        @errors(blp, *SIGNED_IN, 404, 409, 413)
        def post(self, form, files, task_id):  # type: ignore[no-untyped-def]
            """The village reports the fix, with a photo (multipart; EXIF removed)"""
            photo = files["photo"].read() if files.get("photo") else None
            return fix_tasks.report_fixed(hazards.uow(), task_id, form["note"], photo,
                                          hazards.settings.photo_max_bytes,
                                          context(hazards), datetime.now(UTC))

    @blp.route("/<task_id>/confirmation")
    class Confirmation(MethodView):
        @allow(*FIX_CONFIRMERS)
        @blp.arguments(ConfirmIn)
        @blp.response(200, FixTaskOut)
        @errors(blp, *SIGNED_IN, 404, 409)
        def post(self, body, task_id):  # type: ignore[no-untyped-def]
            """A patrol confirms the fix (the hazard's protection becomes present) or
            finds it still broken (the task is with the village again)"""
            return fix_tasks.confirm(hazards.uow(), task_id, body["fixed"], body["note"],
                                     context(hazards), datetime.now(UTC))

    @blp.route("/<task_id>/photo")
    class Photo(MethodView):
        @allow(*FIX_READERS)
        @blp.response(200, FILE, content_type="image/jpeg")
        @blp.alt_response(200, schema=FILE, content_type="image/png", success=True)
        @blp.alt_response(200, schema=FILE, content_type="image/webp", success=True)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, task_id):  # type: ignore[no-untyped-def]
            """The photo of the reported fix"""
            data, content_type = fix_tasks.photo(hazards.uow(), task_id, context(hazards))
            return Response(data, mimetype=content_type)

    return blp
