"""Registry rows changed while others change or search them: no call fails for it."""

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from referrals.auth.models import Role
from referrals.matching import details
from referrals.registry import service
from tests.at_once import app_of_its_own, statuses
from tests.builders import care_team_body, make_care_team, provider_body

API = "/api/v1"


class Admins:
    """Two admins' calls at once, the first held open after it has read the rows it changes."""

    def __init__(self, client: TestClient, headers: dict, paths: dict, monkeypatch) -> None:
        self.client, self.headers, self.paths = client, headers, paths
        self.monkeypatch = monkeypatch

    def patch(self, kind: str, body: dict):
        return lambda: self.client.patch(self.paths[kind], json=body, headers=self.headers)

    def delete(self, kind: str):
        return lambda: self.client.delete(self.paths[kind], headers=self.headers)

    def at_once(self, write: str, first, second) -> tuple[int, int]:
        """Run `first` until it has read its rows and calls `write`, then `second`; their
        statuses."""
        read, change = threading.Event(), getattr(service, write)

        def read_then_linger(session, *arguments, **keywords):
            if not read.is_set():
                read.set()
                time.sleep(0.5)  # the rows are read, the change not yet written
            return change(session, *arguments, **keywords)

        self.monkeypatch.setattr(service, write, read_then_linger)
        return statuses(first, second, read)


@pytest.fixture
def admins(new_database_url, monkeypatch) -> Iterator[Admins]:
    def paths(session) -> dict[str, str]:
        team = make_care_team(session)
        return {
            "providers": f"{API}/providers/{team.psychiatrist_id}",
            "care-teams": f"{API}/care-teams/{team.id}",
        }

    with app_of_its_own(new_database_url(), Role.admin, paths) as (client, headers, made):
        yield Admins(client, headers, made, monkeypatch)


def test_two_changes_of_a_providers_languages_take_turns(admins):
    first = admins.patch("providers", {"languages": ["fr"]})
    second = admins.patch("providers", {"languages": ["en", "fr"]})
    assert admins.at_once("update_provider", first, second) == (200, 200)
    read = admins.client.get(admins.paths["providers"], headers=admins.headers).json()
    assert read["languages"] == ["en", "fr"]


def test_a_change_of_a_team_deleted_meanwhile_is_not_lost_in_a_500(admins):
    first = admins.patch("care-teams", {"wait_days": 3})
    assert admins.at_once("update_care_team", first, admins.delete("care-teams")) == (200, 204)
    assert admins.client.get(admins.paths["care-teams"], headers=admins.headers).status_code == 404


def test_a_provider_cannot_change_role_under_a_team_being_added(admins):
    team = admins.client.get(admins.paths["care-teams"], headers=admins.headers).json()
    post = admins.client.post(f"{API}/providers", json=provider_body(), headers=admins.headers)
    psychiatrist = post.json()["id"]
    body = care_team_body(
        psychiatrist_id=psychiatrist,
        anesthesia_provider_id=team["anesthesia_provider_id"],
        site_id=team["site_id"],
    )

    def add_team():
        return admins.client.post(f"{API}/care-teams", json=body, headers=admins.headers)

    admins.paths["providers"] = f"{API}/providers/{psychiatrist}"
    role = admins.patch("providers", {"role": "anesthesiologist"})
    assert admins.at_once("_add_unique", add_team, role) == (201, 422)
    read = admins.client.get(admins.paths["providers"], headers=admins.headers).json()
    assert read["role"] == "psychiatrist"


def test_a_team_deleted_while_a_search_reads_it_is_left_out(admins):
    team = admins.client.get(admins.paths["care-teams"], headers=admins.headers).json()
    site = admins.client.get(f"{API}/sites/{team['site_id']}", headers=admins.headers).json()
    deleted, load = [], details.load

    def delete_then_load(session, team_ids):
        deleted.append(admins.delete("care-teams")())
        return load(session, team_ids)

    admins.monkeypatch.setattr(details, "load", delete_then_load)
    where = {"lat": site["lat"], "lon": site["lon"]}
    search = admins.client.get(f"{API}/matches", params=where, headers=admins.headers)
    assert [d.status_code for d in deleted] == [204]
    assert search.status_code == 200
    assert search.json()["matches"] == []
