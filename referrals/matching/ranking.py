"""Ranking: candidates and preferences in, ordered and explained results out. No I/O.

A team's score is its distance in miles, plus half a mile for each day of waiting, less
ten miles for each soft preference it meets; the lowest score ranks first, ties broken by
distance, then wait, then id. So a team that is no farther, waits no longer and meets every
preference another meets never ranks below it (dominance), and meeting one more preference
outweighs up to ten miles of distance, more than the five that SPEC §4 asks for.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from referrals.registry.vocab import Gender, Program, Role

PREFERENCE_MILES = 10.0
WAIT_MILES_PER_DAY = 0.5


class Preference(StrEnum):
    psychiatrist_gender = "psychiatrist_gender"
    anesthesia_type = "anesthesia_type"
    telehealth = "telehealth"
    program = "program"


# Candidates and their rankings (`Ranked`) are named tuples: a search makes one of each per
# team its statements return, in every round, and a frozen dataclass takes three times as
# long to make. Sort them by `Ranked.order`, never as tuples.
class Candidate(NamedTuple):
    """What ranking needs to know of a team that passed the hard filters."""

    care_team_id: int
    distance_miles: float
    wait_days: int
    psychiatrist_gender: Gender | None
    anesthesia_role: Role
    telehealth: bool
    programs: frozenset[Program]


@dataclass(frozen=True)
class Preferences:
    psychiatrist_gender: Gender | None = None
    anesthesia_type: Role | None = None
    telehealth: bool = False
    program: Program | None = None

    @cached_property  # asked of every candidate
    def given(self) -> tuple[Preference, ...]:
        return tuple(p for p in Preference if getattr(self, p) not in (None, False))

    @property
    def max_bonus_miles(self) -> float:
        """The most distance that meeting preferences can outweigh."""
        return PREFERENCE_MILES * len(self.given)

    def met_by(self, candidate: Candidate) -> dict[Preference, bool]:
        return {preference: _MEETS[preference](self, candidate) for preference in self.given}


_MEETS = {
    Preference.psychiatrist_gender: lambda wanted, team: (
        team.psychiatrist_gender == wanted.psychiatrist_gender
    ),
    Preference.anesthesia_type: lambda wanted, team: team.anesthesia_role == wanted.anesthesia_type,
    Preference.telehealth: lambda _, team: team.telehealth,
    Preference.program: lambda wanted, team: wanted.program in team.programs,
}


class Ranked(NamedTuple):
    candidate: Candidate
    score: float
    met: tuple[Preference, ...]
    unmet: tuple[Preference, ...]

    @property
    def order(self) -> tuple[float, float, int, int]:
        c = self.candidate
        return (self.score, c.distance_miles, c.wait_days, c.care_team_id)


def score(candidate: Candidate, preferences: Preferences) -> Ranked:
    """The candidate's score and which of the given preferences it meets."""
    meets = misses = ()
    if preferences.given:  # none given: nothing to ask of each candidate
        met = preferences.met_by(candidate)
        meets = tuple(p for p, ok in met.items() if ok)
        misses = tuple(p for p, ok in met.items() if not ok)
    value = (
        candidate.distance_miles
        + WAIT_MILES_PER_DAY * candidate.wait_days
        - PREFERENCE_MILES * len(meets)
    )
    return Ranked(candidate, value, meets, misses)


def rank(candidates: Iterable[Candidate], preferences: Preferences) -> list[Ranked]:
    """Every candidate, best first."""
    return sorted((score(c, preferences) for c in candidates), key=lambda r: r.order)


def settled(ranked: list[Ranked], *, limit: int, searched_miles: float, bonus: float) -> bool:
    """True when no team beyond `searched_miles` could enter the first `limit` places.

    A team farther than the search scores more than `searched_miles - bonus`.
    """
    return len(ranked) >= limit and ranked[limit - 1].score < searched_miles - bonus


def next_search_miles(ranked: list[Ranked], *, limit: int, searched_miles: float, bonus: float):
    """How far the next search must reach to settle the first `limit` places."""
    if len(ranked) >= limit:
        return ranked[limit - 1].score + bonus + 0.01
    return searched_miles * 3
