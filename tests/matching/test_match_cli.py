"""`referrals match` prints the same answer as GET /matches, as a table."""

import re
import subprocess
import sys

import pytest
from sqlalchemy import text

from referrals import migrations
from referrals.config import Settings
from referrals.db import make_engine, make_sessionmaker
from referrals.matching import table
from referrals.matching.schemas import Match, MatchResponse, Origin
from referrals.registry import seeding
from referrals.registry.schemas import SeedFile


@pytest.fixture(scope="module")
def seeded_url(new_database_url) -> str:
    url = new_database_url()
    migrations.upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        seeding.load(session, seed=SeedFile.model_validate_json(Settings().seed_file.read_bytes()))
    engine.dispose()
    return url


def _match(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "referrals.cli", "match", *args],
        env={"REFERRALS_DATABASE_URL": url, "PATH": "", "COLUMNS": "200"},
        capture_output=True,
        text=True,
    )


def test_match_prints_a_ranked_table(seeded_url):
    result = _match(seeded_url, "--postal-code", "10001", "--modality", "iv_infusion")
    assert result.returncode == 0, result.stderr
    assert "care teams within 50 miles of New York, NY 10001" in result.stdout
    assert "offers IV ketamine infusion" in result.stdout
    assert re.search(r"verified 20\d\d-\d\d-\d\d", result.stdout)  # when last confirmed


def test_match_names_a_bad_option(seeded_url):
    result = _match(seeded_url, "--postal-code", "00000")
    assert result.returncode == 2
    assert "--postal-code: is not a known US ZIP code" in result.stderr
    result = _match(seeded_url, "--postal-code", "1000", "--radius", "0")
    assert result.returncode == 2
    assert "--postal-code: must be a 5-digit ZIP code" in result.stderr
    assert "--radius: must be at least 1" in result.stderr
    result = _match(seeded_url, "--lat", "40.7")
    assert result.returncode == 2
    assert "--lon: is required with the other" in result.stderr
    result = _match(seeded_url)
    assert result.returncode == 2
    assert "--postal-code: or --lat and --lon is required" in result.stderr
    result = _match(seeded_url, "--postal-code", "10001", "--lat", "40.7", "--lon", "-74")
    assert "--postal-code: give either --postal-code or --lat and --lon, not both" in result.stderr
    result = _match(seeded_url, "--lat", "40.7", "--modality", "iv_infusion", "--modality", "iv")
    assert "--modality: must be one of 'iv_infusion'" in result.stderr
    result = _match(seeded_url, "--postal-code", "10001", "--max-price", "-1", "--gender", "x")
    assert "--max-price: must be at least" in result.stderr
    assert "--gender: must be one of" in result.stderr


def test_match_on_a_new_database_sets_it_up_first(new_database_url):
    result = _match(new_database_url(), "--postal-code", "10001")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "0 care teams within 50 miles of New York, NY 10001",
        "Try a wider --radius or fewer filters.",
    ]


def _answer(total: int, radius: float, listed: int) -> MatchResponse:
    origin = Origin(postal_code="10001", lat=40.75, lon=-74.0, label="New York, NY 10001")
    matches = [Match.model_construct() for _ in range(listed)]
    return MatchResponse(origin=origin, radius_miles=radius, total=total, matches=matches)


@pytest.mark.parametrize(
    ("total", "radius", "listed", "title"),
    [
        (1, 1, 1, "1 care team within 1 mile of New York, NY 10001"),
        (2, 1.5, 2, "2 care teams within 1.5 miles of New York, NY 10001"),
        (12, 50, 10, "12 care teams within 50 miles of New York, NY 10001, the first 10 listed"),
        (3, 50, 1, "3 care teams within 50 miles of New York, NY 10001, the first one listed"),
        (
            1_000_000,
            500,
            10,
            "1,000,000 care teams within 500 miles of New York, NY 10001, the first 10 listed",
        ),
    ],
)
def test_the_title_counts_in_words_and_says_how_many_are_listed(total, radius, listed, title):
    assert table.title(_answer(total, radius, listed)) == title


@pytest.mark.parametrize(
    ("price", "payers", "said"),
    [
        (450, ["aetna", "self_pay"], "self-pay $450\nAetna"),
        (0, ["self_pay"], "self-pay $0\nno insurance"),
        (None, ["cigna", "tricare"], "no self-pay\nCigna, TRICARE"),
        (None, ["self_pay"], "self-pay, no price listed\nno insurance"),
    ],
)
def test_the_price_and_the_plans_are_said_as_the_registry_has_them(price, payers, said):
    match = Match.model_construct(self_pay_price_usd=price, insurance_accepted=payers)
    assert table.payment(match) == said


def test_match_lists_each_team_s_price_and_plans(seeded_url):
    result = _match(seeded_url, "--postal-code", "10001", "--radius", "5", "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert ", the first 3 listed" in result.stdout
    assert "no self-pay" in result.stdout and "no insurance" in result.stdout


def test_match_prints_the_registry_s_names_as_written(new_database_url):
    url = new_database_url()
    migrations.upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        seeding.load(session, seed=SeedFile.model_validate_json(Settings().seed_file.read_bytes()))
        session.execute(text("UPDATE sites SET name = 'Harbor Ketamine [east wing] [/]'"))
        session.execute(text("UPDATE providers SET last_name = 'Ng [/x]'"))
    engine.dispose()
    result = _match(url, "--postal-code", "10001", "--radius", "5", "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert "Harbor Ketamine [east wing] [/]" in result.stdout
    assert "Ng [/x]" in result.stdout
