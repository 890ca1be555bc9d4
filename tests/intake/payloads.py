"""Intake bodies as the page sends them."""

import copy

CANARY = {
    "first_name": "Zebulon",
    "last_name": "Quixotefield",
    "date_of_birth": "1984-02-29",
    "email": "zebulon.quixotefield@canary.example.com",
    "phone": "+14155550123",
    "preferred_contact": "email",
}


def intake(**overrides) -> dict:
    """A complete, valid request; `overrides` replace top-level parts."""
    body = {
        "patient": copy.deepcopy(CANARY),
        "postal_code": "10001",
        "radius_miles": 50,
        "preferences": {
            "modalities": ["iv_infusion"],
            "insurance": "aetna",
            "language": "en",
            "psychiatrist_gender": "female",
            "telehealth": True,
        },
        "clinical": {
            "conditions": ["ptsd"],
            "pcl5_score": 52,
            "substance_use_history": False,
            "psychosis_history": False,
            "uncontrolled_hypertension": False,
            "pregnant": False,
            "current_medications": "sertraline 100 mg",
            "notes": "nightmares since deployment",
        },
        "consent_to_share": True,
    }
    return body | overrides


def with_clinical(**answers) -> dict:
    body = intake()
    body["clinical"] |= answers
    return body
