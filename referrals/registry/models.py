"""Registry tables: providers (with languages and licences), sites and care teams.

The spatial indexes of open care teams (SQLite's R*Tree, PostGIS' `team_places`) live in
the migrations: triggers keep them in step with these tables, so the ORM never writes them.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db import Base, EnumSet, UTCDateTime, utcnow
from referrals.registry.vocab import Condition, Modality, Payer, Program


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProviderLanguage(Base):
    __tablename__ = "provider_languages"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(2), primary_key=True)


class ProviderLicense(Base):
    __tablename__ = "provider_licenses"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class Provider(Timestamped, Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    credential: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20), index=True)
    gender: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))
    accepting_new_patients: Mapped[bool] = mapped_column(Boolean, default=True)

    language_rows: Mapped[list[ProviderLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ProviderLanguage.code
    )
    license_rows: Mapped[list[ProviderLicense]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ProviderLicense.state
    )

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.language_rows = [ProviderLanguage(code=code) for code in sorted(set(codes))]

    @property
    def licensed_states(self) -> list[str]:
        return [row.state for row in self.license_rows]

    @licensed_states.setter
    def licensed_states(self, states: list[str]) -> None:
        self.license_rows = [ProviderLicense(state=state) for state in sorted(set(states))]


class Site(Timestamped, Base):
    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2), index=True)
    postal_code: Mapped[str] = mapped_column(String(5), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(16))
    wheelchair_accessible: Mapped[bool] = mapped_column(Boolean, default=False)


class CareTeam(Timestamped, Base):
    __tablename__ = "care_teams"
    __table_args__ = (
        CheckConstraint("wait_days >= 0", name="wait_days_nonnegative"),
        CheckConstraint("self_pay_price_usd >= 0", name="price_nonnegative"),
        Index("ix_care_teams_site_id_open", "site_id", "active", "accepting_new_patients"),
        # the intake's "youngest age any active team accepts": an index seek, not a scan
        Index("ix_care_teams_active_min_age", "active", "min_patient_age"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    psychiatrist_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), index=True
    )
    anesthesia_provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    modalities: Mapped[frozenset[Modality]] = mapped_column(EnumSet(Modality))
    conditions: Mapped[frozenset[Condition]] = mapped_column(EnumSet(Condition))
    insurance_accepted: Mapped[frozenset[Payer]] = mapped_column(EnumSet(Payer))
    programs: Mapped[frozenset[Program]] = mapped_column(EnumSet(Program))
    self_pay_price_usd: Mapped[int | None] = mapped_column(Integer)
    telehealth_consults: Mapped[bool] = mapped_column(Boolean, default=False)
    accepting_new_patients: Mapped[bool] = mapped_column(Boolean, default=True)
    wait_days: Mapped[int] = mapped_column(Integer, default=14)
    min_patient_age: Mapped[int] = mapped_column(Integer, default=18)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    psychiatrist: Mapped[Provider] = relationship(foreign_keys=[psychiatrist_id], lazy="joined")
    anesthesia_provider: Mapped[Provider] = relationship(
        foreign_keys=[anesthesia_provider_id], lazy="joined"
    )
    site: Mapped[Site] = relationship(lazy="joined")
