"""Tokens, CSRF for cookie writes, revocation hook, rate limits and security headers."""

import time

import jwt
import pytest
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.auth import AuthError, Principal, Role, TokenKeys
from shared.auth.flask import (
    COOKIE,
    CSRF_COOKIE,
    CSRF_HEADER,
    allow,
    current_principal,
    public,
    session_csrf,
    set_revocation_check,
)
from shared.auth.ratelimit import RateLimiter, rate_limit
from shared.web import create_flask

KEYS = TokenKeys({"k1": "a" * 40, "k2": "b" * 40}, "k2")
ADMIN = Principal("u1", Role.STATION_ADMIN, "500110120")


def _app():
    app, api = create_flask(__name__, "test", KEYS)
    blp = Blueprint("t", __name__)

    @blp.route("/things")
    class Things(MethodView):
        @allow(Role.STATION_ADMIN)
        def get(self):
            return {"who": current_principal().user_id}

        @allow(Role.STATION_ADMIN)
        @rate_limit(2, 60)
        def post(self):
            return {"ok": True}

    api.register_blueprint(blp)
    return app


def test_tokens_verify_across_rotation_and_refuse_forgeries():
    token = KEYS.issue(ADMIN)
    assert KEYS.verify(token) == ADMIN
    older = TokenKeys({"k1": "a" * 40}, "k1").issue(ADMIN)
    assert KEYS.verify(older) == ADMIN  # still listed: rotation without logging out
    unsigned = jwt.encode({"sub": "x", "role": "station_admin", "iat": int(time.time()),
                           "exp": int(time.time()) + 60, "jti": "j", "iss": "shouhu",
                           "typ": "access"}, key=None, algorithm="none")
    expired = KEYS.issue(ADMIN, ttl_s=-120)
    claims = jwt.decode(token, options={"verify_signature": False})
    wrong_type = jwt.encode({**claims, "typ": "refresh"}, "b" * 40, algorithm="HS256",
                            headers={"kid": "k2"})
    unknown_kid = TokenKeys({"k9": "c" * 40}, "k9").issue(ADMIN)
    for bad in (unsigned, expired, wrong_type, unknown_kid, token[:-2] + "xx", "garbage"):
        with pytest.raises(AuthError):
            KEYS.verify(bad)


def test_cookie_writes_need_the_sign_ins_own_csrf_token_and_bearer_writes_do_not():
    client = _app().test_client()
    token = KEYS.issue(ADMIN, sid="sign-in-1")
    client.set_cookie(COOKIE, token)
    assert client.get("/things").json == {"who": "u1"}
    assert client.post("/things").status_code == 403
    # a cookie planted by a neighbouring site, sent back as the header: not this sign-in's
    client.set_cookie(CSRF_COOKIE, "tok")
    assert client.post("/things", headers={CSRF_HEADER: "tok"}).status_code == 403
    bound = session_csrf({"sid": "sign-in-1"})
    assert bound != session_csrf({"sid": "sign-in-2"})
    assert client.post("/things", headers={CSRF_HEADER: bound}).status_code == 200
    other = _app().test_client()  # another sign-in of the same person: its own token
    other.set_cookie(COOKIE, KEYS.issue(ADMIN, sid="sign-in-2"))
    assert other.post("/things", headers={CSRF_HEADER: bound}).status_code == 403
    bearer = {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}
    assert _app().test_client().post("/things", headers=bearer).status_code == 200


def test_revoked_tokens_count_as_anonymous():
    app = _app()
    token = KEYS.issue(ADMIN)
    revoked = {jwt.decode(token, options={"verify_signature": False})["jti"]}
    set_revocation_check(app, lambda claims: claims["jti"] in revoked)
    client = app.test_client()
    assert client.get("/things", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    fresh = KEYS.issue(ADMIN)
    assert client.get("/things", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_rate_limit_answers_429_with_retry_after():
    client = _app().test_client()
    auth = {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}
    assert [client.post("/things", headers=auth).status_code for _ in range(3)] == [200, 200, 429]
    resp = client.post("/things", headers=auth)
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0


def test_limiter_window_slides():
    now = [0.0]
    limiter = RateLimiter(2, 10, clock=lambda: now[0])
    assert [limiter.hit("a"), limiter.hit("a")] == [0, 0]
    assert limiter.hit("a") == pytest.approx(10)
    assert limiter.hit("b") == 0
    now[0] = 10.5
    assert limiter.hit("a") == 0


def test_security_headers_strict_csp_and_hsts_only_behind_tls():
    client = _app().test_client()
    plain = client.get("/healthz")
    csp = plain.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp and "https:" not in csp  # nothing inline or foreign
    assert "Strict-Transport-Security" not in plain.headers
    tls = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=")
    auth = {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}
    assert client.get("/things", headers=auth).headers["Cache-Control"] == "no-store"


def test_request_body_over_the_cap_is_refused(monkeypatch):
    monkeypatch.setenv("SHOUHU_MAX_BODY_BYTES", "1000")
    client = _app().test_client()
    auth = {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}
    assert client.post("/things", data=b"x" * 5000, headers=auth).status_code == 413


def test_the_client_address_comes_from_a_trusted_proxy_only(monkeypatch):
    def address_seen(hops: str | None) -> str:
        if hops is None:
            monkeypatch.delenv("SHOUHU_TRUSTED_PROXIES", raising=False)
        else:
            monkeypatch.setenv("SHOUHU_TRUSTED_PROXIES", hops)
        app, _ = create_flask("proxy_test", "t", KEYS)

        @app.get("/addr")
        @public
        def addr():  # type: ignore[no-untyped-def]
            return {"addr": request.remote_addr}

        return app.test_client().get("/addr", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.9"}).json["addr"]

    assert address_seen(None) == "10.0.0.9"  # a forged header changes nothing
    assert address_seen("1") == "203.0.113.7"  # behind the gateway: the person's address
