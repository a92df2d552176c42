"""The background-check page (从业查询): station staff see everyone of the township who
needs a check, blocked people first, and the station administrator records checks.

Plain HTML forms like the other pages (no script, CSP by hash), Chinese first; a
recorded match ends the person's sessions and notifies the station (the identity
service does both)."""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from services.gateway.entrypoints.phone_labels import LABELS
from services.gateway.entrypoints.phone_pages import (
    TEMPLATES,
    page_lang,
    render_page,
    see_other,
)
from services.gateway.entrypoints.response_schemas import HTML, LOCATION, TEXT, page_errors
from services.gateway.entrypoints.schemas import PageForm, PageQuery
from services.gateway.identity.domain import identity as domain
from services.gateway.identity.entrypoints.identity_schemas import CheckIn
from services.gateway.identity.service_layer.identity import IdentityService
from shared.access import roles
from shared.auth.flask import allow, current_principal
from shared.web import status_of

RECORDERS = roles("background_check", "write")
READERS = roles("background_check", "read")


def _page(service: IdentityService, status: int = 200, message: str = "",
          error: bool = False) -> Response:
    principal, today = current_principal(), date.today()
    people = [(domain.valid_background_check(u, today), u.username, u)
              for u in service.list_users(principal) if u.role in domain.NEEDS_CHECK or u.checks]
    rows = [{"user": user, "status": status_,
             "end_by": domain.check_standing(user, today)["end_by"]}
            for status_, _, user in sorted(people, key=lambda p: (p[0].valid, p[1]))]
    return render_page("checks.html", "checks_title", "/checks", status=status,
                       current="checks", rows=rows, today=today.isoformat(),
                       may_record=principal.role in RECORDERS, message=message, error=error)


def build(service: IdentityService) -> Blueprint:
    blp = Blueprint("checks_page", __name__, template_folder=TEMPLATES,
                    description="The background-check page (HTML)")

    @blp.route("/checks")
    class Checks(MethodView):
        @allow(*READERS)
        @blp.arguments(PageQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp)
        def get(self, args):
            """The township's people who need a background check, blocked first (HTML)"""
            saved = request.args.get("saved") == "1"
            return _page(service, message=_label("check_saved") if saved else "")

    @blp.route("/checks/<user_id>")
    class RecordCheck(MethodView):
        @allow(*RECORDERS)
        @blp.arguments(PageForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Recorded: on to the page", headers=LOCATION)
        @page_errors(blp, 404, 422)
        def post(self, form, args, user_id):
            """Record a background check from the page's form (then back to the page)"""
            fields = {k: v for k, v in request.form.items()
                      if k in ("checked_on", "result", "expires_on") and v}
            try:
                check = domain.BackgroundCheck(**CheckIn().load(fields))
                service.record_check(current_principal(), user_id, check)
            except ValidationError as exc:
                return _page(service, 422, "; ".join(f"{k}: {' '.join(v)}" for k, v in
                                                     exc.normalized_messages().items()), True)
            except domain.InvalidUser as exc:
                return _page(service, status_of(exc), str(exc), True)
            except domain.UnknownUser as exc:
                return _page(service, status_of(exc), _label("not_found"), True)
            return see_other("checks_page.Checks", lang=args["lang"], saved=1)

    return blp


def _label(key: str) -> str:

    return str(LABELS[page_lang()][key])
