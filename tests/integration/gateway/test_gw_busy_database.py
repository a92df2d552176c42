"""Pages keep answering while the database is busy: a county import streams hazard
events into the read model and another writer holds the write lock longer than a
writer may wait. No page may fail (no 5xx, never 'database is locked'); pages that
only read do not queue behind writers. Not a timing test: the bench measures speed."""

from __future__ import annotations

import random
import threading
import time

from gw_helpers import LAT0, LON0, apply, event, gateway, token, township_events
from sqlalchemy import update

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.adapters.tables import read_model_version
from services.gateway.entrypoints.api import create_app
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


def test_pages_answer_while_an_import_runs_and_a_writer_holds_the_lock(
        database_url, monkeypatch):
    monkeypatch.setenv("SHOUHU_SQLITE_BUSY_TIMEOUT_S", "1")  # writers wait 1 s at most
    gw = gateway(database_url)
    apply(gw, township_events())
    client = create_app(gw, NoService(), NoService()).test_client()
    answers: list[tuple[str, int, bool]] = []

    def load_pages_while(running: threading.Thread) -> int:
        running.start()
        rounds = 0
        while running.is_alive() or not rounds:
            for path in PAGES:
                resp = client.get(path, headers=token(Role.STATION_ADMIN))
                answers.append((path, resp.status_code, "locked" in resp.get_data(as_text=True)))
            rounds += 1
        running.join()
        return rounds

    def hold_the_lock() -> None:  # a writer's long transaction: 3 s, writers wait 1 s
        with gw.engine.begin() as conn:
            conn.execute(update(read_model_version).values(version=read_model_version.c.version))
            time.sleep(3)

    failures: list[BaseException] = []

    def import_roads() -> None:
        try:
            apply(gw, road_links(300))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    def hazards() -> int:
        with gw.reader.connect() as conn:
            return len(ReadModelStore(conn).hazards())

    before = hazards()
    assert load_pages_while(threading.Thread(target=hold_the_lock)) >= 1
    assert load_pages_while(threading.Thread(target=import_roads)) >= 1
    assert not failures, failures
    assert [a for a in answers if a[1] != 200 or a[2]] == []
    assert hazards() == before + 300
