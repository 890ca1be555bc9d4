"""Names of the engine-specific spatial index objects that the migrations create.

SQLite: the R*Trees of open care teams, `team_rtree` by place, price and age and
`team_rtree_by_place` by place alone (with their key table and the view `team_search_rows`
that all are filled from), kept in step with care teams, sites and providers by triggers.
PostgreSQL: `sites.geog`, a PostGIS geography generated from lat/lon, and `team_places`,
one row per open team with that place, its hard-filter columns and what the ranking reads,
in one B-tree by latitude band and longitude (referrals.geo.bands) that carries every column
the searches read, and kept in step with care teams, sites and providers by triggers; and
`team_cells`, the open teams of each cell of that grid counted by modality, kept in step
with `team_places` by a trigger.
Neither is mapped by the ORM: lat/lon stay the portable truth.
"""

TEAM_RTREE = "team_rtree"
TEAM_SEARCH_ROWS = "team_search_rows"
SITE_GEOG = "geog"
TEAM_PLACES = "team_places"
TEAM_PLACES_INDEX = "ix_team_places_band"
TEAM_CELLS = "team_cells"
_POSTGIS_TABLES = {"spatial_ref_sys"}


def is_spatial(name: str | None, type_: str) -> bool:
    """True for a spatial index object that the models leave to the migrations."""
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(TEAM_RTREE) or name in (TEAM_PLACES, TEAM_CELLS, *_POSTGIS_TABLES)
    return name in (SITE_GEOG, TEAM_SEARCH_ROWS)
