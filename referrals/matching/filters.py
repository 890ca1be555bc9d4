"""What a search asks for: a point, hard filters, preferences and how many teams."""

from dataclasses import dataclass

from referrals.matching.ranking import Preferences
from referrals.matching.schemas import MatchQuery
from referrals.registry.vocab import Condition, Modality, Payer


def _bits(enum, members) -> int:
    positions = {member: i for i, member in enumerate(enum)}
    return sum(1 << positions[m] for m in set(members))


ALL_MODALITIES = _bits(Modality, Modality)


@dataclass(frozen=True, slots=True)
class HardFilters:
    """The filters as statement parameters; bit sets pass every team when left out."""

    modalities: int
    conditions: int
    payer: int
    max_price: int | None
    patient_age: int | None
    language: str | None

    def given(self) -> tuple[str, ...]:
        """The names of the filters that exclude anything."""
        neutral = {"modalities": ALL_MODALITIES, "conditions": 0, "payer": 0}
        return tuple(
            name
            for name in (
                "modalities",
                "conditions",
                "payer",
                "max_price",
                "patient_age",
                "language",
            )
            if getattr(self, name) != neutral.get(name)
        )

    @classmethod
    def of(cls, query: MatchQuery) -> "HardFilters":
        return cls(
            modalities=_bits(Modality, query.modality) if query.modality else ALL_MODALITIES,
            conditions=_bits(Condition, query.condition),
            payer=_bits(Payer, [query.insurance]) if query.insurance else 0,
            max_price=query.max_price_usd,
            patient_age=query.patient_age,
            language=query.language,
        )


@dataclass(frozen=True, slots=True)
class Search:
    lat: float
    lon: float
    filters: HardFilters
    preferences: Preferences
    limit: int
