"""Opt-in Nominatim geocoding of street addresses, against a local stand-in for Nominatim."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from referrals.config import Settings
from referrals.registry import service
from referrals.registry.schemas import SiteCreate
from tests.builders import site_body
from tests.registry.support import Api

USER_AGENT = "referrals-tests/1.0 (ops@example.com)"
EMPIRE_STATE = (40.748428, -73.985654)
MIDTOWN_ZIP = (pytest.approx(40.749, abs=1e-3), pytest.approx(-73.9865, abs=1e-3))  # 10118
FULL_ADDRESS = "350 5th Ave, New York, NY 10118"


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    user_agent: str | None


@dataclass
class FakeNominatim:
    """Answers `/search` with `answer` (JSON body) or `status`; records every request."""

    url: str = ""
    answer: list[dict] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)

    def place(self, lat: float, lon: float, label: str = "Empire State Building") -> None:
        self.answer = [{"lat": str(lat), "lon": str(lon), "display_name": label}]


def _handler(fake: FakeNominatim) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            fake.requests.append(Request(url.path, parse_qs(url.query), self.headers["User-Agent"]))
            time.sleep(fake.delay)
            body = json.dumps(fake.answer).encode() if fake.status == 200 else b"oops"
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    fake = FakeNominatim()
    fake.place(*EMPIRE_STATE)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # a client that timed out hung up
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def geocoder() -> str:
    return "nominatim"


@pytest.fixture
def settings(database_url, nominatim, geocoder) -> Settings:
    """Overrides the suite's settings, so the `client` fixture builds an app with these."""
    return Settings(
        database_url=database_url,
        geocoder=geocoder,
        nominatim_url=nominatim.url,
        nominatim_user_agent=USER_AGENT,
        nominatim_min_delay_seconds=0,
        nominatim_timeout_seconds=0.5,
    )


@pytest.fixture
def api(client, admin_headers, staff_headers) -> Api:
    return Api(client, admin=admin_headers, staff=staff_headers)


def _position(site: dict) -> tuple[float, float]:
    return site["lat"], site["lon"]


def test_a_site_without_coordinates_is_placed_at_its_street_address(api, nominatim):
    site = api.created("sites", site_body())
    assert _position(site) == EMPIRE_STATE
    [request] = nominatim.requests
    assert request.path == "/search"
    assert request.user_agent == USER_AGENT
    assert request.query["q"] == [FULL_ADDRESS]
    assert request.query["countrycodes"] == ["us"]


def test_an_address_is_asked_for_once(api, nominatim):
    first = api.created("sites", site_body())
    second = api.created("sites", site_body(address_line1="350  5TH ave "))
    assert _position(first) == _position(second) == EMPIRE_STATE
    assert len(nominatim.requests) == 1


def test_the_nominatim_url_may_have_a_path(session, settings, nominatim):
    settings = settings.model_copy(update={"nominatim_url": f"{nominatim.url}/osm/"})
    site = service.create_site(session, data=SiteCreate(**site_body()), settings=settings)
    assert (site.lat, site.lon) == EMPIRE_STATE
    assert [request.path for request in nominatim.requests] == ["/osm/search"]


def test_a_site_given_coordinates_keeps_them_and_asks_nothing(api, nominatim):
    site = api.created("sites", site_body(lat=40.7, lon=-73.9))
    assert _position(site) == (40.7, -73.9)
    assert nominatim.requests == []


def test_a_site_without_a_street_line_is_placed_at_its_zip(api, nominatim):
    site = api.created("sites", site_body(address_line1=None))
    assert _position(site) == MIDTOWN_ZIP
    assert nominatim.requests == []


def test_a_new_street_address_moves_the_site(api, nominatim):
    site = api.created("sites", site_body())
    nominatim.place(40.7527, -73.9772, "Grand Central Terminal")
    response = api.update("sites", site["id"], {"address_line1": "89 E 42nd St"})
    assert response.status_code == 200, response.text
    assert _position(response.json()) == (40.7527, -73.9772)
    assert nominatim.requests[-1].query["q"] == ["89 E 42nd St, New York, NY 10118"]


def test_other_changes_ask_nothing(api, nominatim):
    site = api.created("sites", site_body())
    response = api.update("sites", site["id"], {"name": "Harbor Midtown"})
    assert _position(response.json()) == EMPIRE_STATE
    assert len(nominatim.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param({"answer": []}, id="no match"),
        pytest.param({"status": 500}, id="server error"),
        pytest.param({"delay": 1.0}, id="timeout"),
    ],
)
def test_without_an_answer_the_site_falls_back_to_its_zip(api, nominatim, failure, caplog):
    for name, value in failure.items():
        setattr(nominatim, name, value)
    site = api.created("sites", site_body())
    assert _position(site) == MIDTOWN_ZIP
    assert len(nominatim.requests) == 1
    assert "placing the site at its ZIP" in caplog.text
    assert "5th Ave" not in caplog.text and "10118" not in caplog.text


def test_a_failed_lookup_is_not_cached(api, nominatim):
    nominatim.status = 500
    api.created("sites", site_body())
    nominatim.status = 200
    assert _position(api.created("sites", site_body())) == EMPIRE_STATE
    assert len(nominatim.requests) == 2


def test_an_unknown_zip_is_refused_before_asking(api, nominatim):
    response = api.create("sites", site_body(postal_code="00000"))
    assert response.status_code == 422
    response = api.create("sites", site_body(state="NJ"))
    assert response.status_code == 422
    assert nominatim.requests == []


@pytest.mark.parametrize("geocoder", ["offline"])
def test_the_offline_geocoder_asks_nothing(api, nominatim):
    site = api.created("sites", site_body())
    assert _position(site) == MIDTOWN_ZIP
    assert nominatim.requests == []


def test_offline_is_the_default(monkeypatch):
    monkeypatch.delenv("REFERRALS_GEOCODER", raising=False)
    assert Settings().geocoder == "offline"


@pytest.mark.parametrize("user_agent", ["", "  ", "geopy/2.5.0"])
def test_nominatim_without_a_user_agent_of_its_own_refuses_to_start(user_agent):
    with pytest.raises(ValidationError, match="REFERRALS_NOMINATIM_USER_AGENT"):
        Settings(geocoder="nominatim", nominatim_user_agent=user_agent)


def test_the_nominatim_url_must_be_http():
    with pytest.raises(ValidationError, match="nominatim_url"):
        Settings(nominatim_url="nominatim.example.com")
