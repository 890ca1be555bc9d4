"""Names of the engine-specific spatial index objects that the migrations create.

SQLite: the R*Tree `team_rtree` of open care teams (with its key table and the view
`team_search_rows` that both are filled from), kept in step with care teams, sites and
providers by triggers. PostgreSQL: `sites.geog`, a PostGIS geography generated from lat/lon,
with a GiST index, and `team_places`, each open team's place and hard-filter columns (GiST
indexed too), kept in step with care teams and sites by triggers.
Neither is mapped by the ORM: lat/lon stay the portable truth.
"""

TEAM_RTREE = "team_rtree"
TEAM_SEARCH_ROWS = "team_search_rows"
SITE_GEOG = "geog"
SITE_GEOG_INDEX = "ix_sites_geog"
TEAM_PLACES = "team_places"
_POSTGIS_TABLES = {"spatial_ref_sys"}


def is_spatial(name: str | None, type_: str) -> bool:
    """True for a spatial index object that the models leave to the migrations."""
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(TEAM_RTREE) or name in (TEAM_PLACES, *_POSTGIS_TABLES)
    return name in (SITE_GEOG, SITE_GEOG_INDEX, TEAM_SEARCH_ROWS)
