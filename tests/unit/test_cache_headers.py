"""Signed-in answers are never cached; static libraries are, for phones on weak signal."""

from shared.auth import Principal, Role, TokenKeys
from shared.web import create_flask

KEYS = TokenKeys({"k1": "x" * 40}, "k1")


def test_static_files_are_cacheable_but_signed_in_answers_are_not():
    app, _api = create_flask("services.gateway.entrypoints.api", "t", KEYS)
    client = app.test_client()
    token = KEYS.issue(Principal("u1", Role.PATROL_MEMBER, "500110120"))
    auth = {"Authorization": f"Bearer {token}"}
    static = client.get("/static/phone_map.js", headers=auth)
    assert static.status_code == 200
    assert static.headers["Cache-Control"] == "public, max-age=86400"
    signed_in = client.get("/healthz", headers=auth)
    assert signed_in.headers["Cache-Control"] == "no-store"
