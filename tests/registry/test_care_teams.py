"""Care teams over HTTP: create, read, update, delete, list, and every way to get them wrong.

"@name" strings in bodies and parameters stand for ids made by the fixtures (`resolve`).
"""

import pytest

from tests.builders import (
    care_team_body,
    make_anesthesia_provider,
    make_care_team,
    make_provider,
    make_site,
)
from tests.registry.support import (
    BAD_PAGE_PARAMS,
    UNKNOWN_IDS,
    assert_invalid,
    assert_not_found,
    assert_pages,
    assert_problem,
    bad_values,
    resolve,
)

KIND = "care-teams"


@pytest.fixture
def refs(session) -> dict[str, str]:
    """Providers of every role and two sites: "@name" → id."""
    rows = {
        "@psychiatrist": make_provider(session),
        "@psychiatrist2": make_provider(session, first_name="Lee"),
        "@crna": make_anesthesia_provider(session),
        "@anesthesiologist": make_anesthesia_provider(
            session, role="anesthesiologist", credential="MD"
        ),
        "@ny": make_site(session),
        "@ca": make_site(session, city="Beverly Hills", state="CA", postal_code="90210"),
    }
    return {name: str(row.id) for name, row in rows.items()}


MEMBERS = {"psychiatrist_id": "@psychiatrist", "anesthesia_provider_id": "@crna", "site_id": "@ny"}


def body(refs: dict[str, str], **changes) -> dict:
    """A valid new team of the psychiatrist and the CRNA at the NY site, with `changes`."""
    return resolve(care_team_body(**MEMBERS) | changes, refs)


def assert_as_sent(team: dict, sent: dict) -> None:
    """Each field sent comes back; sets come back as sorted lists."""
    for name, value in sent.items():
        assert team[name] == (sorted(value) if isinstance(value, list) else value), name


# Create, read, update, delete


def test_a_care_team_round_trips(api, refs):
    sent = body(refs, min_patient_age=21, active=True, accepting_new_patients=True)
    created = api.created(KIND, sent)
    assert_as_sent(created, sent)
    assert api.read(KIND, created["id"]).json() == created

    changes = {
        "anesthesia_provider_id": refs["@anesthesiologist"],
        "site_id": refs["@ca"],
        "modalities": ["oral_sublingual", "im_injection"],
        "insurance_accepted": [],
        "self_pay_price_usd": None,
        "wait_days": 0,
        "active": False,
    }
    response = api.update(KIND, created["id"], changes)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert_as_sent(updated, changes)
    assert updated == created | {name: updated[name] for name in [*changes, "updated_at"]}
    assert api.read(KIND, created["id"]).json() == updated

    response = api.delete(KIND, created["id"])
    assert (response.status_code, response.content) == (204, b"")
    assert_problem(api.read(KIND, created["id"]), 404)
    assert_problem(api.delete(KIND, created["id"]), 404)
    assert api.total(KIND) == 0
    assert api.read("providers", refs["@psychiatrist"]).status_code == 200


def test_a_care_team_gets_defaults(api, refs):
    sent = {"key": "harbor-team", "modalities": ["iv_infusion"], "conditions": ["ptsd"]}
    created = api.created(KIND, resolve(sent | MEMBERS, refs))
    assert created["insurance_accepted"] == created["programs"] == []
    assert created["self_pay_price_usd"] is created["verified_at"] is None
    assert created["telehealth_consults"] is False
    assert created["accepting_new_patients"] is created["active"] is True
    assert (created["wait_days"], created["min_patient_age"]) == (14, 18)


def test_repeated_members_of_a_set_count_once(api, refs):
    created = api.created(KIND, body(refs, modalities=["iv_infusion", "iv_infusion"]))
    assert created["modalities"] == ["iv_infusion"]


@pytest.mark.parametrize(
    ("verified_at", "stored"),
    [
        ("2026-11-20T09:30:00-05:00", "2026-11-20T14:30:00Z"),
        ("2026-11-20T14:30:00Z", "2026-11-20T14:30:00Z"),
    ],
)
def test_verified_at_is_kept_in_utc(api, refs, verified_at, stored):
    created = api.created(KIND, body(refs, verified_at=verified_at))
    assert created["verified_at"] == stored
    assert api.read(KIND, created["id"]).json()["verified_at"] == stored


@pytest.mark.parametrize("field", ["self_pay_price_usd", "verified_at"])
def test_patch_with_null_clears_an_optional_field(api, refs, field):
    team_id = api.created(KIND, body(refs, verified_at="2026-11-20T14:30:00Z"))["id"]
    response = api.update(KIND, team_id, {field: None})
    assert response.status_code == 200, response.text
    assert response.json()[field] is None


def test_a_team_may_get_another_psychiatrist(api, refs):
    team_id = api.created(KIND, body(refs))["id"]
    response = api.update(KIND, team_id, {"psychiatrist_id": refs["@psychiatrist2"]})
    assert response.status_code == 200, response.text
    assert api.ids(KIND, {"provider_id": refs["@psychiatrist"]}) == set()
    assert api.ids(KIND, {"provider_id": refs["@psychiatrist2"]}) == {team_id}


# Lists


@pytest.fixture
def teams(session, refs) -> dict[str, str]:
    """Three teams the filters tell apart, by name, and the `refs` they share."""
    ids = {name: int(id_) for name, id_ in refs.items()}
    rows = {
        "iv_ny": make_care_team(
            session,
            psychiatrist_id=ids["@psychiatrist"],
            site_id=ids["@ny"],
            modalities=["iv_infusion"],
            conditions=["ptsd", "depression"],
            insurance_accepted=["aetna"],
            programs=["veterans"],
        ),
        "im_ca": make_care_team(
            session,
            psychiatrist_id=ids["@psychiatrist"],
            anesthesia_provider_id=ids["@crna"],
            site_id=ids["@ca"],
            modalities=["im_injection", "ketamine_assisted_psychotherapy"],
            conditions=["ptsd"],
            insurance_accepted=["self_pay"],
            programs=["first_responders"],
            accepting_new_patients=False,
        ),
        "nasal_ny": make_care_team(
            session,
            anesthesia_provider_id=ids["@crna"],
            site_id=ids["@ny"],
            modalities=["intranasal_esketamine"],
            conditions=["ptsd", "depression", "anxiety"],
            insurance_accepted=["bcbs", "aetna"],
            programs=[],
            active=False,
        ),
    }
    return refs | {name: str(team.id) for name, team in rows.items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"iv_ny", "im_ca", "nasal_ny"}),
        ({"site_id": "@ny"}, {"iv_ny", "nasal_ny"}),
        ({"site_id": "@ca"}, {"im_ca"}),
        ({"site_id": "987654321"}, set()),
        ({"site_id": "abc"}, set()),
        ({"provider_id": "@psychiatrist"}, {"iv_ny", "im_ca"}),
        ({"provider_id": "@crna"}, {"im_ca", "nasal_ny"}),
        ({"provider_id": "@anesthesiologist"}, set()),
        ({"provider_id": "abc"}, set()),
        ({"state": "CA"}, {"im_ca"}),
        ({"state": "ny"}, {"iv_ny", "nasal_ny"}),
        ({"active": "false"}, {"nasal_ny"}),
        ({"active": "true"}, {"iv_ny", "im_ca"}),
        ({"accepting_new_patients": "false"}, {"im_ca"}),
        ({"modality": "iv_infusion"}, {"iv_ny"}),
        ({"modality": ["iv_infusion", "intranasal_esketamine"]}, {"iv_ny", "nasal_ny"}),
        ({"modality": "oral_sublingual"}, set()),
        ({"condition": "ptsd"}, {"iv_ny", "im_ca", "nasal_ny"}),
        ({"condition": ["ptsd", "depression"]}, {"iv_ny", "nasal_ny"}),
        ({"condition": ["anxiety", "depression"]}, {"nasal_ny"}),
        ({"condition": ["ptsd", "ocd"]}, set()),
        ({"insurance": "aetna"}, {"iv_ny", "nasal_ny"}),
        ({"insurance": "tricare"}, set()),
        ({"program": "veterans"}, {"iv_ny"}),
        ({"program": "first_responders"}, {"im_ca"}),
        ({"state": "NY", "active": "true", "condition": "ptsd"}, {"iv_ny"}),
    ],
)
def test_list_filters(api, teams, params, expected):
    page = api.page(KIND, resolve(params, teams))
    assert {item["id"] for item in page["items"]} == {teams[name] for name in expected}
    assert page["total"] == len(expected)


def test_lists_are_paged(api, session):
    assert_pages(api, KIND, [str(make_care_team(session).id) for _ in range(5)])


BAD_FILTERS = [
    ({"state": "ZZ"}, "state"),
    ({"active": "maybe-zq"}, "active"),
    ({"accepting_new_patients": "maybe-zq"}, "accepting_new_patients"),
    ({"modality": ["iv_infusion", "teleportation-zq"]}, "modality.1"),
    ({"condition": "common-cold-zq"}, "condition.0"),
    ({"insurance": "acme-health-zq"}, "insurance"),
    ({"program": "astronauts-zq"}, "program"),
]


@pytest.mark.parametrize(("params", "field"), BAD_PAGE_PARAMS + BAD_FILTERS)
def test_bad_list_parameters_are_422(api, params, field):
    assert_invalid(api.list(KIND, params), field, bad_values(params, field))


# Validation: (changes to a valid team, the field the 422 names). On PATCH, `key` is an
# unknown field: it cannot change.

INVALID = [
    pytest.param({"key": "k" * 65}, "key", id="key-65"),
    pytest.param({"key": "Team One-zq"}, "key", id="key-not-a-slug"),
    pytest.param({"key": "-team-zq"}, "key", id="key-leading-hyphen"),
    pytest.param({"modalities": []}, "modalities", id="modalities-empty"),
    pytest.param({"modalities": ["iv_infusion", "teleport-zq"]}, "modalities.1", id="modality"),
    pytest.param({"conditions": []}, "conditions", id="conditions-empty"),
    pytest.param({"conditions": ["common-cold-zq"]}, "conditions.0", id="condition"),
    pytest.param({"insurance_accepted": ["acme-zq"]}, "insurance_accepted.0", id="payer"),
    pytest.param({"programs": ["astronauts-zq"]}, "programs.0", id="program"),
    pytest.param({"self_pay_price_usd": -1}, "self_pay_price_usd", id="price-negative"),
    pytest.param({"self_pay_price_usd": 100_001}, "self_pay_price_usd", id="price-100001"),
    pytest.param({"self_pay_price_usd": "cheap-zq"}, "self_pay_price_usd", id="price-text"),
    pytest.param({"wait_days": -1}, "wait_days", id="wait-negative"),
    pytest.param({"wait_days": 366}, "wait_days", id="wait-366"),
    pytest.param({"min_patient_age": 121}, "min_patient_age", id="age-121"),
    pytest.param({"telehealth_consults": "sometimes-zq"}, "telehealth_consults", id="bool"),
    pytest.param({"verified_at": "2026-01-01T00:00:00"}, "verified_at", id="verified-naive"),
    pytest.param({"verified_at": "last-tuesday-zq"}, "verified_at", id="verified-text"),
    pytest.param({"verified_at": "2062-11-20T14:30:00Z"}, "verified_at", id="verified-future"),
    pytest.param({"psychiatrist_id": "@crna"}, "psychiatrist_id", id="psychiatrist-crna"),
    pytest.param({"psychiatrist_id": "@anesthesiologist"}, "psychiatrist_id", id="psychiatrist-md"),
    pytest.param(
        {"anesthesia_provider_id": "@psychiatrist2"},
        "anesthesia_provider_id",
        id="anesthesia-psychiatrist",
    ),
    pytest.param({"psychiatrist_id": "987654321"}, "psychiatrist_id", id="psychiatrist-unknown"),
    pytest.param(
        {"anesthesia_provider_id": "abc-zq"}, "anesthesia_provider_id", id="anesthesia-not-an-id"
    ),
    pytest.param({"site_id": "987654321"}, "site_id", id="site-unknown"),
    pytest.param({"site_id": "site-zq"}, "site_id", id="site-not-an-id"),
    pytest.param({"ssn_zq": "078-05-1120"}, "ssn_zq", id="unknown-field"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_create_refuses(api, refs, changes, field):
    response = api.create(KIND, body(refs, **changes))
    assert_invalid(response, field, bad_values(changes, field))
    assert api.total(KIND) == 0


def test_every_wrong_id_is_named_at_once(api, refs):
    wrong = {"psychiatrist_id": "987654321", "anesthesia_provider_id": "@psychiatrist2"}
    response = api.create(KIND, body(refs, site_id="987654322", **wrong))
    problem = assert_problem(response, 422)
    assert {error["field"]: error["message"] for error in problem["errors"]} == {
        "psychiatrist_id": "is not the id of a provider",
        "anesthesia_provider_id": "must be a provider with role anesthesiologist or crna",
        "site_id": "is not the id of a site",
    }
    assert api.total(KIND) == 0


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_update_refuses(api, refs, changes, field):
    team_id = api.created(KIND, body(refs))["id"]
    response = api.update(KIND, team_id, resolve(changes, refs))
    assert_invalid(response, field, bad_values(changes, field))


@pytest.mark.parametrize(
    "field", ["key", "psychiatrist_id", "anesthesia_provider_id", "site_id", "modalities"]
)
def test_create_requires(api, refs, field):
    sent = body(refs)
    del sent[field]
    assert_invalid(api.create(KIND, sent), field)


@pytest.mark.parametrize(
    "field",
    [
        "psychiatrist_id",
        "anesthesia_provider_id",
        "site_id",
        "modalities",
        "conditions",
        "insurance_accepted",
        "programs",
        "telehealth_consults",
        "accepting_new_patients",
        "wait_days",
        "min_patient_age",
        "active",
    ],
)
def test_patch_may_not_null_a_required_field(api, refs, field):
    team_id = api.created(KIND, body(refs))["id"]
    assert_invalid(api.update(KIND, team_id, {field: None}), field)


# Conflicts


def test_a_duplicate_key_is_409(api, refs):
    api.created(KIND, body(refs, key="harbor-team"))
    response = api.create(KIND, body(refs, key="harbor-team", wait_days=3))
    assert_problem(response, 409)
    assert "harbor-team" not in response.text
    assert api.total(KIND) == 1


# Unknown ids


@pytest.mark.parametrize("id_", UNKNOWN_IDS)
def test_an_unknown_id_is_404(api, session, id_):
    make_care_team(session)
    assert_not_found(api, KIND, id_)
