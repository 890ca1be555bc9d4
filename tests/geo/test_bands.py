"""The band cover of a circle: every point in reach is read, no point beyond is sure.

Points are drawn by bearing and distance from the centre, most of them near the rim, and
everywhere on the globe (poles and the antimeridian included).
"""

from math import floor, inf, nextafter

import pytest
from hypothesis import given, settings

from referrals.geo.bands import BANDS_PER_DEGREE, CELLS_PER_DEGREE, cover
from referrals.geo.distance import haversine_miles
from tests.geo.sphere import circles_and_points


def _intervals(lat: float, lon: float, miles: float, point: tuple[float, float]):
    """The outer and inner intervals of the point's band that hold the point's longitude."""
    covered = cover(lat, lon, miles)
    band = floor(point[0] * BANDS_PER_DEGREE)
    rows = zip(*covered.params().values(), strict=True)
    outer = [row for row in rows if row[0] == band and row[1] <= point[1] <= row[2]]
    inner = [row for row in outer if row[3] <= point[1] <= row[4]]
    return outer, inner


@settings(max_examples=3000, deadline=None)
@given(drawn=circles_and_points())
def test_a_point_in_reach_is_read_and_a_sure_point_is_in_reach(drawn):
    lat, lon, miles, point = drawn
    distance = haversine_miles(lat, lon, *point)
    outer, inner = _intervals(lat, lon, miles, point)
    if distance <= miles:
        assert len(outer) == 1, (distance, miles)
    if inner:
        assert distance <= miles, (distance, miles)


@settings(max_examples=3000, deadline=None)
@given(drawn=circles_and_points())
def test_a_point_is_counted_once_by_its_cell_or_read_beside_the_cells(drawn):
    lat, lon, miles, point = drawn
    cell = floor(point[1] * CELLS_PER_DEGREE)
    for row in _intervals(lat, lon, miles, point)[0]:
        first, last, west, east = row[5:]
        if first <= cell <= last:
            assert haversine_miles(lat, lon, *point) <= miles
        else:
            assert point[1] <= west if cell < first else point[1] >= east


@pytest.mark.parametrize(
    "lat, lon, miles", [(40.75, -73.99, 50), (61.2, -149.9, 5), (21.3, -157.8, 500)]
)
def test_a_longitude_at_a_cell_edge_is_read_on_the_side_of_its_cell(lat, lon, miles):
    covered = cover(lat, lon, miles)
    for first, last, west, east in zip(
        covered.first_cell, covered.last_cell, covered.west, covered.east, strict=True
    ):
        for edge in (first / CELLS_PER_DEGREE, (last + 1) / CELLS_PER_DEGREE):
            for at in (nextafter(edge, -inf), edge, nextafter(edge, inf)):
                cell = floor(at * CELLS_PER_DEGREE)
                assert at <= west if cell < first else cell <= last or at >= east


def test_a_dense_circle_counts_mostly_without_distances():
    covered = cover(40.75, -73.99, 50)
    outer = sum(hi - lo for lo, hi in zip(covered.lo, covered.hi, strict=True))
    inner = sum(
        max(0.0, hi - lo) for lo, hi in zip(covered.inner_lo, covered.inner_hi, strict=True)
    )
    cells = sum(
        last - first + 1 for first, last in zip(covered.first_cell, covered.last_cell, strict=True)
    )
    assert len(covered.band) == 30
    assert inner / outer > 0.85
    assert cells / (outer * CELLS_PER_DEGREE) > 0.75
