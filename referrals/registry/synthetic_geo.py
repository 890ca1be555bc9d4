"""Where synthetic sites go: real ZIP centroids, weighted toward populous metros.

A metro is drawn by population, then a ZIP within `METRO_RADIUS_MILES` of its center; a
fraction of draws take any US ZIP uniformly, which lands mostly in small towns.
"""

from __future__ import annotations

import math
import random
from bisect import bisect, bisect_left, bisect_right
from functools import cache
from itertools import accumulate

import zipcodes

from referrals.geo.gazetteer import has_place
from referrals.registry import synthetic_names as names

STATES = frozenset(names.STATES)
METRO_RADIUS_MILES = 30.0
RURAL_MIN_MILES = 75.0
RURAL_FRACTION = 0.08

Zip = tuple[str, str, str, float, float, str]  # postal code, city, state, lat, lon, area code


def miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 7917.6 * math.asin(math.sqrt(a))


@cache
def us_zips() -> tuple[Zip, ...]:
    """Active standard ZIPs of the 50 states and DC, sorted by latitude."""
    rows = sorted(
        (
            z["zip_code"],
            z["city"],
            z["state"],
            float(z["lat"]),
            float(z["long"]),
            (z["area_codes"] or [""])[0],
        )
        for z in zipcodes.list_all()
        if z["active"]
        and z["zip_code_type"] == "STANDARD"
        and z["state"] in STATES
        and has_place(z)
    )
    rows.sort(key=lambda z: z[3])
    code = next(z[5] for z in rows if z[5])
    out = []
    for z in rows:  # the few ZIPs without an area code borrow their neighbour's
        code = z[5] or code
        out.append((*z[:5], code))
    return tuple(out)


@cache
def metro_zips() -> tuple[tuple[Zip, ...], ...]:
    zips = us_zips()
    lats = [z[3] for z in zips]
    span = METRO_RADIUS_MILES / 68.7
    return tuple(
        tuple(
            z
            for z in zips[bisect_left(lats, lat - span) : bisect_right(lats, lat + span)]
            if miles(lat, lon, z[3], z[4]) <= METRO_RADIUS_MILES
        )
        for _, _, lat, lon, _ in names.METROS
    )


@cache
def rural_zips() -> tuple[Zip, ...]:
    centers = [(m[2], m[3]) for m in names.METROS]
    span = RURAL_MIN_MILES / 68.7
    return tuple(
        z
        for z in us_zips()
        if all(
            abs(z[3] - lat) > span or miles(lat, lon, z[3], z[4]) > RURAL_MIN_MILES
            for lat, lon in centers
        )
    )


class Places:
    """Draws ZIPs: a metro by population, then a ZIP within its radius; some uniform (rural)."""

    def __init__(self, rng: random.Random) -> None:
        self.r, self.all, self.metro = rng.random, us_zips(), metro_zips()
        self.cum = list(accumulate(m[4] for m in names.METROS))

    def metro_index(self) -> int | None:
        if self.r() < RURAL_FRACTION:
            return None
        return bisect(self.cum, self.r() * self.cum[-1])

    def zip_in(self, metro: int | None) -> Zip:
        return any_of(self.r, self.all if metro is None else self.metro[metro])


def jitter(rng: random.Random, z: Zip, max_miles: float) -> tuple[float, float]:
    r, t = max_miles * math.sqrt(rng.random()), 2 * math.pi * rng.random()
    lat = z[3] + r * math.cos(t) / 69.05
    lon = z[4] + r * math.sin(t) / (69.17 * math.cos(math.radians(z[3])))
    return round(lat, 6), round(lon, 6)


def any_of(r, seq):
    """`random.choice` for a bound `Random.random`, several times faster."""
    return seq[int(r() * len(seq))]
