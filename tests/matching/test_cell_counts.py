"""PostgreSQL counts the cells wholly in reach from `team_cells`: the same totals as reading
every team, and `team_cells` follows the teams through every change."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from referrals.matching import postgis_search
from referrals.matching.filters import HardFilters
from referrals.matching.schemas import MatchQuery
from referrals.registry import seeding
from referrals.registry.schemas import SeedFile
from referrals.registry.synthetic import generated_registry, random_origins
from referrals.registry.vocab import Modality
from tests.builders import make_care_team, make_site
from tests.matching.test_matches_oracle import DENSE

# What `team_cells` should hold, counted again from `team_places`.
_RECOUNTED = text(f"""
WITH recounted AS (
    SELECT band, cell, array_agg(teams ORDER BY subset) AS subsets FROM (
        SELECT band, cell, subset,
            coalesce(sum(teams) FILTER (WHERE modalities & ~subset = 0), 0)::integer AS teams
        FROM (SELECT band, floor(lon * 20)::integer AS cell, modalities, count(*) AS teams
            FROM team_places GROUP BY 1, 2, 3) square,
            generate_series(0, {postgis_search.MODALITY_SETS - 1}) subset
        GROUP BY band, cell, subset) counted
    GROUP BY band, cell)
SELECT count(*) FROM recounted FULL JOIN team_cells c USING (band, cell)
WHERE recounted.subsets IS DISTINCT FROM c.subsets""")


@pytest.fixture(autouse=True)
def _postgresql_only(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("team_cells is PostgreSQL's")


def test_every_set_of_modalities_has_its_slot():
    assert 2 ** len(Modality) == postgis_search.MODALITY_SETS


@pytest.fixture
def registry(session):
    seeding.load(session, seed=SeedFile.model_validate(generated_registry(1500, seed=5)))
    session.flush()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    origin=st.sampled_from(random_origins(50, seed=12) + DENSE),
    miles=st.sampled_from([0.5, 3, 5, 25, 50, 150, 500]),
    modalities=st.lists(st.sampled_from(list(Modality)), max_size=3),
)
def test_counting_by_cells_counts_as_reading_every_team(
    session, registry, origin, miles, modalities
):
    filters = HardFilters.of(MatchQuery(lat=origin[0], lon=origin[1], modality=modalities))
    by_cells = postgis_search.count(session, *origin, miles, filters)
    # any age passes every team, and makes the count read every team in reach
    every_team = replace(filters, patient_age=10**6)
    assert by_cells == postgis_search.count(session, *origin, miles, every_team)


def test_the_cells_follow_every_change_of_the_teams(session, registry):
    site = make_site(session, lat=40.7484, lon=-73.9967)
    teams = [make_care_team(session, site_id=site.id) for _ in range(12)]
    session.flush()
    teams[0].modalities = {Modality.iv_infusion, Modality.oral_sublingual}
    teams[1].active = False
    teams[2].accepting_new_patients = False
    session.delete(teams[3])
    site.lat, site.lon = 40.6, -74.2
    teams[4].site_id = make_site(session, lat=30.2672, lon=-97.7431).id
    session.flush()
    teams[1].active = True
    session.flush()
    assert session.execute(_RECOUNTED).scalar_one() == 0
    assert session.execute(text("SELECT count(*) FROM team_cells")).scalar_one() > 0
