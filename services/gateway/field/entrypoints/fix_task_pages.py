"""隐患整改 on pages: station staff assign a missing protection from the dashboard, the
village reports it fixed with a photo taken on the phone, a patrol confirms it or says
it is still broken. The hazards service decides every step (and scopes: another
village's task is "not found"); the page says its answer in the page's language."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.phone_labels import LABELS
from services.gateway.entrypoints.phone_pages import (
    Refused,
    accepted,
    install_refusal_pages,
    local_today,
    render_page,
    see_other,
)
from services.gateway.entrypoints.response_schemas import HTML, LOCATION, TEXT, page_errors
from services.gateway.entrypoints.roles import (
    FIX_ASSIGNERS,
    FIX_CONFIRMERS,
    FIX_READERS,
    FIX_REPORTERS,
)
from services.gateway.entrypoints.schemas import (
    FixAssignForm,
    FixConfirmForm,
    FixPhoto,
    FixReportForm,
    FixTaskQuery,
    PageQuery,
)
from services.gateway.field.entrypoints.map_api import caller_token
from services.gateway.planning.entrypoints.campaign_labels import KINDS, PROTECTIONS, STATES, label
from services.gateway.read_model.adapters.villages import village_name
from shared.auth.flask import allow, current_principal

UPSTREAM = (401, 403, 404, 502, 503)
SHOWN = 50  # tasks listed per group (soonest due first)


def refusal(answer: Any, lang: str) -> str:
    """The hazards service's refusal, in the page's language, by the field it names."""
    named = (answer.get("errors") or {}).get("json", {}) if isinstance(answer, dict) else {}
    words = LABELS[lang]["fix"]["refusals"]
    return next((words[k] for k in named if k in words), words[""])


def _row(task: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    """A task as the list shows it: the hazard's name, the village's, the words."""
    late = task["status"] == "assigned" and task["due_on"] < local_today().isoformat()
    return {"id": task["id"], "hazard": names.get(task["hazard_id"]) or task["hazard_id"],
            "village": village_name(task["village_code"]), "due_on": task["due_on"],
            "protection": label(PROTECTIONS, task["protection"], lang), "late": late}


def build(gateway: Gateway, hazards: Any) -> Blueprint:
    blp = Blueprint("fix_tasks", __name__, description="隐患整改 pages (HTML)")
    install_refusal_pages(blp)

    def page(task_id: str, lang: str, message: str = "", status: int = 200) -> Response:
        task = accepted(hazards.get(f"/fix-tasks/{task_id}", caller_token()), "hazards")
        with gateway.read_model() as store:
            hazard = store.hazard(task["hazard_id"])
        role = current_principal().role
        late = task["status"] == "assigned" and task["due_on"] < local_today().isoformat()
        shown = "overdue" if late else task["status"]
        return render_page(
            "fix_task.html", "fix_title", f"/fix-tasks/{task_id}", status=status, task=task,
            message=message, error=status >= 400, form={"note": ""}, errors={},
            hazard_name=hazard.name if hazard else task["hazard_id"],
            kind=label(KINDS, hazard.kind, lang) if hazard else "",
            village=village_name(task["village_code"]),
            protection=label(PROTECTIONS, task["protection"], lang),
            problem=label(STATES, task["problem"], lang), shown=shown,
            can_report=role in FIX_REPORTERS, can_confirm=role in FIX_CONFIRMERS)

    def answered(task_id: str, answer: tuple[int, Any], done: str, lang: str) -> Any:
        status, body = answer
        if status in (409, 422):
            return page(task_id, lang, refusal(body, lang), 409)
        accepted(answer, "hazards")
        return see_other("fix_tasks.FixTask", task_id=task_id, lang=lang, done=done)

    @blp.route("/fix-tasks")
    class FixTasks(MethodView):
        @allow(*FIX_READERS)
        @blp.arguments(PageQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args):
            """Open fix tasks in your villages (HTML): to fix, and to confirm on patrol"""
            lang = args["lang"]
            groups = []
            for status in ("assigned", "reported_fixed"):
                found = accepted(hazards.get("/fix-tasks", caller_token(), {
                    "status": status, "page_size": str(SHOWN)}), "hazards")
                names = hazard_names(found["items"])
                groups.append((status, [_row(t, names, lang) for t in found["items"]],
                               found["total"]))
            return render_page("fix_tasks.html", "fix_list_title", "/fix-tasks",
                               current="fixes", groups=groups, shown=SHOWN)

    def hazard_names(tasks: list[dict[str, Any]]) -> dict[str, str]:
        with gateway.read_model() as store:
            return {t["hazard_id"]: (h.name if (h := store.hazard(t["hazard_id"])) else "")
                    for t in tasks}

    @blp.route("/fix-tasks/new")
    class FixAssign(MethodView):
        @allow(*FIX_ASSIGNERS)
        @blp.arguments(FixAssignForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Assigned (or already assigned): on to the task",
                      headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 409)
        def post(self, form, args):
            """Assign a missing or damaged protection to the village committee"""
            lang = args["lang"]
            status, body = hazards.post("/fix-tasks", caller_token(), {
                "hazard_id": form["hazard_id"], "protection": form["protection"],
                "due_on": form["due_on"]})
            if status == 409 and "task_id" in (body.get("errors") or {}):
                return see_other("fix_tasks.FixTask", task_id=body["errors"]["task_id"],
                                 lang=lang, done="already")
            if status in (409, 422):
                return render_page("phone_message.html", "fix_title", "/dashboard",
                                   status=409, message=refusal(body, lang), error=True)
            task = accepted((status, body), "hazards", 201)
            return see_other("fix_tasks.FixTask", task_id=task["id"], lang=lang,
                             done="assigned")

    @blp.route("/fix-tasks/<uuid:task_id>")
    class FixTask(MethodView):
        @allow(*FIX_READERS)
        @blp.arguments(FixTaskQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, task_id):
            """A fix task (HTML): what, where, by when, its photo, and the next step"""
            done = args["done"]
            return page(str(task_id), args["lang"],
                        LABELS[args["lang"]]["fix"]["done"][done] if done else "")

    @blp.route("/fix-tasks/<uuid:task_id>/fixed")
    class FixReported(MethodView):
        @allow(*FIX_REPORTERS)
        @blp.arguments(FixReportForm, location="form")
        @blp.arguments(FixPhoto, location="files")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Reported: on to the task", headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 409)
        def post(self, form, files, args, task_id):
            """The village reports the fix with a photo from the phone"""
            photo = files.get("photo")
            sent = {"photo": (photo.filename or "photo.jpg", photo.read(),
                              photo.mimetype or "image/jpeg")} if photo else {}
            answer = hazards.upload(f"/fix-tasks/{task_id}/fixed", caller_token(),
                                    {"note": form["note"]}, sent)
            return answered(str(task_id), answer, "reported", args["lang"])

    @blp.route("/fix-tasks/<uuid:task_id>/confirmation")
    class FixConfirmed(MethodView):
        @allow(*FIX_CONFIRMERS)
        @blp.arguments(FixConfirmForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Confirmed or sent back: on to the task",
                      headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 409)
        def post(self, form, args, task_id):
            """A patrol confirms the fix, or says it is still not fixed"""
            fixed = form["fixed"] == "true"
            answer = hazards.post(f"/fix-tasks/{task_id}/confirmation", caller_token(),
                                  {"fixed": fixed, "note": form["note"]})
            return answered(str(task_id), answer, "confirmed" if fixed else "reopened",
                            args["lang"])

    @blp.route("/fix-tasks/<uuid:task_id>/photo")
    class FixTaskPhoto(MethodView):
        @allow(*FIX_READERS)
        @blp.response(200, TEXT, content_type="image/jpeg")
        @blp.alt_response(200, schema=TEXT, content_type="image/png", success=True)
        @blp.alt_response(200, schema=TEXT, content_type="image/webp", success=True)
        @page_errors(blp, *UPSTREAM)
        def get(self, task_id):
            """The photo of the reported fix (EXIF removed by the hazards service)"""
            status, data, content_type = hazards.content(f"/fix-tasks/{task_id}/photo",
                                                         caller_token())
            if status != 200:
                raise Refused(status if status in (401, 403, 404) else 502, "hazards")
            return Response(data, mimetype=content_type)

    return blp
