"""The band cover of a circle: every point in reach is read, no point beyond is sure.

Points are drawn by bearing and distance from the centre, most of them near the rim, and
everywhere on the globe (poles and the antimeridian included).
"""

from math import floor

from hypothesis import given, settings

from referrals.geo.bands import BANDS_PER_DEGREE, cover
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


def test_a_dense_circle_counts_mostly_without_distances():
    covered = cover(40.75, -73.99, 50)
    outer = sum(hi - lo for lo, hi in zip(covered.lo, covered.hi, strict=True))
    inner = sum(
        max(0.0, hi - lo) for lo, hi in zip(covered.inner_lo, covered.inner_hi, strict=True)
    )
    assert len(covered.band) == 30
    assert inner / outer > 0.85
