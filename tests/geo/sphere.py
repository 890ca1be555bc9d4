"""Points on the sphere for property tests of search circles: centres anywhere on the globe
(poles and the antimeridian included) and points by bearing and distance from them, most
of them near the rim, where rounding could decide."""

from math import asin, atan2, cos, degrees, radians, sin

from hypothesis import strategies as st

from referrals.geo.distance import EARTH_RADIUS_MILES


def destination(lat: float, lon: float, bearing: float, miles: float) -> tuple[float, float]:
    angle, lat1, heading = miles / EARTH_RADIUS_MILES, radians(lat), radians(bearing)
    lat2 = asin(sin(lat1) * cos(angle) + cos(lat1) * sin(angle) * cos(heading))
    dlon = atan2(sin(heading) * sin(angle) * cos(lat1), cos(angle) - sin(lat1) * sin(lat2))
    lon2 = (degrees(radians(lon) + dlon) + 540) % 360 - 180
    return degrees(lat2), lon2


centres = st.tuples(
    st.floats(-90, 90), st.floats(-180, 180), st.floats(0.001, 500)
) | st.tuples(  # near a pole or the antimeridian
    st.sampled_from([89.7, -89.7, 64.0, 52.0]),
    st.sampled_from([179.9, -179.9, 0.0]),
    st.sampled_from([0.002, 1.0, 5.0, 50.0, 500.0]),
)
# a fraction of the radius: most near the rim, where rounding could decide
reach = st.floats(0.999, 1.001) | st.floats(0, 1.5)


@st.composite
def circles_and_points(draw) -> tuple[float, float, float, tuple[float, float]]:
    """A circle's centre and radius (lat, lon, miles), and a point drawn by bearing and a
    fraction of the radius from that centre."""
    lat, lon, miles = draw(centres)
    point = destination(lat, lon, draw(st.floats(0, 360)), miles * draw(reach))
    return lat, lon, miles, point
