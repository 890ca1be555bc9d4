"""Statements run on the driver (authentication, matching) fail like any other statement."""

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from referrals import migrations, phi
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.db import driver_execute
from referrals.main import create_app
from referrals.readers import Readers


def test_a_driver_error_is_sqlalchemy_s_and_hides_the_parameters(session):
    placeholder = "?" if session.get_bind().dialect.name == "sqlite" else "%s"
    with pytest.raises(DBAPIError) as raised:
        driver_execute(session, f"SELECT secret FROM nowhere WHERE code = {placeholder}", ("x9",))
    assert "nowhere" in str(raised.value)
    assert "x9" not in str(raised.value)


def test_a_connection_lost_before_a_staff_search_is_503_then_recovers(new_database_url):
    url = new_database_url()
    if not url.startswith("postgresql"):
        pytest.skip("a server connection to lose: PostgreSQL")
    migrations.upgrade(url)
    app = create_app(Settings(database_url=url, phi_key=phi.new_key()))
    app.state.readers = Readers(app.state.engine, app.state.sessionmaker)  # on this engine
    with app.state.sessionmaker.begin() as session:
        _, key = auth.create_key(session, name="desk", role=Role.staff)
    app.state.engine.dispose()
    lost = []

    def terminate_once(dbapi_connection, *_):
        if not lost:
            with psycopg.connect(dbapi_connection.info.dsn, autocommit=True) as other:
                other.execute(
                    "SELECT pg_terminate_backend(%s)", (dbapi_connection.info.backend_pid,)
                )
            lost.append(dbapi_connection.info.backend_pid)

    event.listen(app.state.engine, "checkout", terminate_once)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app) as client:
        away = client.get("/api/v1/matches", params={"postal_code": "10001"}, headers=headers)
        back = client.get("/api/v1/matches", params={"postal_code": "10001"}, headers=headers)
    assert lost
    assert (away.status_code, away.headers["content-type"]) == (503, "application/problem+json")
    assert back.status_code == 200
    app.state.engine.dispose()
