"""The API docs pages load their scripts and styles from the app, and nothing from elsewhere."""

import re

import pytest

PAGES = ("/docs", "/redoc")


@pytest.mark.parametrize("page", PAGES)
def test_the_docs_load_only_what_the_app_serves(client, page):
    html = client.get(page).text
    loaded = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert loaded
    for url in loaded:
        assert url.startswith("/") and not url.startswith("//"), (
            f"{page} loads {url} from elsewhere"
        )
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.content


@pytest.mark.parametrize(
    ("asset", "media_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "text/javascript"),
    ],
)
def test_the_docs_assets_are_served_with_the_app(client, asset, media_type):
    answer = client.get(f"/docs/assets/{asset}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(media_type)
    assert len(answer.content) > 100_000


@pytest.mark.parametrize("page", PAGES)
def test_the_docs_pages_allow_nothing_from_elsewhere(client, page):
    policy = dict(
        directive.split(" ", 1)
        for directive in client.get(page).headers["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    script_sources = policy["script-src"].split()
    assert script_sources[0] == "'self'"
    assert all(source.startswith("'sha256-") for source in script_sources[1:])
