"""Clinic sites over HTTP: create, read, update, delete, list, and every way to get them wrong."""

import pytest

from tests.builders import make_care_team, make_site, site_body
from tests.registry.support import (
    BAD_PAGE_PARAMS,
    UNKNOWN_IDS,
    assert_invalid,
    assert_not_found,
    assert_pages,
    assert_problem,
    bad_values,
)

KIND = "sites"
# ZIP centroids of the bundled gazetteer.
MIDTOWN = {"lat": pytest.approx(40.749, abs=1e-3), "lon": pytest.approx(-73.9865, abs=1e-3)}
CHICAGO_LOOP = {"lat": pytest.approx(41.8858, abs=1e-3), "lon": pytest.approx(-87.6181, abs=1e-3)}
CHICAGO = {"city": "Chicago", "state": "IL", "postal_code": "60601"}


def located(site: dict) -> dict:
    return {"lat": site["lat"], "lon": site["lon"]}


# Create, read, update, delete


def test_a_site_round_trips(api):
    body = site_body(address_line2="Suite 7", lat=40.7484, lon=-73.9857)
    created = api.created(KIND, body)
    assert {name: created[name] for name in body} == body
    assert api.read(KIND, created["id"]).json() == created

    changes = {"name": "Harbor Midtown", "address_line2": None, "wheelchair_accessible": False}
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


def test_a_site_without_coordinates_is_placed_at_its_zip(api):
    required = ("key", "name", "city", "state", "postal_code")
    created = api.created(KIND, {name: site_body()[name] for name in required})
    assert located(created) == MIDTOWN
    assert created["address_line1"] is created["address_line2"] is created["phone"] is None
    assert created["wheelchair_accessible"] is False


def test_state_codes_and_phone_numbers_are_normalized(api):
    created = api.created(KIND, site_body(state="ny", phone="212.555.0102"))
    assert (created["state"], created["phone"]) == ("NY", "+12125550102")


def test_a_new_zip_without_coordinates_moves_the_site(api, session):
    site_id = str(make_site(session, lat=40.7484, lon=-73.9857).id)
    response = api.update(KIND, site_id, CHICAGO)
    assert response.status_code == 200, response.text
    assert located(response.json()) == CHICAGO_LOOP


def test_a_new_zip_with_coordinates_keeps_them(api, session):
    site_id = str(make_site(session).id)
    response = api.update(KIND, site_id, CHICAGO | {"lat": 41.9, "lon": -87.63})
    assert response.status_code == 200, response.text
    assert located(response.json()) == {"lat": 41.9, "lon": -87.63}


def test_other_changes_keep_the_coordinates(api, session):
    site_id = str(make_site(session, lat=40.7484, lon=-73.9857).id)
    response = api.update(KIND, site_id, {"name": "Harbor Uptown", "city": "Manhattan"})
    assert response.status_code == 200, response.text
    assert located(response.json()) == {"lat": 40.7484, "lon": -73.9857}


def test_new_coordinates_move_the_site(api, session):
    site_id = str(make_site(session).id)
    response = api.update(KIND, site_id, {"lat": 40.75, "lon": -73.99})
    assert response.status_code == 200, response.text
    assert located(response.json()) == {"lat": 40.75, "lon": -73.99}


@pytest.mark.parametrize("field", ["address_line1", "address_line2", "phone"])
def test_patch_with_null_clears_an_optional_field(api, session, field):
    site = make_site(session, address_line2="Floor 2")
    response = api.update(KIND, str(site.id), {field: None})
    assert response.status_code == 200, response.text
    assert response.json()[field] is None


# Lists


@pytest.fixture
def sites(session) -> dict[str, str]:
    """Three sites the filters tell apart: name → id."""
    rows = {
        "midtown": make_site(session),
        "chelsea": make_site(session, postal_code="10001"),
        "beverly_hills": make_site(session, city="Beverly Hills", state="CA", postal_code="90210"),
    }
    return {name: str(site.id) for name, site in rows.items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"midtown", "chelsea", "beverly_hills"}),
        ({"state": "NY"}, {"midtown", "chelsea"}),
        ({"state": "ca"}, {"beverly_hills"}),
        ({"state": "TX"}, set()),
        ({"postal_code": "10001"}, {"chelsea"}),
        ({"postal_code": "10118", "state": "NY"}, {"midtown"}),
        ({"postal_code": "10118", "state": "CA"}, set()),
    ],
)
def test_list_filters(api, sites, params, expected):
    page = api.page(KIND, params)
    assert {item["id"] for item in page["items"]} == {sites[name] for name in expected}
    assert page["total"] == len(expected)


def test_lists_are_paged(api, session):
    assert_pages(api, KIND, [str(make_site(session).id) for _ in range(5)])


BAD_FILTERS = [
    ({"state": "ZZ"}, "state"),
    ({"postal_code": "1011"}, "postal_code"),
    ({"postal_code": "ABCDE"}, "postal_code"),
]


@pytest.mark.parametrize(("params", "field"), BAD_PAGE_PARAMS + BAD_FILTERS)
def test_bad_list_parameters_are_422(api, params, field):
    assert_invalid(api.list(KIND, params), field, bad_values(params, field))


# Validation: (changes to a valid site at 10118 New York, NY, the field the 422 names). On
# PATCH, `key` is an unknown field: it cannot change.

INVALID = [
    pytest.param({"key": "k" * 65}, "key", id="key-65"),
    pytest.param({"key": ""}, "key", id="key-empty"),
    pytest.param({"key": "Harbor Clinic-zq"}, "key", id="key-not-a-slug"),
    pytest.param({"key": "harbor--zq"}, "key", id="key-double-hyphen"),
    pytest.param({"name": "N" * 201}, "name", id="name-201"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"name": " \t "}, "name", id="name-blank"),
    pytest.param({"address_line1": "  "}, "address_line1", id="address-blank"),
    pytest.param({"address_line1": "A" * 201}, "address_line1", id="address-201"),
    pytest.param({"city": "C" * 101}, "city", id="city-101"),
    pytest.param({"state": "ZZ"}, "state", id="state-zz"),
    pytest.param({"state": "New York-zq"}, "state", id="state-name"),
    pytest.param({"postal_code": "1011"}, "postal_code", id="zip-4-digits"),
    pytest.param({"postal_code": "ABCDE"}, "postal_code", id="zip-letters"),
    pytest.param({"postal_code": "00000"}, "postal_code", id="zip-00000-unknown"),
    pytest.param({"postal_code": "99999"}, "postal_code", id="zip-99999-unknown"),
    pytest.param({"state": "CA"}, "state", id="state-not-of-zip"),
    pytest.param({"postal_code": "90210"}, "state", id="zip-not-in-state"),
    pytest.param({"lat": 40.7484}, "lon", id="lat-without-lon"),
    pytest.param({"lon": -73.9857}, "lat", id="lon-without-lat"),
    pytest.param({"lat": 91, "lon": 0}, "lat", id="lat-91"),
    pytest.param({"lat": -90.5, "lon": 0}, "lat", id="lat-minus-90.5"),
    pytest.param({"lat": 40.5, "lon": 180.5}, "lon", id="lon-180.5"),
    pytest.param({"lat": "north-zq", "lon": 0}, "lat", id="lat-text"),
    pytest.param({"phone": "212-555-01ZQ"}, "phone", id="phone-letters"),
    pytest.param({"wheelchair_accessible": "sometimes-zq"}, "wheelchair_accessible", id="bool"),
    pytest.param({"ssn_zq": "078-05-1120"}, "ssn_zq", id="unknown-field"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_create_refuses(api, changes, field):
    assert_invalid(api.create(KIND, site_body(**changes)), field, bad_values(changes, field))
    assert api.total(KIND) == 0


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_update_refuses(api, session, changes, field):
    site = make_site(session)
    assert_invalid(api.update(KIND, str(site.id), changes), field, bad_values(changes, field))


@pytest.mark.parametrize("field", ["key", "name", "city", "state", "postal_code"])
def test_create_requires(api, field):
    body = site_body()
    del body[field]
    assert_invalid(api.create(KIND, body), field)


@pytest.mark.parametrize(
    "field", ["name", "city", "state", "postal_code", "lat", "lon", "wheelchair_accessible"]
)
def test_patch_may_not_null_a_required_field(api, session, field):
    site = make_site(session)
    assert_invalid(api.update(KIND, str(site.id), {field: None}), field)


# Conflicts


def test_a_duplicate_key_is_409(api):
    body = site_body(key="harbor-midtown")
    api.created(KIND, body)
    response = api.create(KIND, body | {"name": "Another Harbor"})
    assert_problem(response, 409)
    assert "harbor-midtown" not in response.text
    assert api.total(KIND) == 1


def test_a_site_of_a_care_team_cannot_be_deleted(api, session):
    team = make_care_team(session)
    site_id = str(team.site_id)
    assert_problem(api.delete(KIND, site_id), 409)
    assert api.read(KIND, site_id).status_code == 200
    assert api.read("care-teams", str(team.id)).json()["site_id"] == site_id
    assert api.total(KIND) == 1


# Unknown ids


@pytest.mark.parametrize("id_", UNKNOWN_IDS)
def test_an_unknown_id_is_404(api, session, id_):
    make_site(session)
    assert_not_found(api, KIND, id_)
