"""Query strings read as the staff write them: repeated lists, unknown names, documented."""

from referrals.matching.schemas import MatchQuery
from tests.builders import make_care_team, make_site

MIDTOWN = (40.7484, -73.9967)


def test_a_repeated_list_parameter_is_every_value(client, session, staff_headers):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    kinds = {}
    for modality in ("iv_infusion", "im_injection", "intranasal_esketamine"):
        kinds[str(make_care_team(session, site_id=site.id, modalities=[modality]).id)] = modality
    answer = client.get(
        "/api/v1/matches?lat=40.7484&lon=-73.9967&modality=iv_infusion&modality=im_injection",
        headers=staff_headers,
    )
    assert answer.status_code == 200
    assert {kinds[m["care_team_id"]] for m in answer.json()["matches"]} == {
        "iv_infusion",
        "im_injection",
    }


def test_an_unknown_query_parameter_is_a_422_naming_it(client, staff_headers):
    answer = client.get("/api/v1/matches?postal_code=10001&radius=5", headers=staff_headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == [{"field": "radius", "message": "is not a known field"}]


def test_a_single_value_given_twice_is_a_422_naming_it(client, staff_headers):
    query = "postal_code=10001&insurance=aetna&insurance=cigna&limit=5&limit=50&radius_miles=0"
    answer = client.get(f"/api/v1/matches?{query}", headers=staff_headers)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "insurance", "message": "must be given once"},
        {"field": "limit", "message": "must be given once"},
        {"field": "radius_miles", "message": "must be at least 1"},
    ]
    listed = client.get("/api/v1/providers?role=crna&role=nurse", headers=staff_headers)
    assert listed.json()["errors"] == [{"field": "role", "message": "must be given once"}]


def test_openapi_lists_every_field_of_a_query_model(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/matches"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == set(MatchQuery.model_fields)
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert parameters["modality"]["schema"]["type"] == "array"
    assert parameters["modality"]["schema"]["items"]["enum"][0] == "iv_infusion"
