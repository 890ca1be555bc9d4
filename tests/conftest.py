"""Test fixtures: one migrated database per run, one rolled-back transaction per test.

The engine is SQLite in a temporary folder unless REFERRALS_TEST_DATABASE_URL names a
PostgreSQL server; there every run gets fresh databases that are dropped at the end.
"""

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from referrals import migrations
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.db import make_engine, normalize_url
from referrals.deps import get_session
from referrals.limits import HTTP_PARSER
from referrals.main import create_app
from referrals.readers import Readers
from tests.browser import CHROMIUM, playwright_or_skip

SERVER_URL = os.environ.get("REFERRALS_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def new_database_url(tmp_path_factory) -> Iterator:
    """A factory of empty databases on the engine under test, removed after the run."""
    created: list[str] = []

    def new() -> str:
        if SERVER_URL is None:
            path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex}.db"
            return f"sqlite:///{path}"
        name = f"referrals_test_{uuid.uuid4().hex[:12]}"
        with _server_engine().connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        url = make_url(normalize_url(SERVER_URL)).set(database=name)
        return url.render_as_string(hide_password=False)

    yield new
    if created:
        with _server_engine().connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _server_engine() -> Engine:
    return create_engine(normalize_url(SERVER_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_url(new_database_url) -> str:
    url = new_database_url()
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            yield session
        transaction.rollback()


@pytest.fixture
def settings(database_url, tmp_path: Path) -> Settings:
    """The app's settings: the test database, and no rate limit to trip over (tested alone)."""
    return Settings(database_url=database_url, intake_rate_limit="100000/minute")


@pytest.fixture
def app(settings, session):
    app = create_app(settings)

    def test_session() -> Iterator[Session]:
        """Each request in a savepoint of the test's transaction, as in `get_session`.

        The savepoint is released on success unless the route committed already.
        """
        with session.begin_nested():
            yield session

    app.dependency_overrides[get_session] = test_session
    app.state.readers = Readers(app.state.engine, contextmanager(test_session))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _headers(session: Session, role: Role) -> dict[str, str]:
    _, key = auth.create_key(session, name=f"test {role}", role=role)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def admin_headers(session) -> dict[str, str]:
    return _headers(session, Role.admin)


@pytest.fixture
def staff_headers(session) -> dict[str, str]:
    return _headers(session, Role.staff)


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def live_server(new_database_url) -> Iterator[LiveServer]:
    """The real app over real HTTP on 127.0.0.1, on a database of its own."""
    url = new_database_url()
    migrations.upgrade(url)
    settings = Settings(database_url=url, intake_rate_limit="100000/minute")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=0, http=HTTP_PARSER, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(f"http://127.0.0.1:{port}", url)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole run."""
    sync_api = playwright_or_skip()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
