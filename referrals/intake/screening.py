"""Screening flags: answers that need a physician's review before any referral.

The service routes; it never decides treatment. A flag only holds the request until a
reviewer records a clearance.
"""

from datetime import date

from referrals.intake.schemas import Clinical, ScreeningFlag
from referrals.registry.vocab import Condition

_ANSWERS = {
    ScreeningFlag.psychosis_history: "psychosis_history",
    ScreeningFlag.uncontrolled_hypertension: "uncontrolled_hypertension",
    ScreeningFlag.cardiovascular_history: "cardiovascular_history",
    ScreeningFlag.pregnant: "pregnant",
    ScreeningFlag.substance_use_history: "substance_use_history",
}


def age_on(born: date, day: date) -> int:
    """Whole years between a birth date and a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def flags(clinical: Clinical, *, age: int, youngest_accepted: int | None) -> list[ScreeningFlag]:
    """The flags of a request's answers, in a fixed order.

    `youngest_accepted` is the lowest minimum age of any active team (None: no teams).
    """
    found = [flag for flag, answer in _ANSWERS.items() if getattr(clinical, answer)]
    if Condition.suicidal_ideation in clinical.conditions:
        found.append(ScreeningFlag.suicidal_ideation)
    if youngest_accepted is not None and age < youngest_accepted:
        found.append(ScreeningFlag.below_minimum_age)
    return found
