"""Referral requests (PHI encrypted), idempotency keys, referrals and their events.

Revision ID: 50ed3a670483
Revises: 627e01436992
Create Date: 2026-11-26 23:57:26.557898
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "50ed3a670483"
down_revision: str | None = "627e01436992"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("phi", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["api_keys.id"], name=op.f("fk_referral_requests_reviewed_by_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_requests")),
    )
    op.create_index(
        op.f("ix_referral_requests_flagged_received"),
        "referral_requests",
        ["flagged", "received_at"],
    )
    op.create_index(op.f("ix_referral_requests_received_at"), "referral_requests", ["received_at"])
    op.create_index(
        op.f("ix_referral_requests_status_received"), "referral_requests", ["status", "received_at"]
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("referral_request_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_request_id"],
            ["referral_requests.id"],
            name=op.f("fk_idempotency_keys_referral_request_id_referral_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"])
    op.create_index(
        op.f("ix_idempotency_keys_referral_request_id"), "idempotency_keys", ["referral_request_id"]
    )

    op.create_table(
        "referrals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("referral_request_id", sa.String(length=32), nullable=False),
        sa.Column("care_team_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["care_team_id"],
            ["care_teams.id"],
            name=op.f("fk_referrals_care_team_id_care_teams"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["referral_request_id"],
            ["referral_requests.id"],
            name=op.f("fk_referrals_referral_request_id_referral_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_care_team_id"), "referrals", ["care_team_id"])
    op.create_index(op.f("ix_referrals_referral_request_id"), "referrals", ["referral_request_id"])

    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_request_id", sa.String(length=32), nullable=False),
        sa.Column("referral_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_referral_events_referral_id_referrals")
        ),
        sa.ForeignKeyConstraint(
            ["referral_request_id"],
            ["referral_requests.id"],
            name=op.f("fk_referral_events_referral_request_id_referral_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    op.create_index(
        op.f("ix_referral_events_request_id"), "referral_events", ["referral_request_id", "id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_referral_events_request_id"), table_name="referral_events")

    op.drop_table("referral_events")
    op.drop_index(op.f("ix_referrals_referral_request_id"), table_name="referrals")
    op.drop_index(op.f("ix_referrals_care_team_id"), table_name="referrals")

    op.drop_table("referrals")
    op.drop_index(op.f("ix_idempotency_keys_referral_request_id"), table_name="idempotency_keys")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")

    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_referral_requests_status_received"), table_name="referral_requests")
    op.drop_index(op.f("ix_referral_requests_received_at"), table_name="referral_requests")
    op.drop_index(op.f("ix_referral_requests_flagged_received"), table_name="referral_requests")

    op.drop_table("referral_requests")
