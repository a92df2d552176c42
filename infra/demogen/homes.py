"""Where families live: along roads and streams, in hamlets, and in the township seat."""

from __future__ import annotations

import numpy as np

from infra.demogen import shapes
from infra.demogen.geography import HALF_M, Geography

# Shares of homes by setting (assumptions, docs/demo-data.md).
SEAT, ROADS, WATER, HAMLETS = 0.12, 0.38, 0.20, 0.30


def place(rng: np.random.Generator, geo: Geography, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` home locations (metres, local plane) and the village index of each.

    Every village gets at least a hamlet around its centre, so no village is empty.
    """
    n_seat, n_roads, n_water = int(n * SEAT), int(n * ROADS), int(n * WATER)
    n_hamlets = n - n_seat - n_roads - n_water
    seat = geo.villages[geo.seat] + rng.normal(0, 350, (n_seat, 2))
    roads = shapes.sample_along(rng, geo.roads, n_roads, 35.0, 12.0)
    water = shapes.sample_along(rng, [geo.river, *geo.streams], n_water, 90.0, 45.0)
    hamlets = _hamlets(rng, geo.villages, n_hamlets)
    xy = np.clip(np.vstack([seat, roads, water, hamlets]), -HALF_M, HALF_M)
    return xy, nearest(xy, geo.villages)


def _hamlets(rng: np.random.Generator, centres: np.ndarray, n: int) -> np.ndarray:
    """Clusters of houses (院落): three per village, the first at its centre."""
    per = 3
    hubs = np.repeat(centres, per, axis=0)
    hubs[np.arange(len(hubs)) % per != 0] += rng.normal(0, 900, ((per - 1) * len(centres), 2))
    which = np.concatenate([np.arange(len(hubs)), rng.integers(0, len(hubs), n)])[:n]
    return hubs[which] + rng.normal(0, 90, (n, 2))


def nearest(xy: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for each point: villages as Voronoi cells."""
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return d2.argmin(axis=1)
