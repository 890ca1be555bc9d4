"""SQLite's boxes around and inside a search circle: every team in reach is in the box
around it, and every team in the box inside it is in reach (the count reads no distance
there). Points are drawn everywhere on the globe, most of them near the rim."""

from hypothesis import given, settings

from referrals.geo.distance import haversine_miles
from referrals.matching.sqlite_search import _box
from tests.geo.sphere import circles_and_points


def _within(box: dict[str, float], point: tuple[float, float], prefix: str = "") -> bool:
    lat, lon = point
    return (
        box[f"{prefix}lat_lo"] <= lat <= box[f"{prefix}lat_hi"]
        and box[f"{prefix}lon_lo"] <= lon <= box[f"{prefix}lon_hi"]
    )


@settings(max_examples=3000, deadline=None)
@given(drawn=circles_and_points())
def test_the_box_around_holds_the_circle_and_the_box_inside_lies_in_it(drawn):
    lat, lon, miles, point = drawn
    distance = haversine_miles(lat, lon, *point)
    if distance <= miles * (1 - 1e-9):
        assert _within(_box(lat, lon, miles), point)
    if _within(_box(lat, lon, miles, prefix="in_"), point, "in_"):
        assert distance <= miles
