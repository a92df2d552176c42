"""Path parameters stay on their own route, and a wrong method says which ones are allowed.

A client resolves ``.`` before sending (``/things/./parts`` arrives as ``/things/parts``),
so an id of ``.`` would reach another route: schemathesis once drew one and CI failed on
an undocumented 405 without an ``Allow`` header.
"""

from flask_smorest import Blueprint

from shared.auth import Principal, Role, TokenKeys
from shared.auth.flask import public
from shared.web import create_flask

KEYS = TokenKeys({"k1": "x" * 40}, "k1")


def _app():  # type: ignore[no-untyped-def]
    app, api = create_flask(__name__, "t", KEYS)
    blp = Blueprint("things", __name__)

    @blp.route("/things/<thing_id>", methods=["GET"])
    @public
    def thing(thing_id):  # type: ignore[no-untyped-def]
        """One thing."""
        return {"id": thing_id}

    @blp.route("/things/<thing_id>/parts", methods=["POST"])
    @public
    def parts(thing_id):  # type: ignore[no-untyped-def]
        """Its parts."""
        return {"id": thing_id}

    api.register_blueprint(blp)
    return app, api


def test_dot_segments_are_not_ids_and_the_pattern_says_so():
    app, api = _app()
    client = app.test_client()
    assert client.get("/things/a.b").get_json() == {"id": "a.b"}
    assert client.get("/things/..").status_code == 404
    assert client.get("/things/.").status_code == 404
    param = api.spec.to_dict()["paths"]["/things/{thing_id}"]["parameters"][0]
    assert param["schema"]["pattern"] == r"^(?:[^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)$"


def test_a_wrong_method_answers_405_with_allow():
    app, _api = _app()
    token = KEYS.issue(Principal("u1", Role.STATION_ADMIN, "500110120"))
    resp = app.test_client().delete("/things/x", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert resp.get_json()["status"] == "METHOD_NOT_ALLOWED"
