"""``shouhu up``'s demo: the township seeds through the real imports with no rejected row,
and the gateway's overlay finds at-risk homes near hazards in every village."""

from __future__ import annotations

import json

import pytest
import requests

from infra.demo import DEMO_INBOXES, seed
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
