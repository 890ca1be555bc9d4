"""The intake's rate limit, counted in a store that several workers share, or in memory.

Two apps on one database stand for two workers. The shared-store test needs a Redis:
REFERRALS_TEST_REDIS_URL names one (CI starts it); without it that test is skipped.
"""

import logging
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from referrals import migrations
from referrals.config import Settings
from referrals.main import create_app
from tests.intake.payloads import intake

URL = "/api/v1/referral-requests"
REDIS_URL = os.environ.get("REFERRALS_TEST_REDIS_URL")


@pytest.fixture(scope="module")
def database(new_database_url) -> str:
    url = new_database_url()
    migrations.upgrade(url)
    return url


def _worker(database: str, storage: str, client: str) -> TestClient:
    settings = Settings(
        database_url=database, intake_rate_limit="2/minute", intake_rate_limit_storage=storage
    )
    return TestClient(create_app(settings), client=(client, 50000))


@pytest.mark.skipif(REDIS_URL is None, reason="REFERRALS_TEST_REDIS_URL names no Redis")
def test_workers_sharing_a_redis_count_one_limit(database):
    client = f"198.51.100.{uuid.uuid4().int % 250}"  # a fresh window in the shared store
    first, second = (_worker(database, REDIS_URL, client) for _ in range(2))
    with first, second:
        answers = [first.post(URL, json=intake()).status_code for _ in range(2)]
        answers.append(second.post(URL, json=intake()).status_code)
        assert answers == [201, 201, 429]
        # the window is the address's: another address still gets through
        other = _worker(database, REDIS_URL, f"203.0.113.{uuid.uuid4().int % 250}")
        with other:
            assert other.post(URL, json=intake()).status_code == 201


def test_workers_counting_in_memory_each_allow_the_rate(database):
    first, second = (_worker(database, "memory://", "192.0.2.7") for _ in range(2))
    with first, second:
        answers = [first.post(URL, json=intake()).status_code for _ in range(3)]
        answers.append(second.post(URL, json=intake()).status_code)
    assert answers == [201, 201, 429, 201]


def test_a_store_that_does_not_answer_lets_the_patient_through(database, caplog):
    away = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with _worker(database, away, "192.0.2.8") as worker, caplog.at_level(logging.WARNING):
        answers = [worker.post(URL, json=intake()).status_code for _ in range(3)]
    assert answers == [201, 201, 201]
    warnings = [r.getMessage() for r in caplog.records if r.name == "referrals.intake.ratelimit"]
    assert warnings and all("did not answer" in w and "127.0.0.1" not in w for w in warnings)


@pytest.mark.parametrize("storage", ["memcached://cache:11211", "redis", "/tmp/limits"])
def test_an_unknown_store_is_refused_at_start(storage):
    with pytest.raises(ValidationError, match="intake_rate_limit_storage"):
        Settings(intake_rate_limit_storage=storage)
