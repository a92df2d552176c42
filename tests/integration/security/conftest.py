"""Every service's Flask app, built with its own ``create_app`` on temporary SQLite files
and test signing keys (no broker needed: HTTP handlers only write the outbox)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

from shared.auth import Principal, Role, TokenKeys
from shared.crypto import new_key

SERVICES = ("registry", "hazards", "notifier", "gateway")
SECRET = "matrix-test-secret-" + "x" * 24
KEYS = TokenKeys({"k1": SECRET}, "k1", ttl_s=3600)
TOWNSHIP = "500110120"
OWN_VILLAGE = "500110120201"
OTHER_VILLAGE = "500110120202"


def token(role: Role, villages: frozenset[str] = frozenset({OWN_VILLAGE}),
          township: str = TOWNSHIP) -> str:
    return KEYS.issue(Principal(f"test-{role.value}", role, township, villages),
                      check_until=date.max)


@pytest.fixture(scope="module")
def service_apps(tmp_path_factory):
    """{service: Flask app}, built as ``shouhu serve SERVICE api`` builds them."""
    data = tmp_path_factory.mktemp("apps")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHOUHU_DATA_DIR", str(data))
        mp.setenv("SHOUHU_AUTH_KEYS", f"k1:{SECRET}")
        mp.setenv("SHOUHU_FIELD_KEYS", f"f1:{new_key()}")
        mp.setenv("SHOUHU_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # never contacted
        for svc in SERVICES:
            mp.setenv(f"SHOUHU_{svc.upper()}_DATABASE_URL", f"sqlite:///{data / svc}.db")
        from shared.crypto import default_keys

        default_keys.cache_clear()
        apps = {}
        for svc in SERVICES:
            bootstrap = importlib.import_module(f"services.{svc}.bootstrap").bootstrap
            create_app = importlib.import_module(f"services.{svc}.entrypoints.api").create_app
            apps[svc] = create_app(bootstrap())
        yield apps
        default_keys.cache_clear()


GATEWAY_KEYS = TokenKeys({"k1": "identity-test-" + "c" * 30}, "k1", ttl_s=300)
PASSWORD = "a long pass phrase 7"


@pytest.fixture
def identity_gateway(database_url):
    """The gateway's identity routes and pages on a fresh database (both backends), with
    a cheap password hash (the rules, not the cost, are under test)."""

    from argon2.profiles import CHEAPEST

    from services.gateway.adapters.tables import metadata
    from services.gateway.entrypoints.phone_pages import install_page_refusals
    from services.gateway.identity.adapters.users import Argon2Hasher
    from services.gateway.identity.entrypoints.identity import register_identity
    from services.gateway.identity.service_layer.identity import IdentityService
    from shared.db import make_engine
    from shared.web import create_flask

    engine = make_engine(database_url)
    metadata.create_all(engine)
    app, api = create_flask("gw_identity", "gateway", GATEWAY_KEYS)
    install_page_refusals(app)
    service = IdentityService(engine, GATEWAY_KEYS, Argon2Hasher(CHEAPEST), "/shouhu/gateway")
    register_identity(app, api, service)
    client = app.test_client()
    client.service, client.engine = service, engine
    yield client
    engine.dispose()
