"""Every API operation fuzzed by schemathesis: no server errors, every answer as documented
(errors as `application/problem+json` problems) and every declared key requirement enforced.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, response_schema_conformance

from referrals import migrations
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.main import create_app
from referrals.registry import seeding
from referrals.registry.schemas import SeedFile
from tests.intake.payloads import intake

CHECKS = [not_a_server_error, response_schema_conformance, ignored_auth]
KNOWN_ZIP = "10001"


class Forward:
    """The ASGI app schemathesis calls, every probe included: whichever app `api` made."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


# Collection needs the schema before any fixture runs, and it does not depend on the data: an
# app without a database serves it. (schemathesis' lazy `from_fixture` does not work with
# pytest 9: it reads `Item._nodeid`, which is gone.)
TARGET = Forward(create_app(Settings(database_url="sqlite://")))
schema = schemathesis.openapi.from_asgi("/openapi.json", TARGET)


@pytest.fixture(scope="module")
def api(new_database_url) -> Iterator[tuple[FastAPI, str]]:
    """The app on a migrated database of its own with the demo registry, one referral request
    and an admin key; no rate limit to trip over."""
    url = new_database_url()
    migrations.upgrade(url)
    app = create_app(Settings(database_url=url, intake_rate_limit="1000000/minute"))
    with app.state.sessionmaker.begin() as session:
        seed = SeedFile.model_validate_json(app.state.settings.seed_file.read_bytes())
        seeding.load(session, seed=seed)
        _, key = auth.create_key(session, name="schemathesis", role=Role.admin)
    schema_app, TARGET.app = TARGET.app, app
    with TestClient(app) as client:
        assert client.post("/api/v1/referral-requests", json=intake()).status_code == 201
        yield app, key
    TARGET.app = schema_app
    app.state.engine.dispose()


def _past_rules_no_schema_states(case) -> None:
    """Take positive cases past the rules a JSON schema does not state (a known ZIP code, a
    US phone number, consent, a way to reach the patient), so that the fuzz reaches the code
    behind them: otherwise nearly every intake and search ends in a 422."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if case.operation.label == "GET /api/v1/matches":
        if "language" in case.query:
            case.query["language"] = "en"
        if "lat" not in case.query and "lon" not in case.query:
            case.query["postal_code"] = KNOWN_ZIP
    elif case.operation.label == "POST /api/v1/referral-requests":
        case.body |= {"postal_code": KNOWN_ZIP, "consent_to_share": True}
        case.body["patient"] |= {
            "date_of_birth": "1990-01-01",
            "email": "fuzz@example.com",
            "phone": "+12125550100",
        }
        if case.body.get("preferences", {}).get("language"):
            case.body["preferences"]["language"] = "en"


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api(case, api):
    _, key = api
    _past_rules_no_schema_states(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
