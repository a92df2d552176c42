"""A registry app on a fresh database (SQLite and PostgreSQL) and tokens for any role."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import Settings
from services.registry.entrypoints.api import create_app
from services.registry.service_layer.context import Policy
from shared.auth import Principal, Role, TokenKeys
from shared.config import CommonSettings, Region

VILLAGE = "500110108201"
OTHER_VILLAGE = "500110108202"
KEYS = TokenKeys({"k1": "registry-test-secret-0123456789abcdef"}, "k1")


def make_settings(database_url: str, bootstrap_servers: str = "127.0.0.1:1",
                  topic_prefix: str = "") -> Settings:
    region = Region(105.5, 28.5, 107.5, 30.5)
    common = CommonSettings(service="registry", bootstrap_servers=bootstrap_servers,
                            topic_prefix=topic_prefix, database_url=database_url,
                            region=region, topic_partitions=1, topic_replication=1,
                            outbox_retention_days=1)
    return Settings(common=common, port=0, keys=KEYS,
                    policy=Policy(region, villages={"石龙村": VILLAGE, "龙泉村": OTHER_VILLAGE}))


@pytest.fixture
def registry(database_url: str) -> Registry:
    reg = bootstrap(make_settings(database_url))
    yield reg
    reg.engine.dispose()


@pytest.fixture
def client(registry: Registry):  # type: ignore[no-untyped-def]
    return create_app(registry).test_client()


@pytest.fixture
def auth() -> Callable[..., dict[str, str]]:
    def _auth(role: Role = Role.STATION_ADMIN, villages: frozenset[str] = frozenset(),
              user: str = "u-admin") -> dict[str, str]:
        token = KEYS.issue(Principal(user, role, "500110108", villages))
        return {"Authorization": f"Bearer {token}"}

    return _auth


def child_body(**over: object) -> dict:
    body = {"name": "测试儿童", "gender": "female", "birth_date": "2016-05-01",
            "village_code": VILLAGE, "home": {"lon": 106.651, "lat": 28.951}}
    body.update(over)
    return body
