"""Intakes that arrive at the same moment: duplicates store one request, others all succeed."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from referrals import migrations, phi
from referrals.config import Settings
from referrals.db import make_engine, make_sessionmaker
from referrals.intake.models import ReferralRequest
from referrals.main import create_app
from tests.conftest import SERVER_URL
from tests.intake.payloads import intake

CLIENTS = 32
URL = "/api/v1/referral-requests"


def test_32_simultaneous_posts_with_one_key_store_one_request(live_server):
    start = threading.Barrier(CLIENTS)
    body = intake()

    def post(_):
        with httpx2.Client(base_url=live_server.url, timeout=30) as client:
            start.wait()
            return client.post(URL, json=body, headers={"Idempotency-Key": "double-tap"})

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(post, range(CLIENTS)))

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    engine = make_engine(live_server.database_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ReferralRequest)) == 1
    engine.dispose()


@pytest.mark.skipif(SERVER_URL is not None, reason="SQLite's write lock")
def test_simultaneous_intakes_take_turns_in_the_process_not_in_sqlite(new_database_url):
    url = new_database_url()
    migrations.upgrade(url)
    settings = Settings(database_url=url, phi_key=phi.new_key(), intake_rate_limit="1000/minute")
    app = create_app(settings)
    # SQLite may not wait for its write lock: a writer that finds it taken fails (503)
    event.listen(
        app.state.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=0")
    )
    start = threading.Barrier(CLIENTS)

    def post(client: TestClient, n: int):
        start.wait()
        return client.post(URL, json=intake(), headers={"Idempotency-Key": f"burst-{n}"})

    with TestClient(app) as client, ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda n: post(client, n), range(CLIENTS)))

    assert [a.status_code for a in answers] == [201] * CLIENTS
    with app.state.sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(ReferralRequest)) == CLIENTS
    app.state.engine.dispose()
