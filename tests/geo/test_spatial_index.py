"""The engine's spatial index follows care teams, sites and providers through every change."""

from math import floor

import pytest
from sqlalchemy import text

from referrals.geo.bands import BANDS_PER_DEGREE
from tests.builders import make_care_team, make_provider, make_site

_SQLITE_NEAR = (
    "SELECT id >> 39 FROM {tree} WHERE max_lat >= :lat - 0.03 AND min_lat <= :lat + 0.03"
    " AND max_lon >= :lon - 0.04 AND min_lon <= :lon + 0.04"
)
# the tree of every search, and the tree by place alone of those that cap neither price nor age
SQLITE_TREES = ("team_rtree", "team_rtree_by_place")
# by the band the migration computes, and the band the searches compute
_POSTGIS_NEAR = text(
    "SELECT care_team_id FROM team_places WHERE band BETWEEN :south AND :north"
    " AND lon BETWEEN :lon - 0.04 AND :lon + 0.04"
    " AND ST_DWithin(geog, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 3219)"
)
MIDTOWN = (40.7484, -73.9967)
AUSTIN = (30.2672, -97.7431)


def _indexed_near(session, lat: float, lon: float) -> set[int]:
    """Open teams the spatial index (not the lat/lon columns) finds within ~2 miles: on
    SQLite, the same in each of its trees."""
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        where = {"lat": lat, "lon": lon}
        found = [
            set(session.execute(text(_SQLITE_NEAR.format(tree=tree)), where).scalars())
            for tree in SQLITE_TREES
        ]
        assert found[0] == found[1]
        return found[0]
    bands = {
        "south": floor((lat - 0.03) * BANDS_PER_DEGREE),
        "north": floor((lat + 0.03) * BANDS_PER_DEGREE),
    }
    where = {"lat": lat, "lon": lon} | bands
    return set(session.execute(_POSTGIS_NEAR, where).scalars())


@pytest.fixture
def team(session):
    return make_care_team(session, site_id=make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1]).id)


def test_a_new_team_is_in_the_index_at_its_site(session, team):
    assert team.id in _indexed_near(session, *MIDTOWN)
    assert team.id not in _indexed_near(session, *AUSTIN)


def test_a_moved_site_moves_its_teams(session, team):
    team.site.lat, team.site.lon = AUSTIN
    assert team.id in _indexed_near(session, *AUSTIN)
    assert team.id not in _indexed_near(session, *MIDTOWN)


def test_a_site_moved_through_the_api_moves_its_teams(client, session, admin_headers, team):
    body = {"state": "TX", "postal_code": "78701", "city": "Austin"}
    response = client.patch(f"/api/v1/sites/{team.site_id}", json=body, headers=admin_headers)
    assert response.status_code == 200
    assert team.id in _indexed_near(session, 30.2713, -97.7426)


def test_a_team_moved_to_another_site_moves(session, team):
    team.site_id = make_site(session, lat=AUSTIN[0], lon=AUSTIN[1]).id
    assert team.id in _indexed_near(session, *AUSTIN)
    assert team.id not in _indexed_near(session, *MIDTOWN)


@pytest.mark.parametrize("closed", ["active", "accepting_new_patients"])
def test_a_closed_team_leaves_and_a_reopened_one_returns(session, team, closed):
    setattr(team, closed, False)
    assert team.id not in _indexed_near(session, *MIDTOWN)
    setattr(team, closed, True)
    assert team.id in _indexed_near(session, *MIDTOWN)


def test_a_deleted_team_leaves_the_index(session, team):
    team_id = team.id
    session.delete(team)
    assert team_id not in _indexed_near(session, *MIDTOWN)


def test_a_changed_psychiatrist_is_reindexed(session, team):
    team.psychiatrist.gender = "male"
    team.psychiatrist_id = make_provider(session, gender="nonbinary").id
    assert team.id in _indexed_near(session, *MIDTOWN)


def test_the_index_holds_exactly_the_open_teams(session):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    teams = [make_care_team(session, site_id=site.id) for _ in range(30)]
    for team in teams[::3]:
        session.delete(team)
    for team in teams[1::3]:
        team.active = False
    found = _indexed_near(session, *MIDTOWN)
    assert {t.id for t in teams[2::3]} <= found
    assert not {t.id for t in teams[::3] + teams[1::3]} & found
