"""The geocode cache: online answers kept, so an address is asked for once."""

from datetime import datetime

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from referrals.db import Base, UTCDateTime, utcnow

QUERY_LENGTH = 500


class GeocodeCacheEntry(Base):
    """Where an online geocoder put a normalized address query."""

    __tablename__ = "geocode_cache"

    query: Mapped[str] = mapped_column(String(QUERY_LENGTH), primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
