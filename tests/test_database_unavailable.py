"""A database that is away is a 503 with Retry-After, and a failed write leaves nothing behind."""

import logging
import socket
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import make_url

from referrals import migrations, phi
from referrals.config import Settings
from referrals.db import normalize_url
from referrals.intake.models import IdempotencyKey, ReferralRequest
from referrals.main import create_app
from referrals.workflow.models import Event
from tests.intake.payloads import intake

URL = "/api/v1/referral-requests"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable() -> TestClient:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/referrals"
    settings = Settings(database_url=url, phi_key=phi.new_key())
    with TestClient(create_app(settings)) as client:
        yield client


def test_readiness_is_503_while_the_database_is_away(unreachable):
    answer = unreachable.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()
    assert answer.headers["content-type"] == "application/problem+json"
    assert unreachable.get("/healthz").status_code == 200


def test_an_intake_is_503_and_logged_without_details(unreachable, caplog):
    caplog.set_level(logging.INFO)
    answer = unreachable.post(URL, json=intake(), headers={"Idempotency-Key": "away-1"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()
    assert set(answer.json()) == {"type", "title", "status", "detail"}
    (warning,) = [r for r in caplog.records if r.name == "referrals.database"]
    assert warning.fields["error"] == "psycopg.OperationalError"
    assert warning.fields["route"] == URL
    assert "127.0.0.1" not in caplog.text  # the driver's message names the server: not logged


@pytest.fixture(scope="module")
def own_database(new_database_url) -> str:
    url = new_database_url()
    migrations.upgrade(url)
    return url


def _counts(app) -> tuple[int, int, int]:
    with app.state.sessionmaker() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (ReferralRequest, IdempotencyKey, Event)
        )


def test_a_connection_lost_mid_intake_stores_nothing_and_the_retry_stores_it_once(own_database):
    app = create_app(Settings(database_url=own_database, phi_key=phi.new_key()))
    engine = app.state.engine

    def lose_the_connection(connection, cursor, statement, *_):
        if statement.startswith("INSERT INTO referral_events"):
            error = connection.dialect.loaded_dbapi.OperationalError("the server went away")
            error.sqlite_errorname = "SQLITE_IOERR"  # what SQLite says of a file out of reach
            raise error

    body, key = intake(), {"Idempotency-Key": "lost-mid-way"}
    with TestClient(app) as client:
        event.listen(engine, "before_cursor_execute", lose_the_connection)
        lost = client.post(URL, json=body, headers=key)
        event.remove(engine, "before_cursor_execute", lose_the_connection)
        assert (lost.status_code, _counts(app)) == (503, (0, 0, 0))
        retried = client.post(URL, json=body, headers=key)
        again = client.post(URL, json=body, headers=key)

    assert retried.status_code == again.status_code == 201
    assert retried.json()["id"] == again.json()["id"]
    assert _counts(app) == (1, 1, 1)
    engine.dispose()


def test_a_bad_statement_is_still_a_500(own_database, caplog):
    app = create_app(Settings(database_url=own_database, phi_key=phi.new_key()))

    def break_the_statement(connection, cursor, statement, *_):
        if statement.startswith("INSERT INTO referral_events"):
            connection.exec_driver_sql("SELECT Zebulon FROM nowhere")

    event.listen(app.state.engine, "before_cursor_execute", break_the_statement)
    with TestClient(app) as client:
        answer = client.post(URL, json=intake())
    assert answer.status_code == 500
    assert "Zebulon" not in caplog.text + answer.text
    app.state.engine.dispose()


@pytest.fixture
def read_only(new_database_url) -> TestClient:
    """The app on a migrated database that it may read but not write: a SQLite file on a
    read-only mount, a PostgreSQL standby (its sessions are read-only)."""
    url = make_url(new_database_url())
    migrations.upgrade(url.render_as_string())
    if url.get_backend_name() == "sqlite":
        read_only = url.set(database=f"file:{url.database}", query={"mode": "ro", "uri": "true"})
    else:
        read_only = url.update_query_dict({"options": "-c default_transaction_read_only=on"})
    settings = Settings(database_url=read_only.render_as_string(), phi_key=phi.new_key())
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_a_read_only_database_is_not_ready_and_an_intake_is_503(read_only):
    ready = read_only.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["Retry-After"].isdigit()
    answer = read_only.post(URL, json=intake())
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()


def test_readiness_does_not_wait_for_a_writer(own_database):
    """A long write (a seed, a migration) is a busy database, not one that is away."""
    app = create_app(Settings(database_url=own_database, phi_key=phi.new_key()))
    writer = create_engine(normalize_url(own_database))
    with TestClient(app) as client, writer.connect() as connection:
        connection.exec_driver_sql(_HOLD_THE_WRITE_LOCK[connection.dialect.name])
        started = time.monotonic()
        ready = client.get("/readyz")
        waited = time.monotonic() - started
        connection.rollback()
    assert (ready.status_code, waited < 1) == (200, True)
    writer.dispose()
    app.state.engine.dispose()


_HOLD_THE_WRITE_LOCK = {
    "sqlite": "BEGIN IMMEDIATE",
    "postgresql": "LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE",
}


def test_readiness_leaves_the_requests_transaction_alone(client, admin_headers):
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/providers", headers=admin_headers).status_code == 200
