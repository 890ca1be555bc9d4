"""From an intake to a completed referral, as staff work it."""

from datetime import date

import pytest

from referrals.intake import schemas as intake_schemas
from referrals.intake.screening import age_on
from referrals.workflow import service as workflow_service
from tests.builders import make_care_team
from tests.intake.payloads import CANARY, intake


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


def test_staff_list_the_flagged_requests_waiting_for_a_reviewer(desk, flagged_body):
    waiting, reviewed = desk.intake(flagged_body), desk.intake(flagged_body)
    desk.intake()
    desk.post(f"/referral-requests/{reviewed}/review", {"cleared": False})

    def listed(**params) -> list[str]:
        page = desk.get("/referral-requests", flagged="true", **params).json()
        return [r["id"] for r in page["items"]]

    assert listed(reviewed="false") == [waiting]
    assert listed(reviewed="true") == [reviewed]
    assert sorted(listed()) == sorted([waiting, reviewed])


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


def test_an_inactive_team_and_a_team_not_taking_patients_are_refused_each_as_it_is(
    desk, teams, session
):
    request_id = desk.intake()
    teams[0].active = False
    teams[1].accepting_new_patients = False
    session.flush()
    refused = desk.refer(request_id, teams[0].id)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "care_team_id", "message": "is an inactive team"}]
    assert desk.refer(request_id, teams[1].id).json()["errors"] == [
        {"field": "care_team_id", "message": "is a team that is not taking new patients"}
    ]
    assert desk.refer(request_id, teams[2].id).status_code == 201


def test_a_request_with_a_team_cannot_be_closed_until_its_referral_ends(desk, teams):
    request_id = desk.intake()
    referral = desk.refer(request_id, teams[0].id).json()
    refused = desk.patch(f"/referral-requests/{request_id}", {"status": "closed"})
    assert refused.status_code == 409
    assert "referral must end first" in refused.json()["detail"]
    assert desk.get(f"/referral-requests/{request_id}").json()["status"] == "referred"
    desk.move(referral["id"], "declined")
    assert desk.patch(f"/referral-requests/{request_id}", {"status": "closed"}).status_code == 200


def test_a_refused_move_reads_as_english(desk):
    request_id = desk.intake()
    desk.patch(f"/referral-requests/{request_id}", {"status": "in_review"})
    refused = desk.patch(f"/referral-requests/{request_id}", {"status": "new"})
    assert refused.json()["detail"] == "An in-review request cannot become new."


def test_a_team_is_refused_for_a_patient_under_its_minimum_age(desk, teams, session):
    born = date(date.today().year - 16, 1, 1)
    assert age_on(born, date.today()) == 16
    patient = CANARY | {"date_of_birth": born.isoformat()}
    request_id = desk.intake(intake(patient=patient))
    desk.post(f"/referral-requests/{request_id}/review", {"cleared": True})
    refused = desk.refer(request_id, teams[0].id)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "care_team_id", "message": "is a team that sees patients from age 18"}
    ]
    assert desk.get(f"/referral-requests/{request_id}").json()["referrals"] == []
    younger = make_care_team(session, site_id=teams[0].site_id, min_patient_age=16)
    assert desk.refer(request_id, younger.id).status_code == 201


class _NextYear(date):
    """Today, a year from now: a stored request is read long after its intake."""

    @classmethod
    def today(cls) -> date:
        today = date.today()
        return date(today.year + 1, today.month, min(today.day, 28))


def test_a_request_stays_readable_as_its_patient_ages(desk, teams, monkeypatch):
    oldest = date(date.today().year - 120, 1, 1)  # the intake's oldest date of birth
    request_id = desk.intake(intake(patient=CANARY | {"date_of_birth": oldest.isoformat()}))
    monkeypatch.setattr(intake_schemas, "date", _NextYear)
    monkeypatch.setattr(workflow_service, "date", _NextYear)

    read = desk.get(f"/referral-requests/{request_id}")
    assert read.status_code == 200, read.text
    assert read.json()["patient"]["date_of_birth"] == oldest.isoformat()
    matches = desk.get(f"/referral-requests/{request_id}/matches")
    assert matches.status_code == 200, matches.text
    assert matches.json()["total"] == 3
    closed = desk.patch(f"/referral-requests/{request_id}", {"status": "closed"})
    assert closed.status_code == 200, closed.text


def test_a_clearance_is_a_json_true_or_false(desk, flagged_body):
    request_id = desk.intake(flagged_body)
    for sloppy in ("yes", "true", 1):
        response = desk.post(f"/referral-requests/{request_id}/review", {"cleared": sloppy})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["cleared"]
    assert desk.get(f"/referral-requests/{request_id}").json()["review"] is None


def test_names_are_stored_without_the_spaces_around_them(desk):
    request_id = desk.intake(intake(patient=CANARY | {"first_name": "  Zoë "}))
    assert desk.get(f"/referral-requests/{request_id}").json()["patient"]["first_name"] == "Zoë"


def test_a_team_with_referrals_is_kept_and_says_why(desk, teams, client, admin_headers):
    desk.refer(desk.intake(), teams[0].id)
    refused = client.delete(f"/api/v1/care-teams/{teams[0].id}", headers=admin_headers)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "It has referrals, whose history is kept; set active to false instead."
    )
    site = client.delete(f"/api/v1/sites/{teams[0].site_id}", headers=admin_headers)
    assert site.json()["detail"] == "It is still part of a care team; remove or change those first."


def test_free_text_pasted_with_control_characters_is_kept_as_meant(desk, teams):
    # a NUL was a 500 on PostgreSQL; Word and PDFs paste breaks as form feeds, vertical tabs
    clinical = {"conditions": ["ptsd"], "notes": "first line\x0bsecond\x00 line\r\n\tthird"}
    request_id = desk.intake(intake(clinical=clinical))
    read = desk.get(f"/referral-requests/{request_id}").json()
    assert read["clinical"]["notes"] == "first line\nsecond line\r\n\tthird"
    referral = desk.refer(request_id, teams[0].id).json()
    moved = desk.patch(f"/referrals/{referral['id']}", {"status": "accepted", "note": "ok\x00\x0c"})
    assert moved.status_code == 200, moved.text
    (accepted,) = [
        e
        for e in desk.get(f"/referral-requests/{request_id}/events").json()
        if e["to_status"] == "accepted"
    ]
    assert accepted["note"] == "ok\n"
