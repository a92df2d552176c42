"""Summer patrol planning: shifts at the hours children are at the water, routes that
visit every patrol point as often as its exposure and the season require, balanced teams
of checked members.

Evidence behind the defaults: most child drownings fall in June–August and between
13:00 and 18:00, so weekday shifts start after school and weekends and holidays are
patrolled every afternoon. Travel follows the road network layer when one is loaded
(exact shortest paths, ``plan_legs``); legs the roads do not carry are straight lines in
the township's UTM zone times a detour factor, marked as such (ADR 0402, ADR 0405).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from pyproj import CRS, Transformer

from services.gateway.domain.exceptions import InvalidPlan
from services.gateway.planning.domain.plan_coverage import (
    Frequency,
    Unmet,
    exposure_classes,
    longest_gap,
    merge_on_water_body,
)
from services.gateway.planning.domain.plan_legs import ACCESS_M, SPEED_KMH, Legs
from services.gateway.planning.domain.plan_router import Router
from services.gateway.planning.domain.road_graph import JOIN_M, Link


@dataclass(frozen=True)
class Member:
    """A team member as the identity store knows them (never as the caller says)."""

    member_id: str
    check_date: date | None  # last background check (docs/domain.md rule 12)
    check_result: str  # "clear", "match" or "pending"
    valid_until: date | None = None  # the check's own expiry, when it states one

    def valid_on(self, day: date, validity_days: int) -> bool:
        """A clear check, done before ``day``, not older than ``validity_days`` and not
        past its own expiry."""
        return (self.check_result == "clear" and self.check_date is not None
                and self.check_date <= day and (day - self.check_date).days <= validity_days
                and (self.valid_until is None or day <= self.valid_until))


@dataclass(frozen=True)
class Team:
    team_id: str
    members: tuple[Member, ...]
    start: tuple[float, float]  # lon, lat (EPSG:4326)


@dataclass(frozen=True)
class Window:
    start: time
    end: time


@dataclass(frozen=True)
class PlanRequest:
    starts_on: date
    ends_on: date
    teams: tuple[Team, ...]
    shift_hours: float = 3.0
    travel_mode: str = "walk"
    detour_factor: float = 1.3
    dwell_min: float = 10.0
    weekday_window: Window = Window(time(16, 0), time(19, 0))
    weekend_window: Window = Window(time(13, 0), time(18, 0))
    holidays: tuple[tuple[date, date], ...] = ()  # every day in these ranges is patrolled
    check_validity_days: int = 365
    frequency: Frequency = Frequency()


@dataclass(frozen=True)
class Candidate:
    """A patrol point with what the field sheet says about its hazard."""

    point_id: str
    hazard_id: str
    lon: float
    lat: float
    exposure_tenths: int
    name: str = ""
    kind: str = ""
    village_code: str = ""
    lacking: tuple[str, ...] = ()  # protections missing or damaged: what to check


@dataclass(frozen=True)
class Stop:
    point_id: str
    hazard_id: str
    lon: float
    lat: float
    exposure_tenths: int
    arrive_min: float  # minutes after the shift starts
    name: str = ""
    kind: str = ""
    village_code: str = ""
    lacking: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()  # other points of the same water body checked here
    leg_m: float = 0.0  # from the previous stop (or the start)
    leg_by_road: bool = False


@dataclass(frozen=True)
class Shift:
    day: date
    start: time
    end: time
    stops: tuple[Stop, ...]
    distance_m: float  # travelled, back to the start
    duration_min: float
    road_m: float = 0.0  # of distance_m, along the roads
    track: tuple[tuple[float, float], ...] = ()  # lon/lat along the roads, start to start
    return_by_road: bool = False


@dataclass(frozen=True)
class TeamPlan:
    team_id: str
    members: tuple[str, ...]
    start: tuple[float, float]
    points: tuple[str, ...]  # the patrol points this team is responsible for
    shifts: tuple[Shift, ...]


@dataclass(frozen=True)
class Plan:
    starts_on: date
    ends_on: date
    teams: tuple[TeamPlan, ...]
    excluded: tuple[tuple[str, str, str], ...] = field(default=())  # team, member, reason
    metric: str = "straight_line"  # or "road_network": a road network layer was used
    unmet: tuple[Unmet, ...] = ()  # points not visited as often as required, and why
    road_share: float = 0.0  # share of the planned distance along roads (walks to them aside)
    off_road: tuple[tuple[str, str], ...] = ()  # point, why its legs are straight lines


def shift_slots(req: PlanRequest) -> list[tuple[date, time, time]]:
    """(day, start, end) of every shift: weekday afternoons after school, weekends and
    every holiday day in the weekend window; each cut to ``shift_hours``."""
    slots = []
    day = req.starts_on
    while day <= req.ends_on:
        holiday = any(a <= day <= b for a, b in req.holidays)
        window = req.weekend_window if holiday or day.weekday() >= 5 else req.weekday_window
        start = datetime.combine(day, window.start)
        end = min(datetime.combine(day, window.end), start + timedelta(hours=req.shift_hours))
        slots.append((day, window.start, end.time()))
        day += timedelta(days=1)
    return slots


def _checked_teams(req: PlanRequest) -> tuple[list[Team], list[tuple[str, str, str]]]:
    """Teams with only the members whose check is valid for the whole plan."""
    teams, excluded = [], []
    for team in req.teams:
        ok = []
        for m in team.members:
            if m.valid_on(req.starts_on, req.check_validity_days) and \
                    m.valid_on(req.ends_on, req.check_validity_days):
                ok.append(m)
            else:
                excluded.append((team.team_id, m.member_id, "background_check_not_valid"))
        if ok:
            teams.append(Team(team.team_id, tuple(ok), team.start))
    if not teams:
        raise InvalidPlan("teams", "no team has a member with a valid background check")
    return teams, excluded


class _Places:
    """Team starts (first) and kept points in the metric CRS, with their travel legs."""

    def __init__(self, req: PlanRequest, teams: list[Team], kept: list[Candidate], crs: CRS,
                 links: Sequence[Sequence[tuple[float, float]]], link_attrs: Sequence[Link],
                 access_m: float, join_m: float):
        self._tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lonlat = [t.start for t in teams] + [(c.lon, c.lat) for c in kept]
        sizes = [len(ll) for ll in links]
        flat = np.split(self.xy([p for ll in links for p in ll]), np.cumsum(sizes)[:-1]) \
            if links else []
        metric_links = [Link(xy, a.link_id, a.oneway, a.road_class, a.layer)
                        for xy, a in zip(flat, link_attrs, strict=True) if len(xy) >= 2]
        self.legs = Legs(self.xy(lonlat), metric_links, req.travel_mode, req.detour_factor,
                         access_m, join_m)

    def xy(self, lonlats: list[tuple[float, float]]) -> np.ndarray:
        if not lonlats:
            return np.zeros((0, 2))
        x, y = self._tr.transform(np.array([p[0] for p in lonlats]),
                                  np.array([p[1] for p in lonlats]))
        return np.column_stack([x, y])

    def lonlat(self, xy: np.ndarray) -> list[tuple[float, float]]:
        """Lon/lat rounded to 6 decimals (10 cm), repeated positions dropped."""
        lonlat = np.round(np.column_stack(self._back.transform(xy[:, 0], xy[:, 1])), 6)
        keep = np.ones(len(lonlat), dtype=bool)
        keep[1:] = np.any(lonlat[1:] != lonlat[:-1], axis=1)
        return [(a, b) for a, b in lonlat[keep].tolist()]


def plan_patrols(req: PlanRequest, candidates: list[Candidate], crs: CRS,
                 roads: Sequence[Sequence[tuple[float, float]]] = (),
                 road_attrs: Sequence[Link] = (), access_m: float = ACCESS_M,
                 join_m: float = JOIN_M) -> Plan:
    """Shifts and routes for every team over the plan's days.

    Parameters
    ----------
    candidates : list of Candidate
        Patrol points, lon/lat in EPSG:4326, with the exposure of their hazard.
    crs : pyproj.CRS
        The metric CRS (township UTM zone) distances are measured in, in metres.
    roads : sequence of lon/lat polylines
        The road network layer's links (EPSG:4326); none: every leg is straight.
    road_attrs : sequence of Link
        Per road: id, one-way and class (its ``xy`` is ignored); default two-way.
    access_m, join_m : float
        Metres: a place farther than ``access_m`` from every road is off the network;
        link ends within ``join_m`` of another link are joined to it.
    """
    if req.ends_on < req.starts_on:
        raise InvalidPlan("ends_on", "the plan ends before it starts")
    if req.travel_mode not in SPEED_KMH:
        raise InvalidPlan("travel_mode", f"one of {', '.join(SPEED_KMH)}")
    teams, excluded = _checked_teams(req)
    kept, merged = _merge(req, candidates, crs)
    attrs = list(road_attrs) or [Link(np.zeros((0, 2)))] * len(roads)
    places = _Places(req, teams, kept, crs, roads, attrs, access_m, join_m)
    groups = _partition(teams, places.legs)
    slots = shift_slots(req)
    required = _required(req, kept, len(slots))
    out, unmet, totals = [], [], [0.0, 0.0]
    for k, team in enumerate(teams):
        shifts, team_unmet = _team_shifts(req, k, team.team_id, [k, *groups[k]], slots, kept,
                                          merged, required, places, totals)
        unmet += team_unmet
        nt = len(teams)
        out.append(TeamPlan(team.team_id, tuple(m.member_id for m in team.members),
                            team.start, tuple(kept[i - nt].point_id for i in groups[k])
                            + tuple(m for i in groups[k] for m in merged[kept[i - nt].point_id]),
                            tuple(shifts)))
    return Plan(req.starts_on, req.ends_on, tuple(out), tuple(excluded),
                "road_network" if places.legs.graph is not None else "straight_line",
                tuple(unmet), round(totals[1] / totals[0], 4) if totals[0] else 0.0,
                _off_road(places.legs, kept, groups, len(teams)))


def _merge(req: PlanRequest, candidates: list[Candidate], crs: CRS,
           ) -> tuple[list[Candidate], dict[str, tuple[str, ...]]]:
    """The points kept as stops, most exposed first, and the points merged into each."""
    ranked = sorted(candidates, key=lambda c: (-c.exposure_tenths, c.point_id))
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xy = np.column_stack(tr.transform([c.lon for c in ranked], [c.lat for c in ranked])) \
        if ranked else np.zeros((0, 2))
    into = merge_on_water_body([c.hazard_id for c in ranked], xy,
                               [c.exposure_tenths for c in ranked], req.frequency.merge_m)
    merged = {c.point_id: tuple(ranked[j].point_id for j, k in enumerate(into)
                                if k == i and j != i) for i, c in enumerate(ranked) if into[i] == i}
    return [c for i, c in enumerate(ranked) if into[i] == i], merged


def _team_shifts(req: PlanRequest, k: int, team_id: str, nodes: list[int],
                 slots: list[tuple[date, time, time]], kept: list[Candidate],
                 merged: dict[str, tuple[str, ...]], required: list[int], places: _Places,
                 totals: list[float]) -> tuple[list[Shift], list[Unmet]]:
    """One team's shifts, each taking its points in ``_priority`` order; then the points
    it cannot serve often enough."""
    nt = len(places.legs.minutes) - len(kept)
    router = Router(places.legs.minutes[np.ix_(nodes, nodes)], req.dwell_min)
    visits: dict[int, list[int]] = {i: [] for i in range(1, len(nodes))}
    shifts = []
    for n, slot in enumerate(slots):
        late = {i: (n - (v[-1] if v else -1)) / required[nodes[i] - nt]
                for i, v in visits.items()}
        order = sorted(visits, key=lambda i: _priority(late[i], kept[nodes[i] - nt]))
        tour = router.route(order, _budget(slot))
        for i in tour:
            visits[i].append(n)
        shifts.append(_shift(*slot, [nodes[i] for i in tour], k, kept, merged, places,
                             req.dwell_min, totals))
    unmet = _unmet(team_id, visits, nodes, kept, required, len(slots), router,
                   max((_budget(s) for s in slots), default=0.0), nt)
    return shifts, unmet


def _priority(late: float, point: Candidate) -> tuple[int, float, float, str]:
    """A shift's order: first the points due (a day more and their gap is too long), most
    exposed first, so a team short of capacity keeps its most exposed points at their
    frequency instead of every point partly; then the others, latest first."""
    if late >= 1:
        return 0, -point.exposure_tenths, -late, point.point_id
    return 1, -late, -point.exposure_tenths, point.point_id


def _budget(slot: tuple[date, time, time]) -> float:
    day, start, end = slot
    return (datetime.combine(day, end) - datetime.combine(day, start)).seconds / 60


def _required(req: PlanRequest, kept: list[Candidate], n_days: int) -> list[int]:
    """Days allowed between visits per point: the strictest over the plan's days, and at
    least one visit in a plan shorter than that."""
    days = [req.starts_on + timedelta(days=d) for d in range(n_days)]
    need = {cls: min(min(req.frequency.interval(cls, d) for d in days), n_days)
            for cls in ("high", "medium", "none")}
    return [need[cls] for cls in exposure_classes([c.exposure_tenths for c in kept])]


def _partition(teams: list[Team], legs: Legs) -> list[list[int]]:
    """Highest exposure first (the points follow the team starts), each point to the
    nearest team whose start the roads join to it and that still has room; a point no
    start reaches goes to the nearest team. Teams get the same number of points (±1)
    unless only a full team reaches a point. Returns each team's place indices."""
    nt = len(teams)
    n_points = len(legs.minutes) - nt
    cap = -(-n_points // nt) if n_points else 0
    groups: list[list[int]] = [[] for _ in teams]
    for i in range(nt, len(legs.minutes)):
        reach = [k for k in range(nt) if legs.reaches(k, i)] or list(range(nt))
        room = [k for k in reach if len(groups[k]) < cap] or reach
        k = min(room, key=lambda k: (round(float(legs.minutes[k, i] + legs.minutes[i, k]), 2),
                                     len(groups[k]), teams[k].team_id))
        groups[k].append(i)
    return groups


def _shift(day: date, start: time, end: time, tour: list[int], k: int,
           kept: list[Candidate], merged: dict[str, tuple[str, ...]], places: _Places,
           dwell_min: float, totals: list[float]) -> Shift:
    """The shift's stops with arrival minutes, legs and the track along the roads."""
    legs, nt = places.legs, len(places.legs.minutes) - len(kept)
    stops, t, prev, parts, dist, road = [], 0.0, k, [], 0.0, 0.0
    for i in [*tour, k]:
        leg = legs.leg(prev, i)
        t += float(legs.minutes[prev, i])
        parts.append(leg.xy)
        dist += leg.metres
        road += leg.road_m
        if i != k:
            c = kept[i - nt]
            stops.append(Stop(c.point_id, c.hazard_id, c.lon, c.lat, c.exposure_tenths,
                              round(t, 1), c.name, c.kind, c.village_code, c.lacking,
                              merged[c.point_id], round(leg.metres, 1), leg.by_road))
            t += dwell_min
        prev = i
    totals[0] += dist
    totals[1] += road
    track = places.lonlat(np.vstack(parts)) if tour else []
    return Shift(day, start, end, tuple(stops), round(dist, 1), round(t, 1), round(road, 1),
                 tuple(track), legs.leg(prev, k).by_road if tour else True)


def _unmet(team_id: str, visits: dict[int, list[int]], nodes: list[int], kept: list[Candidate],
           required: list[int], n_days: int, router: Router, max_budget: float,
           nt: int) -> list[Unmet]:
    """Points whose longest gap exceeds their required interval, with the reason."""
    out = []
    for i, days in visits.items():
        need, gap = required[nodes[i] - nt], longest_gap(days, n_days)
        if gap <= need:
            continue
        alone = router.minutes([i])
        reason = (f"too_far: {alone:.0f} min there, checked and back exceeds every shift"
                  if alone > max_budget else
                  "capacity: the team's shifts are full; add a team or lengthen shifts")
        out.append(Unmet(kept[nodes[i] - nt].point_id, team_id, need, gap, reason))
    return out


def _off_road(legs: Legs, kept: list[Candidate], groups: list[list[int]],
              nt: int) -> tuple[tuple[str, str], ...]:
    """Points whose legs from their team's start are straight lines, and why (none when
    no road network is loaded: the plan's metric says every leg is straight)."""
    if legs.graph is None:
        return ()
    out = []
    for k, group in enumerate(groups):
        for i in group:
            if legs.reaches(k, i):
                continue
            why = ("off_network: farther than the access distance from every road"
                   if not np.isfinite(legs.access_m[i]) else
                   "not_joined: no road joins it to any team start")
            out.append((kept[i - nt].point_id, why))
    return tuple(out)
