"""A case's page and its two forms: a director moves the case one step (or, where the
step needs it, asks a supervisor to approve it); a supervisor approves or returns the
waiting request with a note. The registry decides every move and says why it refuses;
the page shows that in the page's language and keeps what was typed."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.entrypoints.phone_labels import LABELS
from services.gateway.entrypoints.phone_pages import (
    accepted,
    install_refusal_pages,
    render_page,
    see_other,
)
from services.gateway.entrypoints.response_schemas import HTML, LOCATION, TEXT, page_errors
from services.gateway.entrypoints.roles import APPROVERS, CASE_READERS, EXACT
from services.gateway.entrypoints.schemas import CaseQuery, DecisionForm, PageQuery, StepForm
from services.gateway.field.entrypoints.map_api import caller_token
from services.gateway.read_model.adapters.villages import village_name
from shared.auth.flask import allow, current_principal

UPSTREAM = (401, 403, 404, 502, 503)
REFUSED = (409, 412, 422)  # the registry's no to a move: the page again, saying why
_HINTS = ("checklist", "outcome", "referrals", "waiting", "note")  # words of its messages


def step_request(case: dict[str, Any], form: dict[str, Any],
                 can_approve: bool) -> tuple[str, dict[str, Any], str]:
    """(registry path, body, what it does) for the step form: a step that needs approval
    is asked for, unless the caller may approve it; any other step is taken."""
    needs = {m["to_step"]: m["needs_approval"] for m in case["moves"]}
    body = {"to_step": form["to_step"], "note": form["note"], "outcome": form["outcome"]}
    if needs.get(form["to_step"]) and not can_approve:
        return f"/cases/{case['id']}/approval-requests", body, "asked"
    return (f"/cases/{case['id']}/transitions",
            {**body, "checklist_done": form["checklist_done"]}, "moved")


def short_ref(record_id: str) -> str:
    """Eight digits a person can read out on the phone beside a name (never alone)."""
    return f"{int(record_id.replace('-', '')[:12], 16) % 10**8:08d}"


def about(case: dict[str, Any], child: dict[str, Any] | None) -> dict[str, str]:
    """Whom the case is about, as the caller may see the child: the registry shapes the
    child by role (shared.access), so the name is the one its answer holds; a child it
    will not show leaves the name empty and the village from the case."""
    child = child or {}
    return {"name": str(child.get("name") or ""),
            "village": str(child.get("village_name") or village_name(case["village_code"])),
            "ref": short_ref(case["id"])}


def refusal(answer: Any, lang: str) -> str:
    """The registry's refusal in the page's language, by what its message is about."""
    message = str(answer.get("message", "")) if isinstance(answer, dict) else ""
    words = LABELS[lang]["flow"]["refusals"]
    return next((words[h] for h in _HINTS if h in message), words[""])


def build(registry: Any) -> Blueprint:
    blp = Blueprint("cases", __name__, description="A case's page: steps and approvals (HTML)")
    install_refusal_pages(blp)

    def read(case_id: str) -> dict[str, Any]:
        return accepted(registry.get(f"/cases/{case_id}", caller_token()), "registry")

    def child_of(case: dict[str, Any]) -> dict[str, Any] | None:
        """The case's child as the registry shows it to the caller; None if it won't."""
        status, child = registry.get(f"/children/{case['child_id']}", caller_token())
        return child if status == 200 else None

    def page(case: dict[str, Any], message: str = "", status: int = 200,
             note: str = "") -> Response:
        role, who = current_principal().role, about(case, child_of(case))
        return render_page("case.html", "case_about" if who["name"] else "case_title",
                           f"/cases/{case['id']}", status=status, title_args=who,
                           case=case, message=message, error=status >= 400, about=who,
                           form={"note": note}, errors={}, child_page=role in EXACT,
                           can_move=role in EXACT, can_approve=role in APPROVERS)

    def answered(case_id: str, answer: tuple[int, Any], form: dict[str, Any],
                 done: str, lang: str) -> Any:
        """On to the case saying what was done, or the case again saying why not."""
        status, body = answer
        if status in REFUSED:
            return page(read(case_id), refusal(body, lang), 409, form["note"])
        accepted(answer, "registry")
        return see_other("cases.CasePage", case_id=case_id, lang=lang, done=done)

    @blp.route("/cases/<uuid:case_id>")
    class CasePage(MethodView):
        @allow(*CASE_READERS)
        @blp.arguments(CaseQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, case_id):
            """A case (HTML): its steps, what emergency handling must do, the next step
            or the request waiting for approval, and the record of steps"""
            t = LABELS[args["lang"]]
            said = next((k for k in ("opened", "already_open") if args[k]), "")
            message = t[said] if said else t["flow"]["done"].get(args["done"], "")
            return page(read(str(case_id)), message)

    @blp.route("/cases/<uuid:case_id>/steps")
    class CaseSteps(MethodView):
        @allow(*EXACT)
        @blp.arguments(StepForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Moved or asked: on to the case's page with `done`",
                      headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 409)
        def post(self, form, args, case_id):
            """Move the case one step from its page, or ask a supervisor to approve it"""
            case = read(str(case_id))
            path, body, done = step_request(case, form,
                                            current_principal().role in APPROVERS)
            return answered(case["id"], registry.post(path, caller_token(), body), form,
                            done, args["lang"])

    @blp.route("/cases/<uuid:case_id>/decision")
    class CaseDecision(MethodView):
        @allow(*APPROVERS)
        @blp.arguments(DecisionForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Decided: on to the case's page with `done`",
                      headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 409)
        def post(self, form, args, case_id):
            """Approve the request waiting on the case (it moves) or return it with a note"""
            answer = registry.post(f"/cases/{case_id}/approval-requests/decision",
                                   caller_token(), {"decision": form["decision"],
                                                    "note": form["note"]})
            done = "approved" if form["decision"] == "approve" else "returned"
            return answered(str(case_id), answer, form, done, args["lang"])

    return blp
