"""Hard filters as the bound parameters both engines' statements take."""

from dataclasses import dataclass

from referrals.matching.schemas import MatchQuery
from referrals.registry.vocab import Condition, Modality, Payer

NO_PRICE_LIMIT = 1e12
NO_AGE = 200


def _bits(enum, members) -> int:
    positions = {member: i for i, member in enumerate(enum)}
    return sum(1 << positions[m] for m in set(members))


ALL_MODALITIES = _bits(Modality, Modality)


@dataclass(frozen=True, slots=True)
class HardFilters:
    """Each filter as a value that passes every team when the query leaves it out."""

    modalities: int
    conditions: int
    payer: int
    max_price: float
    patient_age: int
    language: str | None

    @classmethod
    def of(cls, query: MatchQuery) -> "HardFilters":
        return cls(
            modalities=_bits(Modality, query.modality) if query.modality else ALL_MODALITIES,
            conditions=_bits(Condition, query.condition),
            payer=_bits(Payer, [query.insurance]) if query.insurance else 0,
            max_price=NO_PRICE_LIMIT if query.max_price_usd is None else query.max_price_usd,
            patient_age=NO_AGE if query.patient_age is None else query.patient_age,
            language=query.language,
        )
