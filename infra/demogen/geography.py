"""One township's land: river, tributaries, reservoir and dam, roads, villages, schools.

A hilly south-western township of about 10 km × 10 km: a main river crosses it in
meanders, tributary streams come down from the hills (one dammed into a reservoir,
from which irrigation canals run), a county road follows the river and village roads
link each village to the township seat on the river bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer

from infra.demogen import shapes
from infra.demogen.places import Township
from shared.geo import utm_crs

SIZE_M = 10_000.0
HALF_M = SIZE_M / 2


@dataclass
class Geography:
    """Metres in the township's local plane (east, north of its seat's origin)."""

    villages: np.ndarray  # (V, 2) centre of each village of Township.villages, in order
    seat: int  # index of the seat community among the villages
    river: np.ndarray  # (N, 2)
    streams: list[np.ndarray]
    reservoir: np.ndarray  # (K, 2) closed ring
    dam: np.ndarray  # (2, 2)
    canals: list[np.ndarray]
    county_road: np.ndarray
    village_roads: list[np.ndarray]
    road_ends: list[tuple[int, int]]  # villages each village road links (seat first)
    schools: np.ndarray  # (S, 2)
    school_names: list[str]
    school_village: np.ndarray  # (S,) index into villages

    @property
    def roads(self) -> list[np.ndarray]:
        return [self.county_road, *self.village_roads]


def build(rng: np.random.Generator, township: Township) -> Geography:
    """Lay out one township's land (metres, local plane)."""
    river = _river(rng)
    streams = _streams(rng, river)
    reservoir, dam, canals = _reservoir(rng, streams[0])
    centres, seat = _villages(rng, township, river)
    county_road = _along(river, 260.0)
    ends = [(seat, i) for i in range(len(centres)) if i != seat] + _links(centres, seat)
    village_roads = [_road(rng, centres[a], centres[b]) for a, b in ends]
    schools, names, where = _schools(rng, township, centres, seat)
    return Geography(centres, seat, river, streams, reservoir, dam, canals, county_road,
                     village_roads, ends, schools, names, where)


def _river(rng: np.random.Generator) -> np.ndarray:
    y0 = rng.uniform(-0.25, 0.25) * SIZE_M
    curve = shapes.meander(rng, np.array([-HALF_M - 400.0, y0]), rng.uniform(-0.25, 0.25),
                           4.0 * SIZE_M, rng.uniform(1400, 2200), rng.uniform(1.2, 1.5))
    return shapes.clip_to_box(curve, HALF_M)


def _streams(rng: np.random.Generator, river: np.ndarray) -> list[np.ndarray]:
    """Tributaries leaving the river sideways, longest first (it gets the reservoir)."""
    nrm = shapes.normals(river)
    out = []
    for frac in np.sort(rng.uniform(0.1, 0.9, rng.integers(4, 7))):
        i = int(frac * (len(river) - 1))
        side = rng.choice([-1.0, 1.0])
        heading = float(np.arctan2(nrm[i, 1], nrm[i, 0])) + (0 if side > 0 else np.pi)
        heading += rng.uniform(-0.5, 0.5)
        curve = shapes.meander(rng, river[i], heading, rng.uniform(3000, 6000),
                               rng.uniform(500, 900), rng.uniform(0.5, 0.8))
        curve = shapes.clip_to_box(curve, HALF_M)
        if len(curve) > 20:
            out.append(curve)
    return sorted(out, key=len, reverse=True)


def _reservoir(rng: np.random.Generator, stream: np.ndarray):
    """A reservoir on the upper stream, its dam across the outlet, canals from the dam."""
    tail = stream[-12:]
    direction = (tail[-1] - tail[0]) / max(np.linalg.norm(tail[-1] - tail[0]), 1e-9)
    side = np.array([-direction[1], direction[0]])
    length, width = rng.uniform(350, 550), rng.uniform(120, 200)
    centre = stream[-1] - direction * length * 0.2
    ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    wobble = 1 + 0.1 * np.sin(3 * ang + rng.uniform(0, 6.3))
    ring = centre + (np.outer(np.cos(ang) * length, direction)
                     + np.outer(np.sin(ang) * width, side)) * wobble[:, None]
    ring = np.vstack([ring, ring[:1]])
    outlet = centre - direction * length * 0.97
    dam = np.vstack([outlet - side * width * 0.8, outlet + side * width * 0.8])
    canals = [shapes.clip_to_box(shapes.meander(
        rng, end, float(np.arctan2(*(end - outlet)[::-1])), rng.uniform(2000, 4500),
        rng.uniform(1200, 2000), 0.35, step_m=50.0), HALF_M) for end in dam]
    return ring, dam, [c for c in canals if len(c) > 4]


def _villages(rng: np.random.Generator, township: Township,
              river: np.ndarray) -> tuple[np.ndarray, int]:
    """Village centres on a jittered grid; the seat community on the river bank."""
    n = len(township.villages)
    seat = next((i for i, v in enumerate(township.villages) if v.is_seat), 0)
    side = int(np.ceil(np.sqrt(n)))
    cell = SIZE_M / side
    cells = rng.permutation(side * side)[:n]
    grid = np.column_stack([cells % side, cells // side]) * cell - HALF_M + cell / 2
    centres = grid + rng.uniform(-0.3, 0.3, (n, 2)) * cell
    mid = river[np.argmin(np.linalg.norm(river, axis=1))]
    centres[seat] = mid + shapes.normals(river)[np.argmin(np.linalg.norm(river, axis=1))] * 300
    return centres, seat


def _along(curve: np.ndarray, offset_m: float) -> np.ndarray:
    """A road that follows a river at a distance, straighter than the river itself."""
    smooth = np.column_stack([shapes.smooth(curve[:, k], 30) for k in (0, 1)])
    return shapes.clip_to_box(smooth + shapes.normals(smooth) * offset_m, HALF_M)


def _road(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A village road from the seat ``a`` to a village ``b``, winding over the hills."""
    length = float(np.linalg.norm(b - a))
    t = np.linspace(0.0, 1.0, max(3, int(length / 40)))
    line = a + np.outer(t, b - a)
    perp = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    bends = rng.integers(2, 6)
    wiggle = np.sin(np.pi * t) * np.sin(bends * np.pi * t + rng.uniform(0, 6.3))
    return line + np.outer(wiggle * rng.uniform(0.05, 0.12) * length, perp)


def _links(centres: np.ndarray, seat: int) -> list[tuple[int, int]]:
    """Roads between neighbouring villages around the seat (closer than 3.5 km)."""
    others = np.array([i for i in range(len(centres)) if i != seat])
    rel = centres[others] - centres[seat]
    ring = others[np.argsort(np.arctan2(rel[:, 1], rel[:, 0]))]
    pairs = zip(ring, np.roll(ring, -1), strict=True)
    return [(int(a), int(b)) for a, b in pairs
            if a != b and np.linalg.norm(centres[a] - centres[b]) < 3500]


def _schools(rng: np.random.Generator, township: Township, centres: np.ndarray,
             seat: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Central kindergarten, primary and middle school at the seat; some village schools."""
    town = township.name
    names = [f"{town}中心幼儿园", f"{town}中心小学", f"{town}中学"]
    where = [seat, seat, seat]
    for i, v in enumerate(township.villages):
        if i != seat and rng.random() < 0.3:
            names.append(f"{v.name}小学")
            where.append(i)
    idx = np.array(where)
    xy = centres[idx] + rng.normal(0, 120, (len(idx), 2))
    return xy, names, idx


@lru_cache(maxsize=64)
def _plane(origin_lonlat: tuple[float, float]) -> tuple[Transformer, float, float]:
    """The UTM → WGS 84 transformer of a township and its origin in UTM metres."""
    crs = utm_crs(*origin_lonlat)
    ox, oy = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(*origin_lonlat)
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True), ox, oy


def to_lonlat(xy: np.ndarray, origin_lonlat: tuple[float, float]) -> np.ndarray:
    """Local metres → WGS 84 (lon, lat) degrees.

    The local plane is the UTM zone of ``origin_lonlat`` shifted so that the origin is
    (0, 0); UTM is conformal, so over 10 km the plane's metres are true metres.
    """
    back, ox, oy = _plane(origin_lonlat)
    lon, lat = back.transform(xy[..., 0] + ox, xy[..., 1] + oy)
    return np.stack([np.asarray(lon), np.asarray(lat)], axis=-1)
