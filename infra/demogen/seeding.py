"""Put a generated demo into a running stack through the services' own HTTP APIs.

Everything goes where a station's staff would send it: the ledger to the registry's
import, the hazards file to the hazards import, visits and cases to the registry,
check-ins to the hazards service. No database is touched directly.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger(__name__)
FALLBACK = (404, 405)  # the import endpoint does not exist (yet): post record by record
TIMEOUT_S = 300


class Client:
    """A bearer-token session against one service's base URL."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=TIMEOUT_S, **kw)


def import_hazards(hazards: Client, out: Path) -> int:
    """POST /hazards/import with the GeoJSON; per-feature POST /hazards if it is absent."""
    path = out / "hazards.geojson"
    with path.open("rb") as fh:
        resp = hazards.call("POST", "/hazards/import", params={"datum": "wgs84"},
                            files={"file": ("hazards.geojson", fh, "application/geo+json")})
    if resp.status_code not in FALLBACK:
        resp.raise_for_status()
        report = resp.json()
        if report.get("refused"):
            log.warning("hazards import refused %d feature(s)", len(report["refused"]))
        return int(report.get("imported", 0))
    log.info("POST /hazards/import answered %s: posting hazards one by one", resp.status_code)
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    for f in features:
        body = {"kind": f["properties"]["kind"], "name": f["properties"]["name"],
                "geometry": f["geometry"]}
        hazards.call("POST", "/hazards", json=body).raise_for_status()
    return len(features)


def import_ledger(registry: Client, ledger: Path) -> dict:
    """POST /children/import (accepted and flagged rows stored; a refused row never
    blocks a township)."""
    with ledger.open("rb") as fh:
        resp = registry.call("POST", "/children/import",
                             params={"dry_run": "false"},
                             files={"file": (ledger.name, fh)})
    if resp.status_code in FALLBACK:
        raise RuntimeError(f"registry has no ledger import ({resp.status_code})")
    resp.raise_for_status()
    report = resp.json()
    refused = [r for r in report.get("rows", []) if r["outcome"] == "refuse"]
    if refused:
        log.warning("ledger import refused %d row(s); first: row %s %s", len(refused),
                    refused[0]["row"], [p["code"] for p in refused[0]["problems"]])
    return report


def child_ids(registry: Client, villages: list[str]) -> dict[tuple[str, str, str], str]:
    """(name, birth date, village code) → child id, read back page by page."""
    ids: dict[tuple[str, str, str], str] = {}
    for village in villages:
        page = 1
        while True:
            resp = registry.call("GET", "/children", params={"village": village, "page": page,
                                                             "page_size": 50})
            resp.raise_for_status()
            body = resp.json()
            for c in body["items"]:
                ids[(c["name"], c["birth_date"], c["village_code"])] = c["id"]
            if page * body["page_size"] >= body["total"]:
                break
            page += 1
    return ids


def _key(child: dict) -> tuple[str, str, str]:
    return child["name"], child["birth_date"], child["village_code"]


def post_visits(registry: Client, visits: list[dict], ids: dict, limit: int) -> int:
    """Record home visits (spread over the villages; ``limit`` keeps start-up short)."""
    step = max(1, len(visits) // max(limit, 1))
    chosen = [v for v in visits[::step][:limit] if _key(v["child"]) in ids]

    def one(v: dict) -> bool:
        body = {k: v[k] for k in ("visited_at", "findings", "next_steps")}
        return registry.call("POST", f"/children/{ids[_key(v['child'])]}/visits",
                             json=body).ok

    with ThreadPoolExecutor(max_workers=4) as pool:
        return sum(pool.map(one, chosen))


def open_cases(registry: Client, cases: list[dict], ids: dict) -> int:
    """Open each case at its first step (monitoring, report or emergency)."""
    opened = 0
    for c in cases:
        if _key(c["child"]) not in ids:
            continue
        step = c["step"] if c["step"] in ("monitoring", "report", "emergency") else "emergency"
        body = {"child_id": ids[_key(c["child"])], "situation": c["situation"],
                "severity": c["severity"], "step": step}
        resp = registry.call("POST", "/cases", json=body)
        opened += resp.ok
        if not resp.ok:
            log.info("case not opened (%s): %s", resp.status_code, resp.text[:200])
    return opened


def post_checkins(hazards: Client, checkins: list[dict], names: list[str]) -> int:
    """Send last summer's check-ins to the patrol points of their hazards, 200 a batch."""
    resp = hazards.call("GET", "/patrol-points")
    if resp.status_code in FALLBACK or not resp.ok:
        log.info("no patrol points (%s): check-ins not seeded", resp.status_code)
        return 0
    by_hazard = {p["hazard_id"]: p for p in resp.json()}
    listing = hazards.call("GET", "/hazards")
    listing.raise_for_status()
    body = listing.json()
    items = body["features"] if isinstance(body, dict) else body
    hazard_id = {(h.get("properties") or h)["name"]: h.get("id") or h["properties"]["id"]
                 for h in items}
    batch, created = [], 0
    for c in checkins:
        point = by_hazard.get(hazard_id.get(names[c["hazard_ref"]], ""))
        if point is None:
            continue
        findings = [{"kind": f["kind"], "action": f["action"]} for f in c["findings"]]
        batch.append({"client_id": c["client_id"], "point_id": point["id"],
                      "member_id": c["member"], "checked_at": c["checked_at"],
                      "location": {"lon": point["lon"], "lat": point["lat"],
                                   "accuracy_m": c["location"]["accuracy_m"]},
                      "duration_s": c["duration_s"], "findings": findings})
        if len(batch) == 200:
            created += _send(hazards, batch)
            batch = []
    return created + (_send(hazards, batch) if batch else 0)


def _send(hazards: Client, batch: list[dict]) -> int:
    resp = hazards.call("POST", "/checkins", json={"checkins": batch})
    if not resp.ok:
        log.info("check-in batch refused (%s): %s", resp.status_code, resp.text[:200])
        return 0
    return sum(r["status"] == "created" for r in resp.json()["results"])
