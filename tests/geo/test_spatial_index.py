"""The engine's spatial index follows sites through inserts, moves and deletes."""

from sqlalchemy import text

from tests.builders import make_site

NEAR_MILES = 2.0
_SQLITE_NEAR = text(
    "SELECT id FROM site_rtree WHERE min_lat >= :lat - 0.03 AND max_lat <= :lat + 0.03"
    " AND min_lon >= :lon - 0.04 AND max_lon <= :lon + 0.04"
)
_POSTGIS_NEAR = text(
    "SELECT id FROM sites"
    " WHERE ST_DWithin(geog, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :meters)"
)
MIDTOWN = (40.7484, -73.9967)
AUSTIN = (30.2672, -97.7431)


def _indexed_near(session, lat: float, lon: float) -> set[int]:
    """Ids the spatial index (not the lat/lon columns) finds within ~2 miles."""
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(_SQLITE_NEAR, {"lat": lat, "lon": lon})
    else:
        rows = session.execute(_POSTGIS_NEAR, {"lat": lat, "lon": lon, "meters": 3218.7})
    return set(rows.scalars())


def test_an_inserted_site_is_in_the_index(session):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    assert site.id in _indexed_near(session, *MIDTOWN)
    assert site.id not in _indexed_near(session, *AUSTIN)


def test_a_moved_site_moves_in_the_index(session):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    site.lat, site.lon = AUSTIN
    session.flush()
    assert site.id in _indexed_near(session, *AUSTIN)
    assert site.id not in _indexed_near(session, *MIDTOWN)


def test_a_site_moved_through_the_api_moves_in_the_index(client, session, admin_headers):
    site = make_site(session)
    body = {"state": "TX", "postal_code": "78701", "city": "Austin"}
    response = client.patch(f"/api/v1/sites/{site.id}", json=body, headers=admin_headers)
    assert response.status_code == 200
    assert site.id in _indexed_near(session, 30.2713, -97.7426)


def test_a_deleted_site_leaves_the_index(session):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    site_id = site.id
    session.delete(site)
    session.flush()
    assert site_id not in _indexed_near(session, *MIDTOWN)


def test_the_index_holds_exactly_the_sites(session):
    sites = [make_site(session, lat=MIDTOWN[0] + i * 1e-4, lon=MIDTOWN[1]) for i in range(50)]
    for site in sites[::2]:
        session.delete(site)
    session.flush()
    found = _indexed_near(session, *MIDTOWN)
    assert {s.id for s in sites[1::2]} <= found
    assert not {s.id for s in sites[::2]} & found
