"""Typed builders with valid defaults: `make_care_team(session, wait_days=3)`."""

from itertools import count

from sqlalchemy.orm import Session

from referrals.registry import service
from referrals.registry.models import CareTeam, Provider, Site
from referrals.registry.npi import check_digit
from referrals.registry.schemas import CareTeamCreate, ProviderCreate, SiteCreate

_serial = count(100_000_001)


def new_npi() -> str:
    """A fresh NPI with a valid check digit."""
    first_nine = str(next(_serial))
    return first_nine + str(check_digit(first_nine))


def provider_body(**overrides) -> dict:
    body = {
        "npi": new_npi(),
        "first_name": "Ana",
        "last_name": "Diaz",
        "credential": "MD",
        "role": "psychiatrist",
        "gender": "female",
        "languages": ["en", "es"],
        "licensed_states": ["NY"],
        "email": "ana.diaz@harbor.example.com",
        "phone": "+12125550101",
    }
    return body | overrides


def site_body(**overrides) -> dict:
    body = {
        "key": f"site-{next(_serial)}",
        "name": "Harbor Ketamine & Psychiatry",
        "address_line1": "350 5th Ave",
        "city": "New York",
        "state": "NY",
        "postal_code": "10118",
        "phone": "+12125550102",
        "wheelchair_accessible": True,
    }
    return body | overrides


def care_team_body(**overrides) -> dict:
    body = {
        "key": f"team-{next(_serial)}",
        "modalities": ["iv_infusion", "ketamine_assisted_psychotherapy"],
        "conditions": ["ptsd", "depression"],
        "insurance_accepted": ["aetna", "self_pay"],
        "self_pay_price_usd": 450,
        "telehealth_consults": True,
        "wait_days": 7,
        "programs": ["veterans"],
    }
    return body | overrides


def make_provider(session: Session, **overrides) -> Provider:
    return service.create_provider(session, data=ProviderCreate(**provider_body(**overrides)))


def make_anesthesia_provider(session: Session, **overrides) -> Provider:
    defaults = {"first_name": "Sam", "last_name": "Okafor", "credential": "CRNA", "role": "crna"}
    return make_provider(session, **(defaults | overrides))


def make_site(session: Session, **overrides) -> Site:
    return service.create_site(session, data=SiteCreate(**site_body(**overrides)))


def make_care_team(session: Session, **overrides) -> CareTeam:
    """A team with a new psychiatrist, CRNA and site unless they are given."""
    refs = {
        "psychiatrist_id": overrides.pop("psychiatrist_id", None) or make_provider(session).id,
        "anesthesia_provider_id": overrides.pop("anesthesia_provider_id", None)
        or make_anesthesia_provider(session).id,
        "site_id": overrides.pop("site_id", None) or make_site(session).id,
    }
    body = care_team_body(**overrides) | {k: str(v) for k, v in refs.items()}
    return service.create_care_team(session, data=CareTeamCreate(**body))
