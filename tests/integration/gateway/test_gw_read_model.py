"""Events → read model → overlay rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from gw_helpers import apply, event, gateway, township_events

from services.gateway.read_model.adapters.read_model_store import ReadModelStore


def test_every_event_kind_lands_and_the_overlay_equals_a_fresh_computation(database_url):
    gw = gateway(database_url)
    apply(gw, township_events())
    with gw.engine.connect() as conn:
        store = ReadModelStore(conn)
        children = store.children()
        assert len(children) == 39 and "child-002" not in {c.child_id for c in children}
        assert store.child("child-001").risk_grade == "high"
        assert [h.hazard_id for h in store.hazards()] == [f"hz-{i}" for i in (0, 1, 2, 3, 5)]
        assert store.hazard("hz-0").zone is not None
        assert store.hazard("hz-1").lacking == ["barrier", "warning_sign"]
        assert {p.point_id for p in store.points()} >= {"pt-0", "pt-5"}
        assert store.last_checkins().keys() == {"pt-0"}
        assert store.findings()[0].kind == "children_at_water"
        assert store.visit("child-005").overdue_since is not None
        fresh = gw.make_overlay()
        fresh.load(children, store.hazards())
        assert {o.child_id: o for o in store.overlays()} == {
            c.child_id: fresh.child(c.child_id) for c in children}
        assert store.exposures() == [e for e in fresh.exposures() if e.hazard_id in
                                     {x.hazard_id for x in store.exposures()}]
        assert len(store.exposures()) == 5 and store.exposures()[0].weight_tenths > 0


def test_a_restarted_worker_reloads_the_overlay_from_the_database(database_url):
    events = township_events()
    gw = gateway(database_url)
    apply(gw, events[:-5])
    restarted = gateway(database_url)  # a new process: empty memory, same database
    apply(restarted, events[-5:])
    reference = gateway(database_url.rsplit("/", 1)[0] + "/ref.db") \
        if database_url.startswith("sqlite") else None
    if reference is not None:
        apply(reference, events)
        with restarted.engine.connect() as a, reference.engine.connect() as b:
            assert ReadModelStore(a).digest() == ReadModelStore(b).digest()


def test_a_child_without_home_reaches_the_read_model_and_is_not_on_the_map(database_url):
    gw = gateway(database_url)
    unplaced = {"village_code": "500110120200", "home": None, "age_band": "6-11",
                "risk_grade": "high", "categories": [], "living_alone": False}
    apply(gw, [*township_events(),
               event("registry.child.registered.v1", {"child_id": "child-900", **unplaced}),
               event("registry.child.updated.v1", {"child_id": "child-001", **unplaced})])
    with gw.engine.connect() as conn:
        store = ReadModelStore(conn)
        children = {c.child_id for c in store.children()}
        assert len(children) == 38 and not {"child-900", "child-001"} & children
        assert not {"child-900", "child-001"} & {o.child_id for o in store.overlays()}


def test_a_failed_event_is_not_counted_and_its_overlay_is_dropped(database_url):
    """The read-model unit (``Projector.unit``): the version counts applied events
    only, and the in-memory overlay an event changed before failing is reloaded."""
    gw = gateway(database_url)
    apply(gw, township_events())
    with gw.engine.connect() as conn:
        version = ReadModelStore(conn).version()
    with pytest.raises(RuntimeError), gw.engine.begin() as conn, \
            gw.projector.unit(conn) as unit:
        touched = unit.overlay()
        unit.store.apply(touched.remove_child("child-001"))
        raise RuntimeError("the event fails half way")
    with gw.engine.begin() as conn, gw.projector.unit(conn) as unit:
        assert unit.overlay() is not touched  # reloaded from the database
        assert unit.overlay().child("child-001") is not None
    with gw.engine.connect() as conn:
        assert ReadModelStore(conn).version() == version + 1  # the failed one uncounted
