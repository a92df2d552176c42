"""Children's home locations are encrypted at rest in every service that stores them.

Children are registered through the registry's API; its events are applied by the
hazards and gateway consumers as their workers would (no broker). Then every table of
the three databases is read with plain SQL, and the SQLite files byte by byte: no home's
longitude or latitude may appear, neither as text nor as a REAL value.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import struct
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from infra.keys_cli import cmd_keys_rotate
from services.gateway.bootstrap import bootstrap as gateway_bootstrap
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.hazards.adapters.patrol_repository import HomeRepository
from services.hazards.bootstrap import bootstrap as hazards_bootstrap
from services.registry.adapters.repository import ChildRepository
from services.registry.bootstrap import bootstrap as registry_bootstrap
from services.registry.entrypoints.api import create_app
from shared.auth import Principal, Role, TokenKeys
from shared.crypto import FieldKeys, default_keys, key_id, new_key
from shared.db import make_engine, migrate
from shared.messaging.consumer import ConsumerConfig, EventConsumer
from shared.messaging.tables import OUTBOX
from shared.testing.fixtures import create_pg_database, drop_pg_database

SECRET = "homes-at-rest-test-secret-" + "x" * 16
SERVICES = ("registry", "hazards", "gateway")
VILLAGE = "500110120201"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A database per service: SQLite files, or fresh PostgreSQL databases."""
    if request.param == "sqlite":
        yield {s: f"sqlite:///{tmp_path / s}.db" for s in SERVICES}
        return
    made = {s: create_pg_database() for s in SERVICES}
    yield made
    for url in made.values():
        drop_pg_database(url)


@pytest.fixture
def stations(urls: dict[str, str], field_keys: FieldKeys, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The three services, configured from the environment as ``shouhu serve`` does."""
    monkeypatch.setenv("SHOUHU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHOUHU_AUTH_KEYS", f"k1:{SECRET}")
    monkeypatch.setenv("SHOUHU_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # never contacted
    for svc, url in urls.items():
        monkeypatch.setenv(f"SHOUHU_{svc.upper()}_DATABASE_URL", url)
    apps = {"registry": registry_bootstrap(), "hazards": hazards_bootstrap(),
            "gateway": gateway_bootstrap()}
    yield apps
    for app in apps.values():
        app.engine.dispose()


def _register(stations: dict[str, Any], n: int = 3) -> list[tuple[float, float]]:
    """Register ``n`` children at random homes and record a visit at each home; deliver
    the events; return the homes."""
    rng = random.Random()
    token = TokenKeys({"k1": SECRET}, "k1").issue(Principal("admin", Role.STATION_ADMIN,
                                                            "500110120", frozenset()),
                                                  check_until=date.max)  # records visits
    client = create_app(stations["registry"]).test_client()
    homes = [(round(rng.uniform(106.6, 106.7), 7), round(rng.uniform(28.9, 29.0), 7))
             for _ in range(n)]
    auth = {"Authorization": f"Bearer {token}"}
    for i, (lon, lat) in enumerate(homes):
        resp = client.post("/children", headers=auth,
                           json={"name": f"测试儿童{i}", "gender": "female",
                                 "birth_date": "2016-05-01", "village_code": VILLAGE,
                                 "home": {"lon": lon, "lat": lat}})
        assert resp.status_code == 201, resp.json
        visit = client.post(f"/children/{resp.json['id']}/visits", headers=auth, json={
            "visited_at": "2026-11-20T10:00:00+08:00", "location": {"lon": lon, "lat": lat}})
        assert visit.status_code == 201, visit.json
    with stations["registry"].engine.connect() as conn:
        events = [r.payload.encode() for r in conn.execute(
            sa.select(OUTBOX.c.payload).where(OUTBOX.c.type == "registry.child.registered.v1"))]
    for svc in ("hazards", "gateway"):
        app = stations[svc]
        consumer = EventConsumer(ConsumerConfig("127.0.0.1:1", svc, []), app.engine,
                                 app.catalogue, app.handlers())
        assert {consumer.handle(e) for e in events} == {"applied"}
    return homes


def _dump(engine: sa.Engine) -> Iterator[tuple[str, str, Any]]:
    """(table, column, value) for every value of every table, read with plain SQL."""
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            result = conn.execute(sa.text(f'SELECT * FROM "{table}"'))
            for row in result:
                yield from ((table, col, v) for col, v in zip(result.keys(), row, strict=True))


def _plaintext_homes(engine: sa.Engine, homes: list[tuple[float, float]]) -> list[str]:
    numbers = [x for home in homes for x in home]
    found = []
    for table, col, value in _dump(engine):
        if isinstance(value, float) and any(abs(value - x) < 1e-9 for x in numbers):
            found.append(f"{table}.{col} = {value!r}")
        elif any(repr(x) in str(value) for x in numbers):
            found.append(f"{table}.{col} contains a home coordinate")
    path = engine.url.database
    if engine.dialect.name == "sqlite" and path:
        raw = b"".join(p.read_bytes() for p in Path(path).parent.glob(Path(path).name + "*"))
        found += [f"{path}: {x!r} as bytes" for x in numbers
                  if repr(x).encode() in raw or struct.pack(">d", x) in raw]
    return found


def test_no_home_coordinate_is_stored_in_plaintext(stations):
    homes = _register(stations)
    for svc in SERVICES:
        assert not _plaintext_homes(stations[svc].engine, homes), svc
    with stations["registry"].engine.connect() as conn:
        stored = {(c.home_lon, c.home_lat) for c in ChildRepository(conn).iter_for_assessment()}
    with stations["hazards"].engine.connect() as conn:
        assert set(HomeRepository(conn).locations()) == stored == set(homes)
    with stations["gateway"].engine.connect() as conn:
        assert {(h.lon, h.lat) for h in ReadModelStore(conn).children()} == set(homes)


def _home_key_ids(engine: sa.Engine) -> set[str]:
    columns = {"children": "home", "homes": "location", "child_homes": "home"}
    with engine.connect() as conn:
        table = next(t for t in columns if sa.inspect(conn).has_table(t))
        return {key_id(v) for v in conn.execute(sa.text(
            f'SELECT "{columns[table]}" FROM {table}')).scalars()}


def test_rotation_reencrypts_home_locations(stations, monkeypatch, capsys):
    homes = _register(stations)
    assert all(_home_key_ids(stations[s].engine) == {"t1"} for s in SERVICES)
    new = f"t2:{new_key()}"
    monkeypatch.setenv("SHOUHU_FIELD_KEYS", f"{new},{os.environ['SHOUHU_FIELD_KEYS']}")
    monkeypatch.setenv("SHOUHU_FIELD_ACTIVE_KID", "t2")
    default_keys.cache_clear()
    for svc in SERVICES:
        cmd_keys_rotate(argparse.Namespace(service=[svc]))
        assert _home_key_ids(stations[svc].engine) == {"t2"}, svc
    assert "child_homes" in capsys.readouterr().out
    monkeypatch.setenv("SHOUHU_FIELD_KEYS", new)  # the old key is gone: reads still work
    default_keys.cache_clear()
    with stations["registry"].engine.connect() as conn:
        assert {(c.home_lon, c.home_lat)
                for c in ChildRepository(conn).iter_for_assessment()} == set(homes)
    with stations["hazards"].engine.connect() as conn:
        assert set(HomeRepository(conn).locations()) == set(homes)
    with stations["gateway"].engine.connect() as conn:
        assert {(h.lon, h.lat) for h in ReadModelStore(conn).children()} == set(homes)


@pytest.mark.parametrize(("service", "before", "insert", "read"), [
    ("hazards", "0002_haz",
     "INSERT INTO homes (child_id, village_code, lon, lat) VALUES ('c1', :village, :lon, :lat)",
     lambda conn: HomeRepository(conn).locations()),
    ("gateway", "0002_gw",
     "INSERT INTO child_homes (child_id, village_code, lon, lat, age_band, risk_grade) "
     "VALUES ('c1', :village, :lon, :lat, '6-11', 'low')",
     lambda conn: [(h.lon, h.lat) for h in ReadModelStore(conn).children()]),
])
def test_migration_encrypts_plaintext_home_locations(database_url, field_keys, service, before,
                                                      insert, read):
    migrations = importlib.import_module(f"services.{service}.bootstrap").MIGRATIONS
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(cfg, before)
    engine = make_engine(database_url)
    home = (106.6123457, 28.9123457)
    payload = json.dumps({"data": {"home": {"lon": home[0], "lat": home[1]}}})
    with engine.begin() as conn:
        conn.execute(sa.text(insert), {"village": VILLAGE, "lon": home[0], "lat": home[1]})
        conn.execute(sa.text(
            "INSERT INTO outbox (event_id, topic, key, type, payload, created_at) VALUES "
            "('e1', 'registry.children', 'c1', 'registry.child.registered.v1', :payload, "
            "CURRENT_TIMESTAMP)"), {"payload": payload})
    migrate(database_url, migrations)
    with engine.connect() as conn:
        assert read(conn) == [home]
        assert conn.execute(sa.select(OUTBOX.c.payload)).scalar_one() == payload
    engine.dispose()  # SQLite: the insert's WAL frames go; the migrated file remains
    assert not _plaintext_homes(engine, [home])
    assert _home_key_ids(engine) == {"t1"}
    engine.dispose()
