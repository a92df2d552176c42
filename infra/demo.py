"""A small demo township seeded through the services' real APIs.

Placeholder scale for the walking skeleton: a pond, a river, a road bend and a few
homes near Fuhuan town, Qijiang (place names only; no people). Issue 8's generator
replaces it with a believable township.
"""

from __future__ import annotations

import random

import requests

from infra.stack import Stack

VILLAGE = "500110108201"  # a 12-digit division code in the demo township


def seed(stack: Stack, n_children: int = 40, seed_value: int = 7) -> None:
    rng = random.Random(seed_value)
    auth = {"Authorization": f"Bearer {stack.token()}"}
    lon0, lat0 = 106.65, 28.95
    hazards = [
        {"kind": "pond", "name": "Demo pond",
         "geometry": {"type": "Polygon", "coordinates": [[
             [lon0, lat0], [lon0 + 0.002, lat0], [lon0 + 0.002, lat0 + 0.0015],
             [lon0, lat0 + 0.0015], [lon0, lat0]]]}},
        {"kind": "river", "name": "Demo river",
         "geometry": {"type": "LineString", "coordinates": [
             [lon0 - 0.01, lat0 - 0.004], [lon0 - 0.003, lat0 - 0.002],
             [lon0 + 0.004, lat0 - 0.003], [lon0 + 0.012, lat0 - 0.001]]}},
        {"kind": "road_sharp_bend", "name": "Demo bend",
         "geometry": {"type": "Point", "coordinates": [lon0 + 0.006, lat0 + 0.004]}},
    ]
    for hz in hazards:
        requests.post(stack.url("hazards") + "/hazards", json=hz, headers=auth,
                      timeout=10).raise_for_status()
    for i in range(n_children):
        body = {
            "name": f"示例儿童{i:03d}", "gender": rng.choice(["male", "female"]),
            "birth_date": f"{rng.randint(2012, 2022)}-0{rng.randint(1, 9)}"
                          f"-1{rng.randint(0, 9)}",
            "village_code": VILLAGE,
            "home": {"lon": lon0 + rng.uniform(-0.01, 0.012),
                     "lat": lat0 + rng.uniform(-0.006, 0.008)},
            "categories": rng.choice([["left_behind"], [], ["disabled"]]),
        }
        requests.post(stack.url("registry") + "/children", json=body,
                      headers=auth, timeout=10).raise_for_status()
