"""PostgreSQL: `team_cells` counts the open teams of each 1/20-degree square by modality.

A search's `total` read every team in reach: at a million teams, the 50 miles around
Manhattan hold 88 000 (14 ms). Most searches filter on nothing or on modalities only;
for those, the squares wholly inside the circle are now counted from one row each, and only
the teams near the rim are read (referrals/matching/postgis_search.py).

A square's row holds, for every set S of modalities, how many of its teams offer only
modalities in S (`subsets[S + 1]`): a search asking for any of the modalities M counts
`subsets[all] - subsets[not M]` there. A trigger on `team_places` keeps it in step. The
array has one slot per set of the five modalities: a sixth modality needs a migration
that rebuilds the table. SQLite is unchanged.

Revision ID: 3e7a5c1b9d24
Revises: 2f6d8a0c4e13
Create Date: 2026-11-28 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3e7a5c1b9d24"
down_revision: str | None = "2f6d8a0c4e13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with CELLS_PER_DEGREE in referrals/geo/bands.py and MODALITY_SETS in
# referrals/matching/postgis_search.py.
CELLS_PER_DEGREE = 20
MODALITY_SETS = 32

UPGRADE = (
    # A team written while the teams already there are counted would be missed by the count
    # and by the trigger, which does not exist yet: writers wait until both are in place.
    "LOCK TABLE team_places IN SHARE ROW EXCLUSIVE MODE",
    """CREATE TABLE team_cells (
        band integer NOT NULL,
        cell integer NOT NULL,
        subsets integer[] NOT NULL,
        PRIMARY KEY (band, cell))""",
    f"""INSERT INTO team_cells (band, cell, subsets)
    SELECT band, cell, array_agg(teams ORDER BY subset) FROM (
        SELECT band, cell, subset,
            coalesce(sum(teams) FILTER (WHERE modalities & ~subset = 0), 0)::integer AS teams
        FROM (
            SELECT band, floor(lon * {CELLS_PER_DEGREE})::integer AS cell, modalities,
                count(*) AS teams
            FROM team_places GROUP BY 1, 2, 3) square,
            generate_series(0, {MODALITY_SETS - 1}) subset
        GROUP BY band, cell, subset) counted
    GROUP BY band, cell""",
    # Adds `change` teams offering `modalities` to the square's counts; forgets an empty one.
    f"""CREATE FUNCTION team_cells_add(at_band integer, at_cell integer, modalities bigint,
        change integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO team_cells AS c (band, cell, subsets)
        SELECT at_band, at_cell, array_agg(
            CASE WHEN modalities & ~subset = 0 THEN change ELSE 0 END ORDER BY subset)
        FROM generate_series(0, {MODALITY_SETS - 1}) subset
        ON CONFLICT (band, cell) DO UPDATE SET subsets = (
            SELECT array_agg(c.subsets[i] + EXCLUDED.subsets[i] ORDER BY i)
            FROM generate_series(1, {MODALITY_SETS}) i);
        DELETE FROM team_cells
        WHERE band = at_band AND cell = at_cell AND subsets[{MODALITY_SETS}] = 0;
    $$""",
    f"""CREATE FUNCTION team_cells_of_place() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM team_cells_add(
                OLD.band, floor(OLD.lon * {CELLS_PER_DEGREE})::integer, OLD.modalities, -1);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM team_cells_add(
                NEW.band, floor(NEW.lon * {CELLS_PER_DEGREE})::integer, NEW.modalities, 1);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER team_cells_place
        AFTER INSERT OR DELETE OR UPDATE OF lat, lon, modalities ON team_places
        FOR EACH ROW EXECUTE FUNCTION team_cells_of_place()""",
)
DOWNGRADE = (
    "DROP TRIGGER team_cells_place ON team_places",
    "DROP FUNCTION team_cells_of_place()",
    "DROP FUNCTION team_cells_add(integer, integer, bigint, integer)",
    "DROP TABLE team_cells",
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
