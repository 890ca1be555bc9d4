"""Names of the engine-specific spatial index objects that the migrations create.

SQLite: the R*Tree `site_rtree` (id = sites.id), kept in step with sites by triggers.
PostgreSQL: `sites.geog`, a PostGIS geography generated from lat/lon, with a GiST index.
Neither is mapped by the ORM: lat/lon stay the portable truth.
"""

SITE_RTREE = "site_rtree"
SITE_GEOG = "geog"
SITE_GEOG_INDEX = "ix_sites_geog"
_POSTGIS_TABLES = {"spatial_ref_sys"}


def is_spatial(name: str | None, type_: str) -> bool:
    """True for a spatial index object that the models leave to the migrations."""
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(SITE_RTREE) or name in _POSTGIS_TABLES
    return name in (SITE_GEOG, SITE_GEOG_INDEX)
