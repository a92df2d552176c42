"""Sign-out and 'end all sessions' reach every service within seconds (real broker):
the gateway publishes the revocation through its outbox, a service's listener refuses
the tokens (docs/adr/0505-asymmetric-tokens-and-revocation.md)."""

from types import SimpleNamespace

import pytest
from argon2.profiles import CHEAPEST

from services.gateway.adapters.tables import metadata
from services.gateway.identity.adapters.users import Argon2Hasher
from services.gateway.identity.entrypoints.identity import register_identity
from services.gateway.identity.service_layer.identity import IdentityService
from shared.auth import Principal, Role, TokenKeys
from shared.auth.flask import allow, current_principal
from shared.auth.revocation import listen_for_revocations
from shared.db import make_engine
from shared.messaging.relay import OutboxRelay
from shared.testing.fixtures import eventually
from shared.web import create_flask

KEYS = TokenKeys({"k1": "revocation-test-" + "r" * 30}, "k1", ttl_s=300)
ADMIN = Principal("admin-1", Role.STATION_ADMIN, "500110120")
PASSWORD = "a long pass phrase 7"


@pytest.fixture
def system(database_url, broker, topic_prefix):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    gateway, gw_api = create_flask("gw_revocation", "gateway", KEYS)
    identity = IdentityService(engine, KEYS, Argon2Hasher(CHEAPEST), "/shouhu/gateway")
    register_identity(gateway, gw_api, identity)
    service, _ = create_flask("svc_revocation", "a service", KEYS.verifier())

    @service.get("/probe")
    @allow(*Role)
    def probe():  # type: ignore[no-untyped-def]
        return {"user": current_principal().user_id}

    common = SimpleNamespace(bootstrap_servers=broker.bootstrap, topic_prefix=topic_prefix)
    relay = OutboxRelay(engine, broker.bootstrap, topic_prefix=topic_prefix,
                        topics=["gateway.sessions"], partitions=1)
    relay._connect()  # the topic exists before the listener looks for it
    listen_for_revocations(service, common, KEYS.verifier())  # type: ignore[arg-type]
    listener = service.extensions["shouhu_revocations"]
    yield SimpleNamespace(gateway=gateway.test_client(), service=service.test_client(),
                          identity=identity, relay=relay, listener=listener)
    listener.stop()
    relay.leadership.release()
    engine.dispose()


def _sign_in(system):
    resp = system.gateway.post("/login", json={"username": "patrol.a", "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return resp.json


def _refused_by_the_service(system, access_token):
    system.relay.publish_batch()
    return system.service.get("/probe", headers={
        "Authorization": f"Bearer {access_token}"}).status_code == 401


def test_logout_ends_the_json_clients_session_in_every_service(system):
    user = system.identity.create_user(ADMIN, "patrol.a", PASSWORD, Role.PATROL_MEMBER,
                                       "500110120", frozenset())
    first, second = _sign_in(system), _sign_in(system)
    bearer = {"Authorization": f"Bearer {first['access_token']}"}
    assert system.service.get("/probe", headers=bearer).status_code == 200
    # a JSON client signs out without a refresh cookie: its refresh token ends too
    assert system.gateway.post("/logout", headers=bearer).status_code == 204
    assert system.gateway.post("/auth/refresh", json={
        "refresh_token": first["refresh_token"]}).status_code == 401
    eventually(lambda: _refused_by_the_service(system, first["access_token"]), timeout_s=10,
               message="the service still accepts a signed-out token")
    other = {"Authorization": f"Bearer {second['access_token']}"}
    assert system.service.get("/probe", headers=other).status_code == 200  # another sign-in
    admin = {"Authorization": f"Bearer {KEYS.issue(ADMIN)}"}
    assert system.gateway.delete(f"/api/users/{user.user_id}/sessions",
                                 headers=admin).status_code == 204
    eventually(lambda: _refused_by_the_service(system, second["access_token"]), timeout_s=10,
               message="the service still accepts a token after 'end all sessions'")


def test_a_reused_refresh_token_ends_the_stolen_pairs_access_token_everywhere(system):
    system.identity.create_user(ADMIN, "patrol.a", PASSWORD, Role.PATROL_MEMBER,
                                "500110120", frozenset())
    stolen = _sign_in(system)
    fresh = system.gateway.post("/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert fresh.status_code == 200
    assert system.gateway.post("/auth/refresh", json={
        "refresh_token": stolen["refresh_token"]}).status_code == 401  # reuse detected
    for token in (stolen["access_token"], fresh.json["access_token"]):
        assert system.gateway.post("/logout", headers={
            "Authorization": f"Bearer {token}"}).status_code == 401  # the gateway: at once
        eventually(lambda t=token: _refused_by_the_service(system, t), timeout_s=10,
                   message="the service still accepts the stolen family's token")
