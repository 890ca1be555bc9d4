"""SQLite: price and youngest age become dimensions of the care-team R*Tree.

A search capped by price or age then prunes in the tree, as it does by place, instead of
looking up each team in reach (about 25 times faster in a dense metro). Both are scaled
down (per 1 000) so that the tree's pages stay clustered by place; a team without a
self-pay price, or above any price a search can ask for, is placed just above that cap.
PostgreSQL is unchanged.

Revision ID: 9b4e2c7d1f60
Revises: 3c1f0a9d7e21
Create Date: 2026-11-27 04:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9b4e2c7d1f60"
down_revision: str | None = "3c1f0a9d7e21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with referrals/matching/sqlite_search.py.
SCALE = 1000.0
ABOVE_ANY_PRICE = 100_001
MAX_TEAM_ID = (1 << 24) - 1
TRIGGERS = (
    "team_rtree_id_range",
    "team_rtree_team_insert",
    "team_rtree_team_update",
    "team_rtree_team_delete",
    "team_rtree_site_move",
    "team_rtree_provider_update",
)
_TEAMS_OF_PROVIDER = (
    "SELECT id FROM care_teams WHERE psychiatrist_id = NEW.id OR anesthesia_provider_id = NEW.id"
)


def _search_rows(extra_columns: str) -> str:
    return f"""
CREATE VIEW team_search_rows AS
SELECT t.id AS team_id,
       (t.id << 39) | (min(t.wait_days, 511) << 30)
       | t.modalities | (t.conditions << 5) | (t.insurance_accepted << 11)
       | (t.programs << 22) | (t.telehealth_consults << 26)
       | ((CASE p.gender WHEN 'female' THEN 1 WHEN 'male' THEN 2 WHEN 'nonbinary' THEN 3
           ELSE 0 END) << 27)
       | ((a.role = 'crna') << 29) AS rtree_id,
       s.lat, s.lon{extra_columns}
FROM care_teams t
JOIN sites s ON s.id = t.site_id
JOIN providers p ON p.id = t.psychiatrist_id
JOIN providers a ON a.id = t.anesthesia_provider_id
WHERE t.active AND t.accepting_new_patients
"""


PRICE_AND_AGE = f""",
       min(coalesce(t.self_pay_price_usd, {ABOVE_ANY_PRICE}), {ABOVE_ANY_PRICE}) / {SCALE}
           AS price,
       t.min_patient_age / {SCALE} AS age"""


def _spatial(dimensions: str, coordinates: str, extra_columns: str) -> list[str]:
    def index(teams: str) -> str:
        return f"""
        INSERT INTO team_rtree SELECT rtree_id, {coordinates}
        FROM team_search_rows WHERE team_id IN ({teams});
        INSERT INTO team_rtree_keys SELECT team_id, rtree_id
        FROM team_search_rows WHERE team_id IN ({teams});"""

    def unindex(teams: str) -> str:
        return f"""
        DELETE FROM team_rtree
        WHERE id IN (SELECT rtree_id FROM team_rtree_keys WHERE team_id IN ({teams}));
        DELETE FROM team_rtree_keys WHERE team_id IN ({teams});"""

    return [
        f"CREATE VIRTUAL TABLE team_rtree USING rtree(id, {dimensions})",
        _search_rows(extra_columns),
        f"""CREATE TRIGGER team_rtree_id_range BEFORE INSERT ON care_teams
        WHEN NEW.id > {MAX_TEAM_ID} BEGIN
            SELECT RAISE(ABORT, 'care team ids above {MAX_TEAM_ID} do not fit the search index');
        END""",
        f"""CREATE TRIGGER team_rtree_team_insert AFTER INSERT ON care_teams BEGIN
            {index("NEW.id")}
        END""",
        f"""CREATE TRIGGER team_rtree_team_update AFTER UPDATE ON care_teams BEGIN
            {unindex("OLD.id")}
            {index("NEW.id")}
        END""",
        f"""CREATE TRIGGER team_rtree_team_delete BEFORE DELETE ON care_teams BEGIN
            {unindex("OLD.id")}
        END""",
        """CREATE TRIGGER team_rtree_site_move AFTER UPDATE OF lat, lon ON sites BEGIN
            UPDATE team_rtree SET min_lat = NEW.lat, max_lat = NEW.lat,
                                  min_lon = NEW.lon, max_lon = NEW.lon
            WHERE id IN (SELECT k.rtree_id FROM team_rtree_keys k
                         JOIN care_teams t ON t.id = k.team_id WHERE t.site_id = NEW.id);
        END""",
        f"""CREATE TRIGGER team_rtree_provider_update AFTER UPDATE OF gender, role ON providers
        BEGIN
            {unindex(_TEAMS_OF_PROVIDER)}
            {index(_TEAMS_OF_PROVIDER)}
        END""",
        f"INSERT INTO team_rtree SELECT rtree_id, {coordinates} FROM team_search_rows",
    ]


FOUR_DIMENSIONS = _spatial(
    "min_lat, max_lat, min_lon, max_lon, min_price, max_price, min_age, max_age",
    "lat, lat, lon, lon, price, price, age, age",
    PRICE_AND_AGE,
)
TWO_DIMENSIONS = _spatial("min_lat, max_lat, min_lon, max_lon", "lat, lat, lon, lon", "")


def _rebuild(statements: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP VIEW team_search_rows")
    op.execute("DROP TABLE team_rtree")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _rebuild(FOUR_DIMENSIONS)


def downgrade() -> None:
    _rebuild(TWO_DIMENSIONS)
