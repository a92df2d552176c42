"""At-risk homes in growable numpy columns: the bulk overlay writes its results into
arrays, and a child's record is made only when someone reads it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class HomeTable:
    """One slot per home: UTM position, exposure weight, nearest hazard per class.

    A removed home leaves a dead slot (``alive`` false), so other slots never move.
    """

    def __init__(self, classes: Sequence[str]):
        self.classes = tuple(classes)
        self._clear()

    def _clear(self) -> None:
        dtypes = {"id": object, "village": object, "x": float, "y": float,
                  "weight": np.int64, "alive": bool}
        for cls in self.classes:
            dtypes |= {f"{cls}_id": object, f"{cls}_m": float}
        self.col = {name: np.empty(0, dtype) for name, dtype in dtypes.items()}
        self.slot: dict[str, int] = {}
        self.size = 0

    def fill(self, ids: list[str], villages: list[str], x: np.ndarray, y: np.ndarray,
             weights: np.ndarray) -> np.ndarray:
        """Replace every home; returns their slots."""
        self._clear()
        n = self.size = len(ids)
        self._grow(n)
        for name, values in (("id", ids), ("village", villages), ("x", x), ("y", y),
                             ("weight", weights), ("alive", True)):
            self.col[name][:n] = values
        self.slot = dict(zip(ids, range(n), strict=True))
        return np.arange(n)

    def put(self, child_id: str, village: str, x: float, y: float, weight: int) -> int:
        slot = self.slot.get(child_id)
        if slot is None:
            slot = self.slot[child_id] = self.size
            self.size += 1
            self._grow(self.size)
        for name, value in (("id", child_id), ("village", village), ("x", x), ("y", y),
                            ("weight", weight), ("alive", True)):
            self.col[name][slot] = value
        return slot

    def remove(self, child_id: str) -> None:
        slot = self.slot.pop(child_id)
        self.col["alive"][slot] = False
        for name in ("id", *(f"{cls}_id" for cls in self.classes)):
            self.col[name][slot] = None

    def live_near(self, bounds: np.ndarray, margin: float) -> np.ndarray:
        """Slots of the homes within ``margin`` of the box (minx, miny, maxx, maxy)."""
        x, y = self.col["x"][:self.size], self.col["y"][:self.size]
        return np.flatnonzero(self.col["alive"][:self.size]
                              & (x >= bounds[0] - margin) & (x <= bounds[2] + margin)
                              & (y >= bounds[1] - margin) & (y <= bounds[3] + margin))

    def nearest_to(self, cls: str, hazard_id: str) -> np.ndarray:
        """Slots whose nearest hazard of the class is this one."""
        return np.flatnonzero(self.col[f"{cls}_id"][:self.size] == hazard_id)

    def _grow(self, need: int) -> None:
        have = len(self.col["x"])
        if need <= have:
            return
        for name, old in self.col.items():
            size = max(need, 2 * have)
            new = np.empty(size, old.dtype) if old.dtype == object else np.zeros(size, old.dtype)
            new[:have] = old  # object columns start as None
            self.col[name] = new
