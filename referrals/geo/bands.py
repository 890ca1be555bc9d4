"""Latitude bands covering a circle on the sphere: how PostgreSQL counts the teams in reach.

Each `team_places` row carries `band = floor(lat * BANDS_PER_DEGREE)` and is B-tree indexed
by (band, lon) (see the migrations). A circle crosses a few bands; in each, one longitude
interval holds every point of the band inside the circle, and an inner interval holds only
points surely inside it. Counting the teams in reach is then one index range per band, with
a distance computed only for the rows between the inner and the outer interval, near the rim.

Each band is also cut into cells of 1/CELLS_PER_DEGREE degree of longitude, whose teams
`team_cells` counts by modality (see the migrations). Per band, the cells wholly inside the
inner interval are counted from those rows, and only the teams west and east of them read.
"""

from dataclasses import dataclass, field, fields
from math import acos, asin, ceil, cos, degrees, floor, pi, radians, sin

from referrals.geo.distance import EARTH_RADIUS_MILES

# The migrations write the same in `team_places.band` and `team_cells.cell`.
BANDS_PER_DEGREE = 20
CELLS_PER_DEGREE = 20
# The outer intervals are those of a slightly larger circle and the inner ones those of a
# slightly smaller one, so that rounding (here, in the database, in PostGIS' own distance)
# never leaves a team in reach outside its band's interval, nor a team beyond reach inside
# an inner one: by a millionth of the radius (under a metre at 500 miles), and at least by
# _FLOOR radians (about 6 mm), for the tiny radii where the arc cosine loses precision.
_MARGIN = 1e-6
_FLOOR = 1e-9
_EDGE = radians(1e-6)  # band edges are widened by this much (about 10 cm)
_EMPTY = (1.0, 0.0)  # an inner interval with nothing in it
# A cell's edge as a longitude may round either way from `floor(lon * CELLS_PER_DEGREE)`:
# the reads west and east of the cells reach this far past it, and test the cell exactly.
_CELL_EDGE = 1e-9


@dataclass(slots=True)
class Cover:
    """Per band crossed: the longitudes to read, and those surely inside the circle.

    And the run of cells `first_cell..last_cell` wholly inside the inner interval, with the
    longitudes `west` and `east` up to which, and from which, the teams outside it lie. An
    empty run (`last_cell = first_cell - 1`) still splits the band: teams of cells before
    `first_cell` are read westwards, the others eastwards.
    """

    band: list[int] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    inner_lo: list[float] = field(default_factory=list)
    inner_hi: list[float] = field(default_factory=list)
    first_cell: list[int] = field(default_factory=list)
    last_cell: list[int] = field(default_factory=list)
    west: list[float] = field(default_factory=list)
    east: list[float] = field(default_factory=list)

    def add(self, band: int, outer: tuple[float, float], inner: tuple[float, float]) -> None:
        self.band.append(band)
        self.lo.append(outer[0])
        self.hi.append(outer[1])
        self.inner_lo.append(inner[0])
        self.inner_hi.append(inner[1])
        first, last = _cells_within(outer, inner)
        self.first_cell.append(first)
        self.last_cell.append(last)
        self.west.append(first / CELLS_PER_DEGREE + _CELL_EDGE)
        self.east.append((last + 1) / CELLS_PER_DEGREE - _CELL_EDGE)

    def params(self) -> dict[str, list]:
        """The lists as statement parameters, by name."""
        return {column.name: getattr(self, column.name) for column in fields(self)}


def _cells_within(outer: tuple[float, float], inner: tuple[float, float]) -> tuple[int, int]:
    """The first and last cell wholly inside `inner`; an empty run if there is none."""
    if inner[0] > inner[1]:
        first = floor(outer[0] * CELLS_PER_DEGREE)
        return first, first - 1
    first = ceil(inner[0] * CELLS_PER_DEGREE)
    return first, max(first - 1, floor(inner[1] * CELLS_PER_DEGREE) - 1)


def _half_width(lat0: float, angle: float, lat: float) -> float | None:
    """How far in longitude (radians) the cap of `angle` around latitude `lat0` reaches at
    latitude `lat`: None if it does not reach that latitude, pi if it covers it whole."""
    across = cos(lat0) * cos(lat)
    reach = cos(angle) - sin(lat0) * sin(lat)
    if across <= 0:  # a pole
        return pi if reach <= 0 else None
    ratio = reach / across
    if ratio > 1:
        return None
    return pi if ratio <= -1 else acos(ratio)


def _widest(lat0: float, angle: float, south: float, north: float) -> float | None:
    """The cap's widest half-width between two latitudes: at either end, or where it is
    widest of all if that lies between them."""
    south, north = max(south, lat0 - angle), min(north, lat0 + angle)
    widths = [_half_width(lat0, angle, lat) for lat in (south, north)]
    turning = sin(lat0) / cos(angle)
    if abs(turning) <= 1 and south <= asin(turning) <= north:
        widths.append(_half_width(lat0, angle, asin(turning)))
    return max((w for w in widths if w is not None), default=None)


def _narrowest(lat0: float, angle: float, south: float, north: float) -> float | None:
    """The cap's narrowest half-width between two latitudes, None if it misses any of them.
    A cap meets each meridian in one arc, so the narrowest is at either end."""
    widths = [_half_width(lat0, angle, lat) for lat in (south, north)]
    return None if None in widths else min(widths)


def _pieces(lon: float, half_width: float) -> list[tuple[float, float]]:
    """The longitudes within `half_width` degrees of `lon`, split at the antimeridian."""
    if half_width >= 180:
        return [(-180.0, 180.0)]
    west, east = lon - half_width, lon + half_width
    if west < -180:
        return [(west + 360, 180.0), (-180.0, east)]
    if east > 180:
        return [(west, 180.0), (-180.0, east - 360)]
    return [(west, east)]


def cover(lat: float, lon: float, miles: float) -> Cover:
    """The bands and longitude intervals covering the circle of `miles` around a point."""
    lat0 = radians(lat)
    angle = miles / EARTH_RADIUS_MILES
    outer_angle = angle + max(angle * _MARGIN, _FLOOR)
    inner_angle = max(0.0, angle - max(angle * _MARGIN, _FLOOR))
    south = max(-90.0, lat - degrees(outer_angle))
    north = min(90.0, lat + degrees(outer_angle))
    covered = Cover()
    for band in range(floor(south * BANDS_PER_DEGREE), floor(north * BANDS_PER_DEGREE) + 1):
        band_south = radians(band / BANDS_PER_DEGREE) - _EDGE
        band_north = radians((band + 1) / BANDS_PER_DEGREE) + _EDGE
        widest = _widest(lat0, outer_angle, band_south, band_north)
        if widest is None:
            continue
        pieces = _pieces(lon, degrees(widest))
        narrowest = _narrowest(lat0, inner_angle, band_south, band_north)
        inner = _EMPTY
        if narrowest is not None and len(pieces) == 1:
            inner = _pieces(lon, degrees(narrowest))[0]
        for piece in pieces:
            covered.add(band, piece, inner)
    return covered
