"""An index for the intake's youngest-accepted-age lookup.

Revision ID: 3c1f0a9d7e21
Revises: 6b554213f9ad
Create Date: 2026-11-27 01:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3c1f0a9d7e21"
down_revision: str | None = "6b554213f9ad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_care_teams_active_min_age", "care_teams", ["active", "min_patient_age"])


def downgrade() -> None:
    op.drop_index("ix_care_teams_active_min_age", table_name="care_teams")
