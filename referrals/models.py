"""Every table, imported once so that `Base.metadata` is complete (Alembic, tests)."""

from referrals.audit.models import AuditEvent, AuditEventRequest
from referrals.auth.models import ApiKey
from referrals.db import Base
from referrals.geo.models import GeocodeCacheEntry
from referrals.intake.models import IdempotencyKey, ReferralRequest
from referrals.registry.models import CareTeam, Provider, ProviderLanguage, ProviderLicense, Site
from referrals.workflow.models import Event, Referral

__all__ = [
    "ApiKey",
    "AuditEvent",
    "AuditEventRequest",
    "Base",
    "CareTeam",
    "Event",
    "GeocodeCacheEntry",
    "IdempotencyKey",
    "Provider",
    "ProviderLanguage",
    "ProviderLicense",
    "Referral",
    "ReferralRequest",
    "Site",
]
