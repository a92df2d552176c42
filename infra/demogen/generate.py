"""Scales and the generation run: townships laid out on a grid, generated, written."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from infra.demogen import outputs, places
from infra.demogen.geography import SIZE_M
from infra.demogen.township import TownshipData
from infra.demogen.township import generate as generate_township

log = logging.getLogger(__name__)
SPACING_M = SIZE_M + 1_000.0  # between township seats at county scale


@dataclass(frozen=True)
class Scale:
    name: str
    homes: int
    hazards: int


SCALES = {
    "township": Scale("township", 5_000, 500),
    "county": Scale("county", 200_000, 22_000),
    "province": Scale("province", 0, 0),  # volumes only (see outputs.province_volumes)
}


def origins(n: int) -> list[tuple[float, float]]:
    """Seats of ``n`` townships on a grid around the demo centre, the first at the centre.

    Returns lon, lat (WGS 84). Offsets are metres converted with the local scale of a
    degree (good to well under 1 % across a district).
    """
    side = int(np.ceil(np.sqrt(n)))
    ij = np.array([(i, j) for j in range(side) for i in range(side)], dtype=float)
    ij -= ij.mean(axis=0)
    ij = ij[np.argsort(np.hypot(ij[:, 0], ij[:, 1]), kind="stable")][:n] * SPACING_M
    lon0, lat0 = places.DEMO_CENTRE
    m_per_deg_lat = 110_950.0
    m_per_deg_lon = m_per_deg_lat * np.cos(np.radians(lat0))
    return [(round(lon0 + x / m_per_deg_lon, 6), round(lat0 + y / m_per_deg_lat, 6))
            for x, y in ij]


def _shares(total: int, n: int) -> list[int]:
    return [total // n + (1 if i < total % n else 0) for i in range(n)]


def generate(scale: str, seed: int, out_dir: Path, as_of: date) -> dict:
    """Write the scale's files under ``out_dir``; returns the manifest (also written).

    Deterministic: the same (scale, seed, as_of) gives the same bytes in every file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if scale == "province":
        return outputs.write_manifest(out_dir, outputs.province_volumes(seed))
    spec = SCALES[scale]
    towns = places.townships(scale)
    data: list[TownshipData] = []
    for k, (town, origin, n_homes, n_hazards) in enumerate(zip(
            towns, origins(len(towns)), _shares(spec.homes, len(towns)),
            _shares(spec.hazards, len(towns)), strict=True)):
        rng = np.random.default_rng([seed, k])
        data.append(generate_township(rng, town, origin, n_homes, n_hazards, as_of))
        log.info("generated %s (%d/%d)", town.code, k + 1, len(towns))
    manifest = outputs.write_all(out_dir, towns, data)
    manifest.update({"scale": scale, "seed": seed, "as_of": as_of.isoformat()})
    return outputs.write_manifest(out_dir, manifest)


def load_manifest(out_dir: Path) -> dict:
    return json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
