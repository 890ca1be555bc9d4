"""Idempotency keys keep no digest of the intake's body.

A SHA-256 of the body in clear let a copy of the database, without the PHI key, confirm a
guess of what a patient sent; a retry's body is now compared with the decrypted request.
The downgrade brings the column back empty: a retry of a key taken before it is a 422.

Revision ID: 2f6d8a0c4e13
Revises: 7c2b9e4a1d05
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "2f6d8a0c4e13"
down_revision: str | None = "7c2b9e4a1d05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as table:
        table.drop_column("body_sha256")


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as table:
        table.add_column(
            sa.Column("body_sha256", sa.String(length=64), nullable=False, server_default="")
        )
