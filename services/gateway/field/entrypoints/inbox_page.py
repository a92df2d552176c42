"""The inbox page: the signed-in person's notifications from the notifier, each with
its record's link and a button to acknowledge it. The notifier is asked with the
person's own token, so it shows each person only their own items."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.entrypoints.phone_pages import (
    accepted,
    install_refusal_pages,
    local_link,
    render_page,
    see_other,
)
from services.gateway.entrypoints.response_schemas import (
    HTML,
    LOCATION,
    TEXT,
    page_errors,
)
from services.gateway.entrypoints.roles import PEOPLE
from services.gateway.entrypoints.schemas import PageForm, PageQuery
from services.gateway.field.entrypoints.map_api import caller_token
from shared.auth.flask import allow


def build(notifier: Any) -> Blueprint:
    blp = Blueprint("inbox", __name__, description="The inbox page (HTML)")
    install_refusal_pages(blp)

    @blp.route("/inbox")
    class Inbox(MethodView):
        @allow(*PEOPLE)
        @blp.arguments(PageQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, 401, 403, 502, 503)
        def get(self, args):
            """Your notifications (HTML), newest first, each with its acknowledge button"""
            items = accepted(notifier.get("/inbox", caller_token()), "notifier")
            return render_page("inbox.html", "inbox_title", "/inbox", current="inbox",
                               items=[{**i, "link": local_link(i.get("link") or "")}
                                      for i in items])

    @blp.route("/inbox/<uuid:delivery_id>/ack")
    class InboxAck(MethodView):
        @allow(*PEOPLE)
        @blp.arguments(PageForm, location="form")
        @blp.arguments(PageQuery, location="query")
        @blp.response(303, description="Acknowledged: on to the inbox, the item marked",
                      headers=LOCATION)
        @page_errors(blp, 401, 403, 404, 502, 503)
        def post(self, form, args, delivery_id):
            """Acknowledge one of your notifications (the inbox page's button): on to
            the inbox, the item marked"""
            accepted(notifier.post(f"/inbox/{delivery_id}/ack", caller_token(), {}),
                     "notifier")
            return see_other("inbox.Inbox", lang=args["lang"])

    return blp
