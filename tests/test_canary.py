"""A canary patient through the whole service: her values never leak (SPEC §4, §7).

She is sent through the intake, read, searched for, referred and moved along with notes
about her, and typed into wrong fields and unknown ids. Then none of her values may be
found in any log record, any error answer, any audit row, or any column of any table:
in the database she exists only inside the encrypted `referral_requests.phi` and
`referral_events.note` tokens, which must not hold her in clear either.
"""

import copy
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from referrals import migrations
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.intake.models import ReferralRequest
from referrals.main import create_app
from referrals.observability import JsonFormatter
from referrals.registry import seeding
from referrals.registry.schemas import SeedFile
from referrals.workflow.models import Event
from tests.intake.payloads import CANARY, intake

API = "/api/v1"
CLIENT_LOGGERS = {"httpx", "httpx2", "httpcore"}
ZIP = "10001"
MEDICATIONS = "Xylocanarine 35 mg nightly; Quibblezine 2 mg"
NOTES = "Lighthouse keeper; panic on the Tobermory ferry since the storm of 2019"
NOTE = f"Called {CANARY['first_name']} {CANARY['last_name']} at {CANARY['phone']}"
HER_VALUES = [
    CANARY["first_name"],
    CANARY["last_name"],
    CANARY["email"],
    CANARY["phone"],
    CANARY["phone"].removeprefix("+1"),
    CANARY["date_of_birth"],
    MEDICATIONS,
    NOTES,
    "Xylocanarine",
    "Tobermory",
]


def _body(**clinical) -> dict:
    body = intake()
    body["clinical"] |= {"current_medications": MEDICATIONS, "notes": NOTES} | clinical
    return body


def leaks(text_form: str) -> list[str]:
    """Her values found in `text_form`, ignoring case."""
    lowered = text_form.lower()
    return [value for value in HER_VALUES if value.lower() in lowered]


@dataclass
class Service:
    app: FastAPI
    client: TestClient
    staff: dict[str, str]
    admin: dict[str, str]
    errors: list = field(default_factory=list)

    def call(self, method: str, path: str, *, expect: int, headers=None, **kwargs):
        headers = self.staff if headers is None else headers
        response = self.client.request(method, f"{API}{path}", headers=headers, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            self.errors.append((method, path, response))
        return response


@pytest.fixture
def service(new_database_url, caplog) -> Iterator[Service]:
    """The app on a database of its own (the demo registry, a staff and an admin key), every
    logger captured at DEBUG from before the engine exists."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "alembic"):  # which set their own quieter levels
        caplog.set_level(logging.DEBUG, logger=name)
    url = new_database_url()
    migrations.upgrade(url)
    app = create_app(Settings(database_url=url, intake_rate_limit="1000/minute"))
    with app.state.sessionmaker.begin() as session:
        seed = SeedFile.model_validate_json(app.state.settings.seed_file.read_bytes())
        seeding.load(session, seed=seed)
        _, staff = auth.create_key(session, name="canary staff", role=Role.staff)
        _, admin = auth.create_key(session, name="canary admin", role=Role.admin)
    with TestClient(app) as client:
        yield Service(
            app, client, {"Authorization": f"Bearer {staff}"}, {"Authorization": f"Bearer {admin}"}
        )
    app.state.engine.dispose()


def _her_day_at_the_service(svc: Service) -> None:
    """The intake, staff's work on her request, and every way of getting her wrong."""
    call = svc.call
    body = _body()
    retry = {"Idempotency-Key": "canary-intake-1"}
    request_id = call("POST", "/referral-requests", json=body, headers=retry, expect=201)
    request_id = request_id.json()["id"]
    call("POST", "/referral-requests", json=body, headers=retry, expect=201)  # a replay

    call("GET", "/referral-requests", expect=200)
    call("GET", "/referral-requests", params={"status": "new", "flagged": False}, expect=200)
    read = call("GET", f"/referral-requests/{request_id}", expect=200).json()
    assert read["patient"]["email"] == CANARY["email"]  # staff do see her
    matches = call("GET", f"/referral-requests/{request_id}/matches", expect=200).json()
    call("GET", "/matches", params={"postal_code": ZIP, "modality": "iv_infusion"}, expect=200)
    team_id = matches["matches"][0]["care_team_id"]
    call(
        "POST",
        f"/referral-requests/{request_id}/review",
        json={"cleared": True, "note": NOTE},
        expect=200,
    )
    referral = call(
        "POST",
        f"/referral-requests/{request_id}/referrals",
        json={"care_team_id": str(team_id), "note": f"{NOTE}; {MEDICATIONS}"},
        expect=201,
    ).json()
    for status in ("accepted", "scheduled"):
        note = f"{status}: {NOTE}, born {CANARY['date_of_birth']}"
        call(
            "PATCH",
            f"/referrals/{referral['id']}",
            json={"status": status, "note": note},
            expect=200,
        )
    call("GET", f"/referral-requests/{request_id}/events", expect=200)
    call(
        "GET",
        "/audit-events",
        params={"referral_request_id": request_id},
        headers=svc.admin,
        expect=200,
    )

    # Illegal moves, with her in the note
    call("PATCH", f"/referrals/{referral['id']}", json={"status": "sent", "note": NOTE}, expect=409)
    call(
        "PATCH",
        f"/referral-requests/{request_id}",
        json={"status": "new", "note": NOTES},
        expect=409,
    )
    call(
        "POST",
        f"/referral-requests/{request_id}/referrals",
        json={"care_team_id": str(team_id), "note": NOTE},
        expect=409,
    )

    # Her values in the wrong fields
    for part, name, value in [
        ("patient", "email", f"{CANARY['first_name']} {CANARY['last_name']}"),
        ("patient", "email", CANARY["email"].replace("@", " at ")),
        ("patient", "phone", CANARY["email"]),
        ("patient", "date_of_birth", CANARY["phone"]),
        ("patient", "date_of_birth", CANARY["date_of_birth"].replace("-02-29", "-02-30")),
        ("patient", "first_name", CANARY["first_name"] * 40),
        ("patient", "preferred_contact", CANARY["email"]),
        ("preferences", "language", CANARY["last_name"]),
        ("preferences", "modalities", [MEDICATIONS]),
        ("preferences", "insurance", CANARY["email"]),
        ("clinical", "pcl5_score", CANARY["phone"]),
        ("clinical", "conditions", [NOTES]),
        ("clinical", "notes", NOTES * 40),
        ("clinical", "current_medications", {"name": MEDICATIONS}),
    ]:
        wrong = _body()
        wrong[part][name] = copy.deepcopy(value)
        call("POST", "/referral-requests", json=wrong, expect=422)
    for name, value in [
        ("postal_code", CANARY["last_name"]),
        ("radius_miles", CANARY["phone"]),
        ("consent_to_share", CANARY["email"]),
        ("patient", CANARY["email"]),
        ("consent_to_share", False),
    ]:
        call("POST", "/referral-requests", json=_body() | {name: value}, expect=422)
    no_contact = _body()
    no_contact["patient"] |= {"preferred_contact": "phone", "phone": None}
    call("POST", "/referral-requests", json=no_contact, expect=422)
    other = _body(pcl5_score=12)
    call("POST", "/referral-requests", json=other, headers=retry, expect=422)  # the key is used
    unknown_zip = _body() | {"postal_code": "00000"}
    call("POST", "/referral-requests", json=unknown_zip, expect=422)
    broken = f'{{"patient": {{"email": "{CANARY["email"]}", "first_name": "{NOTES}"'
    call(
        "POST",
        "/referral-requests",
        content=broken,
        expect=422,
        headers={"Content-Type": "application/json"},
    )
    huge = _body()
    huge["clinical"]["notes"] = NOTES * 1000
    call("POST", "/referral-requests", json=huge, expect=413)

    # Her values as ids, filters and keys
    for her in (CANARY["email"], CANARY["last_name"], CANARY["phone"]):
        call("GET", f"/referral-requests/{her}", expect=404)
        call("GET", f"/referral-requests/{her}/events", expect=404)
        call("GET", f"/referral-requests/{her}/matches", expect=404)
        call(
            "PATCH",
            f"/referral-requests/{her}",
            json={"status": "closed", "note": NOTE},
            expect=404,
        )
        call(
            "POST",
            f"/referral-requests/{her}/review",
            json={"cleared": True, "note": NOTE},
            expect=404,
        )
        call("PATCH", f"/referrals/{her}", json={"status": "accepted", "note": NOTE}, expect=404)
        call("GET", f"/care-teams/{her}", expect=404)
        call("GET", "/referral-requests", params={"status": her}, expect=422)
        call("GET", "/matches", params={"postal_code": her}, expect=422)
        call("GET", "/matches", params={"postal_code": ZIP, "language": her}, expect=422)
        call("GET", "/referral-requests", headers={"Authorization": f"Bearer {her}"}, expect=401)
    call(
        "POST",
        f"/referral-requests/{request_id}/referrals",
        json={"care_team_id": CANARY["email"], "note": NOTE},
        expect=422,
    )
    call("PATCH", f"/referrals/{referral['id']}", json={"status": CANARY["email"]}, expect=422)
    call(
        "GET",
        "/audit-events",
        params={"referral_request_id": CANARY["email"]},
        headers=svc.admin,
        expect=422,
    )


def _text_forms(value) -> list[str]:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return [value.decode("latin-1"), value.hex()]
    return [str(value)]


def _every_row(svc: Service) -> Iterator[tuple[str, str, object]]:
    """(table, column, value) of every row of every table, read with raw SQL."""
    with svc.app.state.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        assert {"referral_requests", "referral_events", "api_keys"} <= set(tables)
        for table in tables:
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            for row in result.mappings():
                for column, value in row.items():
                    yield table, column, value


def test_the_canary_never_leaks(service, caplog):
    _her_day_at_the_service(service)

    # She is stored, encrypted: her request and the notes about her decrypt to her values.
    cipher = service.app.state.cipher
    with service.app.state.sessionmaker() as session:
        documents = [cipher.decrypt(phi) for phi in session.scalars(select(ReferralRequest.phi))]
        notes = [cipher.decrypt(n) for n in session.scalars(select(Event.note)) if n is not None]
    assert len(documents) == 1
    assert documents[0]["patient"]["email"] == CANARY["email"]
    assert documents[0]["clinical"]["notes"] == NOTES
    assert sum(NOTE in str(note) for note in notes) == 4

    # Nowhere else: not in any error answer...
    assert len(service.errors) > 60
    for method, path, response in service.errors:
        assert not leaks(response.text), (method, path, response.text)
        assert not leaks(str(response.headers)), (method, path)

    # ...not in any log record of the service, however it is formatted (the test's HTTP client
    # logs the URLs it calls, her values in them: that is the caller's log, not the service's)...
    records = [r for r in caplog.records if r.name.partition(".")[0] not in CLIENT_LOGGERS]
    assert {r.name for r in records} >= {"referrals.access"}
    formatter = JsonFormatter()
    for record in records:
        forms = (formatter.format(record), record.getMessage(), repr(vars(record)))
        assert not leaks(" ".join(forms)), formatter.format(record)

    # ...not in any column of any table, the encrypted tokens included...
    rows = list(_every_row(service))
    for table, column, value in rows:
        for form in _text_forms(value):
            assert not leaks(form), (table, column)

    # ...and the audit trail, if there is one, recorded the accesses with no trace of her.
    audit_rows = [(t, c, v) for t, c, v in rows if t.startswith("audit")]
    with service.app.state.engine.connect() as connection:
        if inspect(connection).has_table("audit_events"):
            assert audit_rows
