"""The registry's closed vocabularies.

Set-valued attributes of a care team are stored as bit sets (see `referrals.db.EnumSet`):
a member's bit is its position in the enumeration, so members are only ever appended.
"""

from enum import StrEnum


class Role(StrEnum):
    psychiatrist = "psychiatrist"
    anesthesiologist = "anesthesiologist"
    crna = "crna"


ANESTHESIA_ROLES = frozenset({Role.anesthesiologist, Role.crna})


class Gender(StrEnum):
    female = "female"
    male = "male"
    nonbinary = "nonbinary"


class Modality(StrEnum):
    iv_infusion = "iv_infusion"
    im_injection = "im_injection"
    intranasal_esketamine = "intranasal_esketamine"
    oral_sublingual = "oral_sublingual"
    ketamine_assisted_psychotherapy = "ketamine_assisted_psychotherapy"


class Condition(StrEnum):
    ptsd = "ptsd"
    depression = "depression"
    anxiety = "anxiety"
    ocd = "ocd"
    suicidal_ideation = "suicidal_ideation"
    chronic_pain = "chronic_pain"


class Payer(StrEnum):
    aetna = "aetna"
    bcbs = "bcbs"
    cigna = "cigna"
    united = "united"
    medicare = "medicare"
    medicaid = "medicaid"
    tricare = "tricare"
    va_community_care = "va_community_care"
    self_pay = "self_pay"
    humana = "humana"
    kaiser = "kaiser"


class Program(StrEnum):
    veterans = "veterans"
    first_responders = "first_responders"
    lgbtq_affirming = "lgbtq_affirming"
    sliding_scale = "sliding_scale"


class Credential(StrEnum):
    md = "MD"
    do = "DO"
    crna = "CRNA"
