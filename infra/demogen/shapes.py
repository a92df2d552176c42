"""Curve and blob primitives in a local metric plane (metres east/north of a seat).

Everything here is numpy on (N, 2) float arrays of metres; the caller converts to
WGS 84 once, at the end (``geography.to_lonlat``).
"""

from __future__ import annotations

import numpy as np

STEP_M = 25.0


def smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Gaussian-smoothed copy of a 1-D series (edges padded with the end values)."""
    if width < 2:
        return values
    k = np.exp(-0.5 * (np.arange(-2 * width, 2 * width + 1) / width) ** 2)
    padded = np.pad(values, 2 * width, mode="edge")
    return np.convolve(padded, k / k.sum(), mode="valid")


def meander(rng: np.random.Generator, start: np.ndarray, heading: float, length_m: float,
            wavelength_m: float, swing_rad: float, step_m: float = STEP_M) -> np.ndarray:
    """A sine-generated curve (Langbein & Leopold 1966), the classic shape of a meander.

    The direction swings as ``heading + swing_rad * sin(2πs / wavelength_m)`` along the
    arc length ``s``; wavelength, swing and heading drift smoothly so no two bends are
    alike.

    Parameters
    ----------
    start : (2,) metres, local plane.
    heading : radians, counter-clockwise from east.
    length_m, wavelength_m, step_m : metres along the curve.
    swing_rad : maximum angle between the channel and the mean heading.

    Returns
    -------
    (N, 2) array of vertices in metres, local plane.
    """
    s = np.arange(0.0, length_m, step_m)
    width = max(2, int(wavelength_m / step_m / 2))
    noise = [smooth(rng.normal(0.0, 1.0, s.size), width) for _ in range(3)]
    noise = [x / max(float(np.abs(x).max()), 1e-9) for x in noise]
    phase = 2 * np.pi * np.cumsum(step_m / (wavelength_m * np.exp(0.4 * noise[0])))
    swing = swing_rad * np.clip(1.0 + 0.4 * noise[1], 0.4, 1.15)
    theta = heading + swing * np.sin(phase + rng.uniform(0, 6.3)) + 0.3 * noise[2]
    steps = np.column_stack([np.cos(theta), np.sin(theta)]) * step_m
    return start + np.vstack([[0.0, 0.0], np.cumsum(steps, axis=0)[:-1]])


def clip_to_box(curve: np.ndarray, half_m: float) -> np.ndarray:
    """Keep the first run of vertices that stays inside the square ``|x|, |y| ≤ half_m``."""
    inside = (np.abs(curve) <= half_m).all(axis=1)
    first = int(np.argmax(inside)) if inside.any() else 0
    outside_after = np.flatnonzero(~inside[first:])
    last = first + (int(outside_after[0]) if outside_after.size else inside.size - first)
    return curve[first:last]


def normals(curve: np.ndarray) -> np.ndarray:
    """Unit left-hand normals at each vertex of a polyline (metres, local plane)."""
    d = np.gradient(curve, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    return np.column_stack([-d[:, 1], d[:, 0]])


def cumulative_length(curve: np.ndarray) -> np.ndarray:
    seg = np.linalg.norm(np.diff(curve, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def sample_along(rng: np.random.Generator, curves: list[np.ndarray], n: int,
                 spread_m: float, min_offset_m: float) -> np.ndarray:
    """``n`` points spread along several polylines, uniform by length, offset sideways.

    The sideways offset is Gaussian with ``spread_m`` but never closer than
    ``min_offset_m`` (a house is not built in the river or on the road).
    """
    curves = [c for c in curves if len(c) > 1]
    lengths = [cumulative_length(c) for c in curves]
    totals = np.array([x[-1] for x in lengths])
    which = rng.choice(len(curves), size=n, p=totals / totals.sum())
    at = rng.uniform(0.0, 1.0, n) * totals[which]
    out = np.empty((n, 2))
    for i, (curve, cum) in enumerate(zip(curves, lengths, strict=True)):
        sel = which == i
        xy = np.column_stack([np.interp(at[sel], cum, curve[:, 0]),
                              np.interp(at[sel], cum, curve[:, 1])])
        nrm = normals(curve)
        nx = np.interp(at[sel], cum, nrm[:, 0])
        ny = np.interp(at[sel], cum, nrm[:, 1])
        off = rng.normal(0.0, spread_m, sel.sum())
        off = np.sign(off + 1e-12) * (min_offset_m + np.abs(off))
        out[sel] = xy + np.column_stack([nx, ny]) * off[:, None]
    return out


def blobs(rng: np.random.Generator, centres: np.ndarray, radius_m: np.ndarray,
          vertices: int = 14) -> np.ndarray:
    """Irregular closed rings around each centre (ponds, reservoirs).

    Returns (P, vertices + 1, 2) metres: an elongated, lumpy ellipse per centre.
    """
    p = len(centres)
    angles = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    lumps = rng.normal(0.0, 0.12, (p, vertices))
    lumps = (lumps + np.roll(lumps, 1, axis=1) + np.roll(lumps, -1, axis=1)) / 3
    stretch = rng.uniform(1.0, 1.8, p)[:, None]
    turn = rng.uniform(0.0, np.pi, p)[:, None]
    r = radius_m[:, None] * (1.0 + lumps)
    x, y = r * np.cos(angles) * stretch, r * np.sin(angles) / stretch
    xr = x * np.cos(turn) - y * np.sin(turn)
    yr = x * np.sin(turn) + y * np.cos(turn)
    ring = np.stack([xr, yr], axis=2) + centres[:, None, :]
    return np.concatenate([ring, ring[:, :1]], axis=1)


def turning(curve: np.ndarray, window: int = 4) -> np.ndarray:
    """Absolute change of direction (radians) over ``window`` vertices at each vertex."""
    d = np.diff(curve, axis=0)
    ang = np.unwrap(np.arctan2(d[:, 1], d[:, 0]))
    turn = np.zeros(len(curve))
    if len(ang) > 2 * window:
        m = len(ang)
        turn[window:m - window + 1] = np.abs(ang[2 * window - 1:] - ang[:m - 2 * window + 1])
    return turn
