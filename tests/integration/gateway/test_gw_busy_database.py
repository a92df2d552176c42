"""Pages keep answering while the database is busy: a writer holds the write lock
longer than a writer may wait, or a county import streams hazard events into the read
model. No page may fail (no 5xx, never 'database is locked'). Not a timing test:
bench/gateway_ingest.py measures speed."""

from __future__ import annotations

import random
import threading
import time

from gw_helpers import LAT0, LON0, apply, event, gateway, token, township_events
from sqlalchemy import update

from services.gateway.adapters.tables import read_model_version
from services.gateway.entrypoints.api import create_app
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from shared.auth import Role

PAGES = ("/map", "/dashboard", "/api/overlay/hazards", "/api/map/layers", "/api/dashboard")


class NoService:
    def post(self, path, tok, body):  # type: ignore[no-untyped-def]
        raise AssertionError("no page here writes to another service")


def road_links(n: int, seed: int = 3) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        x, y = LON0 + rng.uniform(-0.03, 0.03), LAT0 + rng.uniform(-0.03, 0.03)
        out.append(event("hazards.hazard.created.v1", {
            "hazard_id": f"road-{i:04d}", "kind": "road_no_barrier", "name": f"路段{i}",
            "geometry": {"type": "LineString", "coordinates": [[x, y], [x + 0.002, y]]},
            "village_code": "500110120201", "protections": {}}))
    return out


def _load_pages_while(client, running: threading.Thread, role: Role) -> list:  # type: ignore[no-untyped-def]
    """Ask for every page, round after round, until ``running`` ends; the answers."""
    answers = []
    running.start()
    while running.is_alive() or not answers:
        for path in PAGES:
            resp = client.get(path, headers=token(role))
            answers.append((path, resp.status_code, "locked" in resp.get_data(as_text=True)))
    running.join()
    return answers


def test_pages_that_only_read_never_wait_for_a_writer(database_url, monkeypatch):
    """A writer holds the lock for 3 s; a writer may wait 1 s. A planner's pages only
    read, so they answer throughout (before, they took the write lock too: 500s)."""
    monkeypatch.setenv("SHOUHU_SQLITE_BUSY_TIMEOUT_S", "1")
    gw = gateway(database_url)
    apply(gw, township_events())
    client = create_app(gw, NoService(), NoService()).test_client()

    def hold_the_lock() -> None:
        with gw.engine.begin() as conn:
            conn.execute(update(read_model_version).values(version=read_model_version.c.version))
            time.sleep(3)

    answers = _load_pages_while(client, threading.Thread(target=hold_the_lock), Role.PLANNER)
    assert answers and [a for a in answers if a[1] != 200 or a[2]] == []


def test_pages_answer_while_a_county_import_runs(database_url):
    """Station staff's map views of exact homes are audited (a write that waits its
    turn): the import's transactions are short, so every page answers, none 'locked'."""
    gw = gateway(database_url)
    apply(gw, township_events())
    client = create_app(gw, NoService(), NoService()).test_client()
    with gw.reader.connect() as conn:
        before = len(ReadModelStore(conn).hazards())
    failures: list[BaseException] = []

    def import_roads() -> None:
        try:
            apply(gw, road_links(300))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    answers = _load_pages_while(client, threading.Thread(target=import_roads),
                                Role.STATION_ADMIN)
    assert not failures, failures
    assert answers and [a for a in answers if a[1] != 200 or a[2]] == []
    with gw.reader.connect() as conn:
        assert len(ReadModelStore(conn).hazards()) == before + 300
