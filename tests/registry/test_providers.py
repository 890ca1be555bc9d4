"""Providers over HTTP: create, read, update, delete, list, and every way to get them wrong."""

from datetime import datetime

import pytest

from tests.builders import make_anesthesia_provider, make_care_team, make_provider, provider_body
from tests.registry.support import (
    BAD_PAGE_PARAMS,
    UNKNOWN_IDS,
    assert_invalid,
    assert_not_found,
    assert_pages,
    assert_problem,
    bad_values,
)

KIND = "providers"


# Create, read, update, delete


def test_a_provider_round_trips(api):
    body = provider_body(npi="1234567893")
    created = api.created(KIND, body)
    assert {name: created[name] for name in body} == body
    assert api.read(KIND, created["id"]).json() == created

    changes = {"last_name": "Diaz-Moreno", "languages": ["pt"], "accepting_new_patients": False}
    response = api.update(KIND, created["id"], changes)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated == created | changes | {"updated_at": updated["updated_at"]}
    assert api.read(KIND, created["id"]).json() == updated

    response = api.delete(KIND, created["id"])
    assert (response.status_code, response.content) == (204, b"")
    assert_problem(api.read(KIND, created["id"]), 404)
    assert_problem(api.delete(KIND, created["id"]), 404)
    assert api.total(KIND) == 0


def test_a_provider_gets_defaults(api):
    required = ("npi", "first_name", "last_name", "credential", "role")
    created = api.created(KIND, {name: provider_body()[name] for name in required})
    assert created["languages"] == ["en"]
    assert created["licensed_states"] == []
    assert created["gender"] is created["email"] is created["phone"] is None
    assert created["accepting_new_patients"] is True


def test_codes_and_phone_numbers_are_normalized(api):
    body = provider_body(
        languages=["ES", "en", "es"], licensed_states=["ny", "NJ"], phone="(212) 555-0101"
    )
    created = api.created(KIND, body)
    assert created["languages"] == ["en", "es"]
    assert created["licensed_states"] == ["NJ", "NY"]
    assert created["phone"] == "+12125550101"


@pytest.mark.parametrize("field", ["gender", "email", "phone"])
def test_patch_with_null_clears_an_optional_field(api, session, field):
    provider = make_provider(session)
    response = api.update(KIND, str(provider.id), {field: None})
    assert response.status_code == 200, response.text
    assert response.json()[field] is None


def test_an_empty_patch_changes_nothing(api, session):
    provider_id = str(make_provider(session).id)
    before = api.read(KIND, provider_id).json()
    response = api.update(KIND, provider_id, {})
    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == before | {"updated_at": None}


@pytest.mark.parametrize(
    ("field", "value"), [("languages", ["en", "fr"]), ("licensed_states", ["NJ"])]
)
def test_a_new_list_of_languages_or_states_is_a_change(api, session, field, value):
    provider = api.created(KIND, provider_body())
    changed = api.update(KIND, provider["id"], {field: value}).json()
    assert changed[field] == value
    changed_at, created_at = (datetime.fromisoformat(p["updated_at"]) for p in (changed, provider))
    assert changed_at > created_at
    assert api.read(KIND, provider["id"]).json()["updated_at"] == changed["updated_at"]


def test_an_anesthesia_provider_on_a_team_may_change_between_anesthesia_roles(api, session):
    crna_id = str(make_care_team(session).anesthesia_provider_id)
    response = api.update(KIND, crna_id, {"role": "anesthesiologist", "credential": "DO"})
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "anesthesiologist"


# Lists


@pytest.fixture
def roster(session) -> dict[str, str]:
    """Three providers that the filters tell apart: name → id."""
    providers = {
        "psychiatrist": make_provider(session, languages=["en", "es"], licensed_states=["NY"]),
        "crna": make_anesthesia_provider(
            session, languages=["en"], licensed_states=["CA"], accepting_new_patients=False
        ),
        "anesthesiologist": make_anesthesia_provider(
            session,
            role="anesthesiologist",
            credential="DO",
            languages=["fr"],
            licensed_states=["NY", "NJ"],
        ),
    }
    return {name: str(provider.id) for name, provider in providers.items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"psychiatrist", "crna", "anesthesiologist"}),
        ({"role": "crna"}, {"crna"}),
        ({"role": "anesthesiologist"}, {"anesthesiologist"}),
        ({"state": "NJ"}, {"anesthesiologist"}),
        ({"state": "ny"}, {"psychiatrist", "anesthesiologist"}),
        ({"state": "TX"}, set()),
        ({"language": "es"}, {"psychiatrist"}),
        ({"language": "EN"}, {"psychiatrist", "crna"}),
        ({"accepting_new_patients": "false"}, {"crna"}),
        ({"accepting_new_patients": "true"}, {"psychiatrist", "anesthesiologist"}),
        ({"role": "psychiatrist", "state": "NY", "language": "es"}, {"psychiatrist"}),
        ({"role": "psychiatrist", "state": "CA"}, set()),
    ],
)
def test_list_filters(api, roster, params, expected):
    page = api.page(KIND, params)
    assert {item["id"] for item in page["items"]} == {roster[name] for name in expected}
    assert page["total"] == len(expected)


def test_list_filter_by_npi(api, session):
    provider = make_provider(session)
    make_provider(session)
    assert api.ids(KIND, {"npi": provider.npi}) == {str(provider.id)}
    assert api.ids(KIND, {"npi": "1234567893"}) == set()


def test_lists_are_paged(api, session):
    assert_pages(api, KIND, [str(make_provider(session).id) for _ in range(5)])


BAD_FILTERS = [
    ({"role": "surgeon-zq"}, "role"),
    ({"state": "ZZ"}, "state"),
    ({"language": "xx"}, "language"),
    ({"accepting_new_patients": "maybe-zq"}, "accepting_new_patients"),
    ({"npi": "12345"}, "npi"),
    ({"npi": "\x00"}, "npi"),  # PostgreSQL cannot compare text with a NUL: it was a 500
]


@pytest.mark.parametrize(("params", "field"), BAD_PAGE_PARAMS + BAD_FILTERS)
def test_bad_list_parameters_are_422(api, params, field):
    assert_invalid(api.list(KIND, params), field, bad_values(params, field))


# Validation: (changes to a valid provider, the field the 422 names). On PATCH, `npi` is an
# unknown field: it cannot change.

INVALID = [
    pytest.param({"npi": "1234567890"}, "npi", id="npi-check-digit"),
    pytest.param({"npi": "12345abcde"}, "npi", id="npi-not-digits"),
    pytest.param({"npi": "123456789"}, "npi", id="npi-9-digits"),
    pytest.param({"npi": "12345678931"}, "npi", id="npi-11-digits"),
    pytest.param({"npi": 1234567893}, "npi", id="npi-a-number"),
    pytest.param({"first_name": "Q" * 101}, "first_name", id="first-name-101"),
    pytest.param({"first_name": ""}, "first_name", id="first-name-empty"),
    pytest.param({"last_name": "Z" * 101}, "last_name", id="last-name-101"),
    pytest.param({"credential": "PhD-zq"}, "credential", id="credential-enum"),
    pytest.param({"role": "surgeon-zq"}, "role", id="role-enum"),
    pytest.param({"gender": "unstated-zq"}, "gender", id="gender-enum"),
    pytest.param({"languages": ["xx"]}, "languages.0", id="language-xx"),
    pytest.param({"languages": ["en", "klingon-zq"]}, "languages.1", id="language-name"),
    pytest.param({"languages": []}, "languages", id="languages-empty"),
    pytest.param({"languages": "en"}, "languages", id="languages-not-a-list"),
    pytest.param({"licensed_states": ["ZZ"]}, "licensed_states.0", id="state-zz"),
    pytest.param({"licensed_states": ["NY", "Quebec-zq"]}, "licensed_states.1", id="state-name"),
    pytest.param({"email": "ana.diaz.zq-at-example.com"}, "email", id="email-no-at"),
    pytest.param({"email": "ana@zq-example"}, "email", id="email-no-dot"),
    pytest.param({"phone": "212-555-01ZQ"}, "phone", id="phone-letters"),
    pytest.param({"phone": "+44 20 7946 0958"}, "phone", id="phone-not-us"),
    pytest.param({"accepting_new_patients": "maybe-zq"}, "accepting_new_patients", id="bool"),
    pytest.param({"credential": "CRNA"}, "credential", id="crna-psychiatrist"),
    pytest.param({"role": "crna", "credential": "MD"}, "credential", id="md-crna"),
    pytest.param(
        {"role": "anesthesiologist", "credential": "CRNA"}, "credential", id="crna-anesthesiologist"
    ),
    pytest.param({"ssn_zq": "078-05-1120"}, "ssn_zq", id="unknown-field"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_create_refuses(api, changes, field):
    assert_invalid(api.create(KIND, provider_body(**changes)), field, bad_values(changes, field))
    assert api.total(KIND) == 0


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_update_refuses(api, session, changes, field):
    provider = make_provider(session)
    response = api.update(KIND, str(provider.id), changes)
    assert_invalid(response, field, bad_values(changes, field))


@pytest.mark.parametrize("field", ["npi", "first_name", "last_name", "credential", "role"])
def test_create_requires(api, field):
    body = provider_body()
    del body[field]
    assert_invalid(api.create(KIND, body), field)


@pytest.mark.parametrize(
    "field",
    [
        "first_name",
        "last_name",
        "credential",
        "role",
        "languages",
        "licensed_states",
        "accepting_new_patients",
    ],
)
def test_patch_may_not_null_a_required_field(api, session, field):
    provider = make_provider(session)
    assert_invalid(api.update(KIND, str(provider.id), {field: None}), field)


# Validators like to quote the part of an address they choke on.
@pytest.mark.parametrize(
    ("email", "fragment"),
    [
        ("ana@zq§zqzq.com", "zq§zqzq"),
        ("ana@[1.2.3.999]", "1.2.3.999"),
        ("ana@[IPv6:zzqq::1]", "zzqq"),
        ("ana<zq>@example.com", "<zq>"),
    ],
)
def test_an_invalid_email_is_not_quoted(api, email, fragment):
    assert_invalid(api.create(KIND, provider_body(email=email)), "email", [email, fragment])


@pytest.mark.parametrize(
    ("member", "role", "credential"),
    [
        ("psychiatrist_id", "anesthesiologist", "MD"),
        ("anesthesia_provider_id", "psychiatrist", "MD"),
    ],
)
def test_a_provider_on_a_team_keeps_a_role_that_fits_it(api, session, member, role, credential):
    provider_id = str(getattr(make_care_team(session), member))
    response = api.update(KIND, provider_id, {"role": role, "credential": credential})
    assert_invalid(response, "role")


# Conflicts


def test_a_duplicate_npi_is_409(api):
    body = provider_body(npi="1234567893")
    api.created(KIND, body)
    response = api.create(KIND, body | {"first_name": "Other"})
    assert_problem(response, 409)
    assert "1234567893" not in response.text
    assert api.total(KIND) == 1


@pytest.mark.parametrize("member", ["psychiatrist_id", "anesthesia_provider_id"])
def test_a_provider_on_a_care_team_cannot_be_deleted(api, session, member):
    team = make_care_team(session)
    provider_id = str(getattr(team, member))
    assert_problem(api.delete(KIND, provider_id), 409)
    assert api.read(KIND, provider_id).status_code == 200
    assert api.read("care-teams", str(team.id)).json()[member] == provider_id
    assert api.total(KIND) == 2


# Unknown ids


@pytest.mark.parametrize("id_", UNKNOWN_IDS)
def test_an_unknown_id_is_404(api, session, id_):
    make_provider(session)
    assert_not_found(api, KIND, id_)
