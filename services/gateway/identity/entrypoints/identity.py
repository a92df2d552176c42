"""Sign-in page, tokens, sign-out, users and their background checks (HTTP).

``register_identity(app, api, service)`` is called by the gateway's ``create_app`` with the
service ``bootstrap`` built.
POST /login takes JSON (phones, scripts: tokens in the body) or the login form
(browsers: HttpOnly cookies, CSRF-protected, then a redirect to the map).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g, redirect, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from markupsafe import escape
from marshmallow import ValidationError

from services.gateway.entrypoints.map_page import CHROME
from services.gateway.entrypoints.response_schemas import HTML, SIGNED_IN, TEXT, errors
from services.gateway.identity.adapters.users import revocation_check
from services.gateway.identity.domain import identity as domain
from services.gateway.identity.entrypoints import checks_page
from services.gateway.identity.entrypoints.identity_schemas import (
    ApprovalIn,
    ApprovalOut,
    CheckIn,
    CheckStatusOut,
    LoginForm,
    LoginIn,
    RefreshIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
    user_out,
)
from services.gateway.identity.service_layer.identity import IdentityService, Session
from shared.access import roles
from shared.auth.approvals import APPROVERS, issue_approval
from shared.auth.flask import (
    COOKIE,
    CSRF_COOKIE,
    allow,
    check_csrf,
    current_principal,
    new_csrf_token,
    public,
    session_csrf,
    set_revocation_check,
)
from shared.auth.hardening import behind_tls, csp_with_styles
from shared.auth.ratelimit import rate_limit
from shared.clock import township_today, township_zone

REFRESH_COOKIE = "shouhu_refresh"
FORM = "application/x-www-form-urlencoded"
REFUSED = "Wrong user name or password (a form gets the sign-in page again, with why)"
# Role groups from the one access policy (shared/access.py).
EVERYONE = roles("account", "use")
ADMIN = roles("users", "manage")
CHECK_READERS = roles("background_check", "read")
LOGIN_CSS = ("body{font-family:sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem}"
             "label{display:block;margin-top:.8rem}"
             "input,button{box-sizing:border-box;width:100%;min-height:44px;font-size:1.1rem;"
             "margin:.3rem 0;padding:.5rem}.error{color:#b00020}")
LOGIN_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{chrome}
<title>守护 · 登录</title>
<style>{css}</style></head>
<body><h1>守护 Shouhu</h1><p class="error" role="alert">{message}</p>
<form method="post" action="/login"><input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label>用户名 User name<input name="username" autocomplete="username" required></label>
<label>密码 Password<input name="password" type="password" autocomplete="current-password"
 required></label><button type="submit">登录 Sign in</button></form></body></html>"""


def _safe_next(target: str | None) -> str:
    """Only local paths: the login page must not redirect to another site. Browsers
    drop tabs and line breaks from an address (``/\t/evil.example`` is ``//evil.example``)
    and read ``\\`` as ``/``, so a target with any of them, a space or a control
    character is refused too (CR/LF would also break the Location header)."""
    if (not target or not target.startswith("/") or target.startswith("//")
            or any(c <= " " or c in "\\\x7f" for c in target)):
        return "/map"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/map"


def _refusal(exc: domain.IdentityError) -> str:
    """Why a sign-in failed, Chinese first (the clock is China's)."""
    if isinstance(exc, domain.AccountLocked):
        until = exc.until.astimezone(township_zone()).strftime("%H:%M")
        return (f"尝试次数过多，账户已锁定至 {until}（北京时间）。"
                f"Too many tries: locked until {until} (China time).")
    return "用户名或密码错误。Wrong user name or password."


def _login_page(message: str = "", status: int = 200) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    html = LOGIN_PAGE.format(message=escape(message), csrf=escape(csrf), chrome=CHROME,
                             css=LOGIN_CSS,
                             next=escape(_safe_next(request.args.get("next"))))
    resp = Response(html, status=status, mimetype="text/html",
                    headers={"Content-Security-Policy": csp_with_styles(LOGIN_CSS)})
    resp.set_cookie(CSRF_COOKIE, csrf, secure=behind_tls(), samesite="Strict")
    return resp


def _session_cookies(session: Session, target: str):
    resp = redirect(_safe_next(target), code=303)
    tls = behind_tls()
    resp.set_cookie(COOKIE, session.access_token, max_age=session.expires_in, httponly=True,
                    secure=tls, samesite="Lax")
    resp.set_cookie(REFRESH_COOKIE, session.refresh_token, httponly=True, secure=tls,
                    samesite="Strict", path="/auth")
    # from now on forms and scripts send the sign-in's own CSRF token
    resp.set_cookie(CSRF_COOKIE, session_csrf({"sid": session.session_id}), secure=tls,
                    samesite="Strict")
    return resp


def _tokens(session: Session) -> dict[str, object]:
    return {"access_token": session.access_token, "refresh_token": session.refresh_token,
            "token_type": "Bearer", "expires_in": session.expires_in,
            "user": user_out(session.user)}


def register_identity(app: Flask, api: Api, service: IdentityService) -> None:
    """Add the identity routes and the token deny-list to the gateway app."""
    app.extensions["shouhu_identity"] = service
    set_revocation_check(app, revocation_check(service.engine))
    api.register_blueprint(_auth_blueprint(service))
    api.register_blueprint(_users_blueprint(service))
    api.register_blueprint(checks_page.build(service))


def _auth_blueprint(service: IdentityService) -> Blueprint:
    blp = Blueprint("auth", __name__, description="Sign in, refresh, sign out")

    @blp.route("/login")
    class Login(MethodView):
        @public
        @blp.response(200, TEXT, content_type=HTML)
        def get(self):
            """The sign-in page (HTML)"""
            return _login_page()

        @public
        @rate_limit(10, 60, key=lambda: f"addr:{request.remote_addr}")
        @blp.doc(requestBody={"content": {"application/json": {"schema": LoginIn},
                                          FORM: {"schema": LoginForm}}})
        @blp.response(200, TokenOut)
        @blp.alt_response(303, description="Form: session cookies set, on to `next`",
                          headers={"Location": {"schema": {"type": "string"}}}, success=True)
        @blp.alt_response(401, schema=ErrorSchema, description=REFUSED)
        @blp.alt_response(401, schema=TEXT, content_type=HTML, description=REFUSED)
        @errors(blp, 403, 422, 429)
        def post(self):
            """Sign in with user name and password (JSON → tokens; form → cookies)"""
            if request.is_json:
                try:
                    body = LoginIn().load(request.get_json(silent=True) or {})
                except ValidationError as exc:
                    abort(422, message="invalid sign-in", errors={"json": exc.messages})
                return _tokens(service.login(body["username"], body["password"],
                                             request.remote_addr or ""))
            check_csrf()
            try:
                session = service.login(request.form.get("username", ""),
                                        request.form.get("password", ""),
                                        request.remote_addr or "")
            except (domain.InvalidCredentials, domain.AccountLocked) as exc:
                return _login_page(_refusal(exc), 401)
            return _session_cookies(session, request.form.get("next", "/map"))

    @blp.route("/auth/refresh")
    class Refresh(MethodView):
        @public
        @rate_limit(30, 60, key=lambda: f"addr:{request.remote_addr}")
        @blp.arguments(RefreshIn)
        @blp.response(200, TokenOut)
        @errors(blp, 401, 429)
        def post(self, body):
            """Exchange a refresh token (body or cookie) for a new pair; each works once"""
            raw = body.get("refresh_token") or request.cookies.get(REFRESH_COOKIE, "")
            if not raw:
                abort(401, message="no refresh token")
            return _tokens(service.refresh(raw))

    @blp.route("/logout")
    class Logout(MethodView):
        @allow(*EVERYONE)
        @blp.response(204)
        @errors(blp, 401)
        def post(self):
            """Sign out: this access token and its refresh tokens stop working"""
            service.logout(g.claims, request.cookies.get(REFRESH_COOKIE))
            resp = Response(status=204)
            resp.delete_cookie(COOKIE)
            resp.delete_cookie(REFRESH_COOKIE, path="/auth")
            return resp

    return blp


def _users_blueprint(service: IdentityService) -> Blueprint:
    blp = Blueprint("users", __name__, url_prefix="/api/users",
                    description="Accounts, roles, scope and background checks")

    @blp.route("")
    class Users(MethodView):
        @allow(*ADMIN)
        @blp.response(200, UserOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self):
            """Users of the administrator's township"""
            return [user_out(u) for u in service.list_users(current_principal())]

        @allow(*ADMIN)
        @blp.arguments(UserIn)
        @blp.response(201, UserOut)
        @errors(blp, *SIGNED_IN)
        def post(self, body):
            """Create a user (password hashed with argon2id)"""
            return user_out(service.create_user(current_principal(), **body))

    @blp.route("/me")
    class Me(MethodView):
        @allow(*EVERYONE)
        @blp.response(200, UserOut)
        @errors(blp, 401)
        def get(self):
            """Who am I: role and scope of the signed-in user"""
            return user_out(service.me(current_principal()))

    @blp.route("/<user_id>")
    class UserById(MethodView):
        @allow(*ADMIN)
        @blp.response(200, UserOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, user_id):
            """One user"""
            return user_out(service.get_user(current_principal(), user_id))

        @allow(*ADMIN)
        @blp.arguments(UserPatch)
        @blp.response(200, UserOut)
        @errors(blp, *SIGNED_IN, 404)
        def patch(self, body, user_id):
            """Change role, villages, activity or password (ends the user's sessions)"""
            return user_out(service.update_user(current_principal(), user_id, body))

    @blp.route("/<user_id>/sessions")
    class Sessions(MethodView):
        @allow(*ADMIN)
        @blp.response(204)
        @errors(blp, *SIGNED_IN, 404)
        def delete(self, user_id):
            """End every session of a user (lost phone, staff leaving)"""
            service.end_sessions(current_principal(), user_id)

    @blp.route("/<user_id>/background-checks")
    class Checks(MethodView):
        @allow(*ADMIN)
        @blp.arguments(CheckIn)
        @blp.response(201, CheckStatusOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body, user_id):
            """Record a background check (date, result, expiry)"""
            check = domain.BackgroundCheck(**body)
            return service.record_check(current_principal(), user_id, check)

    @blp.route("/export-approvals")
    class ExportApprovals(MethodView):
        @allow(*APPROVERS)
        @blp.arguments(ApprovalIn)
        @blp.response(201, ApprovalOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body):
            """Approve another user's bulk export of more than 50 children: one export,
            once, within an hour (404: no such user in the approver's township)"""
            approver = current_principal()
            service.get_user(approver, body["requester_id"])
            try:
                token = issue_approval(service.keys, approver, **body)
            except PermissionError as exc:
                abort(403, message=str(exc))
            return {"approval": token, "expires_in": 3600}

    @blp.route("/background-checks/blocked")
    class Blocked(MethodView):
        @allow(*CHECK_READERS)
        @blp.response(200, UserOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self):
            """People who may not be assigned: missing, expired or matching checks"""
            blocked = service.blocked(current_principal(), township_today())
            return [user_out(u, status) for u, status in blocked]

    return blp
