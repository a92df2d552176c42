"""The demo township (Fuhuan town, Qijiang) seeded through the services' real APIs.

``seed(stack)`` generates the township scale (infra/demogen), imports the hazards file
and the children ledger the way a station would, records visits, cases and last
summer's check-ins, plans the coming summer holiday's patrols, tells a few weeks of fix
tasks (the one step that needs the hazards service layer: ``infra/demo_fix_tasks.py``),
and prints where to look and who to log in as.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import requests

from infra.demogen import generate
from infra.demogen.fix_tasks import fix_task_script
from infra.demogen.seeding import (
    Client,
    child_ids,
    import_hazards,
    import_ledger,
    open_cases,
    post_checkins,
    post_visits,
)
from infra.stack import Stack
from shared.clock import township_zone

log = logging.getLogger(__name__)
SEED = 1
VISITS_AT_START = 400  # the rest of the year's visits stay in visits.json
# directory entries (services/notifier/rules/directory.yaml) read by the demo accounts;
# planner and service accounts have no inbox (nothing is routed to them)
DEMO_INBOXES = {"fh-station": "demo.station_admin", "fh-supervisor": "demo.child_supervisor",
                "fh-201-director": "demo.child_director", "fh-201-patrol": "demo.patrol_member",
                "fh-police": "demo.police_liaison", "fh-school": "demo.school_liaison"}

# The summer plan the demo asks the gateway for (bench/demo_plan.py replans it offline):
# six teams by motorbike from the township seat, as a rural station patrols its 16
# villages (121 active patrol points: three teams left 87 short of their frequency); on
# foot from the seat most ponds are more than a shift away (docs/demo-data.md).
DEMO_PLAN: dict[str, Any] = {"teams": 6, "travel_mode": "motorbike",
                             "start": {"lon": 106.65, "lat": 28.95}}


class DemoError(RuntimeError):
    """A step ``shouhu up`` cannot do without (the demo users); says what failed."""


def seed(stack: Stack, seed_value: int = SEED) -> dict:
    """Seed the running stack once (a data folder seeded before is started as it is);
    every time, give each demo user a new password and print the users and addresses."""
    token = stack.token()
    users = _users(stack)  # patrol teams are made of checked people: accounts first
    marker = stack.data_dir / "demo" / "seeded.json"
    if marker.exists():
        first = json.loads(marker.read_text())
        done = first["seeded"]
        if first.get("state") != "done":
            print("  The demo was interrupted while seeding on an earlier run; it is not "
                  f"seeded twice (remove {stack.data_dir} for a fresh demo).", flush=True)
        plan_id = first.get("plan_id")
    else:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"state": "seeding", "seeded": {}}))
        done, plan_id = _seed_data(stack, token, seed_value)
        marker.write_text(json.dumps({"state": "done", "seeded": done, "plan_id": plan_id}))
    links = _links(stack, token, plan_id)
    done["inboxes"] = _link_inboxes(stack, token)
    _print(done, links, users)
    return {"seeded": done, "links": links, "users": users}


def _seed_data(stack: Stack, token: str, seed_value: int) -> tuple[dict, str | None]:
    started = time.monotonic()
    today = date.today()
    out = stack.data_dir / "demo"
    stack.say("generating the demo township …")
    manifest = generate("township", seed_value, out, today)
    owner_only_tree(out)  # ledgers of invented children, but shaped like real ones
    registry = Client(stack.url("registry"), token)
    hazards = Client(stack.url("hazards"), token)
    stack.say("importing hazards …")
    done = {"hazards": import_hazards(hazards, out)}
    town = manifest["townships"][0]
    stack.say("importing the children's ledger …")
    done["children"] = import_ledger(registry, out / town["ledger"])["imported"]
    stack.say("patrol points, visits, cases, check-ins …")
    done["patrol_points"] = _patrol_points(hazards, done["children"])
    done.update(_activity(registry, hazards, out, [v["code"] for v in town["villages"]]))
    done["road_links"] = _road_network(stack, token, out / "roads.geojson")  # issue 15
    stack.say("planning the summer patrols …")
    plan_id = _plan(stack, token, today)
    stack.say("fix tasks …")
    done.update(_fix_tasks(stack, token, today, out))
    log.info("demo seeded in %.0f s: %s", time.monotonic() - started, done)
    return done, plan_id


def _activity(registry: Client, hazards: Client, out: Path, villages: list[str]) -> dict:
    """Visits, cases and check-ins: best effort, each step logged if a service lacks it."""
    done: dict[str, int] = {}
    try:
        ids = child_ids(registry, villages)
        done["visits"] = post_visits(registry, _load(out, "visits"), ids, VISITS_AT_START)
        done["cases"] = open_cases(registry, _load(out, "cases"), ids)
    except requests.RequestException as exc:
        log.warning("visits/cases not seeded: %s", exc)
    try:
        features = json.loads((out / "hazards.geojson").read_text(encoding="utf-8"))["features"]
        names = [f["properties"]["name"] for f in features]
        done["checkins"] = post_checkins(hazards, _load(out, "checkins"), names)
    except (requests.RequestException, KeyError, TypeError) as exc:
        log.warning("check-ins not seeded: %s", exc)
    return done


def _patrol_points(hazards: Client, homes: int, timeout_s: float = 300.0) -> int:
    """Generate patrol points once the hazards service has learned every one of the
    ``homes`` the ledger brought (registry events): drawn from the first few hundred,
    the demo once planned its summer around half its ponds."""
    deadline = time.monotonic() + timeout_s
    while True:
        resp = hazards.call("POST", "/patrol-points/generate")
        if resp.status_code in (404, 405):
            return 0
        resp.raise_for_status()
        known = resp.json()["homes"]
        if known >= homes:
            break
        if time.monotonic() > deadline:
            log.warning("patrol points drawn from %d of %d homes: the others' events are late",
                        known, homes)
            break
        time.sleep(2)  # the registry's events are still on their way to the hazards service
    points = hazards.call("GET", "/patrol-points")
    return len(points.json()) if points.ok else 0


def owner_only_tree(folder: Path) -> None:
    """Files 0600 and folders 0700: other accounts on the PC read nothing in them."""
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _load(out: Path, name: str) -> list[dict]:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def summer_holiday(today: date) -> tuple[date, date]:
    """The coming (or current) summer holiday: 1 July – 31 August."""
    year = today.year if today <= date(today.year, 8, 31) else today.year + 1
    return date(year, 7, 1), date(year, 8, 31)


def _road_network(stack: Stack, token: str, path: Path) -> int:
    """Import the demo's own roads as the gateway's road network layer, so the demo plan
    routes along them (docs/gateway.md); 0 when the gateway refuses them."""
    with path.open("rb") as fh:
        resp = requests.post(stack.url("gateway") + "/api/road-network", timeout=120,
                             files={"file": ("roads.geojson", fh, "application/geo+json")},
                             headers={"Authorization": f"Bearer {token}"})
    if not resp.ok:
        log.warning("no road network (%s): %s", resp.status_code, resp.text[:200])
        return 0
    return int(resp.json()["accepted"])


def _plan(stack: Stack, token: str, today: date) -> str | None:
    """Plan the summer holiday's patrols (``DEMO_PLAN``) starting at the township seat;
    the demo patrol account (its background check is on record) is in every team."""
    starts, ends = summer_holiday(today)
    try:
        accounts = requests.get(stack.url("gateway") + "/api/users", timeout=30,
                                headers={"Authorization": f"Bearer {token}"}).json()
        patrols = [u["user_id"] for u in accounts if u["role"] == "patrol_member"]
        teams = [{"team_id": f"team-{k}", "start": DEMO_PLAN["start"],
                  "members": [{"member_id": patrols[(k - 1) % len(patrols)]}]}
                 for k in range(1, DEMO_PLAN["teams"] + 1)] if patrols else []
        body = {"starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
                "teams": teams, "travel_mode": DEMO_PLAN["travel_mode"],
                "holidays": [{"start": starts.isoformat(), "end": ends.isoformat()}]}
        resp = requests.post(stack.url("gateway") + "/api/plans", json=body, timeout=120,
                             headers={"Authorization": f"Bearer {token}"})
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        log.warning("no patrol plan: %s", exc)
        return None
    if not resp.ok:
        log.warning("no patrol plan (%s): %s", resp.status_code, resp.text[:200])
        return None
    return str(resp.json().get("plan_id") or resp.json().get("id"))


def _fix_tasks(stack: Stack, token: str, today: date, out: Path) -> dict[str, int]:
    """A few weeks of fix tasks on the most exposed gaps the dashboard lists, in every
    state (``infra.demogen.fix_tasks``), told by ``shouhu demo fix-tasks``; best effort."""
    auth = {"Authorization": f"Bearer {token}"}
    gw = stack.url("gateway")
    try:
        gaps = requests.get(gw + "/api/dashboard", headers=auth, timeout=120).json()
        accounts = requests.get(gw + "/api/users", headers=auth, timeout=30).json()
        by_role = {u["role"]: u["user_id"] for u in accounts}
        users = {"station": by_role["station_admin"], "village": by_role["child_director"],
                 "patrol": by_role["patrol_member"]}
        script = fix_task_script(gaps["protections"], today, township_zone())
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        log.warning("fix tasks not seeded: %s", exc)
        return {}
    path = out / "fix_tasks.json"  # kept: replaying the same file again changes nothing
    if not path.exists():
        path.write_text(json.dumps({"tasks": script, "users": users}), encoding="utf-8")
        path.chmod(0o600)
    proc = subprocess.run([sys.executable, "-m", "infra.cli", "demo", "fix-tasks", str(path)],
                          env=stack.env("hazards"), capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        log.warning("fix tasks not seeded (exit %s): %s", proc.returncode,
                    proc.stderr.strip()[-500:])
        return {}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _links(stack: Stack, token: str, plan_id: str | None) -> dict[str, str]:
    """The pages to open, each checked to answer (never print a link that 404s)."""
    gw = stack.url("gateway")
    pages = {"Phone map": "/map", "Campaign dashboard": "/dashboard"}
    if plan_id:
        pages["Plan sheet (team 1)"] = f"/plans/{plan_id}/teams/team-1/sheet"
    links = {}
    for label, path in pages.items():
        try:
            ok = requests.get(gw + path, timeout=60,
                              headers={"Authorization": f"Bearer {token}"}).ok
        except requests.RequestException:
            ok = False
        if ok:
            links[label] = gw + path
    return links


def _users(stack: Stack) -> list[tuple[str, str, str]]:
    """Demo accounts, one per role, made (or given new passwords) by the gateway's own
    ``shouhu users demo``; DemoError with its error output if that fails."""
    proc = subprocess.run([sys.executable, "-m", "infra.cli", "users", "demo"],
                          env=stack.env(), capture_output=True, text=True, timeout=600)
    users = [(parts[0], parts[1], parts[2]) for parts in map(str.split, proc.stdout.splitlines())
             if len(parts) == 3]
    if proc.returncode != 0 or not users:
        raise DemoError(f"`shouhu users demo` failed (exit {proc.returncode}):\n"
                        + "\n".join(proc.stderr.strip().splitlines()[-12:]))
    return users


def _link_inboxes(stack: Stack, token: str) -> int:
    """Give the demo accounts the notifier directory entries of their role in the demo
    township, so their inbox page shows what seeding raised (cases, overdue visits)."""
    auth = {"Authorization": f"Bearer {token}"}
    try:
        users = requests.get(stack.url("gateway") + "/api/users", headers=auth, timeout=30)
        people = requests.get(stack.url("notifier") + "/directory", headers=auth, timeout=30)
        ids = {u["username"]: u["user_id"] for u in users.json()}
        linked = 0
        for person in people.json():
            user_id = ids.get(DEMO_INBOXES.get(person["person_id"], ""))
            if user_id:
                body = {k: v for k, v in person.items() if k != "person_id"}
                requests.put(f"{stack.url('notifier')}/directory/{person['person_id']}",
                             json={**body, "user_id": user_id}, headers=auth,
                             timeout=30).raise_for_status()
                linked += 1
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        log.warning("demo inboxes not linked: %s", exc)
        return 0
    return linked


def _print(done: dict, links: dict[str, str], users: list[tuple[str, str, str]]) -> None:
    print("\nDemo township: 扶欢镇 (Fuhuan town), Qijiang, Chongqing — "
          + ", ".join(f"{v} {k}" for k, v in done.items()), flush=True)
    for label, url in links.items():
        print(f"  {label + ':':22} {url}", flush=True)
    if users:
        print("  Demo users (user, role, password; new passwords at every start):",
              flush=True)
        for user, role, password in users:
            print(f"    {user:28} {role:18} {password}", flush=True)
