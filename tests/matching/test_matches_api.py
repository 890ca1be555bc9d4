"""`GET /matches` from the staff's side: bad queries, the widened search, the explanations."""

import pytest
from sqlalchemy import text

from referrals.registry import service
from referrals.registry.schemas import CareTeamUpdate
from tests.builders import make_anesthesia_provider, make_care_team, make_provider, make_site

MIDTOWN = (40.7484, -73.9967)


def _matches(client, headers, **params):
    return client.get("/api/v1/matches", params=params, headers=headers)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "postal_code"),
        ({"postal_code": "10001", "lat": 40.7, "lon": -74.0}, "postal_code"),
        ({"lat": 40.7}, "lon"),
        ({"lon": -74.0}, "lat"),
        ({"postal_code": "00000"}, "postal_code"),
        ({"postal_code": "1000"}, "postal_code"),
        ({"postal_code": "10001", "radius_miles": 0.5}, "radius_miles"),
        ({"postal_code": "10001", "radius_miles": 501}, "radius_miles"),
        ({"postal_code": "10001", "limit": 0}, "limit"),
        ({"postal_code": "10001", "limit": 101}, "limit"),
        ({"postal_code": "10001", "modality": "smoked"}, "modality.0"),
        ({"postal_code": "10001", "condition": "flu"}, "condition.0"),
        ({"postal_code": "10001", "insurance": "acme"}, "insurance"),
        ({"postal_code": "10001", "psychiatrist_gender": "other"}, "psychiatrist_gender"),
        ({"postal_code": "10001", "anesthesia_type": "nurse"}, "anesthesia_type"),
        ({"postal_code": "10001", "program": "vip"}, "program"),
        ({"postal_code": "10001", "language": "xx"}, "language"),
        ({"postal_code": "10001", "max_price_usd": -1}, "max_price_usd"),
        ({"postal_code": "10001", "patient_age": 121}, "patient_age"),
        ({"lat": 91, "lon": -74.0}, "lat"),
        ({"lat": 40.7, "lon": -181}, "lon"),
        ({"postal_code": "10001", "sort": "price"}, "sort"),
    ],
)
def test_a_bad_query_is_422_naming_the_field(client, staff_headers, params, field):
    response = _matches(client, staff_headers, **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_farther_team_meeting_a_preference_beats_nearer_ones(client, session, staff_headers):
    near_site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    male = make_provider(session, gender="male")
    for _ in range(12):
        make_care_team(session, site_id=near_site.id, psychiatrist_id=male.id, wait_days=3)
    far_site = make_site(session, lat=MIDTOWN[0] + 0.11, lon=MIDTOWN[1])  # ~7.6 miles north
    female = make_provider(session, gender="female")
    far = make_care_team(session, site_id=far_site.id, psychiatrist_id=female.id, wait_days=3)

    body = _matches(
        client, staff_headers, lat=MIDTOWN[0], lon=MIDTOWN[1], psychiatrist_gender="female"
    ).json()

    assert body["total"] == 13
    first = body["matches"][0]
    assert first["care_team_id"] == str(far.id)
    assert first["unmet_preferences"] == []
    assert "psychiatrist is female" in first["reasons"]
    assert not [r for r in first["reasons"] if r.startswith("meets")]  # not "1 of 1"
    assert body["matches"][1]["unmet_preferences"] == [
        "psychiatrist is male, not female as preferred"
    ]


def test_reasons_and_origin_read_plainly(client, session, staff_headers):
    crna = make_anesthesia_provider(session)
    spanish = make_provider(session, languages=["en", "es"])
    make_care_team(
        session,
        psychiatrist_id=spanish.id,
        anesthesia_provider_id=crna.id,
        site_id=make_site(session, postal_code="10118").id,
        modalities=["iv_infusion"],
        insurance_accepted=["aetna"],
        self_pay_price_usd=450,
        telehealth_consults=False,
        wait_days=7,
    )
    body = _matches(
        client,
        staff_headers,
        postal_code="10001",
        modality="iv_infusion",
        insurance="aetna",
        max_price_usd=500,
        language="es",
        anesthesia_type="anesthesiologist",
        telehealth="true",
    ).json()

    assert body["origin"] == {
        "postal_code": "10001",
        "lat": 40.7484,
        "lon": -73.9967,
        "label": "New York, NY 10001",
    }
    (match,) = body["matches"]
    assert match["reasons"][:7] == [
        f"{match['distance_miles']:.1f} miles away",
        "first visit in about 7 days",
        "offers IV ketamine infusion",
        "accepts Aetna",
        "self-pay $450 per treatment, within $500",
        "psychiatrist speaks Spanish",
        "meets 0 of 2 preferences",
    ]
    assert match["unmet_preferences"] == [
        "anesthesia is by a nurse anesthetist (CRNA), not an anesthesiologist as preferred",
        "no telehealth consults",
    ]
    assert match["psychiatrist"]["languages"] == ["en", "es"]


@pytest.mark.parametrize(
    ("price", "most", "said"),
    [
        (0, 0, "no charge for self-pay treatment"),
        (0, 500, "no charge for self-pay treatment"),
        (1200, 1500, "self-pay $1,200 per treatment, within $1,500"),
    ],
)
def test_a_self_pay_price_reads_plainly(client, session, staff_headers, price, most, said):
    make_care_team(session, self_pay_price_usd=price)
    body = _matches(client, staff_headers, postal_code="10001", max_price_usd=most).json()
    assert said in body["matches"][0]["reasons"]


def test_an_unmet_gender_preference_says_what_the_psychiatrist_is(client, session, staff_headers):
    make_care_team(session, psychiatrist_id=make_provider(session, gender="female").id)
    body = _matches(client, staff_headers, postal_code="10001", psychiatrist_gender="nonbinary")
    assert body.json()["matches"][0]["unmet_preferences"] == [
        "psychiatrist is female, not nonbinary as preferred"
    ]


def test_a_team_where_the_patient_is_is_less_than_a_tenth_of_a_mile_away(
    client, session, staff_headers
):
    make_care_team(session, site_id=make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1]).id)
    body = _matches(client, staff_headers, lat=MIDTOWN[0], lon=MIDTOWN[1]).json()
    assert body["matches"][0]["reasons"][0] == "less than 0.1 miles away"


def test_a_repeated_filter_value_counts_once(client, session, staff_headers):
    make_care_team(session, modalities=["iv_infusion"], conditions=["ptsd"])
    query = [("postal_code", "10001"), *[("modality", "iv_infusion")] * 6]
    query += [("condition", "ptsd"), ("condition", "ptsd")]
    response = client.get("/api/v1/matches", params=query, headers=staff_headers)
    assert response.status_code == 200, response.text  # six modalities, but only one distinct
    (match,) = response.json()["matches"]
    assert match["reasons"][2:4] == ["offers IV ketamine infusion", "treats PTSD"]
    assert match["reasons"].count("offers IV ketamine infusion") == 1


def test_each_match_says_when_its_details_were_last_confirmed(client, session, staff_headers):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    checked = make_care_team(session, site_id=site.id, verified_at="2023-11-08T15:30:00-05:00")
    never = make_care_team(session, site_id=site.id, verified_at=None)
    if session.get_bind().dialect.name == "postgresql":  # which answers in the session's zone
        session.execute(text("SET TIME ZONE 'America/New_York'"))
    answer = _matches(client, staff_headers, lat=MIDTOWN[0], lon=MIDTOWN[1]).json()
    verified = {m["care_team_id"]: m["verified_at"] for m in answer["matches"]}
    assert verified == {str(checked.id): "2023-11-08T20:30:00Z", str(never.id): None}


def test_closed_and_filtered_teams_are_not_counted(client, session, staff_headers):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    make_care_team(session, site_id=site.id, active=False)
    make_care_team(session, site_id=site.id, accepting_new_patients=False)
    make_care_team(session, site_id=site.id, min_patient_age=21)
    make_care_team(session, site_id=site.id, self_pay_price_usd=None)
    kept = make_care_team(session, site_id=site.id, self_pay_price_usd=400)
    body = _matches(
        client, staff_headers, lat=MIDTOWN[0], lon=MIDTOWN[1], patient_age=19, max_price_usd=400
    ).json()
    assert body["total"] == 1
    assert [m["care_team_id"] for m in body["matches"]] == [str(kept.id)]
    assert "sees patients aged 19" in body["matches"][0]["reasons"]


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({"max_price_usd": 400}, {"$0", "$399", "$400"}),
        ({"max_price_usd": 0}, {"$0"}),
        ({"max_price_usd": 100_000}, {"$0", "$399", "$400", "$401", "$100000"}),
        ({"patient_age": 20}, {"age 0", "age 19", "age 20"}),
        ({"patient_age": 0}, {"age 0"}),
    ],
)
def test_price_and_age_limits_are_exact(client, session, staff_headers, filters, kept):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    names = {}
    for price in (0, 399, 400, 401, 100_000, None):
        team = make_care_team(
            session, site_id=site.id, self_pay_price_usd=price, min_patient_age=40
        )
        names[str(team.id)] = f"${price}"
    for age in (0, 19, 20, 21, 120):
        team = make_care_team(
            session, site_id=site.id, self_pay_price_usd=None, min_patient_age=age
        )
        names[str(team.id)] = f"age {age}"
    body = _matches(client, staff_headers, lat=MIDTOWN[0], lon=MIDTOWN[1], **filters).json()
    assert {names[m["care_team_id"]] for m in body["matches"]} == kept
    assert body["total"] == len(kept)


def test_a_price_change_moves_a_team_across_a_cap(client, session, staff_headers):
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    team = make_care_team(session, site_id=site.id, self_pay_price_usd=500)
    query = {"lat": MIDTOWN[0], "lon": MIDTOWN[1], "max_price_usd": 450}
    assert _matches(client, staff_headers, **query).json()["total"] == 0
    service.update_care_team(session, team=team, data=CareTeamUpdate(self_pay_price_usd=450))
    session.flush()
    assert _matches(client, staff_headers, **query).json()["total"] == 1


def test_no_team_in_range_is_an_empty_answer(client, staff_headers):
    body = _matches(client, staff_headers, postal_code="59001", radius_miles=1).json()
    assert body["total"] == 0
    assert body["matches"] == []


def test_the_total_follows_registry_changes(client, session, staff_headers, admin_headers):
    """Each engine's search index is kept by triggers: every edit that moves a team into or
    out of a search shows in the next one."""
    near = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    far = make_site(session, lat=34.05, lon=-118.24)  # Los Angeles
    team = make_care_team(session, site_id=near.id, modalities=["iv_infusion"])
    query = {"lat": MIDTOWN[0], "lon": MIDTOWN[1], "modality": "iv_infusion"}

    def total() -> int:
        return _matches(client, staff_headers, **query).json()["total"]

    def edit(path: str, **changes) -> None:
        response = client.patch(f"/api/v1/{path}", json=changes, headers=admin_headers)
        assert response.status_code == 200, response.json()["errors"]

    assert total() == 1
    edit(f"care-teams/{team.id}", modalities=["intranasal_esketamine"])
    assert total() == 0
    edit(f"care-teams/{team.id}", modalities=["iv_infusion"], accepting_new_patients=False)
    assert total() == 0
    edit(f"care-teams/{team.id}", accepting_new_patients=True)
    assert total() == 1
    edit(f"care-teams/{team.id}", site_id=str(far.id))
    assert total() == 0
    edit(f"sites/{far.id}", lat=MIDTOWN[0] + 0.01, lon=MIDTOWN[1])
    assert total() == 1
    edit(f"care-teams/{team.id}", active=False)
    assert total() == 0


def test_preferences_follow_provider_changes(client, session, staff_headers, admin_headers):
    psychiatrist = make_provider(session, gender="female")
    crna = make_anesthesia_provider(session)
    site = make_site(session, lat=MIDTOWN[0], lon=MIDTOWN[1])
    make_care_team(
        session, site_id=site.id, psychiatrist_id=psychiatrist.id, anesthesia_provider_id=crna.id
    )
    query = {"lat": MIDTOWN[0], "lon": MIDTOWN[1]}
    preferred = {"psychiatrist_gender": "female", "anesthesia_type": "anesthesiologist"}

    def unmet() -> list[str]:
        body = _matches(client, staff_headers, **query, **preferred).json()
        return body["matches"][0]["unmet_preferences"]

    def edit(provider, **changes) -> None:
        path = f"/api/v1/providers/{provider.id}"
        response = client.patch(path, json=changes, headers=admin_headers)
        assert response.status_code == 200, response.json()["errors"]

    assert unmet() == [
        "anesthesia is by a nurse anesthetist (CRNA), not an anesthesiologist as preferred"
    ]
    edit(psychiatrist, gender="male")
    edit(crna, role="anesthesiologist", credential="MD")
    assert unmet() == ["psychiatrist is male, not female as preferred"]


@pytest.mark.parametrize(
    ("origin", "places"),
    [
        # the Aleutians, across the antimeridian; the last one 42 miles west
        ((51.9, 179.99), [(51.9, 179.95), (51.91, -179.95), (51.9, 179.0)]),
        # the North Pole, on both sides of it; the last one 35 miles south
        ((89.99, 150.0), [(89.95, 0.0), (89.96, -120.0), (89.5, 45.0)]),
    ],
)
def test_a_search_reaches_across_the_antimeridian_and_the_pole(
    client, session, staff_headers, origin, places
):
    for lat, lon in places:
        make_care_team(session, site_id=make_site(session, lat=lat, lon=lon).id)
    body = _matches(client, staff_headers, lat=origin[0], lon=origin[1], radius_miles=10).json()
    assert body["total"] == 2
    assert all(m["distance_miles"] < 10 for m in body["matches"])


def test_a_team_just_beyond_a_wide_circle_is_not_counted(client, session, staff_headers):
    """502.7 miles away, in the corner of the box inside a 500-mile circle (SQLite's count
    reads no distance there)."""
    make_care_team(session, site_id=make_site(session, lat=35.15, lon=6.85).id)
    body = _matches(client, staff_headers, lat=40.0, lon=0.0, radius_miles=500).json()
    assert (body["total"], body["matches"]) == (0, [])
