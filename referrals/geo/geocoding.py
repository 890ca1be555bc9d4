"""Where a site without coordinates goes: its ZIP's centroid, or (opt-in) its street address.

With `REFERRALS_GEOCODER=nominatim` the street address is asked of Nominatim once and the
answer kept in the `geocode_cache` table. When Nominatim finds nothing or fails, the site
falls back to its ZIP's centroid: saving a site never depends on the network.
"""

import logging
import re
from functools import lru_cache
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from referrals.config import GeocoderName, Settings
from referrals.geo.gazetteer import ZipGazetteer
from referrals.geo.models import GeocodeCacheEntry

log = logging.getLogger(__name__)

_ZIP_FIELDS = frozenset({"state", "postal_code"})
_ADDRESS_FIELDS = frozenset({"address_line1", "city", "state", "postal_code"})
_COMMA = re.compile(r"\s*,\s*")
_gazetteer = ZipGazetteer()


def _online(settings: Settings | None) -> bool:
    return settings is not None and settings.geocoder == GeocoderName.nominatim


def placing_fields(settings: Settings | None) -> frozenset[str]:
    """The site fields whose change moves a site that is given no new coordinates."""
    return _ADDRESS_FIELDS if _online(settings) else _ZIP_FIELDS


def locate_site(
    session: Session,
    *,
    settings: Settings | None,
    address_line1: str | None,
    city: str,
    state: str,
    postal_code: str,
) -> tuple[float, float]:
    """Coordinates of a site whose ZIP the gazetteer knows; no settings means offline."""
    location = None
    if _online(settings) and address_line1:
        address = f"{address_line1}, {city}, {state} {postal_code}"
        location = _street_location(session, settings, address)
    if location is None:
        location = _gazetteer.geocode(postal_code)
    return location.latitude, location.longitude


def normalize(address: str) -> str:
    """The cache key of an address: case, spacing and comma spacing do not matter.

    A street line, city, state and ZIP stay far below the key's 500 characters.
    """
    return _COMMA.sub(", ", " ".join(address.casefold().split()))


def _street_location(session: Session, settings: Settings, address: str) -> Location | None:
    query = normalize(address)
    with session.no_autoflush:  # no write lock held while Nominatim answers
        cached = session.get(GeocodeCacheEntry, query)
    if cached is not None:
        return Location(cached.label, (cached.lat, cached.lon), {})
    geocode = _nominatim(
        settings.nominatim_url,
        settings.nominatim_user_agent,
        settings.nominatim_min_delay_seconds,
        settings.nominatim_timeout_seconds,
    )
    try:
        location = geocode(address, country_codes="us")
    except (GeopyError, ValueError) as error:  # ValueError: an answer with bad coordinates
        log.warning("Nominatim failed (%s); placing the site at its ZIP", type(error).__name__)
        return None
    if location is None:
        log.warning("Nominatim found no match; placing the site at its ZIP")
        return None
    _remember(session, query, location)
    return location


def _remember(session: Session, query: str, location: Location) -> None:
    """Cache an answer; a concurrent request may have cached the same address first."""
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    values = {
        "query": query,
        "lat": location.latitude,
        "lon": location.longitude,
        "label": location.address,
    }
    session.execute(dialect.insert(GeocodeCacheEntry).values(values).on_conflict_do_nothing())


@lru_cache(maxsize=8)
def _nominatim(url: str, user_agent: str, min_delay: float, timeout: float) -> RateLimiter:
    """One rate-limited Nominatim per configuration, shared by every request of the process.

    No retries: a failure places the site at its ZIP at once rather than holding the request.
    The standard library's adapter is used whatever else is installed (geopy would pick
    `requests` when present, which retries on its own).
    """
    parts = urlsplit(url)
    geocoder = Nominatim(
        user_agent=user_agent.strip(),
        domain=parts.netloc + parts.path.rstrip("/"),
        scheme=parts.scheme,
        timeout=timeout,
        adapter_factory=URLLibAdapter,
    )
    return RateLimiter(
        geocoder.geocode, min_delay_seconds=min_delay, max_retries=0, swallow_exceptions=False
    )
