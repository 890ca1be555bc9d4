from tests.builders import make_care_team


def test_a_care_team_reads_back_over_http(client, session, staff_headers):
    team = make_care_team(session, wait_days=3)
    response = client.get(f"/api/v1/care-teams/{team.id}", headers=staff_headers)
    assert response.status_code == 200
    assert response.json()["wait_days"] == 3
