"""What the inbox, visit and case pages share: one look, one CSP, the CSRF cookie, the
language, the links between them, and how an owning service's answer becomes a page.

The pages are plain HTML forms with no script at all, so they work on any phone and
their CSP allows nothing but their one stylesheet (inline, by its hash: no second
round trip on weak signal, no ``'unsafe-inline'``)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_smorest import Blueprint
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as AnyResponse

from services.gateway.domain.exceptions import UpstreamUnavailable
from services.gateway.entrypoints.map_page import CHROME, STATIC
from services.gateway.entrypoints.phone_labels import LABELS
from services.gateway.entrypoints.response_schemas import HTML, PAGE_ATTR
from services.gateway.entrypoints.roles import EXACT
from shared.auth import Principal
from shared.auth.flask import CSRF_COOKIE, csrf_token
from shared.auth.hardening import behind_tls
from shared.clock import township_today, township_zone
from shared.web import http_error, status_of

# every room's page templates; a room's blueprint names this folder, so its pages also
# render on an app that is not the gateway's (the identity tests build one)
TEMPLATES = str(STATIC.with_name("templates"))
REFUSALS = {401: "signed_out", 403: "forbidden", 404: "not_found", 502: "unavailable",
            503: "unavailable"}


class Refused(Exception):
    """The owning service said no (or nothing useful): the page says why, with
    ``status`` (401, 403, 404 as it answered; 502 for an answer the page cannot use)."""

    def __init__(self, status: int, service: str):
        super().__init__(f"{service} answered {status}")
        self.status = status
        self.service = service


@cache
def _style() -> tuple[Markup, str]:
    css = (STATIC / "phone_pages.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return Markup(css), f"'sha256-{digest}'"


def csp() -> str:
    return (f"default-src 'none'; style-src {_style()[1]}; img-src 'self'; manifest-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def nav(principal: Principal) -> list[tuple[str, str]]:
    """(path, label key) of the pages this role may open. It depends on the role only
    as far as the home view does (EXACT), so the cached map page may carry it too."""
    pages = [("/map", "map")]
    if principal.role in EXACT:
        pages += [("/visits", "visits"), ("/fix-tasks", "fixes"), ("/ledger", "ledger")]
    return [*pages, ("/inbox", "inbox")]


def page_links(principal: Principal, lang: str) -> list[tuple[str, str]]:
    """(address, label) of the pages the map's toolbar links to."""
    return [(f"{href}?lang={lang}", LABELS[lang][key]) for href, key in nav(principal)
            if key != "map"]


def page_lang() -> str:
    return "en" if request.args.get("lang") == "en" else "zh"


def local_today() -> date:
    return township_today()


def local_time(iso: str | None) -> str:
    """An ISO time as the person's clock shows it: 2026-07-03 15:30."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(township_zone()).strftime("%Y-%m-%d %H:%M")


def local_link(link: str) -> str:
    """A record's link as a path on this gateway: the notifier writes its public
    address, which may differ from the one this phone uses (and no page links away)."""
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else ""


def render_page(template: str, title_key: str, here: str, *, status: int = 200,
                current: str = "", title_args: dict[str, str] | None = None,
                **context: Any) -> Response:
    """The page, with its CSP and the CSRF cookie its forms send back. ``here`` is the
    page's address without the language (the language link adds it)."""
    lang, css = page_lang(), _style()[0]
    other = "zh" if lang == "en" else "en"
    csrf = csrf_token()
    t, principal = LABELS[lang], g.get("principal")  # none on the signed-out page
    html = render_template(
        template, lang=lang, other=other, t=t, title=t[title_key].format(**title_args or {}),
        css=css, csrf=csrf, chrome=Markup(CHROME),
        nav=nav(principal) if principal else [], current=current, local_time=local_time,
        switch=f"{here}{'&' if '?' in here else '?'}lang={other}", **context)
    resp = Response(html, status=status, mimetype="text/html",
                    headers={"Content-Security-Policy": csp()})
    if request.cookies.get(CSRF_COOKIE) != csrf:
        resp.set_cookie(CSRF_COOKIE, csrf, secure=behind_tls(), samesite="Strict")
    return resp


def see_other(endpoint: str, **values: Any) -> AnyResponse:
    """After a form's success, the page that shows it (Post/Redirect/Get): reloading
    that page on weak signal sends nothing again."""
    return redirect(url_for(endpoint, **values), code=303)


def accepted(answer: tuple[int, Any], service: str, *ok: int) -> Any:
    """The body of a service's yes (``ok``, default 200); otherwise ``Refused``."""
    status, body = answer
    if status in (ok or (200,)):
        return body
    raise Refused(status if status in (401, 403, 404) else 502, service)


def install_refusal_pages(blp: Blueprint) -> None:
    """A refusal or an unreachable service, on a page of this blueprint, is a page
    saying so (never a stack trace, never JSON in a browser)."""

    @blp.errorhandler(Refused)
    def _refused(exc: Refused) -> Response:
        return _refusal(exc.status, exc.service)

    @blp.errorhandler(UpstreamUnavailable)
    def _unavailable(exc: UpstreamUnavailable) -> Response:
        return _refusal(status_of(exc), exc.service)


def _refusal(status: int, service: str) -> Response:
    # a form's address cannot be opened again: its language and sign-in lead to the map
    here = request.path if request.method == "GET" else "/map"
    return render_page("phone_message.html", REFUSALS[status], here, status=status,
                       title_args={"service": service}, sign_in=here if status == 401 else "")


def install_page_refusals(app: Flask) -> None:
    """Refusals before a page's view runs, for a browser. No session (none, expired or
    signed out): a GET goes on to the sign-in page and back here; a form gets the
    signed-out page (401), as what was typed cannot be sent again. A role the page is
    not for: the page saying so (403). API clients (an Authorization header, or JSON
    preferred) and every route that is not a page keep the shared JSON error.

    ``allow`` refuses before the view runs, so these are the app's handlers for 401 and
    403; a page is a view documented with ``page_errors``, which documents both ways."""

    @app.errorhandler(401)
    def _signed_out(exc: HTTPException) -> AnyResponse:
        if not (_is_page() and _from_browser()):
            return http_error(exc)
        if request.method in ("GET", "HEAD"):
            query = request.query_string.decode()
            here = request.path + (f"?{query}" if query else "")
            return redirect(f"/login?{urlencode({'next': here})}", code=303)
        return _refusal(401, "gateway")

    @app.errorhandler(403)
    def _forbidden(exc: HTTPException) -> AnyResponse:
        if not (_is_page() and _from_browser()):
            return http_error(exc)
        return _refusal(403, "gateway")


def _is_page() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    method = "get" if request.method == "HEAD" else request.method.lower()
    return bool(getattr(getattr(getattr(view, "view_class", None), method, None),
                        PAGE_ATTR, False))


def _from_browser() -> bool:
    return "Authorization" not in request.headers and request.accept_mimetypes.best_match(
        ("application/json", HTML)) == HTML
