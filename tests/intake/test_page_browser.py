"""The intake page in a real browser (Debian's Chromium) against the app over real HTTP."""

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, select

from referrals import migrations
from referrals.config import Settings
from referrals.db import make_engine
from referrals.intake.models import ReferralRequest
from referrals.main import create_app
from tests.browser import playwright_or_skip

expect = playwright_or_skip().expect

ENDPOINT = "/api/v1/referral-requests"
ERROR_RED = "rgb(179, 38, 30)"  # --error in intake.css
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
SCREENSHOTS = Path("/tmp")
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PATIENT = {
    "first_name": "Zebulon",
    "last_name": "Quixotefield",
    "email": "zebulon.q@canary.example.com",
    "phone": "415 555 0123",
    "birthday": ("02", "14", "1984"),
}
PHI = [
    PATIENT["first_name"],
    PATIENT["last_name"],
    PATIENT["email"],
    PATIENT["phone"],
    "4155550123",
    "1984-02-14",
    "02/14/1984",
    "sertraline",
]


@dataclass
class LiveServer:
    url: str
    engine: Engine

    def requests_stored(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(ReferralRequest))


@dataclass
class Posts:
    """The intake requests the page sent, as the browser sent them."""

    sent: list = field(default_factory=list)

    def __call__(self, request) -> None:
        if request.method == "POST" and request.url.endswith(ENDPOINT):
            self.sent.append(request)

    @property
    def keys(self) -> list[str]:
        return [r.headers.get("idempotency-key") for r in self.sent]

    @property
    def last_body(self) -> dict:
        return json.loads(self.sent[-1].post_data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(new_database_url) -> Iterator[LiveServer]:
    """The app on an empty, migrated database, served by uvicorn on a free local port."""
    url = new_database_url()
    migrations.upgrade(url)
    settings = Settings(
        database_url=url,
        phi_key=Fernet.generate_key().decode(),
        intake_rate_limit="1000/minute",  # every test posts from 127.0.0.1
    )
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="intake-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    engine = make_engine(url)
    yield LiveServer(url=f"http://127.0.0.1:{port}", engine=engine)
    server.should_exit = True
    thread.join(timeout=15)
    engine.dispose()
    app.state.engine.dispose()


def _open(browser, live_server: LiveServer, device: dict):
    context = browser.new_context(base_url=live_server.url, locale="en-US", **device)
    page = context.new_page()
    posts = Posts()
    page.on("request", posts)
    failures: list[str] = []  # script errors; refused or cut requests are part of the tests
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.goto("/intake")
    page.failures = failures
    return context, page, posts


@pytest.fixture
def desktop(browser, live_server):
    context, page, posts = _open(browser, live_server, DESKTOP)
    yield page, posts
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context, page, posts = _open(browser, live_server, PHONE)
    yield page, posts
    context.close()


def _fill(page, *, postal_code: str = "10001", consent: bool = True, tap: bool = False) -> None:
    """Answer the form as a patient would, with the pointer (or a finger)."""
    press = page.tap if tap else page.click
    page.fill("#patient-first_name", PATIENT["first_name"])
    page.fill("#patient-last_name", PATIENT["last_name"])
    month, day, year = PATIENT["birthday"]
    page.fill("#patient-date_of_birth", f"{year}-{month}-{day}")
    page.fill("#patient-email", PATIENT["email"])
    page.fill("#patient-phone", PATIENT["phone"])
    page.fill("#postal_code", postal_code)
    page.select_option("#radius_miles", "25")
    press("label[for=preferences-modalities-iv_infusion]")
    page.select_option("#preferences-insurance", "tricare")
    page.select_option("#preferences-language", "es")
    press("label[for=clinical-conditions-ptsd]")
    page.fill("#clinical-pcl5_score", "52")
    press("label[for=clinical-psychosis_history-false]")
    press("label[for=clinical-pregnant-unsaid]")
    page.fill("#clinical-current_medications", "sertraline 100 mg")
    if consent:
        press("label[for=consent_to_share]")


def _assert_confirmed_without_phi(page) -> str:
    heading = page.locator("#confirmation-heading")
    expect(heading).to_be_focused()
    expect(heading).to_have_text("We have your request")
    reference = page.locator(".confirmation .reference").inner_text()
    assert len(reference) >= 8
    text, dom = page.inner_text("body"), page.content()
    for value in PHI:
        assert value not in text
        assert value not in dom
    assert page.locator("input, select, textarea").count() == 0
    assert not page.failures
    return reference


def _error_of(page, control: str, field_id: str | None = None):
    """The message shown beside a control, after checking the control points at it."""
    message = page.locator(f"#{field_id or control}-error")
    expect(message).to_be_visible()
    expect(page.locator(f"#{control}")).to_have_attribute("aria-invalid", "true")
    described = page.get_attribute(f"#{control}", "aria-describedby").split()
    assert f"{field_id or control}-error" in described
    return message


def test_desktop_fill_and_send(desktop, live_server):
    page, posts = desktop
    before = live_server.requests_stored()
    _fill(page)
    page.screenshot(path=SCREENSHOTS / "intake-desktop.png", full_page=True)
    page.click("#submit")
    _assert_confirmed_without_phi(page)
    page.screenshot(path=SCREENSHOTS / "intake-desktop-confirmation.png", full_page=True)
    assert live_server.requests_stored() == before + 1
    assert posts.last_body == {
        "patient": {
            "first_name": "Zebulon",
            "last_name": "Quixotefield",
            "date_of_birth": "1984-02-14",
            "email": "zebulon.q@canary.example.com",
            "phone": "415 555 0123",
            "preferred_contact": "email",
        },
        "postal_code": "10001",
        "radius_miles": 25,
        "preferences": {"modalities": ["iv_infusion"], "insurance": "tricare", "language": "es"},
        "clinical": {
            "conditions": ["ptsd"],
            "pcl5_score": 52,
            "psychosis_history": False,
            "current_medications": "sertraline 100 mg",
        },
        "consent_to_share": True,
    }


def test_names_sit_side_by_side_on_a_desktop(desktop):
    page, _ = desktop
    first = page.locator("#patient-first_name").bounding_box()
    last = page.locator("#patient-last_name").bounding_box()
    assert first["y"] == last["y"] and last["x"] > first["x"] + first["width"]


def test_phone_fill_and_send(phone, live_server):
    page, _ = phone
    before = live_server.requests_stored()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    first = page.locator("#patient-first_name").bounding_box()
    last = page.locator("#patient-last_name").bounding_box()
    assert last["y"] > first["y"] + first["height"], "names should stack in one column"
    _fill(page, tap=True)
    page.screenshot(path=SCREENSHOTS / "intake-phone.png", full_page=True)
    page.tap("#submit")
    _assert_confirmed_without_phi(page)
    page.screenshot(path=SCREENSHOTS / "intake-phone-confirmation.png", full_page=True)
    assert live_server.requests_stored() == before + 1


def test_touch_targets_are_large_enough(phone):
    page, _ = phone
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                 'input:not([type=radio]):not([type=checkbox]), select, textarea, button, .choice')]
               .filter(e => e.getBoundingClientRect().height < 44)
               .map(e => e.id || e.className)"""
    )
    assert small == []


def test_an_unknown_zip_is_shown_beside_the_zip_field(desktop, live_server):
    page, posts = desktop
    before = live_server.requests_stored()
    _fill(page, postal_code="00000")
    page.click("#submit")
    message = _error_of(page, "postal_code")
    expect(message).to_have_text("ZIP code is not a known US ZIP code")
    summary = page.locator("#problem")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    page.click("#problem a[href='#postal_code']")
    expect(page.locator("#postal_code")).to_be_focused()
    page.screenshot(path=SCREENSHOTS / "intake-desktop-errors.png")
    assert live_server.requests_stored() == before

    page.fill("#postal_code", "10001")
    page.click("#submit")
    _assert_confirmed_without_phi(page)
    assert live_server.requests_stored() == before + 1
    assert len(posts.sent) == 2


def test_a_fractional_price_and_a_score_over_80_are_explained_on_a_phone(phone):
    page, _ = phone
    _fill(page, tap=True)
    page.fill("#preferences-max_price_usd", "4.50")
    page.fill("#clinical-pcl5_score", "95")
    page.tap("#submit")
    price = _error_of(page, "preferences-max_price_usd")
    expect(price).to_contain_text("must be a whole number")
    expect(_error_of(page, "clinical-pcl5_score")).to_contain_text("must be at most 80")
    expect(page.locator("#problem li")).to_have_count(2)
    expect(page.locator("#problem")).not_to_contain_text("Input should")
    page.screenshot(path=SCREENSHOTS / "intake-phone-errors.png", full_page=True)


def test_a_missing_contact_for_the_chosen_way_is_shown_beside_it(desktop):
    page, _ = desktop
    _fill(page)
    page.fill("#patient-phone", "")
    page.click("label[for=patient-preferred_contact-text]")
    page.click("#submit")
    expect(_error_of(page, "patient-phone")).to_contain_text("Phone number is required")
    expect(page.locator("#patient-email")).not_to_have_attribute("aria-invalid", "true")


def test_missing_consent_is_shown_beside_the_box_and_nothing_is_sent(desktop):
    page, posts = desktop
    _fill(page, consent=False)
    page.click("#submit")
    expect(_error_of(page, "consent_to_share")).to_contain_text("consent box must be ticked")
    expect(page.locator("#problem")).to_be_focused()
    expect(page.locator("#problem li")).to_have_count(1)
    assert posts.sent == []

    page.click("label[for=consent_to_share]")
    page.click("#submit")
    _assert_confirmed_without_phi(page)


def test_an_empty_form_names_every_required_answer(desktop):
    page, posts = desktop
    page.click("#submit")
    expect(page.locator("#problem li")).to_have_count(5)
    for control in ("patient-first_name", "patient-last_name", "postal_code"):
        expect(_error_of(page, control)).to_contain_text("is required")
        expect(page.locator(f"#{control}")).to_have_css("border-color", ERROR_RED)
    expect(page.locator("#patient-email")).not_to_have_css("border-color", ERROR_RED)
    assert posts.sent == []


def test_each_section_is_a_heading_to_jump_to(phone):
    """Screen reader users move through a long form by its headings."""
    page, _ = phone
    sections = ["About you", "How to reach you", "Where", "Preferences", "Health screening"]
    expect(page.get_by_role("heading", level=2)).to_have_text([*sections, "Consent"])
    expect(page.get_by_role("heading", level=3)).to_have_text("In crisis? Get help now")
    for section in sections:
        expect(page.get_by_role("group", name=section, exact=True)).to_be_visible()


def _axe_violations(page) -> list[str]:
    """The WCAG 2.1 A and AA rules axe-core finds broken, each with the elements breaking it."""
    results = Axe().run(page, options=WCAG_21_AA).response
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results["violations"]]


def test_axe_finds_nothing_on_the_form_its_errors_or_the_confirmation(phone):
    page, _ = phone
    assert _axe_violations(page) == []
    page.tap("#submit")
    expect(page.locator("#problem")).to_be_focused()
    assert _axe_violations(page) == []
    _fill(page, tap=True)
    page.tap("#submit")
    expect(page.locator("#confirmation-heading")).to_be_focused()
    assert _axe_violations(page) == []


def _announced_invalid(page) -> set[str]:
    """The controls Chromium tells a screen reader are invalid, by accessible name."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return {
        node["name"]["value"]
        for node in nodes
        for state in node.get("properties", [])
        if state["name"] == "invalid" and state["value"]["value"] == "true"
    }


def test_no_answer_is_called_invalid_before_the_patient_sends(phone):
    """A screen reader says "invalid entry" for what the page calls invalid, and only that."""
    page, _ = phone
    assert _announced_invalid(page) == set()
    page.tap("#submit")
    expect(page.locator("#problem li")).to_have_count(5)
    assert _announced_invalid(page) == {
        "First name (required)",
        "Last name (required)",
        "Date of birth (required)",
        "ZIP code (required)",
        "I agree to share my answers as described above (required)",
    }


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def _assert_focus_visible(page, focused: str) -> None:
    if not page.evaluate("document.activeElement.matches(':focus')"):
        # Focus is on a part inside the control (the date field's calendar button), which
        # draws the browser's own ring.
        assert focused == "patient-date_of_birth"
        return
    style = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle"
        " + ' ' + getComputedStyle(document.activeElement).boxShadow"
    )
    assert not style.startswith("none"), f"no visible focus on #{focused}"


def test_the_whole_form_with_the_keyboard_alone(desktop, live_server):
    page, posts = desktop
    before = live_server.requests_stored()
    month, day, year = PATIENT["birthday"]
    answers = {
        "patient-first_name": PATIENT["first_name"],
        "patient-last_name": PATIENT["last_name"],
        "patient-date_of_birth": month + day + year,
        "patient-email": PATIENT["email"],
        "postal_code": "10001",
        "preferences-insurance": "Medicare",  # typing picks an option in a closed list
        "clinical-pcl5_score": "41",
    }
    spaces = {
        "preferences-modalities-ketamine_assisted_psychotherapy",
        "clinical-conditions-depression",
        "clinical-substance_use_history-true",
        "consent_to_share",
    }
    arrows = {"clinical-psychosis_history-true"}  # to "No", the group's next choice
    page.locator("body").focus()
    visited = []
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = _focused(page)
        again = focused in visited  # a second stop inside the date field
        visited.append(focused)
        if focused == "postal_code" and "radius_miles" not in visited:
            page.keyboard.press("Shift+Tab")
            assert _focused(page) == "patient-preferred_contact-email"
            page.keyboard.press("Tab")
            assert _focused(page) == "postal_code"
        if again:
            pass
        elif focused in answers:
            page.keyboard.type(answers[focused])
        elif focused in spaces:
            page.keyboard.press("Space")
        elif focused in arrows:
            page.keyboard.press("ArrowDown")
        elif focused == "submit":
            break
        _assert_focus_visible(page, focused)
    else:
        pytest.fail(f"the send button was never reached: {visited}")
    assert set(answers) | spaces | arrows <= set(visited)
    page.keyboard.press("Enter")
    _assert_confirmed_without_phi(page)
    assert live_server.requests_stored() == before + 1
    body = posts.last_body
    assert body["patient"]["date_of_birth"] == "1984-02-14"
    assert body["preferences"] == {
        "modalities": ["ketamine_assisted_psychotherapy"],
        "insurance": "medicare",
    }
    assert body["clinical"] == {
        "conditions": ["depression"],
        "pcl5_score": 41,
        "substance_use_history": True,
        "psychosis_history": False,
    }
    assert body["consent_to_share"] is True


def test_a_double_click_stores_one_request(desktop, live_server):
    page, posts = desktop
    before = live_server.requests_stored()
    _fill(page)
    page.dblclick("#submit")
    _assert_confirmed_without_phi(page)
    page.wait_for_load_state("networkidle")
    assert live_server.requests_stored() == before + 1
    assert len(set(posts.keys)) == 1


def test_a_retry_after_a_lost_answer_stores_one_request(desktop, live_server):
    """The request arrives but its answer is lost: sending again reuses the key."""
    page, posts = desktop
    before = live_server.requests_stored()
    lost = []

    def lose_the_first_answer(route) -> None:
        if lost:
            route.continue_()
            return
        lost.append(route.fetch())
        route.abort("connectionreset")

    page.route(f"**{ENDPOINT}", lose_the_first_answer)
    _fill(page)
    page.click("#submit")
    expect(page.locator("#problem-heading")).to_have_text("We could not reach the service")
    expect(page.locator("#submit")).to_be_enabled()
    assert lost[0].status == 201
    assert live_server.requests_stored() == before + 1

    page.click("#submit")
    reference = _assert_confirmed_without_phi(page)
    assert reference == lost[0].json()["id"]
    assert live_server.requests_stored() == before + 1
    assert len(posts.keys) == 2 and len(set(posts.keys)) == 1
    assert posts.keys[0]


def test_too_many_requests_says_how_long_to_wait(desktop):
    page, _ = desktop
    page.route(
        f"**{ENDPOINT}",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "42", "Content-Type": "application/problem+json"},
            body=json.dumps({"type": "about:blank", "title": "Too Many Requests", "status": 429}),
        ),
    )
    _fill(page)
    page.click("#submit")
    summary = page.locator("#problem")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("wait 42 seconds")
    expect(page.locator("#patient-first_name")).to_have_value(PATIENT["first_name"])


def test_an_error_the_page_has_no_field_for_is_listed_in_the_summary(desktop):
    page, _ = desktop
    problem = {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request has invalid fields.",
        "errors": [{"field": "patient", "message": "is incomplete"}],
    }
    page.route(
        f"**{ENDPOINT}",
        lambda route: route.fulfill(
            status=422, content_type="application/problem+json", body=json.dumps(problem)
        ),
    )
    _fill(page)
    page.click("#submit")
    expect(page.locator("#problem")).to_be_focused()
    expect(page.locator("#problem li")).to_have_text("patient is incomplete")
    assert page.locator(".field.invalid").count() == 0


def test_a_key_is_made_without_random_uuid(browser, live_server):
    """Plain HTTP on another host is not a secure context: crypto.randomUUID is missing."""
    context, page, posts = _open(browser, live_server, DESKTOP)
    context.add_init_script("delete Crypto.prototype.randomUUID")
    page.reload()
    assert page.evaluate("typeof crypto.randomUUID") == "undefined"
    _fill(page)
    page.click("#submit")
    _assert_confirmed_without_phi(page)
    context.close()
    (key,) = posts.keys
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", key)


def test_a_date_of_birth_typed_in_part_says_what_is_missing(desktop):
    """A date without its year reads as empty to the page: it is unfinished, not missing."""
    page, posts = desktop
    _fill(page)
    page.fill("#patient-date_of_birth", "")
    page.focus("#patient-date_of_birth")
    page.keyboard.type("0214")  # month and day, and no year
    page.click("#submit")
    message = _error_of(page, "patient-date_of_birth")
    expect(message).to_have_text("Date of birth must have a month, day and year")
    expect(page.locator("#problem li")).to_have_count(1)
    assert posts.sent == []


def test_an_answer_that_never_comes_lets_the_patient_send_again(phone, live_server):
    """A connection that hangs (a phone between networks) does not keep Send disabled."""
    page, posts = phone
    page.clock.install()
    page.reload()
    before = live_server.requests_stored()
    page.route(f"**{ENDPOINT}", lambda route: None)  # the request is never answered
    _fill(page, tap=True)
    page.tap("#submit")
    expect(page.locator("#submit")).to_be_disabled()
    page.clock.run_for(60_000)
    expect(page.locator("#problem-heading")).to_have_text("We could not reach the service")
    expect(page.locator("#problem")).to_be_focused()
    expect(page.locator("#submit")).to_be_enabled()

    page.unroute(f"**{ENDPOINT}")
    page.tap("#submit")
    _assert_confirmed_without_phi(page)
    assert live_server.requests_stored() == before + 1
    assert len(posts.keys) == 2 and len(set(posts.keys)) == 1


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("1,200", 1200), ("$450", 450), ("$100,000", 100_000), ("$ 100,000", 100_000)],
)
def test_a_price_is_read_as_people_write_dollars(desktop, typed, sent):
    page, posts = desktop
    _fill(page)
    page.fill("#preferences-max_price_usd", "")
    page.type("#preferences-max_price_usd", typed)
    page.click("#submit")
    _assert_confirmed_without_phi(page)
    assert posts.last_body["preferences"]["max_price_usd"] == sent
