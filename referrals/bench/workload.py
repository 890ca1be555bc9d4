"""The searches the bench times: a fixed, deterministic mix over clustered origins.

About 40 % search by location only, 25 % ask for one or two modalities, 15 % a modality and
an insurance, 10 % a condition and a price cap, and 10 % give soft preferences; all use the
default radius (50 miles) and limit (10).
"""

import random
from collections.abc import Callable

from referrals.matching.schemas import AnesthesiaType, MatchQuery
from referrals.registry.synthetic import random_origins
from referrals.registry.vocab import Condition, Gender, Modality, Payer, Program

COMMON_PAYERS = (Payer.aetna, Payer.bcbs, Payer.cigna, Payer.united, Payer.medicare)
# In a dense metro, a combination that few teams meet: the search cannot stop early.
RARE_IN_DENSE_METRO = MatchQuery(
    postal_code="10001",
    language="vi",
    condition=[Condition.ocd],
    max_price_usd=400,
    program=Program.veterans,
)


def _location(rng: random.Random) -> dict:
    return {}


def _modalities(rng: random.Random) -> dict:
    return {"modality": rng.sample(list(Modality), rng.choice((1, 2)))}


def _modality_and_insurance(rng: random.Random) -> dict:
    return {"modality": [rng.choice(list(Modality))], "insurance": rng.choice(COMMON_PAYERS)}


def _condition_and_price(rng: random.Random) -> dict:
    return {
        "condition": [rng.choice(list(Condition))],
        "max_price_usd": rng.randrange(400, 901, 50),
    }


def _preferences(rng: random.Random) -> dict:
    offers = {
        "psychiatrist_gender": lambda: rng.choice(list(Gender)),
        "telehealth": lambda: True,
        "anesthesia_type": lambda: rng.choice(list(AnesthesiaType)),
        "program": lambda: rng.choice(list(Program)),
    }
    return {name: offers[name]() for name in rng.sample(sorted(offers), rng.choice((1, 2)))}


MIX: tuple[tuple[float, Callable[[random.Random], dict]], ...] = (
    (0.40, _location),
    (0.25, _modalities),
    (0.15, _modality_and_insurance),
    (0.10, _condition_and_price),
    (0.10, _preferences),
)


def searches(count: int, *, seed: int = 0) -> list[MatchQuery]:
    """`count` searches in the mix above, from origins placed like the registry's sites."""
    rng = random.Random(f"bench-searches-{seed}")
    kinds, weights = zip(*((kind, weight) for weight, kind in MIX), strict=True)
    return [
        MatchQuery(lat=lat, lon=lon, **rng.choices(kinds, weights)[0](rng))
        for lat, lon in random_origins(count, seed=seed)
    ]
