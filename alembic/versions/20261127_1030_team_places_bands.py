"""PostgreSQL: `team_places` is read through one B-tree by latitude band and longitude.

Through the GiST index, the count read every team in reach from the table (about 2 µs a
team; a search at a million teams reads ten thousand), and the nearest-first search visited
a table page per team: the table is not ordered by place. The B-tree keeps the teams near a
point together in one index range per latitude band (referrals/geo/bands.py) and carries
every column the searches read, so both read the index alone, and compute a distance only
near the circle's rim. No search reads the GiST index any more: it goes. SQLite is
unchanged.

Revision ID: 7c2b9e4a1d05
Revises: 5d8a1e3f7b92
Create Date: 2026-11-27 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c2b9e4a1d05"
down_revision: str | None = "5d8a1e3f7b92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with BANDS_PER_DEGREE in referrals/geo/bands.py.
BANDS_PER_DEGREE = 20
_COLUMNS = """care_team_id, geog, modalities, conditions, insurance_accepted,
    self_pay_price_usd, min_patient_age, psychiatrist_id, wait_days, telehealth_consults,
    programs, psychiatrist_gender, anesthesia_role"""


def _team_function(*, with_place: bool) -> str:
    """The care-team trigger function of 5d8a1e3f7b92, writing also lat and lon if asked."""
    columns, place = (f"{_COLUMNS}, lat, lon", ", s.lat, s.lon") if with_place else (_COLUMNS, "")
    return f"""CREATE OR REPLACE FUNCTION team_places_of_team() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM team_places WHERE care_team_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.active AND NEW.accepting_new_patients THEN
            INSERT INTO team_places ({columns})
            SELECT NEW.id, s.geog, NEW.modalities, NEW.conditions, NEW.insurance_accepted,
                NEW.self_pay_price_usd, NEW.min_patient_age, NEW.psychiatrist_id,
                NEW.wait_days, NEW.telehealth_consults, NEW.programs, p.gender, a.role{place}
            FROM sites s, providers p, providers a
            WHERE s.id = NEW.site_id AND p.id = NEW.psychiatrist_id
                AND a.id = NEW.anesthesia_provider_id;
        END IF;
        RETURN NULL;
    END $$"""


def _site_function(*, with_place: bool) -> str:
    """The site trigger function of 5d8a1e3f7b92, moving also lat and lon if asked."""
    place = ", lat = NEW.lat, lon = NEW.lon" if with_place else ""
    return f"""CREATE OR REPLACE FUNCTION team_places_of_site() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE team_places p SET geog = NEW.geog{place}
        FROM care_teams t WHERE t.site_id = NEW.id AND p.care_team_id = t.id;
        RETURN NULL;
    END $$"""


UPGRADE = (
    "ALTER TABLE team_places ADD COLUMN lat double precision, ADD COLUMN lon double precision",
    """UPDATE team_places p SET lat = s.lat, lon = s.lon
    FROM care_teams t, sites s WHERE t.id = p.care_team_id AND s.id = t.site_id""",
    f"""ALTER TABLE team_places ALTER COLUMN lat SET NOT NULL, ALTER COLUMN lon SET NOT NULL,
    ADD COLUMN band integer NOT NULL
        GENERATED ALWAYS AS (floor(lat * {BANDS_PER_DEGREE})::integer) STORED""",
    # all that the searches read, so that they never visit the table
    """CREATE INDEX ix_team_places_band ON team_places (band, lon) INCLUDE (geog, modalities,
    conditions, insurance_accepted, self_pay_price_usd, min_patient_age, psychiatrist_id,
    wait_days, telehealth_consults, programs, psychiatrist_gender, anesthesia_role,
    care_team_id)""",
    "DROP INDEX ix_team_places_geog",
    _team_function(with_place=True),
    _site_function(with_place=True),
)
DOWNGRADE = (
    _site_function(with_place=False),
    _team_function(with_place=False),
    "CREATE INDEX ix_team_places_geog ON team_places USING gist (geog)",
    "DROP INDEX ix_team_places_band",
    "ALTER TABLE team_places DROP COLUMN band, DROP COLUMN lat, DROP COLUMN lon",
)


def _run(statements: Sequence[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(UPGRADE)


def downgrade() -> None:
    _run(DOWNGRADE)
