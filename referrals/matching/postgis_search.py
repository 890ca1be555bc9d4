"""Candidate search on PostgreSQL: the GiST index on `sites.geog`, nearest first (KNN).

Distances are PostGIS geodesic distances on the WGS 84 spheroid.
"""

from sqlalchemy.orm import Session

from referrals.geo.distance import METERS_PER_MILE
from referrals.matching.filters import HardFilters
from referrals.matching.ranking import Candidate
from referrals.registry.vocab import Gender, Program, Role

PROGRAMS = tuple(Program)
_ORIGIN = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
_FILTERS = f"""ST_DWithin(s.geog, {_ORIGIN}, %(meters)s)
    AND t.active AND t.accepting_new_patients
    AND (t.modalities & %(modalities)s) <> 0 AND (t.conditions & %(conditions)s) = %(conditions)s
    AND (t.insurance_accepted & %(payer)s) = %(payer)s
    AND coalesce(t.self_pay_price_usd, 1e9) <= %(max_price)s
    AND t.min_patient_age <= %(age)s
    AND (%(language)s::text IS NULL OR EXISTS (
        SELECT 1 FROM provider_languages l
        WHERE l.provider_id = t.psychiatrist_id AND l.code = %(language)s::text))"""
CANDIDATES = f"""SELECT t.id, ST_Distance(s.geog, {_ORIGIN}) / {METERS_PER_MILE}, t.wait_days,
       p.gender, a.role, t.telehealth_consults, t.programs
FROM sites s
JOIN care_teams t ON t.site_id = s.id
JOIN providers p ON p.id = t.psychiatrist_id
JOIN providers a ON a.id = t.anesthesia_provider_id
WHERE {_FILTERS}
ORDER BY s.geog <-> {_ORIGIN}"""
COUNT = f"""SELECT count(*) FROM sites s
JOIN care_teams t ON t.site_id = s.id
WHERE {_FILTERS}"""


def _params(lat: float, lon: float, miles: float, filters: HardFilters) -> dict:
    return {
        "lat": lat,
        "lon": lon,
        "meters": miles * METERS_PER_MILE,
        "modalities": filters.modalities,
        "conditions": filters.conditions,
        "payer": filters.payer,
        "max_price": filters.max_price,
        "age": filters.patient_age,
        "language": filters.language,
    }


def count(session: Session, lat: float, lon: float, miles: float, filters: HardFilters) -> int:
    """How many open teams within `miles` pass the filters."""
    params = _params(lat, lon, miles, filters)
    return session.connection().exec_driver_sql(COUNT, params).scalar_one()


def candidates(
    session: Session, lat: float, lon: float, miles: float, filters: HardFilters
) -> list[Candidate]:
    """Every open team within `miles` that passes the filters, nearest first."""
    rows = session.connection().exec_driver_sql(CANDIDATES, _params(lat, lon, miles, filters))
    return [
        Candidate(
            care_team_id=team_id,
            distance_miles=distance,
            wait_days=wait_days,
            psychiatrist_gender=Gender(gender) if gender else None,
            anesthesia_role=Role(role),
            telehealth=telehealth,
            programs=frozenset(p for i, p in enumerate(PROGRAMS) if programs >> i & 1),
        )
        for team_id, distance, wait_days, gender, role, telehealth, programs in rows
    ]
