"""The campaign dashboard's figures, each a list of flat rows (so each exports as CSV)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.domain.read_model import PROTECTIONS
from services.gateway.service_layer.overlay_views import hazard_ranking
from services.gateway.service_layer.plans import candidates, high_exposure_points
from shared.auth.principal import Principal

TABLES = ("hazards", "protections", "findings", "overdue", "coverage")


def dashboard(store: ReadModelStore, principal: Principal,
              now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    now = now or datetime.now(UTC)
    ranking = hazard_ranking(store)
    return {
        "hazards": [{k: h[k] for k in ("hazard_id", "kind", "name", "village_code",
                                       "exposure", "children")} | {"lacking": " ".join(
                                           h["lacking"])} for h in ranking],
        "protections": [{"protection": p, "hazard_id": h["hazard_id"], "kind": h["kind"],
                         "name": h["name"], "state": h["protections"].get(p, "missing"),
                         "exposure": h["exposure"]}
                        for p in PROTECTIONS for h in ranking if p in h["lacking"]],
        "findings": _findings_by_week(store),
        "overdue": _overdue_by_village(store, principal, now.date()),
        "coverage": [_coverage(store, now)],
    }


def _findings_by_week(store: ReadModelStore) -> list[dict[str, Any]]:
    counts = Counter((f"{f.reported_at.isocalendar()[0]}-W{f.reported_at.isocalendar()[1]:02d}",
                      f.kind) for f in store.findings())
    return [{"week": w, "kind": k, "findings": n} for (w, k), n in sorted(counts.items())]


def _overdue_by_village(store: ReadModelStore, principal: Principal,
                        today: date) -> list[dict[str, Any]]:
    counts = Counter(v.village_code for v in store.visits()
                     if principal.sees_village(v.village_code)
                     and (v.overdue_since or (v.next_due and v.next_due < today)))
    return [{"village_code": v, "overdue_visits": n} for v, n in sorted(counts.items())]


def _coverage(store: ReadModelStore, now: datetime) -> dict[str, Any]:
    ranked = candidates(store)
    high = high_exposure_points(store)
    week = store.checkins(now - timedelta(days=7))
    checked = {c.point_id for c in week}
    return {"points": len(ranked), "checked_7d": len(checked & {c.point_id for c in ranked}),
            "checkins_7d": len(week), "walked_7d_m": round(sum(c.track_m for c in week), 1),
            "high_exposure_points": len(high),
            "high_exposure_checked_7d": len(high & checked)}
