"""Duplicates that arrive at the same moment, over real HTTP, store one request."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2
from sqlalchemy import func, select

from referrals.db import make_engine, make_sessionmaker
from referrals.intake.models import ReferralRequest
from tests.intake.payloads import intake

CLIENTS = 32


def test_32_simultaneous_posts_with_one_key_store_one_request(live_server):
    start = threading.Barrier(CLIENTS)
    body = intake()

    def post(_):
        with httpx2.Client(base_url=live_server.url, timeout=30) as client:
            start.wait()
            return client.post(
                "/api/v1/referral-requests", json=body, headers={"Idempotency-Key": "double-tap"}
            )

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(post, range(CLIENTS)))

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    engine = make_engine(live_server.database_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ReferralRequest)) == 1
    engine.dispose()
