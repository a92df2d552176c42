"""The demo's summer plan, replanned from a seeded data folder: points, covered, unmet.

    .venv/bin/python bench/demo_plan.py DATA_DIR [--teams N] [--mode walk]

Reads the gateway's read model (patrol points, exposures) and road network layer from
``DATA_DIR/gateway.db`` (a folder ``shouhu up`` seeded), plans the coming summer holiday
as ``infra/demo.py`` asks the gateway to, and prints the figures docs/demo-data.md quotes.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.demo import DEMO_PLAN, summer_holiday  # noqa: E402
from services.gateway.planning.adapters.road_repository import RoadRepository  # noqa: E402
from services.gateway.planning.domain.planner import (  # noqa: E402
    Member,
    PlanRequest,
    Team,
    plan_patrols,
)
from services.gateway.planning.domain.road_graph import Link  # noqa: E402
from services.gateway.planning.service_layer.plans import candidates  # noqa: E402
from services.gateway.planning.service_layer.roads import links_for_planning  # noqa: E402
from services.gateway.read_model.adapters.read_model_store import ReadModelStore  # noqa: E402
from shared.geo import utm_crs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--teams", type=int, default=DEMO_PLAN["teams"])
    ap.add_argument("--mode", default=DEMO_PLAN["travel_mode"])
    args = ap.parse_args()
    engine = create_engine(f"sqlite:///{args.data_dir / 'gateway.db'}")
    with engine.connect() as conn:
        cands = candidates(ReadModelStore(conn))
        _version, links = links_for_planning(RoadRepository(conn))
    starts, ends = summer_holiday(date.today())
    seat = DEMO_PLAN["start"]
    teams = tuple(Team(f"team-{k}", (Member(f"m{k}", starts.replace(month=1), "clear"),),
                       (seat["lon"], seat["lat"])) for k in range(1, args.teams + 1))
    req = PlanRequest(starts, ends, teams, travel_mode=args.mode,
                      holidays=((starts, ends),))
    started = time.monotonic()
    plan = plan_patrols(req, cands, utm_crs(seat["lon"], seat["lat"]),
                        [k.coords for k in links],
                        [Link(np.zeros((0, 2)), k.link_id, k.oneway, k.road_class, k.layer)
                         for k in links])
    took = time.monotonic() - started
    shifts = [sh for t in plan.teams for sh in t.shifts]
    assigned = {p for t in plan.teams for p in t.points}
    unmet = {u.point_id for u in plan.unmet}
    reasons = sorted({u.reason.split(":")[0] for u in plan.unmet})
    km = sum(sh.distance_m for sh in shifts) / 1000
    print(f"{len(cands)} points ({sum(len(t.points) for t in plan.teams)} assigned, "
          f"{len({s.point_id for sh in shifts for s in sh.stops})} stops visited), "
          f"{len(plan.teams)} teams by {args.mode}, {len(shifts) // len(plan.teams)} days, "
          f"metric {plan.metric}")
    print(f"covered {len(assigned - unmet)}, unmet {len(unmet)} {reasons}; "
          f"{sum(len(sh.stops) for sh in shifts)} visits, "
          f"{km / len(shifts):.1f} km per team-day, "
          f"{np.mean([sh.duration_min for sh in shifts]):.0f} min per shift; "
          f"planned in {took:.1f} s")


if __name__ == "__main__":
    main()
