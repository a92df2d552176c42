"""``shouhu up``'s demo: the township seeds through the real imports with no rejected row,
and the gateway's overlay finds at-risk homes near hazards in every village."""

from __future__ import annotations

import json

import pytest
import requests

from infra.demo import DEMO_INBOXES, DEMO_PLAN, seed
from shared.auth import Role
from shared.testing.fixtures import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(stack):
    return seed(stack)


def test_demo_seeds_every_row_and_hazard(seeded, stack):
    manifest = json.loads((stack.data_dir / "demo" / "manifest.json").read_text())
    assert seeded["seeded"]["children"] == manifest["counts"]["children"]
    assert seeded["seeded"]["hazards"] == manifest["counts"]["hazards"]
    assert seeded["seeded"]["inboxes"] == len(DEMO_INBOXES)  # every role with an inbox
    assert {role for _user, role, _password in seeded["users"]} == {r.value for r in Role}
    assert seeded["seeded"]["road_links"] > 0  # the demo's roads are the road network
    assert all(url.startswith(stack.url("gateway")) for url in seeded["links"].values())


def test_overlay_finds_homes_near_hazards_in_every_village(seeded, stack):
    manifest = json.loads((stack.data_dir / "demo" / "manifest.json").read_text())
    villages = {v["code"] for v in manifest["townships"][0]["villages"]}
    auth = {"Authorization": f"Bearer {stack.token()}"}

    def exposed_villages() -> set[str] | None:
        resp = requests.get(stack.url("gateway") + "/api/overlay/hazards", headers=auth,
                            timeout=30)
        found = {h["village_code"] for h in resp.json()["hazards"] if h["children"] > 0}
        return found if found >= villages else None

    eventually(exposed_villages, timeout_s=180, interval_s=3,
               message="at-risk homes near hazards in every village")


def test_the_demo_has_fix_tasks_in_every_state_and_one_overdue(seeded, stack):
    auth = {"Authorization": f"Bearer {stack.token()}"}
    tasks = requests.get(stack.url("hazards") + "/fix-tasks", headers=auth, timeout=30,
                         params={"page_size": 50}).json()["items"]
    assert {t["status"] for t in tasks} == {"assigned", "reported_fixed", "confirmed"}
    assert seeded["seeded"]["fix_tasks"] == len(tasks) and seeded["seeded"]["overdue"] == 1

    def dashboard_counts() -> tuple[int, int] | None:
        rows = requests.get(stack.url("gateway") + "/api/dashboard", headers=auth,
                            timeout=60).json()["fix_tasks"]
        counts = sum(r["open"] for r in rows), sum(r["overdue"] for r in rows)
        return counts if counts == (len(tasks) - 1, 1) else None

    eventually(dashboard_counts, timeout_s=120, interval_s=3,
               message="the dashboard counts the open tasks and the overdue one")


def test_the_demo_plan_covers_every_point(seeded, stack):
    plan_url = seeded["links"]["Plan sheet (team 1)"].rsplit("/teams/", 1)[0]
    plan_id = plan_url.rsplit("/", 1)[1]
    plan = requests.get(f"{stack.url('gateway')}/api/plans/{plan_id}", timeout=60,
                        headers={"Authorization": f"Bearer {stack.token()}"}).json()
    assert len(plan["teams"]) == DEMO_PLAN["teams"] and plan["metric"] == "road_network"
    assert plan["unmet"] == [] and all(t["points"] for t in plan["teams"])
