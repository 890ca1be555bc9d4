"""Loading a registry file: bulk, idempotent, and refused whole when a row is wrong."""

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referrals.config import Settings
from referrals.errors import InvalidInput
from referrals.registry import seeding
from referrals.registry.models import CareTeam, Provider, ProviderLanguage, Site
from referrals.registry.schemas import SeedFile
from referrals.registry.vocab import Credential, Role

DEMO = Settings().seed_file


def _counts(session: Session) -> dict[str, int]:
    models = (Provider, ProviderLanguage, Site, CareTeam)
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in models}


@pytest.fixture(scope="module")
def demo() -> SeedFile:
    return SeedFile.model_validate_json(DEMO.read_bytes())


def test_seeding_twice_gives_the_same_rows(session, demo):
    before = _counts(session)
    first = seeding.load(session, seed=demo)
    after_once = _counts(session)
    seeding.load(session, seed=demo)
    assert _counts(session) == after_once
    assert after_once["care_teams"] - before["care_teams"] == first.care_teams >= 300
    assert after_once["sites"] - before["sites"] == first.sites


def test_seeding_updates_rows_by_their_keys(session, demo):
    seeding.load(session, seed=demo)
    changed = demo.model_copy(deep=True)
    changed.care_teams[0].wait_days = 59
    changed.providers[0].languages = ["en", "vi"]
    seeding.load(session, seed=changed)
    team = session.scalar(select(CareTeam).where(CareTeam.key == changed.care_teams[0].key))
    provider = session.scalar(select(Provider).where(Provider.npi == changed.providers[0].npi))
    session.refresh(provider)
    assert team.wait_days == 59
    assert provider.languages == ["en", "vi"]


def test_the_seeded_registry_is_searchable_by_the_api(client, session, demo, staff_headers):
    seeding.load(session, seed=demo)
    params = {"state": "TX", "modality": "iv_infusion", "limit": 100}
    body = client.get("/api/v1/care-teams", params=params, headers=staff_headers).json()
    assert body["total"] > 0
    assert all("iv_infusion" in team["modalities"] for team in body["items"])


def test_a_team_whose_psychiatrist_is_a_crna_is_refused_with_its_place(session, demo):
    bad = demo.model_copy(deep=True)
    crna = next(p for p in bad.providers if p.role == "crna")
    bad.care_teams[3].psychiatrist_npi = crna.npi
    with pytest.raises(InvalidInput) as refused:
        seeding.load(session, seed=bad)
    assert refused.value.errors[0].field == "care_teams.3.psychiatrist_npi"


def test_a_site_at_a_zip_code_without_a_place_needs_its_coordinates(session, demo):
    unplaced = demo.model_copy(deep=True)
    unplaced.sites[0].postal_code, unplaced.sites[0].state = "77352", "TX"
    unplaced.sites[0].lat = unplaced.sites[0].lon = None
    with pytest.raises(InvalidInput) as refused:
        seeding.load(session, seed=unplaced)
    assert refused.value.errors[0].field == "sites.0.postal_code"
    unplaced.sites[0].lat, unplaced.sites[0].lon = 30.71, -94.93
    seeding.load(session, seed=unplaced)
    site = session.scalar(select(Site).where(Site.postal_code == "77352"))
    assert (site.lat, site.lon) == (30.71, -94.93)


def test_the_cli_loads_a_file_and_reports_a_bad_one(tmp_path, new_database_url):
    env = {"REFERRALS_DATABASE_URL": new_database_url(), "PATH": ""}
    small = {"providers": [], "sites": [], "care_teams": [{"key": "x"}]}
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps(small))
    cli = [sys.executable, "-m", "referrals.cli", "seed"]
    loaded = subprocess.run(cli, env=env, capture_output=True, text=True, check=False)
    refused = subprocess.run([*cli, str(bad_file)], env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "care teams" in loaded.stderr
    assert loaded.stdout == ""
    assert refused.returncode == 1
    assert "care_teams" in refused.stderr
    missing = subprocess.run([*cli, str(tmp_path / "gone.json")], env=env, capture_output=True)
    assert missing.returncode == 2
    assert b"does not exist" in missing.stderr
    assert b"Traceback" not in missing.stderr


def _refused_at(session: Session, seed: SeedFile) -> list[str]:
    """The fields that loading `seed` names; nothing of it is left behind."""
    before = _counts(session)
    with pytest.raises(InvalidInput) as refused, session.begin_nested():
        seeding.load(session, seed=seed)
    assert _counts(session) == before
    return [error.field for error in refused.value.errors]


@pytest.mark.parametrize(
    ("rows", "key", "field"),
    [
        ("providers", "npi", "providers.5.npi"),
        ("sites", "key", "sites.5.key"),
        ("care_teams", "key", "care_teams.5.key"),
    ],
)
def test_a_key_repeated_in_the_file_is_refused_with_its_place(session, demo, rows, key, field):
    repeated = demo.model_copy(deep=True)
    copy = getattr(repeated, rows)[5]
    setattr(copy, key, getattr(getattr(repeated, rows)[2], key))
    assert _refused_at(session, repeated) == [field]


def test_the_cli_names_a_repeated_npi_without_a_traceback(tmp_path, new_database_url, demo):
    repeated = demo.model_copy(deep=True)
    repeated.providers.append(repeated.providers[0])
    file = tmp_path / "repeated.json"
    file.write_text(repeated.model_dump_json())
    env = {"REFERRALS_DATABASE_URL": new_database_url(), "PATH": ""}
    cli = [sys.executable, "-m", "referrals.cli", "seed", str(file)]
    refused = subprocess.run(cli, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    assert f"providers.{len(demo.providers)}.npi" in refused.stderr
    assert "Traceback" not in refused.stderr


def _psychiatrist_as_crna(seed: SeedFile) -> None:
    next(p for p in seed.providers if p.role == Role.psychiatrist).credential = Credential.crna


def _site_in_another_state(seed: SeedFile) -> None:
    seed.sites[1].state = "CA" if seed.sites[1].state != "CA" else "NY"


def _latitude_alone(seed: SeedFile) -> None:
    seed.sites[1].lon = None


@pytest.mark.parametrize(
    ("mistake", "field"),
    [
        (_psychiatrist_as_crna, "providers.0.credential"),
        (_site_in_another_state, "sites.1.state"),
        (_latitude_alone, "sites.1.lon"),
    ],
)
def test_a_row_the_api_would_refuse_is_refused_with_its_place(session, demo, mistake, field):
    wrong = demo.model_copy(deep=True)
    mistake(wrong)
    assert _refused_at(session, wrong) == [field]


def test_a_new_role_that_no_longer_fits_a_providers_team_is_refused(session, demo):
    seeding.load(session, seed=demo)
    psychiatrist = demo.providers[0].model_copy(update={"role": Role.anesthesiologist})
    assert psychiatrist.npi in {team.psychiatrist_npi for team in demo.care_teams}
    assert _refused_at(session, SeedFile(providers=[psychiatrist])) == ["providers.0.role"]
    team = session.scalar(select(CareTeam).where(CareTeam.psychiatrist.has(npi=psychiatrist.npi)))
    assert team.psychiatrist.role == "psychiatrist"
