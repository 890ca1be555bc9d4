"""Referrals to care teams and the history (events) of each referral request."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from referrals.db import Base, UTCDateTime, utcnow


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    referral_request_id: Mapped[str] = mapped_column(
        ForeignKey("referral_requests.id", ondelete="CASCADE"), index=True
    )
    care_team_id: Mapped[int] = mapped_column(
        ForeignKey("care_teams.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Event(Base):
    """One change of a request or of its referral: who, when, from, to, and a note.

    Notes are staff's free text about a patient, so they are encrypted like the request.
    """

    __tablename__ = "referral_events"
    __table_args__ = (Index("ix_referral_events_request_id", "referral_request_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_request_id: Mapped[str] = mapped_column(
        ForeignKey("referral_requests.id", ondelete="CASCADE")
    )
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id"))
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[bytes | None] = mapped_column(LargeBinary)
