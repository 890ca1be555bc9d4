"""Every table, imported once so that `Base.metadata` is complete (Alembic, tests)."""

from referrals.auth.models import ApiKey
from referrals.db import Base
from referrals.geo.models import GeocodeCacheEntry
from referrals.registry.models import CareTeam, Provider, ProviderLanguage, ProviderLicense, Site

__all__ = [
    "ApiKey",
    "Base",
    "CareTeam",
    "GeocodeCacheEntry",
    "Provider",
    "ProviderLanguage",
    "ProviderLicense",
    "Site",
]
