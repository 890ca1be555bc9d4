"""Matching: resolve the origin, count and rank the candidates, explain the best."""

from math import sqrt

from sqlalchemy.orm import Session

from referrals.errors import InvalidInput
from referrals.geo.gazetteer import unplaced, zip_place
from referrals.matching import details, explain, postgis_search, ranking, sqlite_search
from referrals.matching.filters import HardFilters, Search
from referrals.matching.ranking import Preferences, Ranked
from referrals.matching.schemas import MatchQuery, MatchResponse, Origin

# Most searches settle at the first try with three candidates per place; more cost more
# than the rare second search they save (measured with `referrals bench`).
CANDIDATES_PER_PLACE = 3


def origin_of(query: MatchQuery) -> Origin:
    """Where the patient is: a ZIP from the gazetteer, or the given lat/lon."""
    located = query.lat is not None or query.lon is not None
    if query.postal_code is not None and located:
        raise InvalidInput.on("postal_code", "give either postal_code or lat and lon, not both")
    if query.postal_code is not None:
        place = zip_place(query.postal_code)
        if place is None:
            raise InvalidInput.on("postal_code", unplaced(query.postal_code))
        return Origin(postal_code=place.zip_code, lat=place.lat, lon=place.lon, label=place.label)
    if query.lat is None or query.lon is None:
        missing = "postal_code" if not located else ("lat" if query.lat is None else "lon")
        message = "or lat and lon is required" if not located else "is required with the other"
        raise InvalidInput.on(missing, message)
    label = f"{query.lat:.4f}, {query.lon:.4f}"
    return Origin(postal_code=None, lat=query.lat, lon=query.lon, label=label)


def preferences_of(query: MatchQuery) -> Preferences:
    return Preferences(
        psychiatrist_gender=query.psychiatrist_gender,
        anesthesia_type=query.anesthesia_type,
        telehealth=bool(query.telehealth),
        program=query.program,
    )


def _engine(session: Session):
    return sqlite_search if session.get_bind().dialect.name == "sqlite" else postgis_search


def first_search_miles(total: int, radius: float, limit: int) -> float:
    """How far the first search looks: far enough for `CANDIDATES_PER_PLACE` teams per place
    asked for, were the `total` teams in the radius spread evenly over it.
    """
    return radius * sqrt(min(1.0, CANDIDATES_PER_PLACE * limit / total))


def best(session: Session, search: Search, radius: float, total: int) -> list[Ranked]:
    """The first `limit` teams, searching outwards until no farther team could outrank them."""
    engine, bonus = _engine(session), search.preferences.max_bonus_miles
    miles = first_search_miles(total, radius, search.limit)
    while True:
        ranked = ranking.rank(engine.best(session, search, miles), search.preferences)
        if miles >= radius or ranking.settled(
            ranked, limit=search.limit, searched_miles=miles, bonus=bonus
        ):
            return ranked
        miles = min(
            radius,
            ranking.next_search_miles(
                ranked, limit=search.limit, searched_miles=miles, bonus=bonus
            ),
        )


def _match(rank: int, ranked: Ranked, team: dict, query: MatchQuery, preferences) -> dict:
    """A `Match`'s fields: the team's from the registry, its place and why."""
    return team | {
        "rank": rank,
        "score": round(ranked.score, 2),
        "distance_miles": round(ranked.candidate.distance_miles, 2),
        "wait_days": ranked.candidate.wait_days,
        "reasons": explain.reasons(ranked, team, query),
        "unmet_preferences": explain.unmet(ranked, preferences),
    }


def find_matches(session: Session, *, query: MatchQuery) -> MatchResponse:
    """Ranked, explained care teams for a location, hard filters and soft preferences."""
    origin = origin_of(query)
    preferences = preferences_of(query)
    filters = HardFilters.of(query)
    total = _engine(session).count(session, origin.lat, origin.lon, query.radius_miles, filters)
    search = Search(origin.lat, origin.lon, filters, preferences, query.limit)
    top = best(session, search, query.radius_miles, total) if total else []
    teams = details.load(session, [r.candidate.care_team_id for r in top])
    # the search and this read are statements of their own: a team deleted in between is gone
    found = [r for r in top if r.candidate.care_team_id in teams]
    matches = [
        _match(i, ranked, teams[ranked.candidate.care_team_id], query, preferences)
        for i, ranked in enumerate(found, start=1)
    ]
    # validated at once: a model each would cost a fifth more
    return MatchResponse(
        origin=origin, radius_miles=query.radius_miles, total=total, matches=matches
    )
