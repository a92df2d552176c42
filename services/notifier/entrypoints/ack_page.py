"""The acknowledgement link's page: ``GET /ack/<token>`` shows what will be confirmed and
a button; only the button's ``POST`` acknowledges (docs/notifier.md). A link that is
forged, expired or used shows why, with the way to the inbox. Chinese first, then
English; no script, no style to allow: the CSP allows nothing but the form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from markupsafe import escape

from services.notifier.bootstrap import Notifier
from services.notifier.domain.exceptions import AckRefused
from services.notifier.service_layer import handlers
from shared.auth.flask import public
from shared.web import status_of

CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>守护 · 确认收到</title></head><body><main><h1>守护 Shouhu</h1>{body}</main></body></html>"""
CONFIRM = """<p>确认您已收到这条通知并会处理？<br>Confirm that you received this message
and will act on it?</p><form method="post"><button type="submit">确认收到 Acknowledge</button>
</form>"""
DONE = "<p>已确认，谢谢。<br>Acknowledged, thank you.</p>"
REFUSED = """<p>此链接不能再用于确认：{why}<br>请在守护的收件箱中确认。
Please acknowledge in your Shouhu inbox.</p><p><a href="{inbox}">收件箱 Inbox</a></p>"""
HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


def _page(body: str, status: int = 200) -> Response:
    return Response(PAGE.format(body=body), status=status, mimetype="text/html",
                    headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})


def build(notifier: Notifier, now: Callable[[], datetime]) -> Blueprint:
    blp = Blueprint("ack", __name__, description="Acknowledgement links (HTML)")
    secret = notifier.settings.ack_secret
    inbox = escape(notifier.settings.gateway_url.rstrip("/") + "/inbox")

    def refused(exc: AckRefused) -> Response:
        return _page(REFUSED.format(why=escape(str(exc)), inbox=inbox), status_of(exc))

    @blp.route("/ack/<token>")
    class AckLink(MethodView):
        @public
        @blp.doc(responses={"200": {"description": "The confirmation page", **HTML},
                            "410": {"description": "Forged, expired or used link", **HTML}})
        def get(self, token):
            """The confirmation page of a message's link (changes nothing; so neither do
            mail scanners that open it)"""
            try:
                with notifier.uow() as uow:
                    handlers.check_ack_link(uow, token, secret, now())
            except AckRefused as exc:
                return refused(exc)
            return _page(CONFIRM)

        @public
        @blp.doc(responses={"200": {"description": "Acknowledged", **HTML},
                            "410": {"description": "Forged, expired or used link", **HTML}})
        def post(self, token):
            """Acknowledge by the page's button (single use)"""
            try:
                with notifier.uow() as uow:
                    handlers.ack_by_token(uow, token, secret, now())
            except AckRefused as exc:
                return refused(exc)
            return _page(DONE)

    return blp
