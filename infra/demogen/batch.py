"""A batch of hazard features of one township, as columns (local metres until export)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike

from infra.demogen import shapes


@dataclass
class Batch:
    kind: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    point: list[np.ndarray] = field(default_factory=list)  # representative (x, y) metres
    geometry: list[np.ndarray] = field(default_factory=list)  # shapely geometries, metres
    depth_m: list[np.ndarray] = field(default_factory=list)
    width_m: list[np.ndarray] = field(default_factory=list)

    def add(self, kind: str, names: list[str], geoms: ArrayLike, points: ArrayLike,
            depth_m: ArrayLike, width_m: ArrayLike) -> None:
        n = len(names)
        if n == 0:
            return
        self.kind += [kind] * n
        self.name += names
        self.geometry.append(np.asarray(geoms, dtype=object))
        self.point.append(np.asarray(points, dtype=float).reshape(n, 2))
        self.depth_m.append(np.broadcast_to(np.asarray(depth_m, dtype=float), (n,)))
        self.width_m.append(np.broadcast_to(np.asarray(width_m, dtype=float), (n,)))

    def columns(self) -> dict[str, np.ndarray]:
        return {"kind": np.array(self.kind), "name": np.array(self.name, dtype=object),
                "point": np.vstack(self.point), "geometry": np.concatenate(self.geometry),
                "depth_m": np.concatenate(self.depth_m), "width_m": np.concatenate(self.width_m)}


def sections(curve: np.ndarray, length_m: float) -> list[np.ndarray]:
    """Cut a polyline into pieces of about ``length_m`` (shared end vertices)."""
    cum = shapes.cumulative_length(curve)
    n = max(1, int(round(cum[-1] / length_m)))
    cuts = np.searchsorted(cum, np.linspace(0, cum[-1], n + 1)[1:-1])
    bounds = [0, *cuts.tolist(), len(curve) - 1]
    return [curve[a:b + 1] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def lines(pieces: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Shapely LineStrings and their midpoints for a list of (N, 2) arrays."""
    geoms = np.array([shapely.linestrings(p) for p in pieces], dtype=object)
    mids = np.array([p[len(p) // 2] for p in pieces]).reshape(len(pieces), 2)
    return geoms, mids


def serial_names(bases: list[str], always: bool) -> list[str]:
    """Make names unique: 'X' stays when alone, else 'X1', 'X2'… (always numbered if asked)."""
    total: dict[str, int] = {}
    for b in bases:
        total[b] = total.get(b, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for b in bases:
        seen[b] = seen.get(b, 0) + 1
        numbered = always or total[b] > 1
        out.append((f"{b}{seen[b]}号" if always else f"{b}（{seen[b]}）") if numbered else b)
    return out
