"""The intake page as served: headers, labels, the fields it collects, self-contained assets."""

import re
from html.parser import HTMLParser

import pytest
from pydantic import BaseModel

from referrals.intake.schemas import IntakeCreate, PreferredContact
from referrals.matching.schemas import AnesthesiaType
from referrals.registry.vocab import Condition, Gender, Modality, Payer, Program

ASSETS = {
    "/intake/assets/intake.css": "text/css",
    "/intake/assets/intake.js": "text/javascript",
    "/intake/assets/icon.svg": "image/svg+xml",
}
CODE = ["/intake/assets/intake.css", "/intake/assets/intake.js"]


class Page(HTMLParser):
    """The elements of the page the tests look at, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.label_text: dict[str, str] = {}
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, dict, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, attributes, text = self._open.pop()
            words = " ".join("".join(text).split())
            if name == "label":
                self.label_text[attributes.get("for", "")] = words
            if "id" in attributes:
                self.text_by_id[attributes["id"]] = words
            if self._open:
                self._open[-1][2].append(" ".join(text))
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def all(self, tag: str | None = None, **attributes: str) -> list[dict]:
        return [
            attrs
            for name, attrs in self.elements
            if (tag is None or name == tag)
            and all(attrs.get(k.rstrip("_")) == v for k, v in attributes.items())
        ]

    def controls(self) -> list[dict]:
        inputs = [a for a in self.all("input") if a.get("type") not in ("hidden", "submit")]
        return inputs + self.all("select") + self.all("textarea")


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every answer a request can carry, as the dotted paths the API's errors use."""
    paths = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths |= _leaf_fields(annotation, f"{prefix}{name}.")
        else:
            paths.add(prefix + name)
    return paths


@pytest.fixture
def page(client):
    response = client.get("/intake")
    assert response.status_code == 200
    return response


@pytest.fixture
def parsed(page) -> Page:
    return Page(page.text)


def test_the_page_is_html_under_a_strict_policy(page):
    assert page.headers["content-type"].startswith("text/html")
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in page.headers["content-security-policy"].split(";")
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_nothing_inline_that_the_policy_would_block(page, parsed):
    assert all(script.get("src") for script in parsed.all("script"))
    assert not parsed.all("style")
    assert not [a for _, a in parsed.elements if "style" in a]
    assert not [a for _, a in parsed.elements if any(k.startswith("on") for k in a)]


def test_every_control_has_a_label(parsed):
    controls = parsed.controls()
    assert len(controls) > 30
    for control in controls:
        assert control.get("id"), control
        assert parsed.label_text.get(control["id"]), f"no label for #{control['id']}"
    ids = {control["id"] for control in controls}
    assert set(parsed.label_text) <= ids, "a label points at nothing"


def test_choices_are_grouped_under_a_legend(page, parsed):
    assert page.text.count("<fieldset") == page.text.count("<legend>")
    sections = [
        "About you",
        "How to reach you",
        "Where",
        "Preferences",
        "Health screening",
        "Consent",
    ]
    for legend in sections:
        assert f"<legend><h2>{legend}</h2></legend>" in page.text


def test_hints_are_linked_and_exist(parsed):
    ids = {attrs["id"] for _, attrs in parsed.elements if "id" in attrs}
    described = [a for _, a in parsed.elements if "aria-describedby" in a]
    assert len(described) > 10
    for attrs in described:
        for target in attrs["aria-describedby"].split():
            assert target in ids


def test_required_questions_say_so_in_words(parsed):
    required = [c for c in parsed.controls() if c.get("aria-required") == "true"]
    assert {c["id"] for c in required} == {
        "patient-first_name",
        "patient-last_name",
        "patient-date_of_birth",
        "postal_code",
        "consent_to_share",
    }
    for control in required:
        assert "(required)" in parsed.label_text[control["id"]]


def test_the_page_collects_exactly_the_intake_body(parsed):
    on_page = {attrs["data-field"] for attrs in parsed.all() if "data-field" in attrs}
    assert on_page == _leaf_fields(IntakeCreate)


@pytest.mark.parametrize(
    ("name", "vocabulary"),
    [
        ("preferences.modalities", Modality),
        ("clinical.conditions", Condition),
        ("preferences.insurance", Payer),
        ("preferences.program", Program),
        ("preferences.psychiatrist_gender", Gender),
        ("preferences.anesthesia_type", AnesthesiaType),
        ("patient.preferred_contact", PreferredContact),
    ],
)
def test_choices_come_from_the_vocabularies(page, name, vocabulary):
    field = page.text.split(f'data-field="{name}"')[1].split('data-field="')[0]
    values = set(re.findall(r'value="([^"]+)"', field))
    assert values == {str(member) for member in vocabulary}


def test_languages_are_named_as_people_say_them(page):
    field = page.text.split('data-field="preferences.language"')[1].split('data-field="')[0]
    names = set(re.findall(r'<option value="[a-z]{2}"[^>]*>([^<]+)<', field))
    assert {"Spanish", "Greek", "Haitian Creole", "Swahili", "Tongan"} <= names
    assert not [name for name in names if "(" in name]


def test_phone_friendly_inputs(parsed):
    autocomplete = {c["id"]: c.get("autocomplete") for c in parsed.controls()}
    assert autocomplete["patient-first_name"] == "given-name"
    assert autocomplete["patient-last_name"] == "family-name"
    assert autocomplete["patient-date_of_birth"] == "bday"
    assert autocomplete["patient-email"] == "email"
    assert autocomplete["patient-phone"] == "tel"
    assert autocomplete["postal_code"] == "postal-code"
    for numeric in ("postal_code", "clinical-pcl5_score"):
        assert parsed.all("input", id=numeric)[0]["inputmode"] == "numeric"
    viewport = parsed.all("meta", name="viewport")[0]
    assert "width=device-width" in viewport["content"]


def test_the_pcl5_field_says_what_it_is(parsed):
    (field,) = parsed.all("input", id="clinical-pcl5_score")
    hint = parsed.text_by_id[field["aria-describedby"]]
    assert "PTSD Checklist for DSM-5" in hint
    assert "0\N{EN DASH}80" in hint
    assert "blank" in hint


def test_crisis_line_and_plain_consent(parsed):
    assert "988" in parsed.text_by_id["crisis-heading"] + str(parsed.all("a", href="tel:988"))
    consent = parsed.text_by_id["consent_to_share-hint"]
    assert "not a treatment decision" in consent
    assert "care teams" in consent or "treatment teams" in consent


@pytest.mark.parametrize(("url", "media_type"), ASSETS.items())
def test_assets_load_with_their_types(client, url, media_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_page_refers_only_to_its_own_assets(parsed):
    linked = [a["href"] for a in parsed.all("link")] + [a["src"] for a in parsed.all("script")]
    assert sorted(linked) == sorted(ASSETS)


@pytest.mark.parametrize("name", ["missing.js", "..%2Fpage.py", "%2E%2E%2Fschemas.py"])
def test_nothing_else_is_served_as_an_asset(client, name):
    assert client.get(f"/intake/assets/{name}").status_code == 404


def test_no_external_urls(page, client):
    texts = [page.text] + [client.get(url).text for url in CODE]
    for text in texts:
        assert "http://" not in text
        assert "https://" not in text
        assert "//" not in text  # nor protocol-relative ones


def test_the_page_is_not_part_of_the_api_description(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/intake")]


def test_names_and_free_text_follow_their_script_direction(parsed):
    """An Arabic or Hebrew name reads from the right as it is typed."""
    typed = [a for a in parsed.all("input") if a.get("type") == "text"] + parsed.all("textarea")
    ids = {a["id"] for a in typed}
    assert {"patient-first_name", "patient-last_name", "clinical-notes"} <= ids
    assert [a["id"] for a in typed if a.get("dir") != "auto"] == []
