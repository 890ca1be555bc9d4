"""Building the synthetic registry fast: trusted rows, one transaction per chunk.

The generator's rows are valid by construction, so they skip pydantic validation: each row
becomes a model through `model_construct`, with its enumerations and timestamps converted
the way validation would have, and `seeding.load` upserts it like any registry file.
"""

import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referrals.db import make_engine, make_sessionmaker
from referrals.registry import seeding
from referrals.registry.schemas import ProviderCreate, SeedCareTeam, SeedFile, SiteCreate
from referrals.registry.synthetic import iter_generated
from referrals.registry.vocab import Condition, Credential, Gender, Modality, Payer, Program, Role

CHUNK_TEAMS = 5_000
_TEAM_SETS = {
    "modalities": Modality,
    "conditions": Condition,
    "insurance_accepted": Payer,
    "programs": Program,
}


@dataclass(frozen=True)
class Built:
    care_teams: int
    providers: int
    sites: int
    seconds: float


class _Trusted:
    """Turns generated rows into constructed models; the generator shares its value lists."""

    def __init__(self) -> None:
        self._sets: dict[tuple, set] = {}

    def members(self, enum: type[StrEnum], values: Iterable[str]) -> set:
        key = (enum, *values)
        if (members := self._sets.get(key)) is None:
            members = self._sets[key] = {enum(v) for v in values}
        return members

    def provider(self, row: dict) -> ProviderCreate:
        gender = row["gender"] and Gender(row["gender"])
        converted = {"credential": Credential(row["credential"]), "role": Role(row["role"])}
        return ProviderCreate.model_construct(**row | converted | {"gender": gender})

    def care_team(self, row: dict) -> SeedCareTeam:
        converted = {name: self.members(enum, row[name]) for name, enum in _TEAM_SETS.items()}
        verified_at = datetime.fromisoformat(row["verified_at"])
        return SeedCareTeam.model_construct(**row | converted | {"verified_at": verified_at})

    def seed(self, chunk: dict) -> SeedFile:
        return SeedFile.model_construct(
            providers=[self.provider(row) for row in chunk["providers"]],
            sites=[SiteCreate.model_construct(**row) for row in chunk["sites"]],
            care_teams=[self.care_team(row) for row in chunk["care_teams"]],
        )


def _fast_sqlite(session: Session) -> None:
    """The bench database is thrown away: trade durability and memory for load speed."""
    if session.get_bind().dialect.name == "sqlite":
        for pragma in ("synchronous=OFF", "cache_size=-262144"):
            session.connection().exec_driver_sql(f"PRAGMA {pragma}")


def _analyze(engine: Engine, *, vacuum: bool = False) -> None:
    """Give PostgreSQL's planner the statistics autovacuum would gather in time.

    Without them, the loader's lookups by key see tables it believes empty, and scan them.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if vacuum else "ANALYZE")


def build(
    database_url: str,
    care_teams: int,
    *,
    progress: Callable[[int], None] = lambda _: None,
) -> Built:
    """Load a generated registry of `care_teams` teams; `progress` hears of each chunk's teams.

    The build has its own engine, so its connection settings never reach the searches.
    """
    engine = make_engine(database_url)
    sessions, trusted = make_sessionmaker(engine), _Trusted()
    providers = sites = teams = 0
    started = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()  # millions of acyclic rows: the cyclic collector would only rescan them
    try:
        for number, chunk in enumerate(iter_generated(care_teams, chunk_teams=CHUNK_TEAMS), 1):
            with sessions.begin() as session:
                _fast_sqlite(session)
                counts = seeding.load(session, seed=trusted.seed(chunk))
            providers, sites = providers + counts.providers, sites + counts.sites
            teams += counts.care_teams
            progress(counts.care_teams)
            if number & (number - 1) == 0:  # whenever the tables have doubled
                _analyze(engine)
        _analyze(engine, vacuum=True)
    finally:
        if collecting:
            gc.enable()
        engine.dispose()
    return Built(teams, providers, sites, time.perf_counter() - started)
