"""The hazards service layer on a fake unit of work: the inventory (create, update,
retire and their events), patrol points and check-in rules, the fix-task loop and
cameras' alarms.

No database or broker: the integration tests (tests/integration/hazards) run the same
handlers on SQLite and PostgreSQL and the worker on the broker.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import shapely
from PIL import Image

from services.hazards.domain.checkins import CheckIn, Finding
from services.hazards.domain.exceptions import (
    DuplicateFixTask,
    FixTaskRefused,
    InvalidHazard,
    NotFound,
)
from services.hazards.domain.model import Hazard
from services.hazards.domain.zones import BufferConfig
from services.hazards.service_layer import (
    devices,
    fix_tasks,
    handlers,
    patrols,
    registry_events,
)
from services.hazards.service_layer.fix_tasks import AssignFix
from services.hazards.service_layer.handlers import Context
from services.hazards.service_layer.patrols import CheckInPolicy
from shared.config import Region
from shared.events.envelope import CloudEvent
from tests.unit.hazards.fakes import FakeUnitOfWork

VILLAGE, OTHER_VILLAGE = "500110120201", "500110120202"
REGION = Region(105.5, 28.5, 107.5, 30.5)
CTX = Context(REGION, BufferConfig(), "station")
VILLAGE_ONLY = Context(REGION, BufferConfig(), "director", lambda v: v == VILLAGE)
OTHER_ONLY = Context(REGION, BufferConfig(), "other", lambda v: v == OTHER_VILLAGE)
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
POND = shapely.Point(106.65, 28.95).buffer(0.0003)
CHECKINS = CheckInPolicy(REGION, max_distance_m=50, may_act_as=lambda m: m == "member")


def pond(**over: Any) -> Hazard:
    return Hazard(**({"kind": "pond", "name": "测试塘", "geometry": POND,
                      "village_code": VILLAGE} | over))


def added(uow: FakeUnitOfWork, **over: Any) -> Hazard:
    return handlers.add_hazard(uow, pond(**over), CTX)


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, "JPEG")
    return buf.getvalue()


# -- the inventory --------------------------------------------------------------------
def test_a_new_hazard_is_stored_with_its_zone_version_and_both_events():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    (created,) = uow.of_type("hazards.hazard.created.v1")
    assert (created["hazard_id"], created["kind"], created["village_code"]) == (
        hazard.id, "pond", VILLAGE)
    assert created["protections"] == {"barrier": "missing", "warning_sign": "missing",
                                      "rescue_equipment": "missing"}
    (zone,) = uow.of_type("hazards.zone.changed.v1")
    assert zone["hazard_id"] == hazard.id and zone["buffer_m"] > 0
    assert uow.fake_zones.rows[hazard.id]["geometry"].contains(POND)
    assert [v["action"] for v in uow.hazards.versions(hazard.id)] == ["created"]
    assert uow.commits == 1


def test_a_hazard_outside_the_region_or_the_callers_villages_is_refused():
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidHazard) as err:
        added(uow, geometry=shapely.Point(116.4, 39.9).buffer(0.001))
    assert err.value.field == "geometry"
    with pytest.raises(NotFound):
        handlers.add_hazard(uow, pond(village_code=OTHER_VILLAGE), VILLAGE_ONLY)
    assert uow.fake_hazards.rows == {} and uow.published == []


def test_an_update_publishes_what_changed_and_a_new_zone_only_for_a_new_outline():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    updated = handlers.update_hazard(uow, hazard.id, {"barrier": "present"}, CTX)
    assert updated.version == 2
    assert uow.of_type("hazards.hazard.updated.v1")[0]["protections"]["barrier"] == "present"
    assert len(uow.of_type("hazards.zone.changed.v1")) == 1
    bigger = POND.buffer(0.0003)
    handlers.update_hazard(uow, hazard.id, {"geometry": bigger}, CTX)
    assert len(uow.of_type("hazards.zone.changed.v1")) == 2
    assert uow.fake_zones.rows[hazard.id]["geometry"].contains(bigger)
    assert [v["action"] for v in uow.hazards.versions(hazard.id)] == [
        "created", "updated", "updated"]


def test_an_update_that_changes_nothing_writes_and_publishes_nothing():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    before = len(uow.published)
    assert handlers.update_hazard(uow, hazard.id, {"name": "测试塘"}, CTX).version == 1
    assert len(uow.published) == before and len(uow.hazards.versions(hazard.id)) == 1


def test_a_retired_hazard_reads_as_absent_and_loses_its_zone():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    with pytest.raises(NotFound):
        handlers.retire_hazard(uow, hazard.id, OTHER_ONLY)
    handlers.retire_hazard(uow, hazard.id, CTX)
    assert uow.of_type("hazards.hazard.retired.v1") == [{"hazard_id": hazard.id}]
    assert hazard.id not in uow.fake_zones.rows and uow.hazards.frame().empty
    with pytest.raises(NotFound):
        handlers.get_hazard(uow, hazard.id)
    with pytest.raises(NotFound):
        handlers.update_hazard(uow, hazard.id, {"barrier": "present"}, CTX)


# -- patrol points and check-ins -------------------------------------------------------
def point(uow: FakeUnitOfWork, hazard: Hazard) -> dict[str, Any]:
    return patrols.add_point(uow, hazard.id, 106.65, 28.95, str(patrols.Schedule()), "",
                             REGION)


def checkin(point_id: str, client_id: str = "c1", **over: Any) -> CheckIn:
    return CheckIn(**({"client_id": client_id, "point_id": point_id, "member_id": "member",
                       "checked_at": NOW, "lon": 106.6501, "lat": 28.9501} | over))


def test_a_check_in_at_the_point_is_recorded_once_and_marks_the_point_checked():
    uow = FakeUnitOfWork()
    p = point(uow, added(uow))
    first = patrols.record_checkins(uow, [(checkin(p["id"]), "wgs84")], CHECKINS)
    again = patrols.record_checkins(uow, [(checkin(p["id"]), "wgs84")], CHECKINS)
    assert first[0]["status"] == "created"
    assert again[0] == {"client_id": "c1", "status": "duplicate",
                        "checkin_id": first[0]["checkin_id"]}
    (checked,) = uow.of_type("hazards.patrol.checked_in.v1")
    assert checked["point_id"] == p["id"] and checked["member_id"] == "member"
    assert uow.fake_points.rows[p["id"]]["last_checked_at"] == NOW


def test_check_ins_far_away_or_as_someone_else_are_refused_one_by_one():
    uow = FakeUnitOfWork()
    p = point(uow, added(uow))
    results = patrols.record_checkins(uow, [
        (checkin(p["id"], "far", lon=106.66), "wgs84"),
        (checkin(p["id"], "other", member_id="someone"), "wgs84"),
        (checkin(p["id"], "flagged", lon=106.66, off_point_reason="flooded path"), "wgs84"),
    ], CHECKINS)
    assert [r["status"] for r in results] == ["refused", "refused", "created"]
    assert list(results[0]["errors"]) == ["location"]
    assert list(results[1]["errors"]) == ["member_id"]
    assert set(uow.fake_checkins.rows) == {"flagged"}


def test_a_finding_at_a_check_in_is_reported_with_the_hazards_village():
    uow = FakeUnitOfWork()
    p = point(uow, added(uow))
    ci = checkin(p["id"], findings=[Finding("children_at_water", "none")])
    patrols.record_checkins(uow, [(ci, "wgs84")], CHECKINS)
    (reported,) = uow.of_type("hazards.finding.reported.v1")
    assert (reported["village_code"], reported["kind"], reported["severity"]) == (
        VILLAGE, "children_at_water", "urgent")
    assert uow.fake_findings.rows[reported["finding_id"]]["checkin_id"] == ci.id


def test_a_point_on_a_missing_hazard_is_not_found():
    uow = FakeUnitOfWork()
    with pytest.raises(NotFound):
        patrols.add_point(uow, "no-such-hazard", 106.65, 28.95, str(patrols.Schedule()), "",
                          REGION)
    assert uow.fake_points.rows == {}


# -- the fix-task loop ---------------------------------------------------------------
def test_a_fix_task_runs_from_assignment_to_a_confirmed_protection():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    task = fix_tasks.assign(uow, AssignFix(date(2026, 7, 10), hazard.id, "barrier"), CTX, NOW)
    assert (task.problem, task.status) == ("missing", "assigned")
    with pytest.raises(DuplicateFixTask):
        fix_tasks.assign(uow, AssignFix(date(2026, 7, 10), hazard.id, "barrier"), CTX, NOW)
    with pytest.raises(FixTaskRefused):
        fix_tasks.report_fixed(uow, task.id, "done", None, 10**6, CTX, NOW)
    fix_tasks.report_fixed(uow, task.id, "done", jpeg(), 10**6, CTX, NOW)
    assert uow.fake_fix_tasks.photo(task.id) is not None
    confirmed = fix_tasks.confirm(uow, task.id, True, "", CTX, NOW + timedelta(days=1))
    assert (confirmed.status, confirmed.version) == ("confirmed", 3)
    assert uow.fake_hazards.rows[hazard.id].barrier == "present"
    assert [e.type for e in uow.published][-2:] == [
        "hazards.fix_task.confirmed.v1", "hazards.hazard.updated.v1"]
    assert uow.of_type("hazards.fix_task.confirmed.v1")[0]["status"] == "confirmed"
    assert uow.of_type("hazards.hazard.updated.v1")[0]["protections"]["barrier"] == "present"


def test_a_fix_the_patrol_did_not_see_goes_back_to_the_village_with_why():
    uow = FakeUnitOfWork()
    task = fix_tasks.assign(uow, AssignFix(date(2026, 7, 10), added(uow).id, "warning_sign"),
                            CTX, NOW)
    fix_tasks.report_fixed(uow, task.id, "done", jpeg(), 10**6, CTX, NOW)
    with pytest.raises(FixTaskRefused):
        fix_tasks.confirm(uow, task.id, False, " ", CTX, NOW)
    back = fix_tasks.confirm(uow, task.id, False, "sign still missing", CTX, NOW)
    assert back.status == "assigned" and uow.of_type("hazards.hazard.updated.v1") == []


def test_a_finding_makes_a_task_for_its_protection():
    uow = FakeUnitOfWork()
    hazard = added(uow, barrier="present")
    p = point(uow, hazard)
    ci = checkin(p["id"], findings=[Finding("barrier_damaged")])
    patrols.record_checkins(uow, [(ci, "wgs84")], CHECKINS)
    task = fix_tasks.assign(uow, AssignFix(date(2026, 7, 10),
                                           finding_id=ci.findings[0].id), CTX, NOW)
    assert (task.hazard_id, task.protection, task.problem) == (hazard.id, "barrier",
                                                               "damaged")


def test_overdue_fix_tasks_are_announced_once_per_due_date():
    uow = FakeUnitOfWork()
    task = fix_tasks.assign(uow, AssignFix(date(2026, 7, 2), added(uow).id, "barrier"),
                            CTX, NOW)
    assert fix_tasks.scan_overdue(uow, date(2026, 7, 2)) == []
    assert fix_tasks.scan_overdue(uow, date(2026, 7, 3)) == [task.id]
    assert fix_tasks.scan_overdue(uow, date(2026, 7, 4)) == []
    assert uow.of_type("hazards.fix_task.overdue.v1") == [{
        "task_id": task.id, "hazard_id": task.hazard_id, "village_code": VILLAGE,
        "protection": "barrier", "due_on": "2026-07-02"}]


def test_a_task_outside_the_callers_villages_is_not_found():
    uow = FakeUnitOfWork()
    task = fix_tasks.assign(uow, AssignFix(date(2026, 7, 10),
                                           added(uow, village_code=OTHER_VILLAGE).id,
                                           "barrier"), CTX, NOW)
    with pytest.raises(NotFound):
        fix_tasks.get_task(uow, task.id, VILLAGE_ONLY)
    assert fix_tasks.list_tasks(uow, frozenset({VILLAGE}), "", 1, 50) == ([], 0)


# -- cameras --------------------------------------------------------------------------
def test_a_camera_alarm_is_an_urgent_finding_recorded_once_and_silence_once():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    devices.register_device(uow, "cam1", 106.6502, 28.9502, 60, None, {"cam1": "s"})
    assert uow.fake_devices.rows["cam1"]["hazard_id"] == hazard.id  # the nearest
    finding_id = devices.alarm(uow, "cam1", "a1", "person", None, NOW, NOW)
    assert devices.alarm(uow, "cam1", "a1", "person", None, NOW, NOW) == "duplicate"
    (reported,) = uow.of_type("hazards.finding.reported.v1")
    assert (reported["finding_id"], reported["severity"]) == (finding_id, "urgent")
    later = NOW + timedelta(hours=1)
    assert devices.scan_silent(uow, later, 3) == ["cam1"]
    assert devices.scan_silent(uow, later, 3) == []
    devices.heartbeat(uow, "cam1", later)
    assert devices.scan_silent(uow, later + timedelta(hours=1), 3) == ["cam1"]


# -- patrol planning ---------------------------------------------------------------
def test_generated_points_follow_the_homes_near_water_and_leave_manual_ones_alone():
    uow = FakeUnitOfWork()
    hazard = added(uow)
    manual = point(uow, hazard)
    uow.homes.put("c1", VILLAGE, 106.652, 28.951)  # about 200 m from the pond
    assert patrols.regenerate_points(uow, 150, 1000)["created"] == 1
    (generated,) = uow.points.generated().values()
    assert (generated["hazard_id"], generated["active"]) == (hazard.id, True)
    assert patrols.regenerate_points(uow, 150, 1000) == {
        "created": 0, "moved": 0, "deactivated": 0, "unchanged": 1, "homes": 1}
    uow.homes.remove("c1")
    again = patrols.regenerate_points(uow, 150, 1000)
    assert (again["deactivated"], again["homes"]) == (1, 0)
    assert uow.fake_points.rows[generated["id"]]["active"] is False
    assert uow.fake_points.rows[manual["id"]]["active"] is True
    assert [p["id"] for p in patrols.list_points(uow, hazard.id, False, NOW)] == [
        manual["id"]]


# -- registry events: children's homes ----------------------------------------------
def registry_event(uow: FakeUnitOfWork, type_: str, **data: Any) -> None:
    """Handle a registry event as the worker does: through the handler table."""
    with uow:
        registry_events.HANDLERS[type_](uow, CloudEvent(type_, "/shouhu/registry",
                                                        data["child_id"], data))


def test_a_childs_home_is_kept_as_a_point_moved_and_dropped_when_unknown_or_archived():
    uow = FakeUnitOfWork()
    registry_event(uow, "registry.child.registered.v1", child_id="c1",
                   village_code=VILLAGE, home={"lon": 106.652, "lat": 28.951},
                   age_band="6-11", risk_grade="low")
    registry_event(uow, "registry.child.registered.v1", child_id="c2",
                   village_code=VILLAGE, home={"lon": 106.653, "lat": 28.952},
                   age_band="6-11", risk_grade="low")
    assert uow.fake_homes.rows == {"c1": (VILLAGE, 106.652, 28.951),
                                   "c2": (VILLAGE, 106.653, 28.952)}
    registry_event(uow, "registry.child.updated.v1", child_id="c1", village_code=VILLAGE,
                   home={"lon": 106.654, "lat": 28.953})
    assert uow.fake_homes.rows["c1"] == (VILLAGE, 106.654, 28.953)
    registry_event(uow, "registry.child.updated.v1", child_id="c1", village_code=VILLAGE,
                   home=None)  # a ledger row without coordinates
    registry_event(uow, "registry.child.archived.v1", child_id="c2", village_code=VILLAGE)
    assert uow.fake_homes.rows == {} and uow.homes.locations() == []
    assert uow.published == []  # homes are private: nothing goes on the wire
