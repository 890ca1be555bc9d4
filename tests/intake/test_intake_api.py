"""The public intake: what it accepts, what it answers, and what it refuses."""

import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from referrals.intake.models import IdempotencyKey, ReferralRequest
from referrals.intake.schemas import IntakeCreate
from referrals.workflow import events
from tests.intake.payloads import CANARY, intake, with_clinical

URL = "/api/v1/referral-requests"


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(ReferralRequest))


def test_a_request_is_stored_and_answered_without_phi(client, session):
    response = client.post(URL, json=intake())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "status", "received_at"}
    assert body["status"] == "new"
    assert not any(str(v) in response.text for v in CANARY.values())
    assert _count(session) == 1


def test_the_stored_request_is_encrypted(client, session):
    client.post(URL, json=intake())
    stored = session.scalars(select(ReferralRequest)).one()
    assert b"Quixotefield" not in stored.phi
    assert b"sertraline" not in stored.phi


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent_to_share": False}, "consent_to_share"),
        ({"consent_to_share": "true"}, "consent_to_share"),
        ({"consent_to_share": 1}, "consent_to_share"),
        ({"postal_code": "00000"}, "postal_code"),
        ({"postal_code": "1000"}, "postal_code"),
        ({"radius_miles": 0}, "radius_miles"),
        ({"surprise": "field"}, "surprise"),
        ({"patient": {**CANARY, "email": "not-an-address-zq"}}, "patient.email"),
        ({"patient": {**CANARY, "date_of_birth": "2999-01-01"}}, "patient.date_of_birth"),
        ({"patient": {**CANARY, "date_of_birth": 19840229}}, "patient.date_of_birth"),
        ({"patient": {**CANARY, "date_of_birth": 0}}, "patient.date_of_birth"),
        ({"patient": {**CANARY, "date_of_birth": "441763200"}}, "patient.date_of_birth"),
        ({"patient": {**CANARY, "first_name": "Z" * 101}}, "patient.first_name"),
        ({"patient": {**CANARY, "last_name": "   "}}, "patient.last_name"),
        ({"patient": {**CANARY, "nickname": "Zeb"}}, "patient.nickname"),
        ({"patient": {**CANARY, "email": None}}, "patient.email"),
        (
            {"patient": {**CANARY, "preferred_contact": "text", "phone": None}},
            "patient.phone",
        ),
        ({"clinical": {"pcl5_score": 81}}, "clinical.pcl5_score"),
        ({"clinical": {"conditions": ["flu"]}}, "clinical.conditions.0"),
        ({"clinical": {"notes": "x" * 2001}}, "clinical.notes"),
        ({"preferences": {"insurance": "acme"}}, "preferences.insurance"),
        ({"preferences": {"language": "xx"}}, "preferences.language"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_stores_nothing(client, session, change, field):
    response = client.post(URL, json=intake(**change))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    for value in ("not-an-address-zq", "Zeb", "ZZZZZ", "acme", "flu"):
        assert value not in response.text
    assert _count(session) == 0


def test_consent_is_required(client):
    body = intake()
    del body["consent_to_share"]
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "consent_to_share", "message": "is required"}]


def test_a_retry_with_the_same_key_gets_the_first_answer(client, session):
    headers = {"Idempotency-Key": "form-7f3a"}
    first = client.post(URL, json=intake(), headers=headers)
    again = client.post(URL, json=intake(), headers=headers)
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert _count(session) == 1


def test_a_failure_after_the_key_is_claimed_frees_it_for_the_retry(client, session, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError("the disk is full")

    headers = {"Idempotency-Key": "form-9c1d"}
    with monkeypatch.context() as patch:
        patch.setattr(events, "record", full_disk)
        assert client.post(URL, json=intake(), headers=headers).status_code == 500
    assert _count(session) == 0
    first = client.post(URL, json=intake(), headers=headers)
    again = client.post(URL, json=intake(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert _count(session) == 1


def test_the_same_key_with_another_body_is_422(client, session):
    headers = {"Idempotency-Key": "form-7f3a"}
    client.post(URL, json=intake(), headers=headers)
    response = client.post(URL, json=intake(radius_miles=25), headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _count(session) == 1


def test_a_copy_of_the_database_cannot_check_a_guess_of_what_a_patient_sent(client, session):
    """Without the PHI key, the database must tell nothing of a request: a digest of it in
    clear would confirm a guess of her answers (a name, a birth date, yes-or-no questions)."""
    body = with_clinical(notes=None, current_medications=None)
    client.post(URL, json=body, headers={"Idempotency-Key": "form-2b8e"})
    guessed = IntakeCreate.model_validate(body)
    digests = {
        hashlib.sha256(text.encode()).hexdigest()
        for text in (guessed.model_dump_json(), json.dumps(body))
    }
    stored = session.execute(select(IdempotencyKey.__table__)).one()
    assert digests.isdisjoint(str(value) for value in stored)


def test_a_body_over_64_kib_is_413(client, session):
    response = client.post(URL, json=with_clinical(notes="x" * 70_000))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert _count(session) == 0


def test_a_streamed_body_over_64_kib_is_413(client):
    def chunks():
        yield b'{"notes": "'
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(URL, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("answers", "flags"),
    [
        ({}, []),
        ({"psychosis_history": True}, ["psychosis_history"]),
        (
            {"uncontrolled_hypertension": True, "pregnant": True},
            ["uncontrolled_hypertension", "pregnant"],
        ),
        ({"substance_use_history": True}, ["substance_use_history"]),
        ({"cardiovascular_history": True}, ["cardiovascular_history"]),
        ({"conditions": ["ptsd", "suicidal_ideation"]}, ["suicidal_ideation"]),
    ],
)
def test_screening_flags_are_derived(client, staff_headers, answers, flags):
    created = client.post(URL, json=with_clinical(**answers)).json()
    read = client.get(f"{URL}/{created['id']}", headers=staff_headers).json()
    assert read["screening_flags"] == flags
    assert read["flagged"] is bool(flags)


def test_a_patient_younger_than_every_team_accepts_is_flagged(client, session, staff_headers):
    from tests.builders import make_care_team

    make_care_team(session, min_patient_age=18)
    young = intake(patient={**CANARY, "date_of_birth": "2012-05-01"})
    created = client.post(URL, json=young).json()
    read = client.get(f"{URL}/{created['id']}", headers=staff_headers).json()
    assert read["screening_flags"] == ["below_minimum_age"]


def test_over_the_rate_limit_is_429_with_retry_after(app, client, session):
    from referrals.intake.ratelimit import IntakeRateLimit

    app.state.intake_rate_limit = IntakeRateLimit("3/minute")
    answers = [client.post(URL, json=intake()).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    refused = client.post(URL, json=intake())
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _count(session) == 3


@pytest.mark.parametrize(
    ("addresses", "allowed"),
    [
        # one host picks any address of its IPv6 network (a /64 at least): one allowance
        (["2001:db8:5:7::1", "2001:db8:5:7::2", "2001:db8:5:7:a::3", "2001:db8:5:7:b:c:d:e"], 3),
        (["2001:db8:5:7::1", "2001:db8:5:8::1", "2001:db8:6:7::1", "2001:db9:5:7::1"], 4),
        # IPv4 clients of a dual-stack server arrive as IPv4-mapped IPv6: each its own
        (["::ffff:192.0.2.1", "::ffff:192.0.2.2", "::ffff:192.0.2.3", "192.0.2.4"], 4),
        (["::ffff:192.0.2.1", "::ffff:192.0.2.1", "192.0.2.1", "192.0.2.1"], 3),
    ],
)
def test_the_rate_limit_counts_an_ipv6_client_by_its_network(app, addresses, allowed):
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from referrals.intake.ratelimit import IntakeRateLimit

    app.state.intake_rate_limit = IntakeRateLimit("3/minute")
    # as uvicorn hands the app the address a trusted proxy names
    with TestClient(ProxyHeadersMiddleware(app, trusted_hosts="testclient")) as client:
        answers = [
            client.post(URL, json=intake(), headers={"X-Forwarded-For": address}).status_code
            for address in addresses
        ]
    assert answers.count(201) == allowed


@pytest.mark.parametrize(
    "copied",
    [
        "\u202a(212) 555\u20110101\u202c",  # from a phone's contacts: direction marks, U+2011
        "212\u2013555\u20130101",  # en dashes
        "\u2066+1 212 555 0101\u2069",
    ],
)
def test_a_phone_number_copied_with_invisible_marks_is_taken(client, staff_headers, copied):
    body = intake(patient=CANARY | {"phone": copied, "preferred_contact": "phone"})
    created = client.post(URL, json=body)
    assert created.status_code == 201, created.text
    read = client.get(f"{URL}/{created.json()['id']}", headers=staff_headers)
    assert read.json()["patient"]["phone"] == "+12125550101"
