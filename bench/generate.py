"""Benchmark: demo generation at county scale, and the vectorised people/ID step against
a naive per-row Python loop (the baseline) on the same number of children.

Run: .venv/bin/python bench/generate.py [--skip-county]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from infra.demogen import generate
from infra.demogen.names import GIVEN_BOY, GIVEN_GIRL, SURNAMES, id_numbers, names

AS_OF = date(2026, 5, 20)
N = 240_000  # children at county scale
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def naive(n: int) -> list[tuple[str, str]]:
    """Baseline: one child at a time with the random module (name, ID number)."""
    rng = random.Random(1)
    out, seen = [], {}
    for _ in range(n):
        male = rng.random() < 0.52
        pool = GIVEN_BOY if male else GIVEN_GIRL
        name = rng.choice(SURNAMES) + rng.choice(pool) + rng.choice(pool)
        born = AS_OF - timedelta(days=rng.randrange(18 * 365))
        key = (born, male)
        seen[key] = seen.get(key, -1) + 1
        body = f"500110{born:%Y%m%d}{2 * seen[key] + (1 if male else 2):03d}"
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
        out.append((name, body + check))
    return out


def vectorised(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    male = rng.random(n) < 0.52
    born = np.datetime64(AS_OF, "D") - rng.integers(0, 18 * 365, n)
    return names(rng, male), id_numbers("500110", born, male)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    base = timed(naive, N)
    fast = timed(vectorised, N)
    print(f"names + ID numbers for {N:,} children: naive loop {base:.2f} s, "
          f"vectorised {fast:.2f} s ({base / fast:.1f}x)")
    if "--skip-county" in sys.argv:
        return
    with tempfile.TemporaryDirectory() as tmp:
        for scale in ("township", "county"):
            start = time.perf_counter()
            manifest = generate(scale, 1, Path(tmp) / scale, AS_OF)
            took = time.perf_counter() - start
            print(f"{scale}: {manifest['counts']} in {took:.1f} s")


if __name__ == "__main__":
    main()
