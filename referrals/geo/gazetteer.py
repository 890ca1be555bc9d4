"""An offline US ZIP gazetteer behind geopy's `Geocoder` interface.

The `zipcodes` package ships every US ZIP with its centroid; nothing leaves the machine.
"""

import re
import threading
from dataclasses import dataclass
from functools import cache

import zipcodes
from geopy.geocoders.base import Geocoder
from geopy.location import Location

_ZIP = re.compile(r"^\s*([0-9]{5})(?:-[0-9]{4})?\s*$")
_CITY_STATE = re.compile(r"^\s*(.+?)\s*,\s*([A-Za-z]{2})\s*$")


@dataclass(frozen=True, slots=True)
class ZipPlace:
    zip_code: str
    city: str
    state: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        return f"{self.city}, {self.state} {self.zip_code}"


_LOADING = threading.Lock()
UNKNOWN_ZIP = "is not a known US ZIP code"
UNPLACED_ZIP = (
    "has no location (it may be a PO box or a military ZIP); give the ZIP code of a street address"
)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    places: dict[str, ZipPlace]
    unplaced: dict[str, str]  # the state of each real ZIP that the list gives no place for


def _gazetteer() -> _Gazetteer:
    """The gazetteer, loaded once (~0.5 s) even when many threads ask at once."""
    with _LOADING:
        return _load()


def _places() -> dict[str, ZipPlace]:
    return _gazetteer().places


def has_place(row: dict) -> bool:
    """Whether a `zipcodes` row has a place: the list says 0, 0 where it has none (PO boxes,
    APO/FPO and a few others)."""
    return bool(float(row["lat"] or 0) and float(row["long"] or 0))


@cache
def _load() -> _Gazetteer:
    places, unplaced = {}, {}
    for row in zipcodes.list_all():
        if has_place(row):
            lat, lon = float(row["lat"]), float(row["long"])
            places[row["zip_code"]] = ZipPlace(row["zip_code"], row["city"], row["state"], lat, lon)
        else:
            unplaced[row["zip_code"]] = row["state"]
    return _Gazetteer(places, unplaced)


@cache
def _by_city() -> dict[tuple[str, str], list[ZipPlace]]:
    index: dict[tuple[str, str], list[ZipPlace]] = {}
    for place in _places().values():
        index.setdefault((place.city.casefold(), place.state), []).append(place)
    return index


def warm() -> None:
    """Load the gazetteer now rather than during the first request that needs it."""
    _places()


def zip_place(zip_code: str) -> ZipPlace | None:
    """The gazetteer entry of a 5-digit ZIP, or None when it has no place (see `unplaced`)."""
    return _places().get(zip_code)


def zip_state(zip_code: str) -> str | None:
    """The state of a ZIP that the list knows, with a place or not."""
    place = zip_place(zip_code)
    return place.state if place else _gazetteer().unplaced.get(zip_code)


def unplaced(zip_code: str) -> str:
    """Why a ZIP that `zip_place` does not know has no place: its field's error message."""
    return UNPLACED_ZIP if zip_code in _gazetteer().unplaced else UNKNOWN_ZIP


class ZipGazetteer(Geocoder):
    """Geocodes "10001", "10001-1234" or "New York, NY" from the bundled ZIP list."""

    def __init__(self) -> None:
        super().__init__(user_agent="referrals-offline")

    def geocode(self, query: str, *, exactly_one: bool = True) -> Location | list[Location] | None:
        places = self._lookup(query)
        locations = [Location(p.label, (p.lat, p.lon), {"zip_code": p.zip_code}) for p in places]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    @staticmethod
    def _lookup(query: str) -> list[ZipPlace]:
        if match := _ZIP.match(query):
            place = zip_place(match.group(1))
            return [place] if place else []
        if match := _CITY_STATE.match(query):
            key = (match.group(1).casefold(), match.group(2).upper())
            return sorted(_by_city().get(key, []), key=lambda p: p.zip_code)
        return []
