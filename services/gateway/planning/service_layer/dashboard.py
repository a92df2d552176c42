"""The campaign dashboard's figures, each a list of flat rows (so each exports as CSV)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pyproj import CRS

from services.gateway.config import Settings
from services.gateway.planning.service_layer.campaign_charts import fix_tasks_by_village
from services.gateway.planning.service_layer.plans import candidates, high_exposure_points
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.adapters.villages import village_name
from services.gateway.read_model.domain.privacy import (
    HomeView,
    aggregate_cells,
    home_view,
    in_scope,
)
from services.gateway.read_model.domain.read_model import PROTECTIONS
from services.gateway.read_model.service_layer.map_views import map_layers
from services.gateway.read_model.service_layer.overlay_views import hazard_ranking
from shared.auth.principal import Principal
from shared.clock import business_date

TABLES = ("directory_gaps", "hazards", "protections", "findings", "overdue", "coverage",
          "fix_tasks")
GAPS_SHOWN_DAYS = 30


def dashboard(store: ReadModelStore, principal: Principal,
              now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    now = now or datetime.now(UTC)
    ranking = hazard_ranking(store)
    return {
        "directory_gaps": [
            {"village_code": g.village_code, "rule": g.rule, "event_type": g.event_type,
             "recipients": g.recipients, "raised_at": g.raised_at}
            for g in store.gaps(now - timedelta(days=GAPS_SHOWN_DAYS))
            if principal.sees_village(g.village_code)],
        "hazards": [{k: h[k] for k in ("hazard_id", "kind", "name", "village_code",
                                       "exposure", "children")}
                    | {"village_name": village_name(h["village_code"]),
                       "lacking": " ".join(h["lacking"])} for h in ranking],
        "protections": _what_to_fix(ranking, store),
        "findings": _findings_by_week(store),
        "overdue": _overdue_by_village(store, principal, business_date(now)),
        "coverage": [_coverage(store, now)],
        "fix_tasks": [{k: r[k] for k in ("village_code", "village_name", "open", "overdue")}
                      for r in fix_tasks_by_village(store, principal)],
    }


def _what_to_fix(ranking: list[dict[str, Any]], store: ReadModelStore) -> list[dict[str, Any]]:
    """Every missing or damaged protection of every kind, most exposed hazard first
    (the ranking's order; a hazard's own gaps in PROTECTIONS order), never cut by type;
    with its open fix task, if one is under way."""
    tasks = {(t.hazard_id, t.protection): t for t in store.fix_tasks() if t.open}
    rows = []
    for h in ranking:
        for p in PROTECTIONS:
            if p not in h["lacking"]:
                continue
            task = tasks.get((h["hazard_id"], p))
            rows.append({
                "protection": p, "hazard_id": h["hazard_id"], "kind": h["kind"],
                "name": h["name"], "village_code": h["village_code"],
                "village_name": village_name(h["village_code"]),
                "state": h["protections"].get(p, "missing"), "exposure": h["exposure"],
                "children": h["children"], "task_id": task.task_id if task else "",
                "task_status": ("overdue" if task.overdue else task.status) if task else "",
                "task_due": task.due_on.isoformat() if task else ""})
    return rows


def _findings_by_week(store: ReadModelStore) -> list[dict[str, Any]]:
    weeks = ((business_date(f.reported_at).isocalendar(), f.kind) for f in store.findings())
    counts = Counter((f"{w[0]}-W{w[1]:02d}", kind) for w, kind in weeks)
    return [{"week": w, "kind": k, "findings": n} for (w, k), n in sorted(counts.items())]


def _overdue_by_village(store: ReadModelStore, principal: Principal,
                        today: date) -> list[dict[str, Any]]:
    counts = Counter(v.village_code for v in store.visits()
                     if principal.sees_village(v.village_code)
                     and (v.overdue_since or (v.next_due and v.next_due < today)))
    return [{"village_code": v, "village_name": village_name(v), "overdue_visits": n}
            for v, n in sorted(counts.items())]


def _coverage(store: ReadModelStore, now: datetime) -> dict[str, Any]:
    ranked = candidates(store)
    high = high_exposure_points(ranked)
    week = store.checkins(now - timedelta(days=7))
    checked = {c.point_id for c in week}
    return {"points": len(ranked), "checked_7d": len(checked & {c.point_id for c in ranked}),
            "checkins_7d": len(week), "walked_7d_m": round(sum(c.track_m for c in week), 1),
            "high_exposure_points": len(high),
            "high_exposure_checked_7d": len(high & checked)}


def map_figures(store: ReadModelStore, principal: Principal, settings: Settings, crs: CRS,
                now: datetime | None = None) -> dict[str, Any]:
    """The dashboard map's layers. No role gets home points here: children are counts
    per privacy cell. Station staff, who may see every home anyway, get every cell;
    everyone else (planners) only cells of ``min_cell_count`` children or more."""
    now = now or datetime.now(UTC)
    layers = map_layers(store, principal, settings, crs)
    checked = {c.point_id for c in store.checkins(now - timedelta(days=7))}
    for point in layers["points"]["features"]:
        point["properties"]["recent"] = point["id"] in checked
    k = 1 if home_view(principal) is HomeView.EXACT else settings.min_cell_count
    cells = aggregate_cells(in_scope(principal, store.children()), settings.displacement_key,
                            crs, settings.cell_m, k)
    return {"hazards": layers["hazards"], "zones": layers["zones"], "points": layers["points"],
            "cells": cells}
