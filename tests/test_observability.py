"""Access logs without PHI or secrets, request ids, answers to unhandled errors, `serve`."""

import json
import logging
import sys

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from referrals import cli
from referrals.config import Settings
from referrals.observability import JsonFormatter, logging_config
from tests.intake.payloads import CANARY, intake

ACCESS_FIELDS = {"request_id", "route", "method", "status", "duration_ms", "client"}


def _access_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "referrals.access"]


def test_one_line_per_request_with_the_route_template_and_nothing_sent(
    client, staff_headers, caplog
):
    caplog.set_level(logging.INFO, logger="referrals.access")
    request_id = "0123456789abcdef0123456789abcdef"
    client.post("/api/v1/referral-requests", json=intake(), headers={"Idempotency-Key": "k-7"})
    answer = client.get(
        f"/api/v1/referral-requests/{request_id}?q=Quixotefield", headers=staff_headers
    )

    posted, read = _access_lines(caplog)
    assert set(read) - {"time", "level", "logger", "message"} == ACCESS_FIELDS
    assert (read["method"], read["status"]) == ("GET", 404)
    assert read["route"] == "/api/v1/referral-requests/{request_id}"
    assert read["request_id"] == answer.headers["X-Request-ID"]
    assert posted["route"] == "/api/v1/referral-requests"
    assert (posted["status"], posted["client"]) == (201, "testclient")
    assert posted["duration_ms"] >= 0
    logged = caplog.text + json.dumps([posted, read])
    api_key = staff_headers["Authorization"].removeprefix("Bearer ")
    secrets = [*CANARY.values(), request_id, "Quixotefield", "k-7", api_key]
    assert [s for s in secrets if s in logged] == []


def test_every_answer_has_its_own_request_id(client):
    first, second = client.get("/healthz"), client.get("/nowhere")
    ids = {first.headers["X-Request-ID"], second.headers["X-Request-ID"]}
    assert len(ids) == 2
    assert all(len(i) == 32 for i in ids)


def test_an_unmatched_path_is_logged_without_it(client, caplog):
    caplog.set_level(logging.INFO, logger="referrals.access")
    client.get("/patients/Quixotefield")
    (line,) = _access_lines(caplog)
    assert (line["route"], line["status"]) == (None, 404)
    assert "Quixotefield" not in caplog.text


def test_an_id_set_by_an_earlier_middleware_is_the_one_used(app, caplog):
    class SetsId:
        def __init__(self, inner) -> None:
            self.inner = inner

        async def __call__(self, scope, receive, send) -> None:
            scope.setdefault("state", {})["request_id"] = "set-before"
            await self.inner(scope, receive, send)

    app.add_middleware(SetsId)
    caplog.set_level(logging.INFO, logger="referrals.access")
    with TestClient(app) as client:
        assert client.get("/healthz").headers["X-Request-ID"] == "set-before"
    assert _access_lines(caplog)[0]["request_id"] == "set-before"


def test_an_unhandled_error_is_a_bare_500_logged_by_type_and_route(app, caplog):
    @app.get("/boom/{name}")
    def boom(name: str) -> None:
        raise ValueError(f"cannot handle {name}")

    caplog.set_level(logging.INFO, logger="referrals.access")
    with TestClient(app) as client:
        answer = client.get("/boom/Quixotefield")

    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == "Internal Server Error"
    assert "X-Request-ID" in answer.headers
    error, access = _access_lines(caplog)
    assert (error["level"], error["error"], error["route"]) == (
        "ERROR",
        "ValueError",
        "/boom/{name}",
    )
    assert access["status"] == 500
    assert "Quixotefield" not in caplog.text + answer.text


def test_a_formatted_line_is_one_json_object_with_the_type_of_an_error_only():
    try:
        raise KeyError("Quixotefield")
    except KeyError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "ERROR",
        "logger": "x",
        "message": "failed",
        "error": "KeyError",
    }


def test_serve_logs_json_at_the_configured_level_without_uvicorns_access_log(tmp_path, monkeypatch):
    started, configured = {}, []
    monkeypatch.setenv("REFERRALS_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("REFERRALS_LOG_LEVEL", "warning")
    monkeypatch.setattr(cli, "get_settings", cli.get_settings.__wrapped__)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *_, **kwargs: started.update(kwargs))
    monkeypatch.setattr(cli.logging.config, "dictConfig", configured.append)

    result = CliRunner().invoke(cli.app, ["serve", "--port", "8123"])

    assert result.exit_code == 0, result.output
    assert started["access_log"] is False
    assert started["log_level"] == "warning"
    assert configured == [started["log_config"]] == [logging_config("WARNING")]
    assert configured[0]["root"]["level"] == "WARNING"
    assert configured[0]["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": False}


@pytest.mark.parametrize("level", ["verbose", ""])
def test_an_unknown_log_level_is_refused(level, monkeypatch):
    monkeypatch.setenv("REFERRALS_LOG_LEVEL", level)
    with pytest.raises(ValidationError, match="log_level"):
        Settings()
