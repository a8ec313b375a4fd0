"""The k nearest other locations, from a grid index (never all pairs).

Points are binned into cells of `cell_deg` degrees. By default the cells start at 0.1 degree
(about 11 km, so a city's shops spread over several cells and a query does not compare
itself with a whole metro area) and double while the typical occupied cell holds no more
than k points (a chain spread over many small towns), up to MAX_CELL_DEG: fewer cells, each
query block finding its k nearest in fewer rounds. For each occupied cell, the points in the
surrounding square of cells are candidates; the square grows until it holds enough points
and its edge is provably farther than every query's k-th nearest candidate. Candidates are
compared as chords between unit vectors (monotonic in great-circle distance) with numpy.

The answer (`Neighbours`) is two flat arrays of the standard library's `array` type: a build
computes it in another process (builder/stages.py) and reads it without importing numpy.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

EARTH_KM = 6371.0088
KM_PER_MILE = 1.609344
KM_PER_DEGREE = math.pi * EARTH_KM / 180
QUERY_BLOCK = 256
MIN_CELL_DEG = 0.1
MAX_CELL_DEG = 0.8


def _unit_vectors(points: np.ndarray) -> np.ndarray:
    import numpy as np
    lat, lng = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))


@dataclass(frozen=True)
class Neighbours:
    """Each point's nearest others, nearest first: point i's indices are
    `others[i * k:(i + 1) * k]` and their distances in km the same slice of `km` (every
    point has k: there are always k others, `k` being at most the points less one)."""

    k: int
    others: array  # of int64 ("q")
    km: array  # of float64 ("d")

    def of(self, i: int) -> list[tuple[int, float]]:
        start = i * self.k
        return list(zip(self.others[start:start + self.k], self.km[start:start + self.k],
                        strict=True))


def neighbours(points: Sequence[tuple[float, float]], k: int, cell_deg: float | None = None
               ) -> Neighbours:
    """For each point, the k nearest other points (all the others when there are fewer),
    nearest first; equal distances ordered by index, so the result is deterministic."""
    import numpy as np  # only builds that compute neighbours pay for importing numpy

    n = len(points)
    if k <= 0 or n < 2:
        return Neighbours(0, array("q"), array("d"))
    k = min(k, n - 1)
    coords = np.asarray(points, dtype=np.float64)
    if cell_deg is None:
        cell_deg = _cell_size(coords, k)
    xyz = _unit_vectors(coords)
    ncols = int(round(360 / cell_deg))
    rows = np.floor(coords[:, 0] / cell_deg).astype(np.int64)
    cols = _wrap(np.floor(coords[:, 1] / cell_deg).astype(np.int64), ncols)
    order = np.lexsort((np.arange(n), cols, rows))
    keys = np.column_stack((rows[order], cols[order]))
    splits = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
    cells = {(int(rows[chunk[0]]), int(cols[chunk[0]])): chunk
             for chunk in np.split(order, splits)}
    max_ring = int(math.ceil(180 / cell_deg))
    index = _CellIndex(cells, ncols)
    best = np.full((n, k), -1, dtype=np.int64)
    best_km = np.zeros((n, k), dtype=np.float64)
    for (row, col), members in cells.items():
        for start in range(0, len(members), QUERY_BLOCK):
            queries = members[start:start + QUERY_BLOCK]
            ring = 1
            while True:
                candidates = _square(index, row, col, ring)
                if len(candidates) > k or ring >= max_ring:
                    chord2 = np.maximum(2.0 - 2.0 * (xyz[queries] @ xyz[candidates].T), 0.0)
                    chord2[queries[:, None] == candidates[None, :]] = np.inf
                    kth = np.partition(chord2, k - 1, axis=1)[:, k - 1]
                    bound = _ring_bound(row, ring, cell_deg)
                    if ring >= max_ring or np.all(kth <= bound * bound):
                        break
                ring = min(ring * 2, max_ring)
            _take_best((best, best_km), xyz, _Block(queries, candidates, chord2, kth))
    if (best < 0).any():
        raise AssertionError("a point was given fewer than k neighbours")
    return Neighbours(k, array("q", best.tobytes()), array("d", best_km.tobytes()))


class _Block(NamedTuple):
    """A block of queries of one cell, its candidates, the squared chords between them and
    each query's k-th smallest."""

    queries: np.ndarray
    candidates: np.ndarray
    chord2: np.ndarray
    kth: np.ndarray


def _take_best(out: tuple[np.ndarray, np.ndarray], xyz: np.ndarray, block: _Block) -> None:
    """Each query's k nearest from the candidates no farther than its k-th (ties included):
    sorting only those, not every candidate, keeps a city of 10,000 locations from costing
    a 10,000-element sort per query. The matrix product that found them loses digits to
    cancellation (and its rounding depends on the block's shape), so the chosen few are
    measured again from coordinate differences and ordered by (distance, index), and the
    first k of each query go to its row of `out` (indices, km)."""
    import numpy as np
    queries, candidates, chord2, kth = block
    best, best_km = out
    k = best.shape[1]
    rows, cols = np.nonzero(chord2 <= kth[:, None])
    finite = np.isfinite(chord2[rows, cols])
    rows, cols = rows[finite], cols[finite]
    others = candidates[cols]
    chords = np.linalg.norm(xyz[queries[rows]] - xyz[others], axis=1)
    # Ordered by the distance as reported (two chords a bit apart can give the same km).
    km = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, chords / 2))
    order = np.lexsort((others, km, rows))
    rows, others, km = rows[order], others[order], km[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)  # place within its query
    kept = rank < k
    where = (queries[rows[kept]], rank[kept])
    best[where], best_km[where] = others[kept], km[kept]


def _cell_size(coords: np.ndarray, k: int) -> float:
    """The cell size for these points: MIN_CELL_DEG, doubled while the median occupied cell
    holds k points or fewer, up to MAX_CELL_DEG."""
    import numpy as np
    size = MIN_CELL_DEG
    while size < MAX_CELL_DEG:
        cells = np.floor(coords / size).astype(np.int64)
        _, counts = np.unique(cells, axis=0, return_counts=True)
        if np.median(counts) > k:
            break
        size *= 2
    return size


def _wrap(cols: np.ndarray, ncols: int) -> np.ndarray:
    """Column numbers modulo the globe, so cells meet across the antimeridian."""
    return (cols + ncols // 2) % ncols - ncols // 2


def _square(index: _CellIndex, row: int, col: int, ring: int) -> np.ndarray:
    import numpy as np
    near_rows = np.abs(index.rows - row) <= ring
    gap = np.abs(index.cols - col)
    near_cols = np.minimum(gap, index.ncols - gap) <= ring
    chosen = np.flatnonzero(near_rows & near_cols)
    return np.sort(np.concatenate([index.members[i] for i in chosen]))


class _CellIndex:
    """Occupied cells as parallel arrays, so a square of any size is one vectorised filter."""

    def __init__(self, cells: dict[tuple[int, int], np.ndarray], ncols: int):
        import numpy as np
        self.ncols = ncols
        self.rows = np.array([key[0] for key in cells], dtype=np.int64)
        self.cols = np.array([key[1] for key in cells], dtype=np.int64)
        self.members = list(cells.values())


def _ring_bound(row: int, ring: int, cell_deg: float) -> float:
    """Chord length below which no point outside the scanned square can lie."""
    edge_lat = max(abs(row * cell_deg), abs((row + 1) * cell_deg)) + ring * cell_deg
    shrink = max(math.cos(math.radians(min(90.0, edge_lat))), 0.0)
    km = ring * cell_deg * KM_PER_DEGREE * shrink * 0.999
    return 2 * math.sin(km / (2 * EARTH_KM))


def to_unit(km: float, unit: str) -> float:
    return km / KM_PER_MILE if unit == "mi" else km
