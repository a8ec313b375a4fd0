"""The k nearest other locations, from a grid index (never all pairs).

Locations are binned into cells of roughly `cell_km`; a query scans rings of cells outward and
stops once the ring's nearest possible distance exceeds the k-th best found. 100,000 locations
take seconds, not the hours an all-pairs scan would.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence

EARTH_KM = 6371.0088
KM_PER_MILE = 1.609344


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest(points: Sequence[tuple[float, float]], k: int, cell_deg: float = 0.25
            ) -> list[list[tuple[int, float]]]:
    """For each point, up to k (index, km) of the nearest other points, nearest first.

    Ties are broken by index so the result is deterministic.
    """
    if k <= 0 or len(points) < 2:
        return [[] for _ in points]
    k = min(k, len(points) - 1)
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    cells = [(math.floor(lat / cell_deg), math.floor(lng / cell_deg)) for lat, lng in points]
    for index, cell in enumerate(cells):
        grid[cell].append(index)
    lng_cells = int(round(360 / cell_deg))
    max_ring = max(int(180 / cell_deg), 1)
    out: list[list[tuple[int, float]]] = []
    for index, (lat, lng) in enumerate(points):
        row, col = cells[index]
        best: list[tuple[float, int]] = []
        ring = 0
        while ring <= max_ring:
            for cell in _ring(row, col, ring, lng_cells):
                for other in grid.get(cell, ()):
                    if other == index:
                        continue
                    olat, olng = points[other]
                    item = (-haversine_km(lat, lng, olat, olng), -other)
                    if len(best) < k:
                        heapq.heappush(best, item)
                    elif item > best[0]:
                        heapq.heapreplace(best, item)
            if len(best) >= k and _ring_min_km(lat, ring, cell_deg) > -best[0][0]:
                break
            ring += 1
        ordered = sorted(((-d, -i) for d, i in best), key=lambda t: (t[0], t[1]))
        out.append([(i, d) for d, i in ordered])
    return out


def _ring(row: int, col: int, ring: int, lng_cells: int) -> list[tuple[int, int]]:
    if ring == 0:
        return [(row, col)]
    cells = set()
    for d in range(-ring, ring + 1):
        for r, c in ((row - ring, col + d), (row + ring, col + d),
                     (row + d, col - ring), (row + d, col + ring)):
            cells.add((r, _wrap(c, lng_cells)))
    return sorted(cells)


def _wrap(col: int, lng_cells: int) -> int:
    half = lng_cells // 2
    return (col + half) % lng_cells - half


def _ring_min_km(lat: float, ring: int, cell_deg: float) -> float:
    """A lower bound on the distance to any point in ring+1: the ring's inner edge."""
    lat_km = ring * cell_deg * 111.0
    widest = math.radians(min(90.0, abs(lat) + (ring + 1) * cell_deg))
    lng_km = ring * cell_deg * 111.0 * max(math.cos(widest), 0.0)
    return min(lat_km, lng_km)


def to_unit(km: float, unit: str) -> float:
    return km / KM_PER_MILE if unit == "mi" else km
