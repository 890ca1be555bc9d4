"""Reader processes: a search runs in one of as many processes as there are CPUs, in a
session that ends there; its answer and its errors come back to the server as they were."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from referrals import migrations, readers
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.errors import FieldError, InvalidInput, ServiceUnavailable
from referrals.main import create_app
from referrals.readers import Readers
from tests.conftest import SERVER_URL

# What the readers are given to run: functions of a module, as a search is.


def pid(session: Session) -> int:
    return os.getpid()


def slow_pid(session: Session, *, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def connections_out(session: Session) -> int:
    """How many of the reader process's connections are out of its pool, this one too."""
    session.connection()
    return session.get_bind().pool.checkedout()


def refuse(session: Session) -> None:
    raise InvalidInput.on("postal_code", "no place has this ZIP code")


def die(session: Session) -> None:
    os._exit(1)


def _run(*reads: Callable) -> list:
    """Each of `reads` (a coroutine function) at once, on an event loop in a thread of its own
    (the browser tests leave one on this thread)."""

    async def main() -> list:
        return await asyncio.gather(*(read() for read in reads))

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, main()).result()


def _gone(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def new_readers(engine, monkeypatch) -> Iterator[Callable[[int], Readers]]:
    """`new_readers(cpus)`: reader processes on the test database, for a machine of `cpus`
    CPUs, stopped after the test."""
    made = []

    def new(cpus: int) -> Readers:
        monkeypatch.setattr(readers, "CPUS", cpus)
        made.append(Readers(engine))
        return made[-1]

    yield new
    for reader in made:
        reader.close()


def test_reads_run_in_as_many_processes_as_there_are_cpus(new_readers):
    reader = new_readers(2)
    answers = _run(*[lambda: reader.read(slow_pid, seconds=0.5)] * 4)
    assert len(set(answers)) == 2
    assert os.getpid() not in answers


def test_each_read_gives_its_connection_back_before_its_answer(new_readers):
    reader = new_readers(2)
    for _ in range(4):  # a connection kept by an earlier read would be counted
        assert _run(lambda: reader.read(connections_out)) == [1]


def test_a_reads_error_reaches_the_server_as_it_was_raised(new_readers):
    reader = new_readers(1)
    with pytest.raises(InvalidInput) as raised:
        _run(lambda: reader.read(refuse))
    assert raised.value.errors == [FieldError("postal_code", "no place has this ZIP code")]
    assert _run(lambda: reader.read(pid)) != [os.getpid()]


def test_a_reader_that_dies_fails_its_read_with_503_and_the_next_read_is_answered(new_readers):
    reader = new_readers(1)
    [before] = _run(lambda: reader.read(pid))
    with pytest.raises(ServiceUnavailable):
        _run(lambda: reader.read(die))
    [after] = _run(lambda: reader.read(pid))
    assert after != before
    assert _gone(before)


def test_a_cancelled_read_leaves_the_readers_reading(new_readers):
    reader = new_readers(1)

    async def cancelled() -> str:
        try:
            await asyncio.wait_for(reader.read(slow_pid, seconds=0.5), timeout=0.1)
        except TimeoutError:
            return "cancelled"
        return "answered"

    assert _run(cancelled) == ["cancelled"]
    assert _run(lambda: reader.read(pid)) != [os.getpid()]


def test_ctrl_c_in_the_terminal_leaves_the_readers_to_the_server(new_readers):
    reader = new_readers(1)
    [process_id] = _run(lambda: reader.read(pid))
    os.kill(process_id, signal.SIGINT)  # what a terminal sends its whole process group
    time.sleep(0.2)
    assert _run(lambda: reader.read(pid)) == [process_id]


def test_close_stops_the_reader_processes(new_readers):
    reader = new_readers(2)
    process_ids = set(_run(*[lambda: reader.read(slow_pid, seconds=0.3)] * 4))
    reader.close()
    assert process_ids and all(_gone(process_id) for process_id in process_ids)


@contextmanager
def _app_with_its_readers(database_url: str) -> Iterator[tuple[FastAPI, TestClient, dict]]:
    """An app on a new database of its own, serving with its reader processes, its client,
    and a staff key's headers."""
    migrations.upgrade(database_url)
    app = create_app(Settings(database_url=database_url, intake_rate_limit="100000/minute"))
    with app.state.sessionmaker.begin() as session:
        _, key = auth.create_key(session, name="reader test", role=Role.staff)
    try:
        with TestClient(app) as client:
            yield app, client, {"Authorization": f"Bearer {key}"}
    finally:
        app.state.engine.dispose()


def test_the_app_searches_in_its_readers_and_stops_them_when_it_stops(new_database_url):
    with _app_with_its_readers(new_database_url()) as (app, client, staff):
        found = client.get("/api/v1/matches?postal_code=10001", headers=staff)
        assert found.status_code == 200
        assert found.json()["total"] == 0
        assert found.json()["origin"]["postal_code"] == "10001"
        refused = client.get("/api/v1/matches?postal_code=10001", headers={})
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        invalid = client.get("/api/v1/matches?lat=95&lon=0", headers=staff)
        assert invalid.status_code == 422
        assert [e["field"] for e in invalid.json()["errors"]] == ["lat"]
        process_ids = {client.portal.call(app.state.readers.read, pid) for _ in range(4)}
    assert os.getpid() not in process_ids
    assert all(_gone(process_id) for process_id in process_ids)


SERVER = """
import asyncio, os, sys, time
from referrals.db import make_engine
from referrals.readers import Readers
from tests.test_readers import pid

async def main():
    reader = Readers(make_engine(sys.argv[1]))
    print(*{await reader.read(pid) for _ in range(4)}, flush=True)
    time.sleep(60)

asyncio.run(main())
"""


def test_readers_end_when_their_server_is_killed(database_url):
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, database_url], stdout=subprocess.PIPE, text=True
    )
    process_ids = [int(n) for n in server.stdout.readline().split()]
    server.kill()
    server.wait()
    deadline = time.monotonic() + 10
    while not all(_gone(process_id) for process_id in process_ids):
        assert time.monotonic() < deadline, "a reader outlived its server"
        time.sleep(0.05)
    assert process_ids


def test_a_search_while_the_database_is_away_is_a_503_problem_without_the_password():
    away = "postgresql://referrals:hunter2secret@127.0.0.1:9/referrals"  # nothing listens
    app = create_app(Settings(database_url=away, intake_rate_limit="100000/minute"))
    with TestClient(app) as client:
        response = client.get(
            "/api/v1/matches?postal_code=10001", headers={"Authorization": "Bearer rfk_x"}
        )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "Retry-After" in response.headers
    assert "hunter2secret" not in response.text
    assert "rfk_x" not in response.text


@pytest.mark.skipif(not SERVER_URL, reason="a server's connections to end: PostgreSQL")
def test_searches_go_on_after_the_server_ends_the_readers_connections(new_database_url):
    search = "/api/v1/matches?postal_code=10001"
    with _app_with_its_readers(new_database_url()) as (app, client, staff):
        before = [client.get(search, headers=staff).status_code for _ in range(4)]
        with app.state.engine.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        after = [client.get(search, headers=staff).status_code for _ in range(4)]
    assert ended >= 1  # the readers' connections, at least
    assert before == after == [200] * 4
