"""Reasons a staff member can read to a patient: why a team is where it is."""

import pycountry

from referrals.matching.ranking import Candidate, Preference, Preferences, Ranked
from referrals.matching.schemas import MatchQuery
from referrals.registry.vocab import Condition, Modality, Payer, Program, Role

MODALITIES = {
    Modality.iv_infusion: "IV ketamine infusion",
    Modality.im_injection: "IM ketamine injection",
    Modality.intranasal_esketamine: "intranasal esketamine (Spravato)",
    Modality.oral_sublingual: "oral or sublingual ketamine",
    Modality.ketamine_assisted_psychotherapy: "ketamine-assisted psychotherapy",
}
CONDITIONS = {
    Condition.ptsd: "PTSD",
    Condition.depression: "depression",
    Condition.anxiety: "anxiety",
    Condition.ocd: "OCD",
    Condition.suicidal_ideation: "suicidal ideation",
    Condition.chronic_pain: "chronic pain",
}
PAYERS = {
    Payer.aetna: "Aetna",
    Payer.bcbs: "Blue Cross Blue Shield",
    Payer.cigna: "Cigna",
    Payer.united: "UnitedHealthcare",
    Payer.medicare: "Medicare",
    Payer.medicaid: "Medicaid",
    Payer.tricare: "TRICARE",
    Payer.va_community_care: "VA Community Care",
    Payer.self_pay: "self-pay",
    Payer.humana: "Humana",
    Payer.kaiser: "Kaiser Permanente",
}
PROGRAMS = {
    Program.veterans: "a veterans program",
    Program.first_responders: "a first-responders program",
    Program.lgbtq_affirming: "LGBTQ-affirming care",
    Program.sliding_scale: "sliding-scale fees",
}
ANESTHESIA = {Role.anesthesiologist: "an anesthesiologist", Role.crna: "a nurse anesthetist (CRNA)"}


# Names as people say them, where ISO 639's differ ("Modern Greek (1453-)", "Haitian");
# the others lose ISO's qualifier ("Swahili (macrolanguage)").
_SAID = {"el": "Greek", "ht": "Haitian Creole", "ia": "Interlingua", "to": "Tongan"}


def language_name(code: str) -> str:
    if code in _SAID:
        return _SAID[code]
    language = pycountry.languages.get(alpha_2=code)
    return language.name.split(" (")[0] if language else code


def _distance(miles: float) -> str:
    if miles < 0.05:  # which one decimal would write as 0.0
        return "less than 0.1 miles away"
    return f"{miles:.1f} miles away"


def _wait(days: int) -> str:
    if days == 0:
        return "first visit without a wait"
    return f"first visit in about {days} day{'s' if days > 1 else ''}"


def _price(price: int, most: int) -> str:
    if price == 0:
        return "no charge for self-pay treatment"
    return f"self-pay ${price:,} per treatment, within ${most:,}"


# What a team that meets each preference is said to offer; the query says what was wanted.
_MET = {
    Preference.psychiatrist_gender: lambda query, c: f"psychiatrist is {query.psychiatrist_gender}",
    Preference.anesthesia_type: lambda query, c: f"anesthesia by {ANESTHESIA[c.anesthesia_role]}",
    Preference.telehealth: lambda query, c: "offers telehealth consults",
    Preference.program: lambda query, c: f"has {PROGRAMS[query.program]}",
}


def reasons(ranked: Ranked, team: dict, query: MatchQuery) -> list[str]:
    """Why the team fits: its distance and wait, each filter it passed, each preference met."""
    c = ranked.candidate
    said = [_distance(c.distance_miles), _wait(c.wait_days)]
    said += [f"offers {MODALITIES[m]}" for m in query.modality if m in team["modalities"]]
    said += [f"treats {CONDITIONS[condition]}" for condition in query.condition]
    if query.insurance:
        said.append(f"accepts {PAYERS[query.insurance]}")
    if query.max_price_usd is not None:
        said.append(_price(team["self_pay_price_usd"], query.max_price_usd))
    if query.language:
        said.append(f"psychiatrist speaks {language_name(query.language)}")
    if query.patient_age is not None:
        said.append(f"sees patients aged {query.patient_age}")
    said += [_MET[p](query, c) for p in ranked.met]
    given = len(ranked.met) + len(ranked.unmet)
    if given > 1:  # one preference is said met, or unmet, on its own
        said.append(f"meets {len(ranked.met)} of {given} preferences")
    return said


def _gender_unmet(wanted: Preferences, c: Candidate) -> str:
    gender = wanted.psychiatrist_gender
    if c.psychiatrist_gender:
        return f"psychiatrist is {c.psychiatrist_gender}, not {gender} as preferred"
    return f"psychiatrist's gender is not listed ({gender} preferred)"


# What a team that misses each preference offers instead.
_UNMET = {
    Preference.psychiatrist_gender: _gender_unmet,
    Preference.anesthesia_type: lambda wanted, c: (
        f"anesthesia is by {ANESTHESIA[c.anesthesia_role]},"
        f" not {ANESTHESIA[wanted.anesthesia_type]} as preferred"
    ),
    Preference.telehealth: lambda wanted, c: "no telehealth consults",
    Preference.program: lambda wanted, c: f"does not have {PROGRAMS[wanted.program]}",
}


def unmet(ranked: Ranked, preferences: Preferences) -> list[str]:
    """Each given preference the team does not meet, said plainly."""
    return [_UNMET[p](preferences, ranked.candidate) for p in ranked.unmet]
