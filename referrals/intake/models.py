"""Referral requests and the idempotency keys of their intake.

Everything the patient sent is one encrypted document (`phi`); the columns in clear are
what staff filter and sort by: status, time, whether screening flagged it and whether a
reviewer cleared it.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from referrals.db import Base, UTCDateTime, utcnow


class ReferralRequest(Base):
    __tablename__ = "referral_requests"
    __table_args__ = (
        Index("ix_referral_requests_status_received", "status", "received_at"),
        Index("ix_referral_requests_flagged_received", "flagged", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    flagged: Mapped[bool] = mapped_column(Boolean)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    phi: Mapped[bytes] = mapped_column(LargeBinary)


class IdempotencyKey(Base):
    """A client's key for one intake: the same key and body get the first answer back (the
    bodies are compared decrypted: nothing of one is kept here)."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    referral_request_id: Mapped[str] = mapped_column(
        ForeignKey("referral_requests.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
