"""A brute-force oracle: every team in the database, geopy's geodesic distance."""

from dataclasses import dataclass

from geopy.distance import geodesic
from sqlalchemy import select
from sqlalchemy.orm import Session

from referrals.registry.models import CareTeam


@dataclass(frozen=True)
class Team:
    id: int
    site_id: int
    lat: float
    lon: float
    open: bool
    modalities: frozenset
    conditions: frozenset
    insurance: frozenset
    programs: frozenset
    price: int | None
    min_age: int
    wait_days: int
    telehealth: bool
    psychiatrist_gender: str | None
    psychiatrist_languages: frozenset
    anesthesia_role: str


def load(session: Session) -> list[Team]:
    return [
        Team(
            id=t.id,
            site_id=t.site_id,
            lat=t.site.lat,
            lon=t.site.lon,
            open=t.active and t.accepting_new_patients,
            modalities=frozenset(t.modalities),
            conditions=frozenset(t.conditions),
            insurance=frozenset(t.insurance_accepted),
            programs=frozenset(t.programs),
            price=t.self_pay_price_usd,
            min_age=t.min_patient_age,
            wait_days=t.wait_days,
            telehealth=t.telehealth_consults,
            psychiatrist_gender=t.psychiatrist.gender,
            psychiatrist_languages=frozenset(t.psychiatrist.languages),
            anesthesia_role=t.anesthesia_provider.role,
        )
        for t in session.scalars(select(CareTeam))
    ]


def miles(team: Team, lat: float, lon: float) -> float:
    return geodesic((lat, lon), (team.lat, team.lon)).miles


def passes_filters(team: Team, query: dict) -> bool:
    """Every hard filter of SPEC §4 but the radius."""
    return (
        team.open
        and (not query.get("modality") or bool(team.modalities & set(query["modality"])))
        and set(query.get("condition", [])) <= team.conditions
        and (query.get("insurance") is None or query["insurance"] in team.insurance)
        and (
            query.get("max_price_usd") is None
            or (team.price is not None and team.price <= query["max_price_usd"])
        )
        and (query.get("language") is None or query["language"] in team.psychiatrist_languages)
        and (query.get("patient_age") is None or query["patient_age"] >= team.min_age)
    )


def preferences_met(team: Team, query: dict) -> set[str]:
    met = set()
    if (
        query.get("psychiatrist_gender")
        and team.psychiatrist_gender == query["psychiatrist_gender"]
    ):
        met.add("psychiatrist_gender")
    if query.get("anesthesia_type") and team.anesthesia_role == query["anesthesia_type"]:
        met.add("anesthesia_type")
    if query.get("telehealth") and team.telehealth:
        met.add("telehealth")
    if query.get("program") and query["program"] in team.programs:
        met.add("program")
    return met
