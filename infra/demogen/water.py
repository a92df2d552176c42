"""Water hazards of one township: river and stream sections, ponds, ditches, canals,
the reservoir and its dam, and the swimming spots children use in summer."""

from __future__ import annotations

import numpy as np
import shapely

from infra.demogen import shapes
from infra.demogen.batch import Batch, lines, sections, serial_names
from infra.demogen.geography import HALF_M, Geography
from infra.demogen.homes import nearest

RIVER_NAMES = ("清溪河", "白沙河", "龙溪河", "桃花河", "青杠河", "石溪河", "观音河", "沙坝河")
POND_TYPES = ("山坪塘", "堰塘", "鱼塘")


def _stem(name: str) -> str:
    """'石足村' → '石足' (for names such as 石足溪, 石足水库)."""
    return name.removesuffix("村").removesuffix("社区") or name


def add_watercourses(rng: np.random.Generator, geo: Geography, names: list[str],
                     batch: Batch) -> str:
    """River and stream sections, reservoir, dam and canals; returns the river's name."""
    river = str(rng.choice(RIVER_NAMES))
    _sections(batch, "river", [geo.river], 1500.0, [river], geo, names, rng, (1.5, 5.0),
              (20.0, 45.0))
    stream_names = [f"{_stem(names[nearest(s[-1:], geo.villages)[0]])}溪" for s in geo.streams]
    _sections(batch, "stream", geo.streams, 1200.0, stream_names, geo, names, rng, (0.3, 1.5),
              (3.0, 10.0))
    top = names[nearest(geo.reservoir[:1], geo.villages)[0]]
    reservoir = f"{_stem(top)}水库"
    ring = shapely.polygons(geo.reservoir)
    centre = geo.reservoir[:-1].mean(axis=0)
    batch.add("reservoir", [reservoir], [ring], centre, rng.uniform(8, 25),
              2 * float(np.sqrt(ring.area / np.pi)))
    batch.add("dam", [f"{reservoir}大坝"], [shapely.linestrings(geo.dam)], geo.dam.mean(axis=0),
              np.nan, float(np.linalg.norm(geo.dam[1] - geo.dam[0])))
    canal_names = [f"{reservoir}{side}干渠" for side in ("左", "右")][:len(geo.canals)]
    _sections(batch, "canal", geo.canals, 1500.0, canal_names, geo, names, rng, (1.0, 2.5),
              (2.0, 5.0))
    return river


def _sections(batch: Batch, kind: str, curves: list[np.ndarray], length_m: float,
              curve_names: list[str], geo: Geography, names: list[str],
              rng: np.random.Generator, depth: tuple[float, float],
              width: tuple[float, float]) -> None:
    """Cut watercourses into patrol-sized sections named after the village they cross."""
    pieces, labels = [], []
    for curve, label in zip(curves, curve_names, strict=True):
        cut = sections(curve, length_m)
        pieces += cut
        labels += [label] * len(cut)
    if not pieces:
        return
    geoms, mids = lines(pieces)
    village = nearest(mids, geo.villages)
    bases = [f"{lab}{names[v]}段" for lab, v in zip(labels, village, strict=True)]
    n = len(pieces)
    batch.add(kind, serial_names(bases, always=False), geoms, mids,
              rng.uniform(*depth, n), rng.uniform(*width, n))


def add_ponds(rng: np.random.Generator, geo: Geography, names: list[str], homes: np.ndarray,
              home_village: np.ndarray, n: int, batch: Batch) -> None:
    """Ponds: one beside a home in every village first, most near homes, some in fields.

    Hilly south-western townships keep dozens to hundreds of small ponds (山坪塘) for
    irrigation, usually a short walk from the houses that dig and use them.
    """
    firsts = np.array([np.flatnonzero(home_village == v)[0] for v in np.unique(home_village)])
    near = rng.integers(0, len(homes), max(0, int(n * 0.7) - len(firsts)))
    anchors = homes[np.concatenate([firsts, near]).astype(int)][:n]
    angle = rng.uniform(0, 2 * np.pi, len(anchors))
    dist = rng.uniform(30, 200, len(anchors))
    centres = anchors + np.column_stack([np.cos(angle), np.sin(angle)]) * dist[:, None]
    fields = rng.uniform(-HALF_M, HALF_M, (n - len(centres), 2))
    centres = np.clip(np.vstack([centres, fields]), -HALF_M, HALF_M)
    radius = np.clip(rng.lognormal(np.log(22), 0.5, n), 8, 110)
    geoms = shapely.polygons(shapes.blobs(rng, centres, radius))
    village = nearest(centres, geo.villages)
    bases = [f"{names[v]}{POND_TYPES[k]}" for v, k in
             zip(village, rng.integers(0, len(POND_TYPES), n), strict=True)]
    batch.add("pond", serial_names(bases, always=True), geoms, centres,
              np.round(rng.uniform(1.0, 4.0, n), 1), np.round(2 * radius, 1))


def add_ditches(rng: np.random.Generator, geo: Geography, names: list[str], homes: np.ndarray,
                n: int, batch: Batch) -> None:
    """Irrigation ditches: short, nearly straight channels starting beside homes."""
    starts = homes[rng.integers(0, len(homes), n)] + rng.normal(0, 60, (n, 2))
    pieces = [shapes.clip_to_box(shapes.meander(rng, s, rng.uniform(0, 2 * np.pi),
                                                rng.uniform(200, 900), rng.uniform(300, 600),
                                                0.25, step_m=40.0), HALF_M) for s in starts]
    pieces = [p for p in pieces if len(p) > 1]
    geoms, mids = lines(pieces)
    village = nearest(mids, geo.villages)
    k = len(pieces)
    batch.add("ditch", serial_names([f"{names[v]}灌溉沟" for v in village], always=True), geoms,
              mids, np.round(rng.uniform(0.4, 1.5, k), 1), np.round(rng.uniform(0.8, 2.5, k), 1))


def add_swimming_spots(rng: np.random.Generator, geo: Geography, names: list[str],
                       river: str, n: int, batch: Batch) -> None:
    """Swimming spots: the slow, deep outer bends of the river (野泳点)."""
    turn = shapes.turning(geo.river)
    candidates = np.argsort(turn)[::-1][: max(n * 4, 1)]
    chosen = np.sort(rng.choice(candidates, size=min(n, len(candidates)), replace=False))
    xy = geo.river[chosen]
    village = nearest(xy, geo.villages)
    batch.add("swimming_spot", serial_names([f"{river}{names[v]}河湾野泳点" for v in village],
                                            always=False),
              shapely.points(xy), xy, np.round(rng.uniform(1.5, 4.0, len(xy)), 1), np.nan)
