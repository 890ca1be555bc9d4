"""Candidate search on SQLite: an R*Tree of open care teams.

Each `team_rtree` entry (see the migrations) is a point (lat, lon, price, youngest age)
whose id packs the team id with its wait and the bit sets that the filters and preferences
test, so that a search reads no other table but for the rarer language filter. A search
that caps neither price nor age reads `team_rtree_by_place` instead: the same entries by
place alone, smaller, so that fewer pages hold them.
"""

from functools import cache
from math import asin, cos, degrees, pi, radians, sin, sqrt

from sqlalchemy.orm import Session

from referrals.db import driver_execute
from referrals.geo.distance import EARTH_RADIUS_MILES
from referrals.matching.filters import HardFilters, Search
from referrals.matching.ranking import PREFERENCE_MILES, WAIT_MILES_PER_DAY, Candidate, Preferences
from referrals.registry.models import CareTeam
from referrals.registry.vocab import Gender, Role

# The id's layout; the view team_search_rows in the migration writes the same.
CONDITION_SHIFT, PAYER_SHIFT, PROGRAM_SHIFT = 5, 11, 22
TELEHEALTH_BIT, GENDER_SHIFT, CRNA_BIT, WAIT_SHIFT, TEAM_SHIFT = 1 << 26, 27, 1 << 29, 30, 39
RADIANS_PER_DEGREE = pi / 180
# Price and age dimensions are scaled down so that the tree's pages stay clustered by place.
DIMENSION_SCALE = 1000.0
GENDERS = (None, Gender.female, Gender.male, Gender.nonbinary)
# the programs column's bit set, as the registry stores it (packed at PROGRAM_SHIFT)
_PROGRAMS = CareTeam.__table__.c.programs.type

# Haversine, with sin²(x/2) written (1 - cos x) / 2: five function calls a row, not ten.
_DISTANCE = f"""{2 * EARTH_RADIUS_MILES} * asin(sqrt(
    (1 - cos((r.min_lat - :lat) * {RADIANS_PER_DEGREE})) / 2
    + :cos_lat * cos(r.min_lat * {RADIANS_PER_DEGREE})
      * (1 - cos((r.min_lon - :lon) * {RADIANS_PER_DEGREE})) / 2))"""
_IN_BOX = """r.max_lat >= :lat_lo AND r.min_lat <= :lat_hi
    AND r.max_lon >= :lon_lo AND r.min_lon <= :lon_hi"""
_CLAUSES = {
    "modalities": "(r.id & :modalities) != 0",
    "conditions": "(r.id & :conditions) = :conditions",
    "payer": "(r.id & :payer) = :payer",
    "max_price": "r.min_price <= :max_price",
    "patient_age": "r.min_age <= :age",
    "language": """EXISTS (SELECT 1 FROM care_teams t JOIN provider_languages l
        ON l.provider_id = t.psychiatrist_id AND l.code = :language
        WHERE t.id = r.id >> 39)""",
}
# The filters only the four-dimensional tree can test in the tree rather than row by row.
_PRICE_AND_AGE = frozenset({"max_price", "patient_age"})
# The best `limit` teams by the score of referrals.matching.ranking, computed from the id;
# the inner query's LIMIT -1 keeps SQLite from computing each distance three times.
_BEST = """SELECT id, distance FROM (
    SELECT r.id, {distance} AS distance FROM {tree} r WHERE {where} LIMIT -1)
WHERE distance <= :radius
ORDER BY distance + :wait_miles * ((id >> 30) & 511) - :preference_miles * (
        (((id >> 27) & 3) = :gender) + (((id >> 29) & 1) = :crna)
        + ((id & :telehealth) != 0) + ((id & :program) != 0)),
    distance, (id >> 30) & 511, id >> 39
LIMIT :limit"""
# The count splits the box around the circle into a box inscribed in it, where no distance
# needs computing and the R*Tree alone tests the place, and the four strips around that box.
_INSIDE = """r.min_lat >= :in_lat_lo AND r.min_lat <= :in_lat_hi
    AND r.min_lon >= :in_lon_lo AND r.min_lon <= :in_lon_hi"""
_AROUND = (
    "r.min_lat >= :lat_lo AND r.min_lat < :in_lat_lo AND r.min_lon >= :lon_lo"
    " AND r.min_lon <= :lon_hi",
    "r.min_lat > :in_lat_hi AND r.min_lat <= :lat_hi AND r.min_lon >= :lon_lo"
    " AND r.min_lon <= :lon_hi",
    "r.min_lat >= :in_lat_lo AND r.min_lat <= :in_lat_hi AND r.min_lon >= :lon_lo"
    " AND r.min_lon < :in_lon_lo",
    "r.min_lat >= :in_lat_lo AND r.min_lat <= :in_lat_hi AND r.min_lon > :in_lon_hi"
    " AND r.min_lon <= :lon_hi",
)


def _count_statement(tree: str, filters: list[str]) -> str:
    inside = " AND ".join([_INSIDE, *filters])
    around = [" AND ".join([strip, *filters, f"{_DISTANCE} <= :radius"]) for strip in _AROUND]
    counts = [f"(SELECT count(*) FROM {tree} r WHERE {w})" for w in (inside, *around)]
    return "SELECT " + "\n    + ".join(counts)


def tree(filtered: tuple[str, ...]) -> str:
    """The R*Tree a search testing the `filtered` filters reads."""
    return "team_rtree" if _PRICE_AND_AGE & set(filtered) else "team_rtree_by_place"


@cache
def statements(filtered: tuple[str, ...]) -> tuple[str, str]:
    """The count and best-teams statements testing just the `filtered` filters."""
    filters, read = [_CLAUSES[name] for name in filtered], tree(filtered)
    where = " AND ".join([_IN_BOX, *filters])
    return _count_statement(read, filters), _BEST.format(tree=read, where=where, distance=_DISTANCE)


def _box(lat: float, lon: float, miles: float, *, prefix: str = "") -> dict[str, float]:
    """A lat/lon box around a circle of `miles` (or, with `prefix` "in_", inside it).

    Around a pole or across the antimeridian, the box around takes every longitude and the
    box inside only the centre's; the count's strips and the distance then settle every team.
    """
    angle = miles / EARTH_RADIUS_MILES
    if prefix:
        angle = angle / sqrt(2) * 0.95
    dlat = degrees(angle)
    if abs(lat) + dlat >= 90:  # around a pole
        dlon = 180.0
    elif prefix:  # a degree of longitude is longest on the box's parallel nearest the equator
        dlon = degrees(angle / cos(radians(max(0.0, abs(lat) - dlat))))
    else:  # and shortest on the one nearest the pole
        ratio = sin(angle) / cos(radians(abs(lat) + dlat))
        dlon = 180.0 if ratio >= 1 else degrees(asin(ratio))
    west, east = lon - dlon, lon + dlon
    if dlon >= 180 or west < -180 or east > 180:
        west, east = (lon, lon) if prefix else (-180.0, 180.0)
    return {
        f"{prefix}lat_lo": lat - dlat,
        f"{prefix}lat_hi": lat + dlat,
        f"{prefix}lon_lo": west,
        f"{prefix}lon_hi": east,
    }


def _scaled(value: int | None) -> float | None:
    return None if value is None else value / DIMENSION_SCALE


def _params(lat: float, lon: float, miles: float, filters: HardFilters) -> dict:
    return {
        "lat": lat,
        "lon": lon,
        "cos_lat": cos(radians(lat)),
        "radius": miles,
        "modalities": filters.modalities,
        "conditions": filters.conditions << CONDITION_SHIFT,
        "payer": filters.payer << PAYER_SHIFT,
        "max_price": _scaled(filters.max_price),
        "age": _scaled(filters.patient_age),
        "language": filters.language,
        **_box(lat, lon, miles),
    }


# The program sets by their four packed bits, laid out as the registry's bit set.
_PROGRAM_SETS = tuple(_PROGRAMS.members(bits) for bits in range(16))


def _candidate(packed: int, distance: float) -> Candidate:
    return Candidate(
        care_team_id=packed >> TEAM_SHIFT,
        distance_miles=distance,
        wait_days=(packed >> WAIT_SHIFT) & 511,
        psychiatrist_gender=GENDERS[(packed >> GENDER_SHIFT) & 0b11],
        anesthesia_role=Role.crna if packed & CRNA_BIT else Role.anesthesiologist,
        telehealth=bool(packed & TELEHEALTH_BIT),
        programs=_PROGRAM_SETS[(packed >> PROGRAM_SHIFT) & 0b1111],
    )


def _preferences(preferences: Preferences) -> dict[str, int | float]:
    gender, anesthesia = preferences.psychiatrist_gender, preferences.anesthesia_type
    program = preferences.program
    return {
        "wait_miles": WAIT_MILES_PER_DAY,
        "preference_miles": PREFERENCE_MILES,
        "gender": GENDERS.index(gender) if gender else -1,
        "crna": -1 if anesthesia is None else int(anesthesia == Role.crna),
        "telehealth": TELEHEALTH_BIT if preferences.telehealth else 0,
        "program": _PROGRAMS.mask([program]) << PROGRAM_SHIFT if program else 0,
    }


def count(session: Session, lat: float, lon: float, miles: float, filters: HardFilters) -> int:
    """How many open teams within `miles` pass the filters."""
    params = _params(lat, lon, miles, filters) | _box(lat, lon, miles, prefix="in_")
    statement, _ = statements(filters.given())
    return driver_execute(session, statement, params).fetchone()[0]


def best(session: Session, search: Search, miles: float) -> list[Candidate]:
    """The best `search.limit` open teams within `miles` that pass the filters."""
    params = _params(search.lat, search.lon, miles, search.filters)
    params |= _preferences(search.preferences) | {"limit": search.limit}
    _, statement = statements(search.filters.given())
    rows = driver_execute(session, statement, params)
    return [_candidate(*row) for row in rows]
