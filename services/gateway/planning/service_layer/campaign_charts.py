"""The dashboard's charts as plain series: check-ins per day against the plan, coverage
of high-exposure points per week, open and overdue fix tasks by village, children found
at the water per week.

Days and weeks are the township's (``shared.clock``). A summer campaign is read in the
autumn too, so each time chart ends at the last day with a check-in or finding (at most
today), not at an empty today."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from services.gateway.planning.adapters.plan_repository import PlanRepository
from services.gateway.planning.service_layer.plans import candidates, high_exposure_points
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.adapters.villages import village_name
from shared.auth.principal import Principal
from shared.clock import business_date

DAYS, WEEKS = 14, 8
_day = business_date


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def charts(store: ReadModelStore, principal: Principal, now: datetime) -> dict[str, Any]:
    checkins = store.checkins()
    findings = store.findings()
    active = [_day(c.checked_at) for c in checkins] + [_day(f.reported_at) for f in findings]
    end = min([_day(now), max(active)]) if active else _day(now)
    return {"end": end.isoformat(),
            "checkins": _checkins_vs_plan(store, checkins, end),
            "coverage": _coverage_by_week(store, checkins, end),
            "fix_tasks": fix_tasks_by_village(store, principal),
            "at_water": _at_water_by_week(findings, end)}


def _planned_stops(store: ReadModelStore, days: list[date]) -> Counter[str]:
    """Stops per day in the newest plan that covers any of ``days``."""
    repo = PlanRepository(store.conn)
    for plan in repo.latest():
        if plan["starts_on"] <= days[-1] and plan["ends_on"] >= days[0]:
            return _per_day(repo.get(plan["plan_id"]) or {"teams": []})
    return Counter()


def _per_day(body: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for team in body["teams"]:
        for shift in team["shifts"]:
            counts[shift["day"]] += len(shift["stops"])
    return counts


def _checkins_vs_plan(store: ReadModelStore, checkins: list[Any],
                      end: date) -> list[dict[str, Any]]:
    days = [end - timedelta(days=k) for k in range(DAYS - 1, -1, -1)]
    done = Counter(_day(c.checked_at) for c in checkins)
    planned = _planned_stops(store, days)
    return [{"label": d.strftime("%m-%d"), "checkins": done[d],
             "planned": planned[d.isoformat()]} for d in days]


def _weeks(end: date) -> list[tuple[str, date, date]]:
    monday = end - timedelta(days=end.weekday())
    return [(_week(m), m, m + timedelta(days=6))
            for m in (monday - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1))]


def _coverage_by_week(store: ReadModelStore, checkins: list[Any],
                      end: date) -> list[dict[str, Any]]:
    """Share of the high-exposure points (top fifth) checked at least once that week."""
    high = high_exposure_points(candidates(store))
    rows = []
    for week, first, last in _weeks(end):
        seen = {c.point_id for c in checkins if first <= _day(c.checked_at) <= last}
        share = round(100 * len(seen & high) / len(high)) if high else 0
        rows.append({"label": week, "covered_pct": share})
    return rows


def fix_tasks_by_village(store: ReadModelStore,
                         principal: Principal) -> list[dict[str, Any]]:
    """Open fix tasks and, of those, overdue ones, per village the caller sees."""
    open_by: Counter[str] = Counter()
    late_by: Counter[str] = Counter()
    for task in store.fix_tasks():
        if task.open and principal.sees_village(task.village_code):
            open_by[task.village_code] += 1
            late_by[task.village_code] += task.overdue
    return [{"label": village_name(v), "village_code": v, "village_name": village_name(v),
             "open": open_by[v], "overdue": late_by[v]} for v in sorted(open_by)]


def _at_water_by_week(findings: list[Any], end: date) -> list[dict[str, Any]]:
    counts = Counter(_week(_day(f.reported_at)) for f in findings
                     if f.kind == "children_at_water")
    return [{"label": week, "findings": counts[week]} for week, _, _ in _weeks(end)]
