"""Candidate search on PostgreSQL: `team_places`, read band by band.

`team_places` (see the migrations) holds one row per open team: its site's place, its
hard-filter columns and what the ranking reads, all in one B-tree index ordered by latitude
band and longitude, so that the teams near a point lie together in a few index ranges
(referrals.geo.bands) and both statements read the index alone. A nearest-first walk of a
GiST index would visit a table page per team instead: the table is not ordered by place.

Distances are great-circle distances on PostGIS' mean-radius sphere: the same measure as
SQLite's haversine, within 0.5 % of the WGS 84 geodesic, and much cheaper per row.

A count filtering on nothing but modalities reads `team_cells` (see the migrations) for the
cells wholly inside each band's inner interval, one row a cell, and the teams only west and
east of them: around Manhattan at a million teams, 450 cells and a few dozen teams instead
of 88 000 teams.
"""

from functools import cache

from sqlalchemy.orm import Session

from referrals.db import driver_execute
from referrals.geo.bands import CELLS_PER_DEGREE, cover
from referrals.geo.distance import METERS_PER_MILE
from referrals.matching.filters import HardFilters, Search
from referrals.matching.ranking import PREFERENCE_MILES, WAIT_MILES_PER_DAY, Candidate, Preferences
from referrals.registry.models import CareTeam
from referrals.registry.vocab import Gender, Role

# the programs column's bit set, as the registry stores it
_PROGRAMS = CareTeam.__table__.c.programs.type
_ORIGIN = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
# The bands' arrays go in binary (`%b`): written as text, they took a sixth of the count.
_BANDS = """unnest(%(band)b::integer[], %(lo)b::float8[], %(hi)b::float8[],
    %(inner_lo)b::float8[], %(inner_hi)b::float8[]) AS b(band, lo, hi, inner_lo, inner_hi)"""
# `team_cells.subsets` has a slot per set of modalities (the migration's MODALITY_SETS)
MODALITY_SETS = 32
_CELL_BANDS = """unnest(%(band)b::integer[], %(lo)b::float8[], %(hi)b::float8[],
    %(inner_lo)b::float8[], %(inner_hi)b::float8[], %(first_cell)b::integer[],
    %(last_cell)b::integer[], %(west)b::float8[], %(east)b::float8[])
    AS b(band, lo, hi, inner_lo, inner_hi, first_cell, last_cell, west, east)"""
_CELL = f"floor(t.lon * {CELLS_PER_DEGREE})::integer"
# A team of band b in reach: within the band's interval, and surely in reach inside its
# inner interval; a distance is computed only between the two, near the rim.
_IN_REACH = f"""t.band = b.band AND t.lon BETWEEN b.lo AND b.hi
    AND (t.lon BETWEEN b.inner_lo AND b.inner_hi
        OR ST_DWithin(t.geog, {_ORIGIN}, %(meters)s, false))"""
_CLAUSES = {
    "modalities": "(t.modalities & %(modalities)s) <> 0",
    "conditions": "(t.conditions & %(conditions)s) = %(conditions)s",
    "payer": "(t.insurance_accepted & %(payer)s) = %(payer)s",
    "max_price": "t.self_pay_price_usd <= %(max_price)s",
    "patient_age": "t.min_patient_age <= %(age)s",
    "language": """EXISTS (SELECT 1 FROM provider_languages l
        WHERE l.provider_id = t.psychiatrist_id AND l.code = %(language)s)""",
}
_COUNT = """SELECT coalesce(sum((SELECT count(*) FROM team_places t WHERE {where})), 0)::bigint
FROM {bands}"""
# The cells' teams: all of them, or those offering any of the modalities asked for, which is
# all but those whose modalities lie in the set `%(without)s` (1-based) of the others.
_CELL_TEAMS = {
    False: f"c.subsets[{MODALITY_SETS}]",
    True: f"c.subsets[{MODALITY_SETS}] - c.subsets[%(without)s]",
}
_CELL_COUNT = """SELECT coalesce(sum(
    (SELECT coalesce(sum({cell_teams}), 0) FROM team_cells c
        WHERE c.band = b.band AND c.cell BETWEEN b.first_cell AND b.last_cell)
    + (SELECT count(*) FROM team_places t
        WHERE t.lon <= b.west AND {cell} < b.first_cell AND {where})
    + (SELECT count(*) FROM team_places t
        WHERE t.lon >= b.east AND {cell} > b.last_cell AND {where})), 0)::bigint
FROM {bands}"""
# The best `limit` teams by the score of referrals.matching.ranking: the best of each band,
# then the best of those.
_SCORE = """distance + %(wait_miles)s * wait_days - %(preference_miles)s * (
        coalesce((psychiatrist_gender = %(gender)s::text)::int, 0)
        + coalesce((anesthesia_role = %(anesthesia)s::text)::int, 0)
        + (%(telehealth)s AND telehealth_consults)::int
        + ((programs & %(program)s) <> 0)::int)"""
_ORDER = "ORDER BY score, distance, wait_days, care_team_id LIMIT %(limit)s"
_BEST = """SELECT care_team_id, distance, wait_days, psychiatrist_gender, anesthesia_role,
    telehealth_consults, programs
FROM {bands}, LATERAL (
    SELECT *, {score} AS score FROM (
        SELECT t.care_team_id, ST_Distance(t.geog, {origin}, false) / {meters_per_mile}
                AS distance,
            t.wait_days, t.psychiatrist_gender, t.anesthesia_role, t.telehealth_consults,
            t.programs
        FROM team_places t WHERE {where}) near
    {order}) best
{order}"""


@cache
def statements(filtered: tuple[str, ...]) -> tuple[str, str]:
    """The count and best-teams statements testing just the `filtered` filters."""
    where = " AND ".join([_IN_REACH, *(_CLAUSES[name] for name in filtered)])
    by_cells = set(filtered) <= {"modalities"}
    return (
        _CELL_COUNT.format(
            cell_teams=_CELL_TEAMS[bool(filtered)], cell=_CELL, where=where, bands=_CELL_BANDS
        )
        if by_cells
        else _COUNT.format(where=where, bands=_BANDS),
        _BEST.format(
            bands=_BANDS,
            score=_SCORE,
            origin=_ORIGIN,
            meters_per_mile=METERS_PER_MILE,
            where=where,
            order=_ORDER,
        ),
    )


def _params(lat: float, lon: float, miles: float, filters: HardFilters) -> dict:
    return cover(lat, lon, miles).params() | {
        "lat": lat,
        "lon": lon,
        "meters": miles * METERS_PER_MILE,
        "modalities": filters.modalities,
        "without": ((MODALITY_SETS - 1) & ~filters.modalities) + 1,
        "conditions": filters.conditions,
        "payer": filters.payer,
        "max_price": filters.max_price,
        "age": filters.patient_age,
        "language": filters.language,
    }


def count(session: Session, lat: float, lon: float, miles: float, filters: HardFilters) -> int:
    """How many open teams within `miles` pass the filters."""
    statement, _ = statements(filters.given())
    params = _params(lat, lon, miles, filters)
    return driver_execute(session, statement, params).fetchone()[0]


def _preferences(preferences: Preferences) -> dict:
    program = preferences.program
    return {
        "wait_miles": WAIT_MILES_PER_DAY,
        "preference_miles": PREFERENCE_MILES,
        "gender": preferences.psychiatrist_gender and str(preferences.psychiatrist_gender),
        "anesthesia": preferences.anesthesia_type and str(preferences.anesthesia_type),
        "telehealth": preferences.telehealth,
        "program": _PROGRAMS.mask([program]) if program else 0,
    }


def best(session: Session, search: Search, miles: float) -> list[Candidate]:
    """The best `search.limit` open teams within `miles` that pass the filters."""
    params = _params(search.lat, search.lon, miles, search.filters)
    params |= _preferences(search.preferences) | {"limit": search.limit}
    _, statement = statements(search.filters.given())
    rows = driver_execute(session, statement, params)
    return [
        Candidate(
            care_team_id=team_id,
            distance_miles=distance,
            wait_days=wait_days,
            psychiatrist_gender=Gender(gender) if gender else None,
            anesthesia_role=Role(role),
            telehealth=telehealth,
            programs=_PROGRAMS.members(programs),
        )
        for team_id, distance, wait_days, gender, role, telehealth, programs in rows
    ]
