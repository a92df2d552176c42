"""Routing one shift: cheapest insertion in due order within a time budget, then 2-opt."""

from __future__ import annotations

import numpy as np


class Router:
    """Cheapest insertion in the given order within a time budget, then 2-opt.

    ``minutes[a, b]`` is the travel time from node a to b; node 0 is the team's start,
    which a tour leaves and comes back to.
    """

    def __init__(self, minutes: np.ndarray, dwell_min: float):
        self.dist, self.dwell = minutes, dwell_min

    def length(self, tour: list[int]) -> float:
        path = [0, *tour, 0]
        return float(sum(self.dist[a, b] for a, b in zip(path, path[1:], strict=False)))

    def minutes(self, tour: list[int]) -> float:
        return self.length(tour) + self.dwell * len(tour)

    def route(self, order: list[int], budget_min: float) -> list[int]:
        tour: list[int] = []
        for _ in range(2):  # a second pass fills the room 2-opt made
            length, taken = self.length(tour), set(tour)
            for i in order:
                if i in taken:
                    continue
                path = np.array([0, *tour, 0])
                costs = (self.dist[path[:-1], i] + self.dist[i, path[1:]]
                         - self.dist[path[:-1], path[1:]])
                k = int(np.argmin(costs))
                if length + costs[k] + self.dwell * (len(tour) + 1) <= budget_min:
                    tour.insert(k, i)
                    taken.add(i)
                    length += float(costs[k])
            tour = self._two_opt(tour)
        return tour

    def _two_opt(self, tour: list[int]) -> list[int]:
        """Reverse stretches while that shortens the tour; whole tours are compared, as
        one-way roads make a stretch's length depend on its direction."""
        best, improved = self.length(tour), True
        while improved:
            improved = False
            for a in range(len(tour) - 1):
                for b in range(a + 2, len(tour) + 1):
                    cand = tour[:a] + tour[a:b][::-1] + tour[b:]
                    length = self.length(cand)
                    if length < best - 1e-9:
                        tour, best, improved = cand, length, True
        return tour
