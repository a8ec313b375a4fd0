"""The grid's k nearest equal a brute-force search, whatever the cell size and the spread:
clusters (a city of shops in one cell), duplicates, the poles and the antimeridian."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.model.nearby import EARTH_KM, _cell_size, neighbours


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine, computed independently of the module's unit vectors."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _check(points: list[tuple[float, float]], k: int, cell_deg: float | None) -> None:
    found = neighbours(points, k, cell_deg=cell_deg)
    assert len(found.others) == len(found.km) == len(points) * found.k
    for i in range(len(points)):
        got = found.of(i)
        brute = sorted(_km(points[i], p) for j, p in enumerate(points) if j != i)
        assert len(got) == min(k, len(points) - 1)
        assert i not in [j for j, _ in got]
        assert len({j for j, _ in got}) == len(got)
        for (j, km), expected in zip(got, brute, strict=False):
            assert math.isclose(km, expected, abs_tol=1e-6)  # the k smallest distances
            assert math.isclose(km, _km(points[i], points[j]), abs_tol=1e-6)  # of these points
        order = [(km, j) for j, km in got]
        assert order == sorted(order)  # nearest first; equal distances by index


cities = st.sampled_from([(45.52, -122.68), (40.71, -74.0), (-33.87, 151.21), (64.1, -21.9),
                          (89.9, 10.0), (-89.95, 0.0), (0.0, 179.99), (0.0, -179.99)])
near_city = st.builds(lambda c, dlat, dlng: (max(-90.0, min(90.0, c[0] + dlat)),
                                             ((c[1] + dlng + 180) % 360) - 180),
                      cities, st.floats(-0.3, 0.3), st.floats(-0.3, 0.3))
anywhere = st.tuples(st.floats(-90, 90), st.floats(-180, 180, exclude_max=True))


@settings(max_examples=300, deadline=None)
@example([(0.0, 172.0), (0.0, 69.0), (89.99999999999999, 0.0)], 2, 0.02, 0)  # km ties
@given(st.lists(st.one_of(near_city, anywhere), min_size=1, max_size=60),
       st.integers(1, 6), st.sampled_from([0.02, 0.1, 0.5, 5.0, None]), st.integers(0, 3))
def test_nearest_equals_brute_force(points: list[tuple[float, float]], k: int,
                                    cell_deg: float | None, copies: int) -> None:
    points = points + points[:copies]  # exact duplicates tie
    _check(points, k, cell_deg)


def test_a_dense_city_and_a_lone_outpost() -> None:
    points = [(45.5 + (i % 40) * 0.001, -122.6 + (i // 40) * 0.001) for i in range(1200)]
    points.append((-54.8, -68.3))  # Ushuaia: its nearest are a continent away
    _check(points, 5, 0.1)


def test_small_towns_take_bigger_cells_and_the_same_neighbours() -> None:
    """A chain over many small towns (a few shops each, towns 20-60 km apart): the default
    cell size grows past 0.1 degree, and the neighbours are the brute-force ones."""
    points = [(36.0 + (town % 23) * 0.37 + shop * 0.004, -95.0 + (town // 23) * 0.41
               - shop * 0.003) for town in range(300) for shop in range(1 + town % 3)]
    assert _cell_size(np.asarray(points), 5) > 0.1
    _check(points, 5, None)
