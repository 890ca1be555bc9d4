"""The band cover of a circle: every point in reach is read, no point beyond is sure.

Points are drawn by bearing and distance from the centre, most of them near the rim, and
everywhere on the globe (poles and the antimeridian included).
"""

from math import asin, atan2, cos, degrees, floor, radians, sin

from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.geo.bands import BANDS_PER_DEGREE, cover
from referrals.geo.distance import EARTH_RADIUS_MILES, haversine_miles


def destination(lat: float, lon: float, bearing: float, miles: float) -> tuple[float, float]:
    angle, lat1, heading = miles / EARTH_RADIUS_MILES, radians(lat), radians(bearing)
    lat2 = asin(sin(lat1) * cos(angle) + cos(lat1) * sin(angle) * cos(heading))
    dlon = atan2(sin(heading) * sin(angle) * cos(lat1), cos(angle) - sin(lat1) * sin(lat2))
    lon2 = (degrees(radians(lon) + dlon) + 540) % 360 - 180
    return degrees(lat2), lon2


def _intervals(lat: float, lon: float, miles: float, point: tuple[float, float]):
    """The outer and inner intervals of the point's band that hold the point's longitude."""
    covered = cover(lat, lon, miles)
    band = floor(point[0] * BANDS_PER_DEGREE)
    rows = zip(*covered.params().values(), strict=True)
    outer = [row for row in rows if row[0] == band and row[1] <= point[1] <= row[2]]
    inner = [row for row in outer if row[3] <= point[1] <= row[4]]
    return outer, inner


centres = st.tuples(
    st.floats(-90, 90), st.floats(-180, 180), st.floats(0.001, 500)
) | st.tuples(  # near a pole or the antimeridian
    st.sampled_from([89.7, -89.7, 64.0, 52.0]),
    st.sampled_from([179.9, -179.9, 0.0]),
    st.sampled_from([0.002, 1.0, 5.0, 50.0, 500.0]),
)
# a fraction of the radius: most near the rim, where rounding could decide
reach = st.floats(0.999, 1.001) | st.floats(0, 1.5)


@settings(max_examples=3000, deadline=None)
@given(centre=centres, bearing=st.floats(0, 360), fraction=reach)
def test_a_point_in_reach_is_read_and_a_sure_point_is_in_reach(centre, bearing, fraction):
    lat, lon, miles = centre
    point = destination(lat, lon, bearing, miles * fraction)
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
