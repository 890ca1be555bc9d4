"""The audit trail (SPEC §7): one row per access to a referral request, ids only, append-only."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import func, select, text

from referrals.audit.models import AuditEvent
from referrals.auth import service as auth
from referrals.auth.models import ApiKey, Role
from referrals.db import make_engine, make_sessionmaker
from tests.builders import make_care_team, make_site
from tests.intake.payloads import CANARY, intake, with_clinical
from tests.workflow.conftest import API, Desk

TRACE = "trace-0f8a3c.42"
NOTE = "Zebulon called back from his mother's house in Quixotefield"


@pytest.fixture
def desk(client, staff_headers) -> Desk:
    return Desk(client, staff_headers | {"X-Request-ID": TRACE})


@pytest.fixture
def staff_actor(session, staff_headers) -> str:
    key_id = session.scalar(select(ApiKey.id).where(ApiKey.role == Role.staff))
    return f"key:{key_id}"


@pytest.fixture
def team(session):
    site = make_site(session, lat=40.7484, lon=-73.9967)
    return make_care_team(session, site_id=site.id, modalities=["iv_infusion"])


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


def _newest(session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()


def _referral(desk: Desk, request_id: str, team) -> str:
    response = desk.refer(request_id, team.id)
    assert response.status_code == 201, response.text
    return response.json()["id"]


# (action, the call given the desk, a stored request and a team; the setup it needs first)
ROUTES: dict[str, tuple[str, Callable]] = {
    "list": ("referral_request.list", lambda d, r, t, _: d.get("/referral-requests")),
    "read": ("referral_request.read", lambda d, r, t, _: d.get(f"/referral-requests/{r}")),
    "matches": (
        "referral_request.matches",
        lambda d, r, t, _: d.get(f"/referral-requests/{r}/matches"),
    ),
    "events": (
        "referral_request.events",
        lambda d, r, t, _: d.get(f"/referral-requests/{r}/events"),
    ),
    "update": (
        "referral_request.update",
        lambda d, r, t, _: d.patch(f"/referral-requests/{r}", {"status": "in_review"}),
    ),
    "review": (
        "referral_request.review",
        lambda d, r, t, _: d.post(f"/referral-requests/{r}/review", {"cleared": True}),
    ),
    "refer": ("referral.create", lambda d, r, t, _: d.refer(r, t.id)),
    "move": ("referral.update", lambda d, r, t, referral: d.move(referral, "accepted")),
}


@pytest.mark.parametrize("route", ROUTES)
def test_each_staff_route_writes_exactly_one_audit_row(session, desk, team, staff_actor, route):
    action, call = ROUTES[route]
    request_id = desk.intake()
    referral_id = _referral(desk, request_id, team) if route == "move" else None
    before = _count(session)

    response = call(desk, request_id, team, referral_id)

    assert response.status_code in (200, 201), response.text
    assert response.headers["X-Request-ID"] == TRACE
    assert _count(session) == before + 1
    row = _newest(session)
    assert (row.action, row.actor, row.outcome) == (action, staff_actor, "ok")
    assert [r.referral_request_id for r in row.requests] == [request_id]
    assert (row.client_address, row.request_id) == ("testclient", TRACE)


def test_the_public_intake_writes_one_row_and_a_replay_writes_another(client, session):
    headers = {"Idempotency-Key": "retry-me", "X-Request-ID": TRACE}
    before = _count(session)

    first = client.post(f"{API}/referral-requests", json=intake(), headers=headers)
    again = client.post(f"{API}/referral-requests", json=intake(), headers=headers)

    assert first.status_code == again.status_code == 201
    request_id = first.json()["id"]
    assert _count(session) == before + 2
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()
    assert [(r.action, r.actor, r.outcome) for r in rows] == [
        ("referral_request.create", "public", "replay"),
        ("referral_request.create", "public", "ok"),
    ]
    assert all([q.referral_request_id for q in r.requests] == [request_id] for r in rows)
    assert all((r.client_address, r.request_id) == ("testclient", TRACE) for r in rows)


def test_the_list_records_the_ids_of_the_page_it_returned(session, desk):
    for _ in range(3):
        desk.intake()

    for offset in (0, 2):
        page = desk.get("/referral-requests", limit=2, offset=offset).json()
        shown = [item["id"] for item in page["items"]]
        assert [r.referral_request_id for r in _newest(session).requests] == shown
    assert len(shown) == 1


def test_request_ids_are_the_clients_when_safe_and_new_otherwise(client, session):
    for sent, kept in [("abc-123_x.y", True), ("no spaces", False), ("x" * 65, False)]:
        client.post(f"{API}/referral-requests", json=intake(), headers={"X-Request-ID": sent})
        assert (_newest(session).request_id == sent) is kept
    client.post(f"{API}/referral-requests", json=intake())
    assert len(_newest(session).request_id) == 32


@pytest.mark.parametrize(
    ("path", "ids"),
    [("/referral-requests/" + "0" * 32, ["0" * 32]), ("/referral-requests/Zebulon", [])],
)
def test_reading_an_unknown_request_is_refused_and_recorded(session, desk, path, ids):
    before = _count(session)
    assert desk.get(path).status_code == 404
    assert _count(session) == before + 1
    row = _newest(session)
    assert (row.action, row.outcome) == ("referral_request.read", "404")
    assert [r.referral_request_id for r in row.requests] == ids


def test_referring_a_flagged_request_is_refused_and_recorded(session, desk, team, staff_actor):
    request_id = desk.intake(with_clinical(psychosis_history=True))
    before = _count(session)

    assert desk.refer(request_id, team.id).status_code == 409

    assert _count(session) == before + 1
    row = _newest(session)
    assert (row.action, row.actor, row.outcome) == ("referral.create", staff_actor, "409")
    assert [r.referral_request_id for r in row.requests] == [request_id]
    assert row.request_id == TRACE


def test_a_refused_change_leaves_its_row_but_nothing_else(session, desk, team):
    request_id = desk.intake()
    referral_id = _referral(desk, request_id, team)
    events = len(desk.get(f"/referral-requests/{request_id}/events").json())

    assert desk.move(referral_id, "completed", note=NOTE).status_code == 409
    assert desk.refer(request_id, 10**9).status_code == 409

    assert [(r.action, r.outcome) for r in session.scalars(select(AuditEvent))][-2:] == [
        ("referral.update", "409"),
        ("referral.create", "409"),
    ]
    assert len(desk.get(f"/referral-requests/{request_id}/events").json()) == events


def test_audit_rows_hold_no_phi(session, desk, team):
    request_id = desk.intake()
    desk.get("/referral-requests")
    desk.get(f"/referral-requests/{request_id}")
    desk.get(f"/referral-requests/{request_id}/matches")
    desk.patch(f"/referral-requests/{request_id}", {"status": "in_review", "note": NOTE})
    desk.post(f"/referral-requests/{request_id}/review", {"cleared": True, "note": NOTE})
    referral_id = _referral(desk, request_id, team)
    desk.move(referral_id, "accepted", note=NOTE)
    desk.get(f"/referral-requests/{request_id}/events")
    desk.get(f"/referral-requests/{CANARY['last_name']}")

    body = intake()
    secrets = [*CANARY.values(), body["postal_code"], NOTE, *body["clinical"].values()]
    secrets = [str(s).lower() for s in secrets if isinstance(s, str) and s not in ("email",)]
    cells = [
        str(value).lower()
        for table in ("audit_events", "audit_event_requests")
        for row in session.execute(text(f"SELECT * FROM {table}"))
        for value in row
    ]
    assert len(cells) > 50
    assert not [(s, c) for s in secrets for c in cells if s in c]


def test_admins_read_the_trail_newest_first_with_filters(
    client, session, desk, admin_headers, staff_actor
):
    first, second = desk.intake(), desk.intake()
    desk.get(f"/referral-requests/{first}")
    desk.get(f"/referral-requests/{second}/events")
    desk.get("/referral-requests")

    def audit(**params) -> dict:
        response = client.get(f"{API}/audit-events", params=params, headers=admin_headers)
        assert response.status_code == 200, response.text
        return response.json()

    everything = audit()
    assert everything["total"] == 5
    assert [e["action"] for e in everything["items"]] == [
        "referral_request.list",
        "referral_request.events",
        "referral_request.read",
        "referral_request.create",
        "referral_request.create",
    ]
    assert everything["items"][0] | {"id": 0, "at": 0} == {
        "id": 0,
        "at": 0,
        "actor": staff_actor,
        "action": "referral_request.list",
        "referral_request_ids": [second, first],
        "client_address": "testclient",
        "request_id": TRACE,
        "outcome": "ok",
    }
    about_first = audit(referral_request_id=first)["items"]
    assert [e["action"] for e in about_first] == [
        "referral_request.list",
        "referral_request.read",
        "referral_request.create",
    ]
    assert audit(actor="public")["total"] == 2
    assert (
        audit(actor=staff_actor, action="referral_request.read")["items"][0]["id"]
        == (about_first[1]["id"])
    )
    page = audit(limit=2, offset=1)
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [e["id"] for e in page["items"]] == [e["id"] for e in everything["items"][1:3]]

    now = datetime.now(UTC)
    assert audit(since=(now - timedelta(minutes=5)).isoformat())["total"] == 5
    assert audit(since=(now + timedelta(minutes=5)).isoformat())["total"] == 0
    assert audit(until=(now - timedelta(minutes=5)).isoformat())["total"] == 0
    naive = (now + timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    assert audit(until=naive)["total"] == 5


def test_bad_filters_are_422(client, admin_headers):
    for params in (
        {"action": "referral_request.delete"},
        {"since": "yesterday"},
        {"limit": 101},
        {"request_id": "abc"},
        {"referral_request_id": "Zebulon"},
        {"actor": "key:\x001"},
        {"until": "0001-01-01T00:00:00+01:00"},
    ):
        response = client.get(f"{API}/audit-events", params=params, headers=admin_headers)
        assert response.status_code == 422, params
        assert "Zebulon" not in response.text


def test_only_admins_read_the_trail(client, staff_headers):
    assert client.get(f"{API}/audit-events").status_code == 401
    assert client.get(f"{API}/audit-events", headers=staff_headers).status_code == 403


def test_no_route_edits_or_deletes_audit_events(app, session, desk):
    paths = app.openapi()["paths"]
    audit_paths = {path: set(item) for path, item in paths.items() if "audit" in path}
    assert audit_paths == {f"{API}/audit-events": {"get"}}

    desk.intake()
    row = _newest(session)
    row.outcome = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        session.flush()
    session.rollback()


def test_a_refused_access_is_recorded_though_its_transaction_rolled_back(live_server):
    engine = make_engine(live_server.database_url)
    with make_sessionmaker(engine).begin() as session:
        _, key = auth.create_key(session, name="auditor", role=Role.admin)
    headers = {"Authorization": f"Bearer {key}", "X-Request-ID": "live-1"}
    with httpx2.Client(base_url=f"{live_server.url}{API}", headers=headers) as client:
        created = client.post("/referral-requests", json=intake()).json()["id"]
        assert client.get(f"/referral-requests/{created}").status_code == 200
        assert client.get("/referral-requests/" + "f" * 32).status_code == 404
        trail = client.get("/audit-events").json()["items"]
    engine.dispose()
    assert [(e["action"], e["outcome"], e["referral_request_ids"]) for e in trail] == [
        ("referral_request.read", "404", ["f" * 32]),
        ("referral_request.read", "ok", [created]),
        ("referral_request.create", "ok", [created]),
    ]
    assert {e["request_id"] for e in trail} == {"live-1"}
