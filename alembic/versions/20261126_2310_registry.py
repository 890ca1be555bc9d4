"""Registry (providers, sites, care teams), API keys and the site spatial indexes.

Revision ID: 6e0070784253
Revises:
Create Date: 2026-11-26 23:10:40.172230
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "6e0070784253"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The R*Tree holds one entry per care team that is active and accepting new patients. It is
# two-dimensional (lat, lon), which keeps its pages clustered in space, and its id packs the
# team id with its wait and the bit sets that filters and preferences test, so that a search
# reads no other table unless it filters by price, age or language (layout:
# referrals/matching/sqlite_search.py).
TEAM_SEARCH_ROWS = """
CREATE VIEW team_search_rows AS
SELECT t.id AS team_id,
       (t.id << 39) | (min(t.wait_days, 511) << 30)
       | t.modalities | (t.conditions << 5) | (t.insurance_accepted << 11)
       | (t.programs << 22) | (t.telehealth_consults << 26)
       | ((CASE p.gender WHEN 'female' THEN 1 WHEN 'male' THEN 2 WHEN 'nonbinary' THEN 3
           ELSE 0 END) << 27)
       | ((a.role = 'crna') << 29) AS rtree_id,
       s.lat, s.lon
FROM care_teams t
JOIN sites s ON s.id = t.site_id
JOIN providers p ON p.id = t.psychiatrist_id
JOIN providers a ON a.id = t.anesthesia_provider_id
WHERE t.active AND t.accepting_new_patients
"""
MAX_TEAM_ID = (1 << 24) - 1


def _index_teams(teams: str) -> str:
    return f"""
        INSERT INTO team_rtree SELECT rtree_id, lat, lat, lon, lon
        FROM team_search_rows WHERE team_id IN ({teams});
        INSERT INTO team_rtree_keys SELECT team_id, rtree_id
        FROM team_search_rows WHERE team_id IN ({teams});"""


def _unindex_teams(teams: str) -> str:
    return f"""
        DELETE FROM team_rtree
        WHERE id IN (SELECT rtree_id FROM team_rtree_keys WHERE team_id IN ({teams}));
        DELETE FROM team_rtree_keys WHERE team_id IN ({teams});"""


_TEAMS_OF_PROVIDER = (
    "SELECT id FROM care_teams WHERE psychiatrist_id = NEW.id OR anesthesia_provider_id = NEW.id"
)
SQLITE_SPATIAL = [
    "CREATE VIRTUAL TABLE team_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    """CREATE TABLE team_rtree_keys (
        team_id INTEGER PRIMARY KEY REFERENCES care_teams (id) ON DELETE CASCADE,
        rtree_id INTEGER NOT NULL)""",
    TEAM_SEARCH_ROWS,
    f"""CREATE TRIGGER team_rtree_id_range BEFORE INSERT ON care_teams
    WHEN NEW.id > {MAX_TEAM_ID} BEGIN
        SELECT RAISE(ABORT, 'care team ids above {MAX_TEAM_ID} do not fit the search index');
    END""",
    f"""CREATE TRIGGER team_rtree_team_insert AFTER INSERT ON care_teams BEGIN
        {_index_teams("NEW.id")}
    END""",
    f"""CREATE TRIGGER team_rtree_team_update AFTER UPDATE ON care_teams BEGIN
        {_unindex_teams("OLD.id")}
        {_index_teams("NEW.id")}
    END""",
    f"""CREATE TRIGGER team_rtree_team_delete BEFORE DELETE ON care_teams BEGIN
        {_unindex_teams("OLD.id")}
    END""",
    """CREATE TRIGGER team_rtree_site_move AFTER UPDATE OF lat, lon ON sites BEGIN
        UPDATE team_rtree SET min_lat = NEW.lat, max_lat = NEW.lat,
                              min_lon = NEW.lon, max_lon = NEW.lon
        WHERE id IN (SELECT k.rtree_id FROM team_rtree_keys k
                     JOIN care_teams t ON t.id = k.team_id WHERE t.site_id = NEW.id);
    END""",
    f"""CREATE TRIGGER team_rtree_provider_update AFTER UPDATE OF gender, role ON providers
    BEGIN
        {_unindex_teams(_TEAMS_OF_PROVIDER)}
        {_index_teams(_TEAMS_OF_PROVIDER)}
    END""",
]
POSTGIS_SPATIAL = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """ALTER TABLE sites ADD COLUMN geog geography(Point, 4326)
        GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED""",
    "CREATE INDEX ix_sites_geog ON sites USING gist (geog)",
]


def _spatial_ddl() -> list[str]:
    """The spatial index of `sites` for this engine, following lat/lon by itself."""
    return SQLITE_SPATIAL if op.get_bind().dialect.name == "sqlite" else POSTGIS_SPATIAL


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("credential", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("accepting_new_patients", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("npi", name=op.f("uq_providers_npi")),
    )
    op.create_index(op.f("ix_providers_role"), "providers", ["role"])

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("wheelchair_accessible", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_sites_lat_range")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f("ck_sites_lon_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("key", name=op.f("uq_sites_key")),
    )
    op.create_index(op.f("ix_sites_postal_code"), "sites", ["postal_code"])
    op.create_index(op.f("ix_sites_state"), "sites", ["state"])

    op.create_table(
        "care_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("psychiatrist_id", sa.Integer(), nullable=False),
        sa.Column("anesthesia_provider_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("modalities", sa.BigInteger(), nullable=False),
        sa.Column("conditions", sa.BigInteger(), nullable=False),
        sa.Column("insurance_accepted", sa.BigInteger(), nullable=False),
        sa.Column("programs", sa.BigInteger(), nullable=False),
        sa.Column("self_pay_price_usd", sa.Integer(), nullable=True),
        sa.Column("telehealth_consults", sa.Boolean(), nullable=False),
        sa.Column("accepting_new_patients", sa.Boolean(), nullable=False),
        sa.Column("wait_days", sa.Integer(), nullable=False),
        sa.Column("min_patient_age", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("self_pay_price_usd >= 0", name=op.f("ck_care_teams_price_nonnegative")),
        sa.CheckConstraint("wait_days >= 0", name=op.f("ck_care_teams_wait_days_nonnegative")),
        sa.ForeignKeyConstraint(
            ["anesthesia_provider_id"],
            ["providers.id"],
            name=op.f("fk_care_teams_anesthesia_provider_id_providers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["psychiatrist_id"],
            ["providers.id"],
            name=op.f("fk_care_teams_psychiatrist_id_providers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_teams_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_teams")),
        sa.UniqueConstraint("key", name=op.f("uq_care_teams_key")),
    )
    op.create_index(
        op.f("ix_care_teams_anesthesia_provider_id"), "care_teams", ["anesthesia_provider_id"]
    )
    op.create_index(op.f("ix_care_teams_psychiatrist_id"), "care_teams", ["psychiatrist_id"])
    op.create_index(
        op.f("ix_care_teams_site_id_open"),
        "care_teams",
        ["site_id", "active", "accepting_new_patients"],
    )

    op.create_table(
        "provider_languages",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_languages_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", "code", name=op.f("pk_provider_languages")),
    )
    op.create_table(
        "provider_licenses",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_licenses_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", "state", name=op.f("pk_provider_licenses")),
    )
    op.create_index(op.f("ix_provider_licenses_state"), "provider_licenses", ["state"])
    for statement in _spatial_ddl():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in ("DROP VIEW team_search_rows", "DROP TABLE team_rtree_keys"):
            op.execute(statement)
        op.execute("DROP TABLE team_rtree")
    else:
        op.drop_index("ix_sites_geog", table_name="sites")
    op.drop_index(op.f("ix_provider_licenses_state"), table_name="provider_licenses")

    op.drop_table("provider_licenses")
    op.drop_table("provider_languages")
    op.drop_index(op.f("ix_care_teams_site_id_open"), table_name="care_teams")
    op.drop_index(op.f("ix_care_teams_psychiatrist_id"), table_name="care_teams")
    op.drop_index(op.f("ix_care_teams_anesthesia_provider_id"), table_name="care_teams")

    op.drop_table("care_teams")
    op.drop_index(op.f("ix_sites_state"), table_name="sites")
    op.drop_index(op.f("ix_sites_postal_code"), table_name="sites")

    op.drop_table("sites")
    op.drop_index(op.f("ix_providers_role"), table_name="providers")

    op.drop_table("providers")
    op.drop_table("api_keys")
