"""Audit events: the append-only log of accesses to referral requests, and the ids touched.

Revision ID: 6b554213f9ad
Revises: 50ed3a670483
Create Date: 2026-11-27 00:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "6b554213f9ad"
down_revision: str | None = "50ed3a670483"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at", "id"])
    op.create_index("ix_audit_events_actor_at", "audit_events", ["actor", "at"])
    op.create_index("ix_audit_events_action_at", "audit_events", ["action", "at"])

    op.create_table(
        "audit_event_requests",
        sa.Column("audit_event_id", sa.Integer(), nullable=False),
        sa.Column("referral_request_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_event_id"],
            ["audit_events.id"],
            name=op.f("fk_audit_event_requests_audit_event_id_audit_events"),
        ),
        sa.PrimaryKeyConstraint(
            "audit_event_id", "referral_request_id", name=op.f("pk_audit_event_requests")
        ),
    )
    op.create_index(
        "ix_audit_event_requests_request",
        "audit_event_requests",
        ["referral_request_id", "audit_event_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_audit_event_requests_request", table_name="audit_event_requests")
    op.drop_table("audit_event_requests")
    op.drop_index("ix_audit_events_action_at", table_name="audit_events")
    op.drop_index("ix_audit_events_actor_at", table_name="audit_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_table("audit_events")
