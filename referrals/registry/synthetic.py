"""Deterministic synthetic registries in the seed-file format (SPEC §3).

`demo_registry()` is the bundled demo seed; `generated_registry()` / `iter_generated()` build
large registries for benchmarks, and `random_origins()` draws search origins the same way.
Sites sit at real ZIP centroids (small jitter); metros are chosen by population, so dense
areas are dense and rural areas sparse. All randomness comes from a local `random.Random`.

Rows of a generated registry share list objects (modalities, payers, states, …) to keep a
million teams affordable: treat them as read-only. `demo_registry()` rows share nothing.
"""

from __future__ import annotations

import gc
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache

from referrals.registry import synthetic_names as names
from referrals.registry.npi import check_digit
from referrals.registry.synthetic_geo import STATES, Places, Zip, any_of, jitter, rural_zips

STATE_LIST = sorted(STATES)
KAISER_STATES = frozenset({"CA", "CO", "DC", "GA", "HI", "MD", "OR", "VA", "WA"})
SPANISH_STATES = frozenset({"AZ", "CA", "CO", "FL", "IL", "NJ", "NM", "NV", "NY", "TX"})
AS_OF = date(2026, 11, 1)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def random_origins(count: int, *, seed: int = 0) -> list[tuple[float, float]]:
    """Search origins distributed like the generated registry's sites."""
    rng = random.Random(f"origins-{seed}")
    places = Places(rng)
    return [jitter(rng, places.zip_in(places.metro_index()), 2.0) for _ in range(count)]


def _modalities(r) -> list[str]:
    return [m for m, p in names.MODALITY_ODDS.items() if r() < p] or ["iv_infusion"]


def _conditions(r) -> list[str]:
    u = r()
    core = ["ptsd", "depression"] if u < 0.72 else ["ptsd"] if u < 0.84 else ["depression"]
    return core + [c for c, p in names.EXTRA_CONDITION_ODDS.items() if r() < p]


def _programs(r) -> list[str]:
    return [m for m, p in names.PROGRAM_ODDS.items() if r() < p]


def _payers(r, state: str, programs: list[str]) -> list[str]:
    odds = names.PAYER_ODDS | (names.VETERAN_PAYER_ODDS if "veterans" in programs else {})
    got = [p for p, q in odds.items() if r() < q and (p != "kaiser" or state in KAISER_STATES)]
    return got or ["self_pay"]


def _languages(r, spanish: float) -> list[str]:
    extra = ["es"] if r() < spanish else []
    return ["en", *sorted(extra + [c for c, p in names.EXTRA_LANGUAGES if r() < p])]


@cache
def _luhn4() -> tuple[int, ...]:
    """Luhn sum (mod 10) of each 4-digit block, derived from `npi.check_digit`."""
    return tuple((-check_digit(f"00000{x:04d}") - 24) % 10 for x in range(10_000))


class _Builder:
    """Builds practices (a clinic brand with 1-3 sites, its providers and care teams)."""

    def __init__(self, rng: random.Random, *, demo: bool) -> None:
        self.rng, self.r, self.demo = rng, rng.random, demo
        self.jitter = 1.5 if demo else 2.0
        self.providers: list[dict] = []
        self.sites: list[dict] = []
        self.teams: list[dict] = []
        self.used: set = set()  # demo: NPIs, brands, people and site keys already taken
        self.npis = self.practices = 0
        self.brands = [
            (f"{p} {s}", slug(f"{p} {s}"))
            for p in names.CLINIC_PREFIXES
            for s in names.CLINIC_SUFFIXES
        ]
        self.streets = [f"{s} {x}" for s in names.STREETS for x in names.STREET_SUFFIXES]
        self.slugs = {
            n: slug(n)
            for n in (
                *names.FEMALE_FIRST,
                *names.MALE_FIRST,
                *names.NEUTRAL_FIRST,
                *names.LAST_NAMES,
            )
        }
        r = self.r
        self.makers = {
            "modalities": lambda: _modalities(r),
            "conditions": lambda: _conditions(r),
            "programs": lambda: _programs(r),
            "lang_es": lambda: _languages(r, 0.35),
            "lang": lambda: _languages(r, 0.15),
            "wait": lambda: min(60, int(rng.expovariate(1 / 9))),
        }
        # the demo draws every value afresh; big registries pick from pools (shared lists)
        self.pools = {} if demo else {k: [f() for _ in range(256)] for k, f in self.makers.items()}
        days = [(AS_OF - timedelta(days=d)).isoformat() for d in range(1, 1100)]
        self.recent, self.stale = days[:547], days[547:]

    def draw(self, what: str):
        return self.makers[what]() if self.demo else self.pools[what][int(self.r() * 256)]

    def npi(self) -> str:
        if self.demo:
            while (first := f"1{int(self.r() * 10**8):08d}") in self.used:
                pass
            self.used.add(first)
            return first + str(check_digit(first))
        # generated: an affine bijection of 0..10**8-1 keeps NPIs unique without a set
        x = (self.npis * 7_919_993 + 1_234_567) % 10**8
        self.npis += 1
        luhn = _luhn4()
        return f"2{x:08d}{-(28 + luhn[x // 10_000] + luhn[x % 10_000]) % 10}"

    def provider(self, role: str, domain: str, states: list[str], z: Zip) -> str:
        r = self.r
        u = r()
        gender = "female" if u < 0.5 else "male" if u < 0.92 else "nonbinary" if u < 0.94 else None
        pool = {
            "female": names.FEMALE_FIRST,
            "male": names.MALE_FIRST,
            "nonbinary": names.NEUTRAL_FIRST,
        }.get(gender or "")
        while True:  # demo: unique people; generated: unique within a practice
            first = any_of(r, pool or any_of(r, (names.FEMALE_FIRST, names.MALE_FIRST)))
            last = any_of(r, names.LAST_NAMES)
            if (first, last) not in self.used:
                break
        self.used.add((first, last))
        if r() < 0.2:  # licensed in a few more states (telehealth)
            states = sorted({*states, *self.rng.sample(STATE_LIST, 1 + int(r() * 3))})
        npi = self.npi()
        self.providers.append(
            {
                "npi": npi,
                "first_name": first,
                "last_name": last,
                "credential": "CRNA" if role == "crna" else "DO" if r() < 0.2 else "MD",
                "role": role,
                "gender": gender,
                "languages": self.draw("lang_es" if z[2] in SPANISH_STATES else "lang"),
                "licensed_states": list(states) if self.demo else states,
                "email": f"{self.slugs[first]}.{self.slugs[last]}@{domain}.example.com",
                "phone": f"+1{z[5]}55501{int(r() * 100):02d}",
                "accepting_new_patients": r() < 0.95,
            }
        )
        return npi

    def practice(self, zips: list[Zip], team_counts: list[int], *, rural: bool) -> None:
        r, rng = self.r, self.rng
        while (brand := any_of(r, self.brands))[0] in self.used:
            pass
        brand, brand_slug = brand
        if self.demo:
            self.used.add(brand)
        else:
            self.used.clear()
            brand_slug = f"{brand_slug}-{self.practices}"
        self.practices += 1
        states = sorted({z[2] for z in zips})
        total = sum(team_counts)
        crna_odds = 0.75 if rural else 0.55

        def anesthesia_provider(z: Zip) -> str:
            role = "crna" if r() < crna_odds else "anesthesiologist"
            return self.provider(role, brand_slug, states, z)

        psychs = [
            self.provider("psychiatrist", brand_slug, states, zips[0])
            for _ in range(rng.randint(-(-total // 3), total))
        ]
        anesthesia = [
            anesthesia_provider(zips[0]) for _ in range(rng.randint(-(-total // 4), total))
        ]
        programs = self.draw("programs")
        payers = _payers(r, states[0], programs)
        price = 400 + 25 * int(r() * 15) if "self_pay" in payers else None
        index = 0
        cities: set[str] = set()
        for site_no, (z, count) in enumerate(zip(zips, team_counts, strict=True)):
            site_key = self.site(brand, brand_slug, site_no, z, cities, multi=len(zips) > 1)
            pairs: set[tuple[str, str]] = set()
            for j in range(count):
                psych = psychs[index % len(psychs)]
                anes = anesthesia[index % len(anesthesia)]
                if (psych, anes) in pairs:  # never two identical teams at one site
                    anes = anesthesia_provider(z)
                pairs.add((psych, anes))
                index += 1
                self.team(
                    f"{site_key}-t{j + 1}",
                    psych,
                    anes,
                    site_key,
                    payers,
                    programs,
                    price,
                    0.8 if rural else 0.55,
                )

    def site(self, brand: str, brand_slug: str, no: int, z: Zip, cities: set, multi: bool) -> str:
        r = self.r
        street = any_of(r, self.streets)
        name = f"{brand} - {z[1] if z[1] not in cities else street}" if multi else brand
        cities.add(z[1])
        if self.demo:
            key = base = slug(f"{brand_slug} {z[1]}")[:56].strip("-")
            n = 1
            while key in self.used:
                n += 1
                key = f"{base}-{n}"
            self.used.add(key)
        else:
            key = f"{brand_slug}-s{no + 1}"
        lat, lon = jitter(self.rng, z, self.jitter)
        self.sites.append(
            {
                "key": key,
                "name": name,
                "address_line1": f"{10 + int(r() * 9890)} {street}",
                "address_line2": any_of(r, names.SUITES) if r() < 0.45 else None,
                "city": z[1],
                "state": z[2],
                "postal_code": z[0],
                "lat": lat,
                "lon": lon,
                "phone": f"+1{z[5]}55501{int(r() * 100):02d}",
                "wheelchair_accessible": r() < 0.92,
            }
        )
        return key

    def team(
        self,
        key: str,
        psych: str,
        anes: str,
        site_key: str,
        payers: list[str],
        programs: list[str],
        base_price: int | None,
        telehealth: float,
    ) -> None:
        r = self.r
        modalities = self.draw("modalities")
        price = None
        if base_price is not None:  # psychotherapy costs more; IM / nasal-only less than IV
            price = base_price + 25 * int(r() * 5) - 50
            price += 100 * ("ketamine_assisted_psychotherapy" in modalities)
            price -= 100 * ("iv_infusion" not in modalities)
            price = min(900, max(350, price))
        u = r()
        verified = any_of(r, self.stale if r() < 0.04 else self.recent)
        self.teams.append(
            {
                "key": key,
                "psychiatrist_npi": psych,
                "anesthesia_provider_npi": anes,
                "site_key": site_key,
                "modalities": modalities,
                "conditions": self.draw("conditions"),
                "insurance_accepted": list(payers) if self.demo else payers,
                "self_pay_price_usd": price,
                "telehealth_consults": r() < telehealth,
                "accepting_new_patients": r() >= 0.04,
                "wait_days": self.draw("wait"),
                "min_patient_age": 18 if u < 0.8 else 21 if u < 0.92 else 16 if u < 0.96 else 25,
                "programs": list(programs) if self.demo else programs,
                "active": r() >= 0.03,
                "verified_at": f"{verified}T{13 + int(r() * 11):02d}:{int(r() * 60):02d}:00Z",
            }
        )

    def take(self) -> dict:
        out = {"providers": self.providers, "sites": self.sites, "care_teams": self.teams}
        self.providers, self.sites, self.teams = [], [], []
        return out


def _site_team_counts(r, limit: int, max_sites: int) -> list[int]:
    """Teams at each site of a new practice: 1-3 sites of 1-3 teams, `limit` teams at most."""
    counts: list[int] = []
    sites = min(max_sites, 1 + (r() < 0.35) + (r() < 0.3))
    while len(counts) < sites and limit > 0:
        u = r()
        counts.append(min(limit, 1 if u < 0.4 else 2 if u < 0.8 else 3))
        limit -= counts[-1]
    return counts


def demo_registry() -> dict:
    """The bundled demo registry: every metro in `names.METROS` plus ~20 rural clinics."""
    rng = random.Random(20261101)
    builder = _Builder(rng, demo=True)
    places = Places(rng)
    scale = 340 / sum(m[4] for m in names.METROS)
    for metro, (_, state, _, _, population) in enumerate(names.METROS):
        quota = max(2, round(population * scale))
        home = [z for z in places.metro[metro] if z[2] == state]
        while quota > 0:
            counts = _site_team_counts(rng.random, quota, 3)
            zips = [places.zip_in(metro) for _ in counts]
            if home:  # each metro's first clinic is in the principal city's state
                zips[0], home = any_of(rng.random, home), []
            builder.practice(zips, counts, rural=False)
            quota -= sum(counts)
    rural = list(rural_zips())
    rng.shuffle(rural)
    towns: dict[str, Zip] = {}
    for z in rural:  # one rural clinic per state, 20 states
        if len(towns) < 20:
            towns.setdefault(z[2], z)
    for z in towns.values():
        builder.practice([z], [1 if rng.random() < 0.7 else 2], rural=True)
    return builder.take()


def iter_generated(care_teams: int, *, seed: int = 0, chunk_teams: int = 10_000) -> Iterator[dict]:
    """`generated_registry` in seed-format chunks of about `chunk_teams` teams (whole practices).

    Each chunk only references providers and sites from itself; the chunks together equal
    `generated_registry(care_teams, seed=seed)` whatever `chunk_teams` is.
    """
    rng = random.Random(f"generated-{seed}")
    builder = _Builder(rng, demo=False)
    places = Places(rng)
    made = 0
    while made < care_teams:
        metro = places.metro_index()
        counts = _site_team_counts(rng.random, care_teams - made, 1 if metro is None else 3)
        builder.practice([places.zip_in(metro) for _ in counts], counts, rural=metro is None)
        made += sum(counts)
        if len(builder.teams) >= chunk_teams or made >= care_teams:
            yield builder.take()


def generated_registry(care_teams: int, *, seed: int = 0) -> dict:
    """A synthetic registry of exactly `care_teams` care teams, deterministic for a seed."""
    out: dict[str, list] = {"providers": [], "sites": [], "care_teams": []}
    collecting = gc.isenabled()
    gc.disable()  # millions of acyclic dicts: the cyclic collector would only rescan them
    try:
        for chunk in iter_generated(care_teams, seed=seed, chunk_teams=1 << 62):
            for name, rows in chunk.items():
                out[name].extend(rows)
    finally:
        if collecting:
            gc.enable()
    return out
