"""Security headers on every answer, CORS only for configured origins, docs off in production."""

import pytest
from fastapi.testclient import TestClient

from referrals import phi
from referrals.config import Settings
from referrals.main import create_app

ORIGIN = "https://clinic.example"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}


@pytest.mark.parametrize("path", ["/healthz", "/nowhere", "/intake", "/api/v1/providers"])
def test_every_answer_forbids_sniffing_and_referrers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/providers"),
        ("GET", "/api/v1/nowhere"),
        ("POST", "/api/v1/referral-requests"),
    ],
)
def test_api_answers_are_never_cached(client, method, path):
    assert client.request(method, path).headers["Cache-Control"] == "no-store"


def test_other_answers_keep_their_own_caching(client):
    assert client.get("/intake/assets/intake.css").headers["Cache-Control"] == "no-cache"
    assert "Cache-Control" not in client.get("/healthz").headers


def _client(settings: Settings, **changes) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes)))


def test_no_cors_without_configured_origins(settings):
    with _client(settings) as client:
        answer = client.options("/api/v1/referral-requests", headers=PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_cors_for_configured_origins_only(settings):
    with _client(settings, cors_origins=[ORIGIN]) as client:
        allowed = client.options("/api/v1/referral-requests", headers=PREFLIGHT)
        other = client.options(
            "/api/v1/referral-requests", headers=PREFLIGHT | {"Origin": "https://evil.example"}
        )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_origins_are_read_comma_separated(monkeypatch):
    monkeypatch.setenv("REFERRALS_CORS_ORIGINS", f"{ORIGIN}, http://localhost:3000")
    assert Settings().cors_origins == [ORIGIN, "http://localhost:3000"]
    monkeypatch.setenv("REFERRALS_CORS_ORIGINS", "clinic.example")
    with pytest.raises(ValueError, match="cors_origins"):
        Settings()


@pytest.mark.parametrize(
    ("changes", "served"),
    [
        ({}, True),
        ({"env": "production"}, False),
        ({"env": "production", "docs_enabled": True}, True),
        ({"docs_enabled": False}, False),
    ],
)
def test_docs_are_off_in_production_unless_asked_for(database_url, changes, served):
    settings = Settings(database_url=database_url, phi_key=phi.new_key(), **changes)
    with TestClient(create_app(settings)) as client:
        paths = ("/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui-bundle.js")
        codes = {client.get(path).status_code for path in paths}
    assert codes == ({200} if served else {404})
