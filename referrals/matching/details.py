"""The people, site and offer of the teams a search returns: one statement per search.

It runs on the driver directly (built once per engine) because at a handful of rows the
ORM's per-statement work would cost more than the query.
"""

import json
from datetime import datetime
from functools import cache

from sqlalchemy import func, literal_column, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, aliased

from referrals.db import UTCDateTime, driver_execute
from referrals.registry.models import CareTeam, Provider, ProviderLanguage, Site

PEOPLE = ("psychiatrist", "anesthesia")
PERSON = ("id", "first_name", "last_name", "credential", "role", "gender")
SITE = (
    "id", "name", "address_line1", "address_line2", "city", "state", "postal_code",
    "lat", "lon", "phone", "wheelchair_accessible",
)  # fmt: skip
TEAM = (
    "id", "modalities", "conditions", "insurance_accepted", "programs",
    "self_pay_price_usd", "telehealth_consults", "verified_at",
)  # fmt: skip
SETS = ("modalities", "conditions", "insurance_accepted", "programs")
_IDS = {
    "sqlite": "care_teams.id IN (SELECT value FROM json_each(:teams))",
    "postgresql": "care_teams.id = ANY(:teams)",
}


def _languages(provider, dialect: Dialect) -> object:
    code = ProviderLanguage.code
    sqlite = dialect.name == "sqlite"
    codes = func.group_concat(code) if sqlite else func.string_agg(code, literal_column("','"))
    return select(codes).where(ProviderLanguage.provider_id == provider.id).scalar_subquery()


@cache
def statement(dialect: Dialect) -> str:
    """The plain SQL that reads the teams whose ids `parameters` binds."""
    psychiatrist, anesthesia = aliased(Provider), aliased(Provider)
    people = dict(zip(PEOPLE, (psychiatrist, anesthesia), strict=True))
    query = (
        select(
            *(getattr(CareTeam, c).label(c) for c in TEAM),
            *(getattr(p, c).label(f"{who}_{c}") for who, p in people.items() for c in PERSON),
            *(_languages(p, dialect).label(f"{who}_languages") for who, p in people.items()),
            *(getattr(Site, c).label(f"site_{c}") for c in SITE),
        )
        .join(psychiatrist, psychiatrist.id == CareTeam.psychiatrist_id)
        .join(anesthesia, anesthesia.id == CareTeam.anesthesia_provider_id)
        .join(Site, Site.id == CareTeam.site_id)
        .where(text(_IDS[dialect.name]))
    )
    return str(query.compile(dialect=dialect))


def parameters(dialect: Dialect, team_ids: list[int]) -> tuple | dict:
    return (json.dumps(team_ids),) if dialect.name == "sqlite" else {"teams": team_ids}


@cache
def _members(column: str, mask: int) -> list[str]:
    """The sorted members of a team's bit-set `column` (few distinct masks: cached)."""
    return sorted(CareTeam.__table__.c[column].type.members(mask))


_UTC_DATETIME = UTCDateTime()


def _utc(value: datetime | str | None) -> datetime | None:
    """A stored time as `UTCDateTime` reads it: SQLite's driver gives its text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _UTC_DATETIME.process_result_value(value, None)


def _person(values: tuple, languages: str | None) -> dict:
    person = dict(zip(PERSON, values, strict=True))
    person["languages"] = sorted(languages.split(",")) if languages else []
    return person


_PSYCHIATRIST = slice(len(TEAM), len(TEAM) + len(PERSON))
_ANESTHESIA = slice(_PSYCHIATRIST.stop, _PSYCHIATRIST.stop + len(PERSON))
_LANGUAGES = _ANESTHESIA.stop
_SITE = slice(_LANGUAGES + 2, None)


def _team(row: tuple) -> dict:
    """A `Match`'s fields that are the registry's, from a row of `statement`.

    Built key by key rather than merged: it runs for every match of every search.
    """
    team = dict(zip(TEAM, row, strict=False))
    for name in SETS:
        team[name] = _members(name, team[name])
    team["care_team_id"] = team.pop("id")
    team["telehealth_consults"] = bool(team["telehealth_consults"])
    team["verified_at"] = _utc(team["verified_at"])
    team["psychiatrist"] = _person(row[_PSYCHIATRIST], row[_LANGUAGES])
    team["anesthesia_provider"] = _person(row[_ANESTHESIA], row[_LANGUAGES + 1])
    site = dict(zip(SITE, row[_SITE], strict=True))
    site["wheelchair_accessible"] = bool(site["wheelchair_accessible"])
    team["site"] = site
    return team


def load(session: Session, team_ids: list[int]) -> dict[int, dict]:
    """Each team's offer, its psychiatrist and anesthesia provider, and its site, by id:
    the fields of a `Match` that are the registry's."""
    dialect = session.get_bind().dialect
    rows = driver_execute(session, statement(dialect), parameters(dialect, team_ids))
    return {row[0]: _team(row) for row in rows}
