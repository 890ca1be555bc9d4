"""The API docs in a real browser with no way out: everything they need comes from the app."""

import re

import pytest

from tests.browser import playwright_or_skip

expect = playwright_or_skip().expect


@pytest.fixture
def offline(browser, live_server):
    """A page that can reach the app alone; it lists what it tried to load from elsewhere."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.elsewhere = []
    page.refused = []  # what the page's Content-Security-Policy stopped

    def only_the_app(route) -> None:
        if route.request.url.startswith(f"{live_server.url}/"):
            route.continue_()
        else:
            page.elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    def refused(message) -> None:
        if "Content Security Policy" in message.text:
            page.refused.append(message.text)

    page.route("**/*", only_the_app)
    page.on("console", refused)
    yield page
    context.close()


def test_swagger_ui_shows_the_operations_offline(offline):
    offline.goto("/docs")
    matches = offline.locator(".opblock-summary-path[data-path='/api/v1/matches']")
    expect(matches).to_be_visible()
    matches.click()
    expect(offline.locator(".opblock-body .parameters")).to_contain_text("postal_code")
    assert offline.elsewhere == []
    assert offline.refused == []


def test_redoc_shows_the_operations_offline(offline):
    offline.goto("/redoc")
    offline.get_by_role("menuitem", name="matching").click()
    offline.get_by_role("menuitem", name="Matches").click()
    heading = offline.locator("h2").filter(has_text=re.compile(r"^Matches\s*$"))
    expect(heading).to_be_in_viewport()
    expect(offline.get_by_text("/api/v1/matches", exact=True).first).to_be_visible()
    assert offline.elsewhere == []
    # The only thing ReDoc asks for elsewhere: the logo beside "API docs by Redocly"
    assert all("https://cdn.redoc.ly/" in refused for refused in offline.refused)
