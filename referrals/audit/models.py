"""Audit events: who touched which referral requests, when, from where, and with what outcome.

Rows hold ids only, never PHI. There is no foreign key to `referral_requests`: the log
outlives what it names, and a refused attempt may name an id that never existed.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db import Base, UTCDateTime, utcnow


class Action(StrEnum):
    referral_request_create = "referral_request.create"
    referral_request_list = "referral_request.list"
    referral_request_read = "referral_request.read"
    referral_request_update = "referral_request.update"
    referral_request_review = "referral_request.review"
    referral_request_matches = "referral_request.matches"
    referral_request_events = "referral_request.events"
    referral_create = "referral.create"
    referral_update = "referral.update"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at", "id"),
        Index("ix_audit_events_actor_at", "actor", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    client_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    requests: Mapped[list["AuditEventRequest"]] = relationship(
        lazy="selectin", order_by="AuditEventRequest.position"
    )


class AuditEventRequest(Base):
    """One referral request an audit event touched; indexed by the request for its history."""

    __tablename__ = "audit_event_requests"
    __table_args__ = (
        Index("ix_audit_event_requests_request", "referral_request_id", "audit_event_id"),
    )

    audit_event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    referral_request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(AuditEventRequest, "before_update")
@event.listens_for(AuditEventRequest, "before_delete")
def _append_only(_mapper, _connection, target) -> None:
    raise TypeError(f"{type(target).__name__} rows are append-only")
