"""Summer patrol planning: shifts at the hours children are at the water, routes over
the highest-exposure patrol points, balanced teams of checked members.

Evidence behind the defaults: most child drownings fall in June–August and between
13:00 and 18:00, so weekday shifts start after school and weekends and holidays are
patrolled every afternoon. Distances follow the roads when road hazards drawn as lines
are loaded, and are straight lines in the township's UTM zone times a detour factor
otherwise (ADR 0402, ADR 0405).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from pyproj import CRS, Transformer

from services.gateway.domain.exceptions import InvalidPlan
from services.gateway.domain.road_network import ACCESS_M, RoadNetwork, straight_m

SPEED_KMH = {"walk": 4.5, "bicycle": 12.0, "motorbike": 25.0}


@dataclass(frozen=True)
class Member:
    """A team member as the identity store knows them (never as the caller says)."""

    member_id: str
    check_date: date | None  # last background check (DOMAIN.md rule 12)
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


@dataclass(frozen=True)
class Candidate:
    point_id: str
    hazard_id: str
    lon: float
    lat: float
    exposure_tenths: int


@dataclass(frozen=True)
class Stop:
    point_id: str
    hazard_id: str
    lon: float
    lat: float
    exposure_tenths: int
    arrive_min: float  # minutes after the shift starts


@dataclass(frozen=True)
class Shift:
    day: date
    start: time
    end: time
    stops: tuple[Stop, ...]
    distance_m: float  # travelled, detour factor included, back to the start
    duration_min: float


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
    metric: str = "straight_line"  # or "road_network": how distances were measured


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


class _Metric:
    """Metres in the UTM CRS: along the roads when there are any (``RoadNetwork``),
    else straight lines; off-road legs times the detour factor."""

    def __init__(self, crs: CRS, detour: float, roads: Sequence[Sequence[tuple[float, float]]],
                 barriers: Sequence[Sequence[tuple[float, float]]], access_m: float):
        self._tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.detour, self.access_m = detour, access_m
        self.network = RoadNetwork([self.xy(list(r)) for r in roads],
                                   [self.xy(list(b)) for b in barriers]) if roads else None
        self.name = "road_network" if self.network else "straight_line"

    def xy(self, lonlats: list[tuple[float, float]]) -> np.ndarray:
        if not lonlats:
            return np.zeros((0, 2))
        x, y = self._tr.transform(np.array([p[0] for p in lonlats]),
                                  np.array([p[1] for p in lonlats]))
        return np.column_stack([x, y])

    def matrix(self, xy: np.ndarray) -> np.ndarray:
        if self.network:
            return self.network.distances(xy, self.detour, self.access_m)
        return straight_m(xy) * self.detour


def plan_patrols(req: PlanRequest, candidates: list[Candidate], crs: CRS,
                 roads: Sequence[Sequence[tuple[float, float]]] = (),
                 barriers: Sequence[Sequence[tuple[float, float]]] = (),
                 access_m: float = ACCESS_M) -> Plan:
    """Shifts and routes for every team over the plan's days.

    Parameters
    ----------
    candidates : list of Candidate
        Patrol points, lon/lat in EPSG:4326, with the exposure of their hazard.
    crs : pyproj.CRS
        The metric CRS (township UTM zone) distances are measured in, in metres.
    roads : sequence of lon/lat polylines
        The township's roads (``road_network.road_lines``); none: straight lines.
    barriers : sequence of lon/lat polylines
        Rivers, streams and canals (``road_network.barrier_lines``): off-road walks
        between points near each other do not cross them.
    access_m : float
        Points farther than this from every road are reached off-road, in straight lines.
    """
    if req.ends_on < req.starts_on:
        raise InvalidPlan("ends_on", "the plan ends before it starts")
    if req.travel_mode not in SPEED_KMH:
        raise InvalidPlan("travel_mode", f"one of {', '.join(SPEED_KMH)}")
    teams, excluded = _checked_teams(req)
    metric = _Metric(crs, req.detour_factor, roads, barriers, access_m)
    ranked = sorted(candidates, key=lambda c: (-c.exposure_tenths, c.point_id))
    # One matrix over the team starts (first) and every point: one shortest-path run.
    dist = metric.matrix(metric.xy([t.start for t in teams] + [(c.lon, c.lat) for c in ranked]))
    groups = _partition(teams, dist)
    speed_m_per_min = SPEED_KMH[req.travel_mode] * 1000 / 60
    out = []
    for k, team in enumerate(teams):
        mine = [ranked[i - len(teams)] for i in groups[k]]
        nodes = [k, *groups[k]]
        router = _Router(dist[np.ix_(nodes, nodes)], speed_m_per_min, req.dwell_min)
        last: dict[int, int] = {}
        shifts = []
        for n, (day, start, end) in enumerate(shift_slots(req)):
            budget = (datetime.combine(day, end) - datetime.combine(day, start)).seconds / 60
            order = sorted(range(1, len(mine) + 1), key=lambda i: (
                -mine[i - 1].exposure_tenths * (n - last.get(i, -1 - len(mine))),
                mine[i - 1].point_id))
            tour = router.route(order, budget)
            for i in tour:
                last[i] = n
            shifts.append(_shift(day, start, end, tour, mine, router))
        out.append(TeamPlan(team.team_id, tuple(m.member_id for m in team.members),
                            team.start, tuple(c.point_id for c in mine), tuple(shifts)))
    return Plan(req.starts_on, req.ends_on, tuple(out), tuple(excluded), metric.name)


def _partition(teams: list[Team], dist: np.ndarray) -> list[list[int]]:
    """Highest exposure first (the points follow the team starts in ``dist``, ranked),
    each point to the nearest team that still has room: teams get the same number of
    points (±1) and stay near their start. Returns each team's rows of ``dist``."""
    n_points = len(dist) - len(teams)
    cap = math.ceil(n_points / len(teams)) if n_points else 0
    groups: list[list[int]] = [[] for _ in teams]
    for i in range(len(teams), len(dist)):
        open_ = [k for k in range(len(teams)) if len(groups[k]) < cap]
        k = min(open_, key=lambda k: (round(float(dist[k, i]), 1), len(groups[k]),
                                      teams[k].team_id))
        groups[k].append(i)
    return groups


class _Router:
    """Cheapest insertion in priority order within a time budget, then 2-opt.

    Node 0 is the team's start; a tour leaves it and comes back to it.
    """

    def __init__(self, dist: np.ndarray, speed_m_per_min: float, dwell_min: float):
        self.dist, self.speed, self.dwell = dist, speed_m_per_min, dwell_min

    def length(self, tour: list[int]) -> float:
        path = [0, *tour, 0]
        return float(sum(self.dist[a, b] for a, b in zip(path, path[1:], strict=False)))

    def minutes(self, tour: list[int]) -> float:
        return self.length(tour) / self.speed + self.dwell * len(tour)

    def route(self, order: list[int], budget_min: float) -> list[int]:
        tour: list[int] = []
        for _ in range(2):  # a second pass fills the room 2-opt made
            for i in order:
                if i in tour:
                    continue
                best = self._best_insertion(tour, i)
                if self.minutes(best) <= budget_min:
                    tour = best
            tour = self._two_opt(tour)
        return tour

    def _best_insertion(self, tour: list[int], i: int) -> list[int]:
        path = [0, *tour, 0]
        costs = [self.dist[path[k], i] + self.dist[i, path[k + 1]] - self.dist[path[k], path[k + 1]]
                 for k in range(len(path) - 1)]
        k = int(np.argmin(costs))
        return tour[:k] + [i] + tour[k:]

    def _two_opt(self, tour: list[int]) -> list[int]:
        improved = True
        while improved:
            improved = False
            path = [0, *tour, 0]
            for a in range(len(path) - 3):
                for b in range(a + 2, len(path) - 1):
                    delta = (self.dist[path[a], path[b]] + self.dist[path[a + 1], path[b + 1]]
                             - self.dist[path[a], path[a + 1]] - self.dist[path[b], path[b + 1]])
                    if delta < -1e-9:
                        path[a + 1:b + 1] = reversed(path[a + 1:b + 1])
                        improved = True
            tour = path[1:-1]
        return tour


def _shift(day: date, start: time, end: time, tour: list[int], mine: list[Candidate],
           router: _Router) -> Shift:
    stops, t, prev = [], 0.0, 0
    for i in tour:
        t += router.dist[prev, i] / router.speed
        c = mine[i - 1]
        stops.append(Stop(c.point_id, c.hazard_id, c.lon, c.lat, c.exposure_tenths, round(t, 1)))
        t += router.dwell
        prev = i
    return Shift(day, start, end, tuple(stops), round(router.length(tour), 1),
                 round(router.minutes(tour), 1))
