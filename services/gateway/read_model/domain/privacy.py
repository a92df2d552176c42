"""Privacy by role on the map (docs/domain.md rule 13).

Station staff see the township's homes and child directors their own villages', as
exact points without names (the gateway never learns names). Everyone else — patrol
members above all — sees homes only as counts in square cells of a metric grid:
each home is first moved by a fixed per-child offset (keyed hash of its id, so every
render is identical and averaging renders reveals nothing), then counted, and cells
with fewer than ``k`` children are left out.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from pyproj import CRS, Transformer

from services.gateway.read_model.domain.read_model import ChildHome
from shared.access import roles
from shared.auth.principal import Principal

EXACT_ROLES = frozenset(roles("home", "read"))  # the access policy's exact-home readers


class HomeView(StrEnum):
    EXACT = "exact"
    CELLS = "cells"


def home_view(principal: Principal) -> HomeView:
    return HomeView.EXACT if principal.role in EXACT_ROLES else HomeView.CELLS


def in_scope(principal: Principal, homes: Iterable[ChildHome]) -> list[ChildHome]:
    """The homes of the villages this principal serves (township or own villages)."""
    return [h for h in homes if principal.sees_village(h.village_code)]


def displacement_m(child_id: str, key: bytes, min_m: float = 40.0,
                   max_m: float = 120.0) -> tuple[float, float]:
    """The fixed (dx, dy) offset in metres for one child, from a keyed hash (BLAKE2b MAC)
    of its id.

    Without the key the offset cannot be undone; with the same key it never changes.
    """
    digest = hashlib.blake2b(child_id.encode(), key=key[:64], digest_size=8).digest()
    angle = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    radius = min_m + int.from_bytes(digest[4:8], "big") / 2**32 * (max_m - min_m)
    return radius * math.cos(angle), radius * math.sin(angle)


@dataclass(frozen=True)
class Cell:
    cell_id: str
    count: int
    ring: list[tuple[float, float]]  # closed lon/lat ring, EPSG:4326


def aggregate_cells(homes: list[ChildHome], key: bytes, crs: CRS, cell_m: float = 250.0,
                    k: int = 5) -> list[Cell]:
    """Count displaced homes per square cell of side ``cell_m`` metres in ``crs``.

    Parameters
    ----------
    homes : list of ChildHome
        Home points in EPSG:4326 lon/lat.
    crs : pyproj.CRS
        The metric CRS (township UTM zone) of the grid.
    cell_m : float
        Cell side in metres.
    k : int
        Cells with fewer than ``k`` children are suppressed.

    Returns
    -------
    list of Cell
        Polygons in EPSG:4326, sorted by cell id.
    """
    if not homes:
        return []
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x, y = fwd.transform(np.array([h.lon for h in homes]), np.array([h.lat for h in homes]))
    offsets = np.array([displacement_m(h.child_id, key) for h in homes])
    ix = np.floor((x + offsets[:, 0]) / cell_m).astype(int)
    iy = np.floor((y + offsets[:, 1]) / cell_m).astype(int)
    counts = Counter(zip(ix.tolist(), iy.tolist(), strict=True))
    cells = []
    for (cx, cy), n in sorted(counts.items()):
        if n < k:
            continue
        xs = np.array([cx, cx + 1, cx + 1, cx, cx]) * cell_m
        ys = np.array([cy, cy, cy + 1, cy + 1, cy]) * cell_m
        lons, lats = back.transform(xs, ys)
        ring = [(round(lo, 6), round(la, 6)) for lo, la in zip(lons, lats, strict=True)]
        cells.append(Cell(f"{cx}:{cy}", n, ring))
    return cells
