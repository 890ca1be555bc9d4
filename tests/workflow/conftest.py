"""A stored intake and a team to refer it to."""

import pytest

from tests.builders import make_care_team, make_site
from tests.intake.payloads import intake, with_clinical

API = "/api/v1"


class Desk:
    """The staff's desk: the calls of the referral loop, with a staff key."""

    def __init__(self, client, headers) -> None:
        self.client, self.headers = client, headers

    def intake(self, body: dict | None = None) -> str:
        response = self.client.post(f"{API}/referral-requests", json=body or intake())
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def get(self, path: str, **params):
        return self.client.get(f"{API}{path}", params=params, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(f"{API}{path}", json=body, headers=self.headers)

    def patch(self, path: str, body: dict):
        return self.client.patch(f"{API}{path}", json=body, headers=self.headers)

    def refer(self, request_id: str, team_id: int):
        return self.post(
            f"/referral-requests/{request_id}/referrals", {"care_team_id": str(team_id)}
        )

    def move(self, referral_id: str, status: str, note: str | None = None):
        return self.patch(f"/referrals/{referral_id}", {"status": status, "note": note})


@pytest.fixture
def desk(client, staff_headers) -> Desk:
    return Desk(client, staff_headers)


@pytest.fixture
def teams(session):
    site = make_site(session, lat=40.7484, lon=-73.9967)
    return [make_care_team(session, site_id=site.id, modalities=["iv_infusion"]) for _ in range(3)]


@pytest.fixture
def flagged_body() -> dict:
    return with_clinical(psychosis_history=True)
