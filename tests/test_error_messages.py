"""A 422 says in plain words what to fix in each field, and never repeats what was sent."""

import json

import pytest

from tests.builders import new_npi, provider_body, site_body
from tests.intake.payloads import intake

INTAKE = "/api/v1/referral-requests"
MATCHES = "/api/v1/matches"


def _messages(answer) -> dict[str, str]:
    assert answer.status_code == 422
    return {error["field"]: error["message"] for error in answer.json()["errors"]}


@pytest.mark.parametrize(
    ("part", "answers", "field", "message"),
    [
        ("preferences", {"max_price_usd": "4.50"}, "max_price_usd", "must be a whole number"),
        ("preferences", {"max_price_usd": 4.5}, "max_price_usd", "must be a whole number"),
        ("preferences", {"max_price_usd": -1}, "max_price_usd", "must be at least 0"),
        ("preferences", {"max_price_usd": 10**6}, "max_price_usd", "must be at most 100,000"),
        (
            "preferences",
            {"language": "english"},
            "language",
            "must be a two-letter language code such as en",
        ),
        (
            "preferences",
            {"language": "xx"},
            "language",
            "is not a known language code (ISO 639-1, such as en)",
        ),
        ("preferences", {"telehealth": "maybe"}, "telehealth", "must be true or false"),
        ("clinical", {"pcl5_score": 95}, "pcl5_score", "must be at most 80"),
        ("clinical", {"conditions": ["ptsd"] * 7}, "conditions", "must have at most 6 items"),
        ("clinical", {"notes": "x" * 2001}, "notes", "must be at most 2000 characters long"),
    ],
)
def test_intake_messages_are_plain(client, part, answers, field, message):
    body = intake()
    body[part] |= answers
    assert _messages(client.post(INTAKE, json=body)) == {f"{part}.{field}": message}


@pytest.mark.parametrize(
    ("patient", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "must not be empty"),
        ({"date_of_birth": "14/02/1984"}, "date_of_birth", "must be a date such as 1984-02-14"),
        (
            {"preferred_contact": "fax"},
            "preferred_contact",
            "must be one of 'email', 'phone' or 'text'",
        ),
    ],
)
def test_patient_messages_are_plain_and_hold_nothing_sent(client, patient, field, message):
    body = intake()
    body["patient"] |= patient
    answer = client.post(INTAKE, json=body)
    assert _messages(answer) == {f"patient.{field}": message}
    for value in patient.values():
        if value:
            assert value not in answer.text


def test_a_zip_code_must_be_five_digits(client):
    assert _messages(client.post(INTAKE, json=intake(postal_code="1000"))) == {
        "postal_code": "must be a 5-digit ZIP code"
    }


def _wide(digits: str) -> str:
    """`digits` in full-width forms, which `str.isdigit()` and regular expressions' \\d take."""
    return digits.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})


@pytest.mark.parametrize("postal_code", [_wide("10001"), "1000" + _wide("1"), "10001\n"])
def test_only_ascii_digits_make_a_zip_code(client, staff_headers, postal_code):
    expected = {"postal_code": "must be a 5-digit ZIP code"}
    assert _messages(client.post(INTAKE, json=intake(postal_code=postal_code))) == expected
    answer = client.get(MATCHES, params={"postal_code": postal_code}, headers=staff_headers)
    assert _messages(answer) == expected


def test_only_ascii_digits_make_a_phone_number_a_date_or_an_npi(client, admin_headers):
    body = intake()
    body["patient"] |= {
        "phone": f"2{_wide('1')}2 555 0102",
        "date_of_birth": _wide("1984") + "-02-29",
    }
    assert _messages(client.post(INTAKE, json=body)) == {
        "patient.phone": "must be a 10-digit US phone number",
        "patient.date_of_birth": "must be a date such as 1984-02-14",
    }
    body = provider_body(npi=_wide(new_npi()))
    answer = client.post("/api/v1/providers", json=body, headers=admin_headers)
    assert list(_messages(answer)) == ["npi"]


def test_an_unknown_zip_code_comes_with_the_other_errors(client):
    body = intake(postal_code="00000")
    body["clinical"]["pcl5_score"] = 95
    body["preferences"]["max_price_usd"] = "4.50"
    assert _messages(client.post(INTAKE, json=body)) == {
        "postal_code": "is not a known US ZIP code",
        "clinical.pcl5_score": "must be at most 80",
        "preferences.max_price_usd": "must be a whole number",
    }


def test_matches_say_in_plain_words_what_to_fix(client, staff_headers):
    query = {"postal_code": "1000", "language": "english", "limit": "ten", "radius_miles": 0}
    answer = client.get(MATCHES, params=query, headers=staff_headers)
    assert _messages(answer) == {
        "postal_code": "must be a 5-digit ZIP code",
        "language": "must be a two-letter language code such as en",
        "limit": "must be a whole number",
        "radius_miles": "must be at least 1",
    }


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("xx", "is not a known language code (ISO 639-1, such as en)"),
        ("eng", "must be a two-letter language code such as en"),
        ("e1", "must be a two-letter language code such as en"),
    ],
)
def test_matches_tell_an_unknown_language_code_from_a_malformed_one(
    client, staff_headers, language, message
):
    query = {"postal_code": "10001", "language": language}
    answer = client.get(MATCHES, params=query, headers=staff_headers)
    assert _messages(answer) == {"language": message}
    query["language"] = "ES"
    assert client.get(MATCHES, params=query, headers=staff_headers).status_code == 200


def test_matches_name_an_unknown_zip_code_as_the_intake_does(client, staff_headers):
    answer = client.get(MATCHES, params={"postal_code": "00000"}, headers=staff_headers)
    assert _messages(answer) == {"postal_code": "is not a known US ZIP code"}


# 77352 (Livingston, TX) and 09001 (APO) are real ZIPs that the gazetteer's list has no
# place for: it gives them latitude 0, longitude 0, which must never reach a search.
UNPLACED = (
    "has no location (it may be a PO box or a military ZIP); give the ZIP code of a street address"
)


@pytest.mark.parametrize("zip_code", ["77352", "09001"])
def test_a_zip_code_without_a_place_is_refused_where_a_place_is_needed(
    client, staff_headers, admin_headers, zip_code
):
    answer = client.get(MATCHES, params={"postal_code": zip_code}, headers=staff_headers)
    assert _messages(answer) == {"postal_code": UNPLACED}
    assert _messages(client.post(INTAKE, json=intake(postal_code=zip_code))) == {
        "postal_code": UNPLACED
    }
    site = site_body(city="Livingston", state="TX", postal_code=zip_code)
    answer = client.post("/api/v1/sites", json=site, headers=admin_headers)
    assert _messages(answer)["postal_code"] == f"{UNPLACED}, or the site's lat and lon"


def test_a_site_at_a_zip_code_without_a_place_of_its_own_is_placed_by_its_coordinates(
    client, admin_headers
):
    site = site_body(city="Livingston", state="TX", postal_code="77352", lat=30.71, lon=-94.93)
    answer = client.post("/api/v1/sites", json=site, headers=admin_headers)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["lat"], answer.json()["lon"]) == (30.71, -94.93)
    site = site_body(city="Livingston", state="NY", postal_code="77352", lat=30.71, lon=-94.93)
    answer = client.post("/api/v1/sites", json=site, headers=admin_headers)
    assert _messages(answer) == {"state": "does not match the state of the ZIP code"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"postal_code": "10001", "radius_miles": "nan"}, "radius_miles"),
        ({"postal_code": "10001", "radius_miles": "inf"}, "radius_miles"),
        ({"lat": "nan", "lon": -74.0}, "lat"),
        ({"lat": 40.7, "lon": "inf"}, "lon"),
        ({"lat": 40.7, "lon": "-Infinity"}, "lon"),
    ],
)
def test_matches_want_a_finite_number_not_nan_or_infinity(client, staff_headers, query, field):
    answer = client.get(MATCHES, params=query, headers=staff_headers)
    assert _messages(answer) == {field: "must be a finite number"}


def test_an_intake_radius_must_be_a_finite_number(client):
    # Python's JSON reader takes the NaN and Infinity that JavaScript's JSON.stringify never writes
    body = json.dumps(intake(radius_miles=float("nan"))).encode()
    answer = client.post(INTAKE, content=body, headers={"content-type": "application/json"})
    assert _messages(answer) == {"radius_miles": "must be a finite number"}
    assert _messages(client.post(INTAKE, json=intake(radius_miles="Infinity"))) == {
        "radius_miles": "must be a finite number"
    }


def test_site_coordinates_must_be_finite_numbers(client, admin_headers):
    body = site_body(lat="nan", lon="-inf")
    answer = client.post("/api/v1/sites", json=body, headers=admin_headers)
    assert _messages(answer) == {"lat": "must be a finite number", "lon": "must be a finite number"}


def test_a_set_of_choices_must_be_a_list_of_at_least_one(client, admin_headers):
    def sent(modalities) -> dict[str, str]:
        body = {"key": "harbor", "conditions": ["ptsd"], "modalities": modalities}
        return _messages(client.post("/api/v1/care-teams", json=body, headers=admin_headers))

    assert sent("iv_infusion")["modalities"] == "must be a list"
    assert sent([])["modalities"] == "must have at least 1 item"


CONTROL = "must not contain control characters"


def test_a_name_or_address_with_a_control_character_is_refused(client, admin_headers):
    # PostgreSQL cannot store a NUL in text: a name holding one was a 500 there
    for kind, body, field in (
        ("providers", provider_body(first_name="A\x00na"), "first_name"),
        ("sites", site_body(name="Harbor\x07 Ketamine"), "name"),
    ):
        answer = client.post(f"/api/v1/{kind}", json=body, headers=admin_headers)
        assert _messages(answer) == {field: "must not contain control characters"}
