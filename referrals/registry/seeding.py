"""Bulk, idempotent loading of a registry file (SPEC §3 "Seed file").

Rows are upserted by their natural keys (NPI, site key, team key) with one statement per
chunk, so loading the same file twice leaves the same rows.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from referrals.db import utcnow
from referrals.errors import FieldError, InvalidInput
from referrals.registry import service
from referrals.registry.models import CareTeam, Provider, ProviderLanguage, ProviderLicense, Site
from referrals.registry.schemas import SeedFile
from referrals.registry.vocab import ANESTHESIA_ROLES, Role

CHUNK = 500


@dataclass(frozen=True)
class SeedCounts:
    providers: int
    sites: int
    care_teams: int

    @property
    def rows(self) -> int:
        return self.providers + self.sites + self.care_teams


T = TypeVar("T")


def _chunks(rows: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _upsert(session: Session, model: type, key: str, rows: list[dict], progress) -> None:
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    for chunk in _chunks(rows):
        statement = dialect.insert(model.__table__)
        updated = {c: statement.excluded[c] for c in chunk[0] if c != key}
        updated["updated_at"] = utcnow()
        session.execute(statement.on_conflict_do_update(index_elements=[key], set_=updated), chunk)
        progress(len(chunk))


def _ids(session: Session, column, keys: Iterable[str]) -> dict[str, int]:
    ids = {}
    model = column.class_
    for chunk in _chunks(keys):
        ids.update(session.execute(select(column, model.id).where(column.in_(chunk))).all())
    return ids


def _check_each(rows: list[T], where: str, check: Callable[[T], None]) -> None:
    """Check each row as the API would; a refusal names the row's place in the file."""
    for index, row in enumerate(rows):
        try:
            check(row)
        except InvalidInput as invalid:
            errors = [FieldError(f"{where}.{index}.{e.field}", e.message) for e in invalid.errors]
            raise InvalidInput(invalid.detail, errors) from None


def _load_providers(session: Session, seed: SeedFile, progress) -> dict[str, int]:
    _check_each(
        seed.providers,
        "providers",
        lambda p: service.check_credential(role=p.role, credential=p.credential),
    )
    rows = [p.model_dump(exclude={"languages", "licensed_states"}) for p in seed.providers]
    _upsert(session, Provider, "npi", rows, progress)
    ids = _ids(session, Provider.npi, (p.npi for p in seed.providers))
    for chunk in _chunks(ids.values()):
        session.execute(delete(ProviderLanguage).where(ProviderLanguage.provider_id.in_(chunk)))
        session.execute(delete(ProviderLicense).where(ProviderLicense.provider_id.in_(chunk)))
    languages = [
        {"provider_id": ids[p.npi], "code": code}
        for p in seed.providers
        for code in dict.fromkeys(p.languages)
    ]
    licenses = [
        {"provider_id": ids[p.npi], "state": state}
        for p in seed.providers
        for state in dict.fromkeys(p.licensed_states)
    ]
    for model, rows in ((ProviderLanguage, languages), (ProviderLicense, licenses)):
        for chunk in _chunks(rows):
            session.execute(insert(model.__table__), chunk)
    return ids


def _load_sites(session: Session, seed: SeedFile, progress) -> dict[str, int]:
    rows = [site.model_dump() for site in seed.sites]
    _check_each(rows, "sites", lambda row: _place(session, row))
    _upsert(session, Site, "key", rows, progress)
    return _ids(session, Site.key, (s.key for s in seed.sites))


def _place(session: Session, row: dict) -> None:
    """Check a site's ZIP, state and coordinates; place it at its ZIP when it has none."""
    site = Site(**row)
    located = service.check_coordinates(row["lat"], row["lon"])
    service.place_site(session, site, located=located)
    row["lat"], row["lon"] = site.lat, site.lon


def _roles(session: Session, npis: Iterable[str]) -> dict[str, tuple[int, str]]:
    roles = {}
    for chunk in _chunks(npis):
        query = select(Provider.npi, Provider.id, Provider.role).where(Provider.npi.in_(chunk))
        roles.update({npi: (id_, role) for npi, id_, role in session.execute(query)})
    return roles


def _load_care_teams(session: Session, seed: SeedFile, site_ids: dict[str, int], progress):
    npis = {t.psychiatrist_npi for t in seed.care_teams} | {
        t.anesthesia_provider_npi for t in seed.care_teams
    }
    roles = _roles(session, npis)
    rows = []
    for index, team in enumerate(seed.care_teams):
        where = f"care_teams.{index}"
        psychiatrist = roles.get(team.psychiatrist_npi)
        anesthesia = roles.get(team.anesthesia_provider_npi)
        if psychiatrist is None or psychiatrist[1] != Role.psychiatrist:
            raise InvalidInput.on(f"{where}.psychiatrist_npi", "is not a psychiatrist's NPI")
        if anesthesia is None or anesthesia[1] not in ANESTHESIA_ROLES:
            raise InvalidInput.on(
                f"{where}.anesthesia_provider_npi", "is not an anesthesiologist's or CRNA's NPI"
            )
        if team.site_key not in site_ids:
            site_ids |= _ids(session, Site.key, [team.site_key])
        if team.site_key not in site_ids:
            raise InvalidInput.on(f"{where}.site_key", "is not the key of a site")
        row = team.model_dump(exclude={"psychiatrist_npi", "anesthesia_provider_npi", "site_key"})
        row |= {
            "psychiatrist_id": psychiatrist[0],
            "anesthesia_provider_id": anesthesia[0],
            "site_id": site_ids[team.site_key],
        }
        rows.append(row)
    _upsert(session, CareTeam, "key", rows, progress)


def _check_places(session: Session, seed: SeedFile, ids: dict[str, int]) -> None:
    """A provider whose role the file changes still fits each care team they are on."""
    misplaced = set().union(*(service.misplaced(session, chunk) for chunk in _chunks(ids.values())))
    for index, provider in enumerate(seed.providers):
        if ids[provider.npi] in misplaced:
            raise InvalidInput.on(f"providers.{index}.role", service.MISPLACED)


def _check_unique(rows: list, where: str, key: str) -> None:
    """Each row of a list has a key of its own: a repeated one would overwrite the first."""
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        value = getattr(row, key)
        if value in first:
            raise InvalidInput.on(
                f"{where}.{index}.{key}", f"repeats the {key} of {where}.{first[value]}"
            )
        first[value] = index


def load(
    session: Session, *, seed: SeedFile, progress: Callable[[int], None] = lambda _: None
) -> SeedCounts:
    """Upsert every row of `seed`; `progress` is told how many rows each step wrote."""
    _check_unique(seed.providers, "providers", "npi")
    _check_unique(seed.sites, "sites", "key")
    _check_unique(seed.care_teams, "care_teams", "key")
    provider_ids = _load_providers(session, seed, progress)
    site_ids = _load_sites(session, seed, progress)
    _load_care_teams(session, seed, site_ids, progress)
    _check_places(session, seed, provider_ids)
    session.flush()
    return SeedCounts(len(seed.providers), len(seed.sites), len(seed.care_teams))
