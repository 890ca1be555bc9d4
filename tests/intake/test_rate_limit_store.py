"""The intake's rate limit, counted in a store that several workers share, or in memory.

Two apps on one database stand for two workers. The shared-store test needs a Redis:
REFERRALS_TEST_REDIS_URL names one (CI starts it); without it that test is skipped.
"""

import logging
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from limits.errors import ConfigurationError
from pydantic import ValidationError

from referrals import migrations
from referrals.config import Settings
from referrals.intake.ratelimit import IntakeRateLimit
from referrals.main import create_app
from tests.faults.support import free_port
from tests.intake.payloads import intake

URL = "/api/v1/referral-requests"
REDIS_URL = os.environ.get("REFERRALS_TEST_REDIS_URL")


@pytest.fixture(scope="module")
def database(new_database_url) -> str:
    url = new_database_url()
    migrations.upgrade(url)
    return url


def _address() -> str:
    """An address in a /64 of its own, so that no earlier run's window in the shared store
    counts."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "referrals.intake.ratelimit"]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class _Redis:
    """A Redis of its own on `port`, with the password the tests' URLs give."""

    def __init__(self, port: int) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        command += ["--requirepass", "s3cret-zq"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _listening(self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _worker(database: str, storage: str, client: str) -> TestClient:
    settings = Settings(
        database_url=database, intake_rate_limit="2/minute", intake_rate_limit_storage=storage
    )
    return TestClient(create_app(settings), client=(client, 50000))


@pytest.mark.skipif(REDIS_URL is None, reason="REFERRALS_TEST_REDIS_URL names no Redis")
def test_workers_sharing_a_redis_count_one_limit(database):
    client = _address()
    first, second = (_worker(database, REDIS_URL, client) for _ in range(2))
    with first, second:
        answers = [first.post(URL, json=intake()).status_code for _ in range(2)]
        answers.append(second.post(URL, json=intake()).status_code)
        assert answers == [201, 201, 429]
        # the window is the address's: another address still gets through
        other = _worker(database, REDIS_URL, _address())
        with other:
            assert other.post(URL, json=intake()).status_code == 201


def test_workers_counting_in_memory_each_allow_the_rate(database):
    first, second = (_worker(database, "memory://", "192.0.2.7") for _ in range(2))
    with first, second:
        answers = [first.post(URL, json=intake()).status_code for _ in range(3)]
        answers.append(second.post(URL, json=intake()).status_code)
    assert answers == [201, 201, 429, 201]


@pytest.mark.skipif(REDIS_URL is None, reason="REFERRALS_TEST_REDIS_URL names no Redis")
def test_an_app_run_in_several_event_loops_counts_on(database, caplog):
    worker = _worker(database, REDIS_URL, _address())
    # outside `with`, each request runs in an event loop of its own; a Redis connection
    # belongs to the loop that opened it
    with caplog.at_level(logging.WARNING):
        answers = [worker.post(URL, json=intake()).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    assert _warnings(caplog) == []  # every request was counted without a fault


def test_a_store_that_refuses_lets_the_patient_through(database, caplog):
    away = "redis://:s3cret-zq@127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.WARNING), _worker(database, away, "192.0.2.8") as worker:
        answers = [worker.post(URL, json=intake()).status_code for _ in range(3)]
    assert answers == [201, 201, 201]
    said = _warnings(caplog)
    assert said == [
        "intake rate limit store does not answer: intakes go uncounted",  # at start
        # once, with the reason, at the first request: not again while the store stays away
        "intake rate limit store did not answer (redis.exceptions.ConnectionError):"
        " intakes go uncounted until it does",
    ]


def test_an_outage_is_logged_once_and_so_is_its_end(database, caplog):
    redis = _Redis(free_port())
    redis.start()
    store = f"redis://:s3cret-zq@127.0.0.1:{redis.port}/0"
    try:
        with caplog.at_level(logging.INFO), _worker(database, store, "192.0.2.10") as worker:
            before = worker.post(URL, json=intake()).status_code
            redis.stop()
            during = [worker.post(URL, json=intake()).status_code for _ in range(3)]
            redis.start()
            after = [worker.post(URL, json=intake()).status_code for _ in range(3)]
    finally:
        redis.stop()
    assert (before, during) == (201, [201, 201, 201])
    assert after == [201, 201, 429]  # counted again, in the new server's empty window
    said = _warnings(caplog)
    assert said == [
        "intake rate limit store did not answer (redis.exceptions.ConnectionError):"
        " intakes go uncounted until it does",
        "intake rate limit store answers again: intakes are counted",
    ]
    assert not [w for w in said if "s3cret-zq" in w or "127.0.0.1" in w]


def test_a_store_that_hangs_lets_the_patient_through(database, caplog):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        hanging = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with caplog.at_level(logging.WARNING), _worker(database, hanging, "192.0.2.9") as worker:
            started = time.monotonic()
            assert worker.post(URL, json=intake()).status_code == 201
            assert time.monotonic() - started < 2  # the store's timeout is 0.5 s
    assert _warnings(caplog)[1:] == [
        "intake rate limit store did not answer (TimeoutError): intakes go uncounted until it does"
    ]


@pytest.mark.parametrize(
    "storage",
    [
        "memcached://cache:11211",
        "redis",
        "/tmp/limits",
        "REDIS://cache:6379/0",
        "redis://:s3cret-zq@cache:notaport/0",
    ],
)
def test_an_unknown_store_is_refused_at_start(storage):
    with pytest.raises(ValidationError, match="intake_rate_limit_storage") as refused:
        Settings(intake_rate_limit_storage=storage)
    assert "s3cret-zq" not in str(refused.value)


@pytest.mark.parametrize(
    "storage", ["memory://", "redis://cache:6379/0", "rediss://cache", "redis+unix:///run/r.sock"]
)
def test_memory_and_redis_stores_are_taken(storage):
    assert Settings(intake_rate_limit_storage=storage).intake_rate_limit_storage == storage


def test_a_redis_store_without_the_redis_extra_says_what_to_install(monkeypatch):
    monkeypatch.setattr("referrals.config.find_spec", lambda name: None)
    with pytest.raises(ValidationError, match=r"pip install 'referrals\[redis\]'") as refused:
        Settings(intake_rate_limit_storage="redis://:s3cret-zq@cache:6379/0")
    assert "s3cret-zq" not in str(refused.value)  # a password in the URL is not shown
    assert Settings(intake_rate_limit_storage="memory://")


def test_a_store_that_cannot_be_made_stops_the_start_without_its_url(monkeypatch):
    def unusable(uri: str, **_) -> None:
        raise ConfigurationError(f"Unable to parse storage uri {uri}")

    monkeypatch.setattr("limits.storage.storage_from_string", unusable)
    with pytest.raises(ConfigurationError) as refused:
        IntakeRateLimit("2/minute", "redis://:s3cret-zq@cache:6379/0")
    assert str(refused.value) == "Unable to parse storage uri REFERRALS_INTAKE_RATE_LIMIT_STORAGE"
