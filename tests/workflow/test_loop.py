"""From an intake to a completed referral, as staff work it."""

import pytest

from tests.intake.payloads import CANARY


def test_an_intake_goes_all_the_way_to_completed(desk, teams):
    request_id = desk.intake()
    matches = desk.get(f"/referral-requests/{request_id}/matches").json()
    assert matches["total"] == 3
    team_id = matches["matches"][0]["care_team_id"]

    referral = desk.refer(request_id, team_id)
    assert referral.status_code == 201
    referral = referral.json()
    assert referral["status"] == "sent"
    for status in ("accepted", "scheduled", "completed"):
        assert desk.move(referral["id"], status, note=f"now {status}").status_code == 200

    read = desk.get(f"/referral-requests/{request_id}").json()
    assert read["status"] == "closed"
    assert read["patient"]["last_name"] == CANARY["last_name"]
    assert [r["status"] for r in read["referrals"]] == ["completed"]

    history = desk.get(f"/referral-requests/{request_id}/events").json()
    moves = [(e["kind"], e["from_status"], e["to_status"]) for e in history]
    assert moves == [
        ("request", None, "new"),
        ("referral", None, "sent"),
        ("request", "new", "referred"),
        ("referral", "sent", "accepted"),
        ("referral", "accepted", "scheduled"),
        ("referral", "scheduled", "completed"),
        ("request", "referred", "closed"),
    ]
    assert history[0]["actor"] == "public"
    assert all(e["actor"].startswith("key:") for e in history[1:])
    assert history[3]["note"] == "now accepted"
    assert [e["at"] for e in history] == sorted(e["at"] for e in history)


def test_a_declined_referral_lets_staff_refer_again(desk, teams):
    request_id = desk.intake()
    first = desk.refer(request_id, teams[0].id).json()
    assert desk.refer(request_id, teams[1].id).status_code == 409
    desk.move(first["id"], "declined")
    assert desk.refer(request_id, teams[1].id).status_code == 201


@pytest.mark.parametrize(
    ("path", "to"),
    [
        (["declined"], "accepted"),
        ([], "completed"),
        ([], "scheduled"),
        (["accepted"], "declined"),
        (["accepted", "scheduled", "completed"], "cancelled"),
        (["accepted", "cancelled"], "scheduled"),
    ],
)
def test_an_illegal_transition_is_409(desk, teams, path, to):
    referral = desk.refer(desk.intake(), teams[0].id).json()
    for status in path:
        assert desk.move(referral["id"], status).status_code == 200
    response = desk.move(referral["id"], to)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_a_flagged_request_needs_a_clearance_before_a_referral(desk, teams, flagged_body):
    request_id = desk.intake(flagged_body)
    refused = desk.refer(request_id, teams[0].id)
    assert refused.status_code == 409
    assert "reviewer" in refused.json()["detail"]
    not_yet = desk.post(f"/referral-requests/{request_id}/review", {"cleared": False})
    assert not_yet.json()["review"]["cleared"] is False
    assert desk.refer(request_id, teams[0].id).status_code == 409
    cleared = desk.post(
        f"/referral-requests/{request_id}/review", {"cleared": True, "note": "reviewed by MD"}
    )
    assert cleared.status_code == 200
    assert desk.refer(request_id, teams[0].id).status_code == 201
    history = desk.get(f"/referral-requests/{request_id}/events").json()
    reviews = [e for e in history if e["kind"] == "review"]
    assert [e["to_status"] for e in reviews] == ["not_cleared", "cleared"]
    assert reviews[1]["note"] == "reviewed by MD"


def test_staff_list_requests_by_status_and_flag(desk, teams, flagged_body):
    plain = desk.intake()
    flagged = desk.intake(flagged_body)
    desk.patch(f"/referral-requests/{plain}", {"status": "in_review"})
    assert [r["id"] for r in desk.get("/referral-requests", flagged="true").json()["items"]] == [
        flagged
    ]
    in_review = desk.get("/referral-requests", status="in_review").json()
    assert in_review["total"] == 1
    assert in_review["items"][0]["id"] == plain
    page = desk.get("/referral-requests", limit=1).json()
    assert (page["total"], len(page["items"]), page["items"][0]["id"]) == (2, 1, flagged)


@pytest.mark.parametrize(
    ("steps", "to", "answer"),
    [
        ([], "in_review", 200),
        ([], "closed", 200),
        (["in_review"], "new", 409),
        (["closed"], "in_review", 409),
        ([], "referred", 409),
    ],
)
def test_request_status_changes_follow_the_table(desk, steps, to, answer):
    request_id = desk.intake()
    for status in steps:
        desk.patch(f"/referral-requests/{request_id}", {"status": status})
    assert desk.patch(f"/referral-requests/{request_id}", {"status": to}).status_code == answer


def test_a_closed_request_cannot_be_referred(desk, teams):
    request_id = desk.intake()
    desk.patch(f"/referral-requests/{request_id}", {"status": "closed"})
    assert desk.refer(request_id, teams[0].id).status_code == 409


def test_unknown_ids_are_404_and_bad_teams_422(desk, teams, session):
    assert desk.get("/referral-requests/0123456789abcdef0123456789abcdef").status_code == 404
    assert desk.get("/referral-requests/nope/events").status_code == 404
    assert desk.move("0123456789abcdef0123456789abcdef", "accepted").status_code == 404
    request_id = desk.intake()
    assert desk.refer(request_id, 987654).status_code == 422
    teams[0].active = False
    session.flush()
    assert desk.refer(request_id, teams[0].id).json()["errors"][0]["field"] == "care_team_id"
