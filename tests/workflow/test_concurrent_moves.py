"""Staff acting on one request at the same moment: the second waits for the first."""

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from referrals.auth.models import Role
from referrals.workflow import events
from referrals.workflow.events import EventKind
from tests.at_once import app_of_its_own, statuses
from tests.builders import make_care_team
from tests.intake.payloads import intake

API = "/api/v1"


class Desk:
    """Two staff members' calls at once, the first held open after its referral event."""

    def __init__(self, client: TestClient, staff: dict, team_id: int, monkeypatch) -> None:
        self.client, self.staff, self.team_id = client, staff, team_id
        self.monkeypatch = monkeypatch
        self.path = (
            f"{API}/referral-requests/"
            + client.post(f"{API}/referral-requests", json=intake()).json()["id"]
        )

    def refer(self) -> dict:
        body = {"care_team_id": str(self.team_id)}
        return self.client.post(f"{self.path}/referrals", json=body, headers=self.staff)

    def at_once(self, first, second) -> tuple[int, int]:
        """Run `first` until its referral event is written, then `second`; their statuses."""
        written, record = threading.Event(), events.record

        def record_then_linger(session, **event):
            record(session, **event)
            if event["kind"] == EventKind.referral and not written.is_set():
                written.set()
                time.sleep(0.5)  # the event is written, the transaction still open

        self.monkeypatch.setattr(events, "record", record_then_linger)
        return statuses(first, second, written)


@pytest.fixture
def desk(new_database_url, monkeypatch) -> Iterator[Desk]:
    def team_id(session) -> int:
        return make_care_team(session).id

    with app_of_its_own(new_database_url(), Role.staff, team_id) as (client, headers, made):
        yield Desk(client, headers, made, monkeypatch)


def test_a_close_waits_for_the_referral_being_sent(desk):
    def close():
        return desk.client.patch(desk.path, json={"status": "closed"}, headers=desk.staff)

    assert desk.at_once(desk.refer, close) == (201, 409)
    assert desk.client.get(desk.path, headers=desk.staff).json()["status"] == "referred"


def test_two_moves_of_one_referral_take_turns(desk):
    referral = f"{API}/referrals/" + desk.refer().json()["id"]

    def move(status: str):
        return lambda: desk.client.patch(referral, json={"status": status}, headers=desk.staff)

    assert desk.at_once(move("accepted"), move("declined")) == (200, 409)
    read = desk.client.get(desk.path, headers=desk.staff).json()
    assert [r["status"] for r in read["referrals"]] == ["accepted"]


def test_a_page_of_requests_counts_the_intake_that_arrives_as_it_is_read(desk):
    arrived = []

    def intake_arrives(_connection, _cursor, statement: str, *_) -> None:
        if "FROM referral_requests" in statement and "LIMIT" in statement and not arrived:
            arrived.append(desk.client.post(f"{API}/referral-requests", json=intake()))

    event.listen(desk.client.app.state.engine, "before_cursor_execute", intake_arrives)
    page = desk.client.get(f"{API}/referral-requests", headers=desk.staff).json()
    assert arrived[0].status_code == 201
    assert len(page["items"]) == page["total"]
