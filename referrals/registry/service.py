"""Registry operations: create, read, update, delete and list providers, sites and teams."""

from collections.abc import Collection, Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from referrals.config import Settings
from referrals.db import Base, get_for_update, has_all, has_any, page_of, utcnow
from referrals.errors import Conflict, InvalidInput, NotFound
from referrals.geo.gazetteer import unplaced, zip_place, zip_state
from referrals.geo.geocoding import locate_site, placing_fields
from referrals.registry.models import CareTeam, Provider, ProviderLanguage, ProviderLicense, Site
from referrals.registry.schemas import (
    CareTeamCreate,
    CareTeamUpdate,
    ProviderCreate,
    ProviderUpdate,
    SiteCreate,
    SiteUpdate,
)
from referrals.registry.vocab import (
    ANESTHESIA_ROLES,
    Condition,
    Credential,
    Modality,
    Payer,
    Program,
    Role,
)
from referrals.schemas import Page

_CREDENTIALS = {
    Role.psychiatrist: {Credential.md, Credential.do},
    Role.anesthesiologist: {Credential.md, Credential.do},
    Role.crna: {Credential.crna},
}


_MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL


def parse_id(value: str) -> int | None:
    """The row id behind a public id, or None when it cannot be one."""
    if not (value.isascii() and value.isdigit() and len(value) < 11):
        return None
    return int(value) if int(value) <= _MAX_ID else None


M = TypeVar("M", bound=Base)


def get(session: Session, model: type[M], public_id: str, *, for_update: bool = False) -> M:
    """The row with this public id, or NotFound; `for_update` locks it until the transaction
    ends, so that changes of one row take turns."""
    row_id = parse_id(public_id)
    read = get_for_update if for_update else Session.get
    row = read(session, model, row_id) if row_id is not None else None
    if row is None:
        raise NotFound(f"No {model.__tablename__.rstrip('s').replace('_', ' ')} has this id.")
    return row


def page(session: Session, query: Select, *, limit: int, offset: int) -> Page:
    """One page of `query` in id order, with the count of all its rows."""
    entity = query.column_descriptions[0]["entity"]
    rows, total = page_of(session, query, entity.id, limit=limit, offset=offset)
    return Page(items=rows, total=total, limit=limit, offset=offset)


# What keeps a row that others point at: providers and sites are in care teams, and care
# teams have referrals.
_IN_USE = "It is still part of a care team; remove or change those first."
_HAS_REFERRALS = "It has referrals, whose history is kept; set active to false instead."


def delete(session: Session, row: Base) -> None:
    """Delete a row; 409 while other rows still point at it."""
    try:
        with session.begin_nested():
            session.delete(row)
            session.flush()
    except IntegrityError:
        raise Conflict(_HAS_REFERRALS if isinstance(row, CareTeam) else _IN_USE) from None


def _apply(row: Base, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(row, name, value)


def _add_unique(session: Session, row: Base, what: str) -> None:
    """Insert a row; 409 when it repeats a unique key.

    The row is added inside the savepoint: `begin_nested()` flushes pending rows first, so a
    row added before it would fail outside the savepoint and leave the session unusable.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(f"Another {what} already exists.") from None


# Providers


def check_credential(*, role: str, credential: str) -> None:
    """An MD or DO is a psychiatrist or an anesthesiologist; a CRNA is a CRNA."""
    if Credential(credential) not in _CREDENTIALS[Role(role)]:
        raise InvalidInput.on("credential", "does not fit the role")


def create_provider(session: Session, *, data: ProviderCreate) -> Provider:
    check_credential(role=data.role, credential=data.credential)
    provider = Provider(**data.model_dump())
    _add_unique(session, provider, "provider with this NPI")
    return provider


def update_provider(session: Session, *, provider: Provider, data: ProviderUpdate) -> Provider:
    listed = (provider.languages, provider.licensed_states)
    _apply(provider, data.model_dump(exclude_unset=True))
    if (provider.languages, provider.licensed_states) != listed:
        # rows of their own tables, which the providers row's `onupdate` does not see
        provider.updated_at = utcnow()
    check_credential(role=provider.role, credential=provider.credential)
    if data.role is not None and misplaced(session, [provider.id]):
        raise InvalidInput.on("role", MISPLACED)
    session.flush()
    return provider


MISPLACED = "does not fit the provider's place in existing care teams"


def misplaced(session: Session, provider_ids: Collection[int]) -> set[int]:
    """Those of `provider_ids` whose role does not fit their place in a care team."""
    psychiatrists = (
        select(Provider.id)
        .join(CareTeam, CareTeam.psychiatrist_id == Provider.id)
        .where(Provider.id.in_(provider_ids), Provider.role != Role.psychiatrist)
    )
    anesthesia = (
        select(Provider.id)
        .join(CareTeam, CareTeam.anesthesia_provider_id == Provider.id)
        .where(Provider.id.in_(provider_ids), Provider.role == Role.psychiatrist)
    )
    return set(session.scalars(union(psychiatrists, anesthesia)))


def provider_query(
    *,
    role: Role | None = None,
    state: str | None = None,
    language: str | None = None,
    accepting_new_patients: bool | None = None,
    npi: str | None = None,
) -> Select:
    query = select(Provider)
    if role is not None:
        query = query.where(Provider.role == role)
    if state is not None:
        query = query.where(
            select(ProviderLicense)
            .where(ProviderLicense.provider_id == Provider.id, ProviderLicense.state == state)
            .exists()
        )
    if language is not None:
        query = query.where(
            select(ProviderLanguage)
            .where(ProviderLanguage.provider_id == Provider.id, ProviderLanguage.code == language)
            .exists()
        )
    if accepting_new_patients is not None:
        query = query.where(Provider.accepting_new_patients == accepting_new_patients)
    if npi is not None:
        query = query.where(Provider.npi == npi)
    return query


# Sites


def place_site(
    session: Session, site: Site, *, located: bool, settings: Settings | None = None
) -> None:
    """Check the ZIP and state; geocode a site without coordinates (SPEC §2). A ZIP without
    a place of its own (a PO box, a campus's own ZIP) needs the site's coordinates."""
    state = zip_state(site.postal_code)
    if state is None or (not located and zip_place(site.postal_code) is None):
        raise InvalidInput.on("postal_code", _unplaced_site(site.postal_code))
    if state != site.state:
        raise InvalidInput.on("state", "does not match the state of the ZIP code")
    if not located:
        site.lat, site.lon = locate_site(
            session,
            settings=settings,
            address_line1=site.address_line1,
            city=site.city,
            state=site.state,
            postal_code=site.postal_code,
        )


def _unplaced_site(zip_code: str) -> str:
    said = unplaced(zip_code)
    return said if zip_state(zip_code) is None else f"{said}, or the site's lat and lon"


def check_coordinates(lat: float | None, lon: float | None) -> bool:
    """Whether a site is given its place: lat and lon come together or not at all."""
    if (lat is None) != (lon is None):
        raise InvalidInput.on("lon" if lon is None else "lat", "is required with the other one")
    return lat is not None


def create_site(session: Session, *, data: SiteCreate, settings: Settings | None = None) -> Site:
    """A new site; without lat/lon it is geocoded as `settings` say (no settings: offline)."""
    site = Site(**data.model_dump())
    located = check_coordinates(data.lat, data.lon)
    place_site(session, site, located=located, settings=settings)
    _add_unique(session, site, "site with this key")
    return site


def update_site(
    session: Session, *, site: Site, data: SiteUpdate, settings: Settings | None = None
) -> Site:
    """Apply changes; a moved address without new lat/lon is geocoded again."""
    changes = data.model_dump(exclude_unset=True)
    located = check_coordinates(changes.get("lat"), changes.get("lon"))
    _apply(site, changes)
    moved = placing_fields(settings) & changes.keys()
    place_site(session, site, located=located or not moved, settings=settings)
    session.flush()
    return site


def site_query(*, state: str | None = None, postal_code: str | None = None) -> Select:
    query = select(Site)
    if state is not None:
        query = query.where(Site.state == state)
    if postal_code is not None:
        query = query.where(Site.postal_code == postal_code)
    return query


# Care teams


def _member(session: Session, field: str, public_id: str, roles: Iterable[Role]) -> int:
    row_id = parse_id(public_id)
    provider = get_for_update(session, Provider, row_id) if row_id is not None else None
    if provider is None:
        raise InvalidInput.on(field, "is not the id of a provider")
    if provider.role not in roles:
        raise InvalidInput.on(field, f"must be a provider with role {' or '.join(sorted(roles))}")
    return provider.id


def _site(session: Session, field: str, public_id: str) -> int:
    site_id = parse_id(public_id)
    if site_id is None or get_for_update(session, Site, site_id) is None:
        raise InvalidInput.on(field, "is not the id of a site")
    return site_id


def _references(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """Resolve and check the public ids a create or update refers to: each of them, so that
    one answer names every id that is wrong. The rows are locked: none changes its role or
    goes away before the team is stored."""
    resolvers = {
        "psychiatrist_id": lambda field, value: _member(session, field, value, [Role.psychiatrist]),
        "anesthesia_provider_id": lambda field, value: _member(
            session, field, value, ANESTHESIA_ROLES
        ),
        "site_id": lambda field, value: _site(session, field, value),
    }
    errors = []
    for field, resolve in resolvers.items():
        if field in changes:
            try:
                changes[field] = resolve(field, changes[field])
            except InvalidInput as invalid:
                errors += invalid.errors
    if errors:
        raise InvalidInput("The request has invalid fields.", errors)
    return changes


def create_care_team(session: Session, *, data: CareTeamCreate) -> CareTeam:
    team = CareTeam(**_references(session, data.model_dump()))
    _add_unique(session, team, "care team with this key")
    session.refresh(team)
    return team


def update_care_team(session: Session, *, team: CareTeam, data: CareTeamUpdate) -> CareTeam:
    _apply(team, _references(session, data.model_dump(exclude_unset=True)))
    session.flush()
    session.refresh(team)
    return team


def care_team_query(
    *,
    site_id: str | None = None,
    provider_id: str | None = None,
    state: str | None = None,
    active: bool | None = None,
    accepting_new_patients: bool | None = None,
    modality: list[Modality] | None = None,
    condition: list[Condition] | None = None,
    insurance: Payer | None = None,
    program: Program | None = None,
) -> Select:
    query = select(CareTeam)
    if site_id is not None:
        query = query.where(CareTeam.site_id == parse_id(site_id))
    if provider_id is not None:
        row_id = parse_id(provider_id)
        query = query.where(
            (CareTeam.psychiatrist_id == row_id) | (CareTeam.anesthesia_provider_id == row_id)
        )
    if state is not None:
        query = query.where(CareTeam.site.has(Site.state == state))
    if active is not None:
        query = query.where(CareTeam.active == active)
    if accepting_new_patients is not None:
        query = query.where(CareTeam.accepting_new_patients == accepting_new_patients)
    if modality:
        query = query.where(has_any(CareTeam.modalities, modality))
    if condition:
        query = query.where(has_all(CareTeam.conditions, condition))
    if insurance is not None:
        query = query.where(has_any(CareTeam.insurance_accepted, [insurance]))
    if program is not None:
        query = query.where(has_any(CareTeam.programs, [program]))
    return query
