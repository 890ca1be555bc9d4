"""The synthetic registry generator and the bundled demo seed (no database)."""

import json
import math
import re
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
import zipcodes
from email_validator import validate_email

from referrals.registry import npi, synthetic, synthetic_geo, synthetic_names
from referrals.registry.vocab import Condition, Credential, Modality, Payer, Program, Role

SEED_FILE = Path(__file__).resolve().parents[2] / "seed_data" / "demo_registry.json"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PHONE = re.compile(r"^\+1[2-9]\d\d55501\d\d$")
PROVIDER_FIELDS = {
    "npi", "first_name", "last_name", "credential", "role", "gender", "languages",
    "licensed_states", "email", "phone", "accepting_new_patients",
}  # fmt: skip
SITE_FIELDS = {
    "key", "name", "address_line1", "address_line2", "city", "state", "postal_code", "lat",
    "lon", "phone", "wheelchair_accessible",
}  # fmt: skip
TEAM_FIELDS = {
    "key", "psychiatrist_npi", "anesthesia_provider_npi", "site_key", "modalities",
    "conditions", "insurance_accepted", "self_pay_price_usd", "telehealth_consults",
    "accepting_new_patients", "wait_days", "min_patient_age", "programs", "active",
    "verified_at",
}  # fmt: skip
CREDENTIALS = {
    Role.psychiatrist: {Credential.md, Credential.do},
    Role.anesthesiologist: {Credential.md, Credential.do},
    Role.crna: {Credential.crna},
}


@pytest.fixture(scope="module")
def demo() -> dict:
    return synthetic.demo_registry()


@pytest.fixture(scope="module")
def generated() -> dict:
    return synthetic.generated_registry(2000)


@cache
def zip_record(postal_code: str) -> dict | None:
    found = zipcodes.matching(postal_code) if zipcodes.is_real(postal_code) else []
    return found[0] if found else None


def miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(a))


def check_providers(providers: list[dict]) -> None:
    npis = [p["npi"] for p in providers]
    assert len(set(npis)) == len(npis)
    for p in providers:
        assert set(p) == PROVIDER_FIELDS
        assert npi.is_valid(p["npi"]), p["npi"]
        assert p["credential"] in CREDENTIALS[Role(p["role"])]
        assert p["gender"] in {"female", "male", "nonbinary", None}
        assert 0 < len(p["first_name"]) <= 100 and 0 < len(p["last_name"]) <= 100
        assert p["languages"] and all(re.fullmatch(r"[a-z]{2}", c) for c in p["languages"])
        assert len(set(p["languages"])) == len(p["languages"])
        assert p["licensed_states"] and set(p["licensed_states"]) <= synthetic_geo.STATES
        assert p["email"].endswith(".example.com")
        assert PHONE.match(p["phone"]), p["phone"]
        assert isinstance(p["accepting_new_patients"], bool)


def check_sites(sites: list[dict]) -> None:
    keys = [s["key"] for s in sites]
    assert len(set(keys)) == len(keys)
    for s in sites:
        assert set(s) == SITE_FIELDS
        assert SLUG.match(s["key"]) and len(s["key"]) <= 64, s["key"]
        assert 0 < len(s["name"]) <= 100 and re.match(r"^\d+ \w", s["address_line1"])
        assert s["address_line2"] is None or isinstance(s["address_line2"], str)
        record = zip_record(s["postal_code"])
        assert record is not None, s["postal_code"]
        assert (record["city"], record["state"]) == (s["city"], s["state"])
        assert miles(float(record["lat"]), float(record["long"]), s["lat"], s["lon"]) < 3.0
        assert PHONE.match(s["phone"]) and isinstance(s["wheelchair_accessible"], bool)


def check_teams(registry: dict) -> None:
    providers = {p["npi"]: p for p in registry["providers"]}
    sites = {s["key"]: s for s in registry["sites"]}
    teams = registry["care_teams"]
    keys = [t["key"] for t in teams]
    assert len(set(keys)) == len(keys)
    triples = {(t["psychiatrist_npi"], t["anesthesia_provider_npi"], t["site_key"]) for t in teams}
    assert len(triples) == len(teams)
    for t in teams:
        assert set(t) == TEAM_FIELDS
        assert SLUG.match(t["key"]) and len(t["key"]) <= 64, t["key"]
        psychiatrist = providers[t["psychiatrist_npi"]]
        anesthesia = providers[t["anesthesia_provider_npi"]]
        site = sites[t["site_key"]]
        assert psychiatrist["role"] == Role.psychiatrist
        assert anesthesia["role"] in {Role.anesthesiologist, Role.crna}
        assert site["state"] in psychiatrist["licensed_states"]
        assert site["state"] in anesthesia["licensed_states"]
        assert t["modalities"] and set(t["modalities"]) <= set(Modality)
        assert set(t["conditions"]) <= set(Condition)
        assert {"ptsd", "depression"} & set(t["conditions"])
        assert t["insurance_accepted"] and set(t["insurance_accepted"]) <= set(Payer)
        for field in ("modalities", "conditions", "insurance_accepted", "programs"):
            assert len(set(t[field])) == len(t[field])
        price = t["self_pay_price_usd"]
        assert (price is not None) == ("self_pay" in t["insurance_accepted"])
        assert price is None or (isinstance(price, int) and 350 <= price <= 900)
        assert 0 <= t["wait_days"] <= 60 and t["min_patient_age"] in {16, 18, 21, 25}
        assert set(t["programs"]) <= set(Program)
        for flag in ("telehealth_consults", "accepting_new_patients", "active"):
            assert isinstance(t[flag], bool)
        assert t["verified_at"].endswith("Z")
        verified = datetime.fromisoformat(t["verified_at"])
        assert verified.tzinfo is not None and verified < datetime(2026, 11, 1, tzinfo=UTC)
    psychiatrist_load = Counter(t["psychiatrist_npi"] for t in teams)
    anesthesia_load = Counter(t["anesthesia_provider_npi"] for t in teams)
    assert max(psychiatrist_load.values(), default=0) <= 3
    assert max(anesthesia_load.values(), default=0) <= 4
    assert set(psychiatrist_load) | set(anesthesia_load) == set(providers)  # nobody idle
    assert {t["site_key"] for t in teams} == set(sites)


def check_registry(registry: dict) -> None:
    assert set(registry) == {"providers", "sites", "care_teams"}
    check_providers(registry["providers"])
    check_sites(registry["sites"])
    check_teams(registry)


def test_demo_is_deterministic(demo: dict) -> None:
    assert synthetic.demo_registry() == demo


def test_demo_invariants(demo: dict) -> None:
    check_registry(demo)
    for p in demo["providers"]:
        validate_email(p["email"], check_deliverability=False)
    names = [(p["first_name"], p["last_name"]) for p in demo["providers"]]
    assert len(set(names)) == len(names)
    assert len({p["email"] for p in demo["providers"]}) == len(names)


def test_demo_coverage(demo: dict) -> None:
    teams, sites = demo["care_teams"], demo["sites"]
    assert len(teams) >= 320
    assert len({s["state"] for s in sites}) >= 32
    metros = {
        i
        for i, (_, _, lat, lon, _) in enumerate(synthetic_names.METROS)
        if any(miles(lat, lon, s["lat"], s["lon"]) <= 31 for s in sites)
    }
    assert len(metros) >= 45
    rural = [
        s
        for s in sites
        if all(
            miles(lat, lon, s["lat"], s["lon"]) > 70 for _, _, lat, lon, _ in synthetic_names.METROS
        )
    ]
    assert len(rural) >= 15
    roles = Counter(
        next(p["role"] for p in demo["providers"] if p["npi"] == t["anesthesia_provider_npi"])
        for t in teams
    )
    assert 0.45 <= roles["crna"] / len(teams) <= 0.65
    for flag in ("active", "accepting_new_patients"):
        off = sum(not t[flag] for t in teams) / len(teams)
        assert 0.01 <= off <= 0.08, flag
    payers = Counter(p for t in teams for p in t["insurance_accepted"])
    assert payers["self_pay"] > len(teams) / 2 and payers["tricare"] and payers["va_community_care"]
    languages = Counter(c for p in demo["providers"] for c in p["languages"])
    assert {"en", "es", "zh", "vi", "ko", "ru", "ar", "tl", "fr", "pt", "hi"} <= set(languages)
    assert len({t["verified_at"][:7] for t in teams}) >= 18
    assert any(t["verified_at"] < "2025-05-01" for t in teams)
    assert Counter(t["min_patient_age"] for t in teams).most_common(1)[0][0] == 18


def test_seed_file_is_current(demo: dict) -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    assert text.endswith("\n") and len(text) < 1_500_000
    assert json.loads(text) == demo, "stale seed: run `python seed_data/generate.py`"


def test_generated_invariants(generated: dict) -> None:
    assert len(generated["care_teams"]) == 2000
    check_registry(generated)
    for p in generated["providers"][:200]:
        validate_email(p["email"], check_deliverability=False)


def test_generated_is_deterministic_per_seed(generated: dict) -> None:
    assert synthetic.generated_registry(2000) == generated
    other = synthetic.generated_registry(2000, seed=1)
    assert other["care_teams"] != generated["care_teams"]
    assert len(other["care_teams"]) == 2000


@pytest.mark.parametrize("count", [0, 1, 7])
def test_generated_exact_small_counts(count: int) -> None:
    registry = synthetic.generated_registry(count)
    assert len(registry["care_teams"]) == count
    check_registry(registry)


def test_generated_chunks_concatenate(generated: dict) -> None:
    merged: dict[str, list] = {"providers": [], "sites": [], "care_teams": []}
    for chunk in synthetic.iter_generated(2000, chunk_teams=300):
        assert len(chunk["care_teams"]) < 300 + 9
        for name, rows in chunk.items():
            merged[name].extend(rows)
    assert merged == generated


def test_random_origins() -> None:
    origins = synthetic.random_origins(500, seed=3)
    assert len(origins) == 500 and origins == synthetic.random_origins(500, seed=3)
    assert origins != synthetic.random_origins(500, seed=4)
    assert all(18 < lat < 72 and -180 < lon < -65 for lat, lon in origins)


@pytest.mark.parametrize(
    ("odds", "vocab"),
    [
        (synthetic_names.MODALITY_ODDS, Modality),
        (synthetic_names.EXTRA_CONDITION_ODDS, Condition),
        (synthetic_names.PROGRAM_ODDS, Program),
        (synthetic_names.PAYER_ODDS, Payer),
        (synthetic_names.VETERAN_PAYER_ODDS, Payer),
    ],
)
def test_odds_tables_use_vocab_values_in_vocab_order(odds: dict, vocab: type) -> None:
    assert list(odds) == [member.value for member in vocab if member.value in odds]
