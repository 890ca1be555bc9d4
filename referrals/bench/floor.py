"""The floor: each search answered by the fastest plain SQL the engine allows.

Plain statements on a raw DB-API cursor, prepared once per connection: the matching
module's own COUNT (already one plain statement), and a statement that scores the teams
within a radius in SQL, as `referrals.matching.ranking` does, and keeps the first `limit`.
It widens like the service (nearest miles first, out to where no farther team can place),
which is what makes it the fastest: one statement over the whole radius reads every team
of a dense metro. Last, it reads the returned teams' people and site with the matching
module's plain detail statement: an answer names them, so the floor's answer does too.
The hard filters and their parameters are the matching module's, so both sides filter
alike; the ranking is written again here, which makes the comparison a check of the
service's answers too. On PostgreSQL both read the same band cover of the circle
(referrals.geo.bands): a fault there would show on both sides alike, and it is the
oracle tests (tests/matching) that check it.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine

from referrals.geo.distance import METERS_PER_MILE
from referrals.matching import details
from referrals.matching import postgis_search as pg
from referrals.matching import sqlite_search as lite
from referrals.matching.filters import HardFilters, Search
from referrals.matching.schemas import MatchQuery, MatchResponse
from referrals.matching.service import first_search_miles, origin_of, preferences_of

# The score decoded from the R*Tree id (layout in referrals/matching/sqlite_search.py).
_WAIT = f"((id >> {lite.WAIT_SHIFT}) & 511)"
_MET = f"""(((id >> {lite.GENDER_SHIFT}) & 3) = :gender)
    + (((id & {lite.CRNA_BIT}) != 0) = :crna)
    + ((id & :telehealth) != 0) + ((id & :program) != 0)"""


@cache
def sqlite_top(filtered: tuple[str, ...]) -> str:
    """The scoring statement testing just the `filtered` filters.

    The inner LIMIT -1 keeps SQLite from computing each distance more than once.
    """
    where = " AND ".join([lite._IN_BOX, *(lite._CLAUSES[name] for name in filtered)])
    return f"""SELECT id >> {lite.TEAM_SHIFT} AS team,
    distance + :wait_miles * {_WAIT} - :preference_miles * ({_MET}) AS score
FROM (SELECT r.id, {lite._DISTANCE} AS distance FROM {lite.tree(filtered)} r
    WHERE {where} LIMIT -1)
WHERE distance <= :radius
ORDER BY score, distance, {_WAIT}, team
LIMIT :limit"""


@cache
def postgresql_top(filtered: tuple[str, ...], gender: bool, anesthesia: bool) -> str:
    """The scoring statement, testing only the preferences that are given."""
    met = ["(%(telehealth)s AND t.telehealth_consults)::int"]
    if gender:
        met.append("((t.psychiatrist_gender = %(gender)s::text) IS TRUE)::int")
    if anesthesia:
        met.append("(t.anesthesia_role = %(anesthesia)s::text)::int")
    met.append("((t.programs & %(program)s) <> 0)::int")
    where = " AND ".join([pg._IN_REACH, *(pg._CLAUSES[name] for name in filtered)])
    order = "ORDER BY score, distance, wait_days, care_team_id LIMIT %(limit)s"
    return f"""SELECT care_team_id, score FROM {pg._BANDS}, LATERAL (
    SELECT care_team_id, distance, wait_days,
        distance + %(wait_miles)s * wait_days - %(preference_miles)s * met AS score
    FROM (
        SELECT t.care_team_id, t.wait_days,
            ST_Distance(t.geog, {pg._ORIGIN}, false) / {METERS_PER_MILE} AS distance,
            {" + ".join(met)} AS met
        FROM team_places t
        WHERE {where}) within_band
    {order}) band_best
{order}"""


@dataclass(frozen=True, slots=True)
class Answer:
    """What a search must agree on: how many teams passed, and the first ones in order."""

    total: int
    care_team_ids: tuple[int, ...]

    @classmethod
    def of(cls, response: MatchResponse) -> "Answer":
        return cls(response.total, tuple(int(m.care_team_id) for m in response.matches))


class FloorMismatch(AssertionError):
    """The floor and `find_matches` answered a search differently."""


def check(query: MatchQuery, response: MatchResponse, floor: Answer) -> None:
    """Raise `FloorMismatch` unless `find_matches`' response equals the floor's answer."""
    matched = Answer.of(response)
    if matched != floor:
        raise FloorMismatch(
            f"find_matches and the floor disagree on {query.model_dump(exclude_unset=True)}:"
            f" find_matches {matched}, floor {floor}"
        )


class Floor:
    """Answers searches with plain SQL on one raw connection of `engine`."""

    def __init__(self, engine: Engine) -> None:
        self._connection = engine.raw_connection()
        self._cursor = self._connection.cursor()
        self._dialect = engine.dialect
        self._sqlite = engine.dialect.name == "sqlite"

    def answer(self, query: MatchQuery) -> Answer:
        """The total and the first `query.limit` team ids, best first."""
        origin, radius = origin_of(query), query.radius_miles
        search = Search(
            origin.lat, origin.lon, HardFilters.of(query), preferences_of(query), query.limit
        )
        total = self._count(search, radius)
        if not total:
            return Answer(0, ())
        bonus = search.preferences.max_bonus_miles
        miles = first_search_miles(total, radius, search.limit)
        while True:
            top = self._top(search, miles)
            full = len(top) == search.limit
            # a team beyond `miles` scores more than `miles - bonus`
            if miles >= radius or (full and top[-1][1] < miles - bonus):
                return Answer(total, self._read([team for team, _ in top]))
            miles = min(radius, top[-1][1] + bonus + 0.01 if full else miles * 3)

    def _read(self, team_ids: list[int]) -> tuple[int, ...]:
        """The teams' detail rows, read as the service reads them; their ids, in order."""
        self._cursor.execute(
            details.statement(self._dialect), details.parameters(self._dialect, team_ids)
        ).fetchall()
        return tuple(team_ids)

    def _count(self, search: Search, miles: float) -> int:
        if self._sqlite:
            statement, _ = lite.statements(search.filters.given())
            params = lite._params(search.lat, search.lon, miles, search.filters)
            params |= lite._box(search.lat, search.lon, miles, prefix="in_")
            return self._cursor.execute(statement, params).fetchone()[0]
        params = pg._params(search.lat, search.lon, miles, search.filters)
        statement, _ = pg.statements(search.filters.given())
        return self._cursor.execute(statement, params, prepare=True).fetchone()[0]

    def _top(self, search: Search, miles: float) -> list[tuple[int, float]]:
        limit = {"limit": search.limit}
        if self._sqlite:
            params = lite._params(search.lat, search.lon, miles, search.filters)
            params |= lite._preferences(search.preferences) | limit
            return self._cursor.execute(sqlite_top(search.filters.given()), params).fetchall()
        params = pg._params(search.lat, search.lon, miles, search.filters)
        params |= pg._preferences(search.preferences) | limit
        preferences = search.preferences
        statement = postgresql_top(
            search.filters.given(),
            preferences.psychiatrist_gender is not None,
            preferences.anesthesia_type is not None,
        )
        return self._cursor.execute(statement, params, prepare=True).fetchall()

    def close(self) -> None:
        self._cursor.close()
        self._connection.close()
