"""Who may call what: the 401/403 matrix over every private operation in the OpenAPI schema."""

import pytest
from sqlalchemy import update

from referrals.auth.models import ApiKey
from referrals.config import Settings
from referrals.main import create_app

SCHEMA = create_app(Settings(database_url="sqlite://")).openapi()
OPERATIONS = sorted(
    (method.upper(), path, operation.get("x-required-role"))
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
)
PRIVATE = [(method, path) for method, path, role in OPERATIONS if role]
ADMIN_ONLY = [(method, path) for method, path, role in OPERATIONS if role == "admin"]
STAFF = [(method, path) for method, path, role in OPERATIONS if role == "staff"]


def _call(client, method: str, path: str, headers: dict | None = None):
    url = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
    body = {} if method in ("POST", "PATCH", "PUT") else None
    return client.request(method, url, headers=headers, json=body)


PUBLIC_API = {("POST", "/api/v1/referral-requests")}
ADMIN_PREFIXES = (
    "/api/v1/providers",
    "/api/v1/sites",
    "/api/v1/care-teams",
    "/api/v1/audit-events",
)


def test_every_api_operation_but_the_intake_is_private():
    api = {(m, p) for m, p, _ in OPERATIONS if p.startswith("/api/v1/")}
    assert api - PUBLIC_API == set(PRIVATE)
    assert all(path.startswith(ADMIN_PREFIXES) for _, path in ADMIN_ONLY)


def test_private_operations_declare_bearer_auth():
    assert SCHEMA["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for method, path in PRIVATE:
        assert SCHEMA["paths"][path][method.lower()]["security"], (method, path)


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_no_key_is_401(client, method, path):
    response = _call(client, method, path)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_a_bad_key_is_401(client, method, path):
    response = _call(client, method, path, {"Authorization": "Bearer rfk_not-a-real-key"})
    assert response.status_code == 401
    assert "rfk_not-a-real-key" not in response.text


def _bad_query(path: str) -> str:
    return path + "?limit=-1&postal_code=abc&not_a_parameter=1"


@pytest.mark.parametrize("headers", [None, {"Authorization": "Bearer rfk_not-a-real-key"}])
@pytest.mark.parametrize("path", [path for method, path in PRIVATE if method == "GET"])
def test_a_bad_query_without_a_good_key_is_401_not_422(client, headers, path):
    response = _call(client, "GET", _bad_query(path), headers)
    assert response.status_code == 401
    assert "errors" not in response.json()  # nothing is said of the input


@pytest.mark.parametrize("path", [path for method, path in ADMIN_ONLY if method == "GET"])
def test_a_bad_query_with_a_staff_key_on_an_admin_operation_is_403(client, staff_headers, path):
    assert _call(client, "GET", _bad_query(path), staff_headers).status_code == 403


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
def test_staff_keys_get_403_on_admin_operations(client, staff_headers, method, path):
    assert _call(client, method, path, staff_headers).status_code == 403


@pytest.mark.parametrize(("method", "path"), STAFF)
def test_staff_keys_pass_on_staff_operations(client, staff_headers, method, path):
    assert _call(client, method, path, staff_headers).status_code not in (401, 403)


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_admin_keys_pass_everywhere(client, admin_headers, method, path):
    assert _call(client, method, path, admin_headers).status_code not in (401, 403)


def test_a_revoked_key_is_401(client, session, admin_headers):
    session.execute(update(ApiKey).values(revoked_at=ApiKey.created_at))
    assert client.get("/api/v1/providers", headers=admin_headers).status_code == 401
