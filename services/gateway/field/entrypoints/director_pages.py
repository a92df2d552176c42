"""The child director's phone pages: children due a visit, a child's page with the
visit form and the case form (a case's own page is ``case_pages``). Everything is read
from and written to the registry with the caller's own token, so the registry decides
and scopes (another village's child is "not found") and the gateway keeps no names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.entrypoints.phone_labels import LABELS
from services.gateway.entrypoints.phone_pages import (
    accepted,
    install_refusal_pages,
    local_today,
    page_lang,
    render_page,
    see_other,
)
from services.gateway.entrypoints.response_schemas import (
    HTML,
    LOCATION,
    TEXT,
    page_errors,
)
from services.gateway.entrypoints.roles import CASE_READERS, CHILD_WRITERS, EXACT
from services.gateway.entrypoints.schemas import (
    CaseForm,
    ChildQuery,
    DueQuery,
    HomeForm,
    HomeQuery,
    PageQuery,
    VisitForm,
    WithoutHomeQuery,
)
from services.gateway.field.entrypoints.director_forms import (
    case_body,
    field_errors,
    home_body,
    now_local,
    visit_body,
)
from services.gateway.field.entrypoints.ledger_labels import LEDGER
from services.gateway.field.entrypoints.map_api import caller_token
from shared.auth.flask import allow, current_principal
from shared.events.registry import SITUATIONS
from shared.events.vocabulary import FINDING_AREAS

SHOWN = 50  # children a page (the registry's largest page: more would be a bulk export)
UPSTREAM = (401, 403, 404, 502, 503)  # the pages a registry refusal or absence gives


def build(registry: Any) -> Blueprint:
    blp = Blueprint("director", __name__, description="Visit and case pages (HTML)")
    install_refusal_pages(blp)

    def child(child_id: str) -> dict[str, Any]:
        return accepted(registry.get(f"/children/{child_id}", caller_token()), "registry")

    def form_page(template: str, title_key: str, here: str, child_id: str,
                  form: dict[str, str], status: int, errors: dict[str, str],
                  **extra: Any) -> Response:
        """A form about one child, with the registry's messages beside their fields."""
        return render_page(template, title_key, here, status=status, child=child(child_id),
                           form=form, errors=errors, message=errors.get(""),
                           error=bool(errors), **extra)

    def child_cases(child_id: str) -> list[dict[str, Any]] | None:
        """The child's cases, newest first, for a role that reads cases (else None)."""
        if current_principal().role not in CASE_READERS:
            return None
        found = accepted(registry.get("/cases", caller_token(),
                                      {"child_id": child_id, "page_size": str(SHOWN)}),
                         "registry")
        return list(found["items"])

    def visit_page(child_id: str, form: dict[str, str], status: int = 200,
                   errors: dict[str, str] | None = None) -> Response:
        return form_page("child_visit.html", "visit_title", f"/children/{child_id}",
                         child_id, form, status, errors or {}, cases=child_cases(child_id))

    def case_form(child_id: str, form: dict[str, str], status: int = 200,
                  errors: dict[str, str] | None = None) -> Response:
        t = LABELS[page_lang()]
        return form_page(
            "case_form.html", "case_form_title", f"/children/{child_id}/cases/new", child_id,
            form, status, errors or {},
            situations=[("", t["choose"]),
                        *((s, t["situations"].get(s, s)) for s in SITUATIONS)],
            severities=[("", t["by_situation"]), *t["severities"].items()])

    def home_form(child_id: str, form: dict[str, str], status: int = 200,
                  errors: dict[str, str] | None = None) -> Response:
        return form_page("child_home.html", "home_title", f"/children/{child_id}/home",
                         child_id, form, status, errors or {},
                         datums=LEDGER[page_lang()]["datums"].items())

    def home_saved(child_id: str) -> Response:
        """The saved home's confirmation: the grade and distance to water the registry
        gave when it graded the child again (never the point itself: no exact home is
        shown, so none is read here)."""
        lang, placed = page_lang(), child(child_id)
        t, metres = LABELS[lang], placed["water_distance_m"]
        return render_page(
            "phone_message.html", "home_saved", f"/children/{child_id}/home?saved=1",
            title_args={"name": placed["name"],
                        "grade": t["grades"].get(placed["risk_grade"], placed["risk_grade"]),
                        "water": t["no_water"] if metres is None
                        else t["water_m"].format(m=round(metres))},
            links=[(url_for("director.WithoutHome", lang=lang), t["no_home_back"]),
                   (url_for("director.ChildPage", child_id=child_id, lang=lang),
                    t["visit_title"]), (f"/map?lang={lang}", t["map"])])

    def visit_recorded(child_id: str) -> Response:
        """A visit's confirmation, with the next due date as the registry holds it now
        (asked again, not carried in the address: nothing typed into it is shown)."""
        lang = page_lang()
        t = LABELS[lang]
        return render_page(
            "phone_message.html", "recorded", f"/children/{child_id}?recorded=1",
            title_args={"date": child(child_id)["next_visit_due"] or "—"}, links=[
                (url_for("director.VisitsDue", lang=lang), t["back"]),
                (url_for("director.NewCase", child_id=child_id, lang=lang), t["open_case"])])

    def send(path: str, body: dict[str, Any], form: dict[str, str]
             ) -> tuple[Any, dict[str, str]]:
        """The registry's answer to a form: (what it created, or already held from a
        resend, {}), or (None, its messages by form field) when it refused what was
        typed. A case already open for this situation comes back as that case."""
        status, answer = registry.post(path, caller_token(), body)
        if status == 422:
            return None, field_errors(answer, form)
        if status == 409 and "case_id" in answer.get("errors", {}):
            return {"id": answer["errors"]["case_id"], "already_open": True}, {}
        return accepted((status, answer), "registry", 200, 201), {}

    @blp.route("/visits")
    class VisitsDue(MethodView):
        @allow(*EXACT)
        @blp.arguments(DueQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args):
            """Children in your villages due a home visit (HTML), overdue first"""
            until = (local_today() + timedelta(days=args["days"])).isoformat()
            due = accepted(registry.get("/visits/due", caller_token(), {
                "until": until, "page": args["page"], "page_size": SHOWN}), "registry")
            pages = max(1, -(-due["total"] // SHOWN))
            return render_page("visits_due.html", "visits_title",
                               f"/visits?days={args['days']}&page={args['page']}",
                               current="visits", children=due["items"], total=due["total"],
                               days=args["days"], page=args["page"], pages=pages)

    @blp.route("/children/without-home")
    class WithoutHome(MethodView):
        @allow(*CHILD_WRITERS)
        @blp.arguments(WithoutHomeQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args):
            """Children in your villages whose home has no coordinates (HTML): their
            distance to water is unknown, so their grade lacks it, until a home is added"""
            found = accepted(registry.get("/children", caller_token(), {
                "has_home": "false", "page": args["page"], "page_size": SHOWN}), "registry")
            pages = max(1, -(-found["total"] // SHOWN))
            return render_page("without_home.html", "no_home_title",
                               f"/children/without-home?page={args['page']}",
                               children=found["items"], total=found["total"],
                               page=args["page"], pages=pages)

    @blp.route("/children/<uuid:child_id>/home")
    class ChildHome(MethodView):
        @allow(*CHILD_WRITERS)
        @blp.arguments(HomeQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, child_id):
            """The form to add a child's home (HTML): longitude, latitude and the map
            they were read from; with ``saved``, its confirmation"""
            if args["saved"]:
                return home_saved(str(child_id))
            return home_form(str(child_id), {"lon": "", "lat": "", "datum": "gcj02"})

        @allow(*CHILD_WRITERS)
        @blp.arguments(HomeForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Saved: on to the confirmation with `saved=1` "
                      "(the child's new grade and distance to water)", headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 409, 422)
        def post(self, form, args, child_id):
            """Add a child's home from the form (forwarded to the registry's PATCH
            /children/<id>, which converts GCJ-02, grades the child again with the
            distance to water and puts the home on the map): on to its confirmation,
            or the form with what the registry refused"""
            child_id = str(child_id)
            status, answer = (registry.patch(f"/children/{child_id}", caller_token(),
                                             home_body(form), int(form["version"]))
                              if _version(form["version"]) else (412, {}))
            if status == 422:
                return home_form(child_id, form, 422, field_errors(answer, form))
            if status == 412:  # changed since the form was opened: the form on the record now
                return home_form(child_id, {**form, "version": ""}, 409,
                                 {"": LABELS[page_lang()]["changed"]})
            accepted((status, answer), "registry")
            return see_other("director.ChildHome", child_id=child_id, lang=args["lang"],
                             saved=1)

    @blp.route("/children/<uuid:child_id>")
    class ChildPage(MethodView):
        @allow(*EXACT)
        @blp.arguments(ChildQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, child_id):
            """A child's page (HTML): who, when last visited, the home visit form; with
            ``recorded``, the confirmation of the visit just recorded"""
            if args["recorded"]:
                return visit_recorded(str(child_id))
            return visit_page(str(child_id), _blank_visit())

    @blp.route("/children/<uuid:child_id>/visits")
    class ChildVisits(MethodView):
        @allow(*EXACT)
        @blp.arguments(VisitForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Recorded: on to the child's page with "
                      "`recorded=1` (its confirmation)", headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 422)
        def post(self, form, args, child_id):
            """Record a home visit from the form (forwarded to the registry as the JSON
            write is): on to its confirmation, or the form with what it refused"""
            child_id = str(child_id)
            _, errors = send(f"/children/{child_id}/visits", visit_body(form), form)
            if errors:
                return visit_page(child_id, form, 422, errors)
            return see_other("director.ChildPage", child_id=child_id, lang=args["lang"],
                             recorded=1)

    @blp.route("/children/<uuid:child_id>/cases/new")
    class NewCase(MethodView):
        @allow(*EXACT)
        @blp.arguments(PageQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, child_id):
            """The form to open a case for this child (HTML)"""
            return case_form(str(child_id), {"situation": "", "severity": "", "note": ""})

    @blp.route("/children/<uuid:child_id>/cases")
    class ChildCases(MethodView):
        @allow(*EXACT)
        @blp.arguments(CaseForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Opened: on to the case's page with `opened=1`; "
                      "the child's open case of that situation, if there is one, with "
                      "`already_open=1`", headers=LOCATION)
        @page_errors(blp, *UPSTREAM, 422)
        def post(self, form, args, child_id):
            """Open a case from the form (forwarded to the registry's POST /cases): on to
            the case, or the form with what the registry refused"""
            child_id = str(child_id)
            case, errors = send("/cases", case_body(child_id, form), form)
            if errors:
                return case_form(child_id, form, 422, errors)
            said = "already_open" if case.get("already_open") else "opened"
            return see_other("cases.CasePage", case_id=case["id"], lang=args["lang"],
                             **{said: 1})

    return blp


def _version(typed: str) -> bool:
    """Whether the form's version is one a record may have (not an overflowing number)."""
    return typed.isdigit() and len(typed) <= 9


def _blank_visit() -> dict[str, str]:
    return {"visited_at": now_local(), "next_steps": "", **dict.fromkeys(FINDING_AREAS, "")}
