"""PostgreSQL restarted mid-load: 503s while it is away, no 500, recovery without a restart."""

import shutil
import subprocess
import time

import httpx2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from referrals.db import normalize_url
from tests.conftest import SERVER_URL
from tests.faults.support import (
    CONNECTION_ERROR,
    IntakeLoad,
    Server,
    answers,
    assert_each_acknowledged_exactly_once,
    assert_logs_hold_no_phi,
)

INTAKES, CONCURRENCY, OUTAGE_AFTER = 500, 20, 150
OUTAGE_SECONDS = 3  # between the stop and the start: long enough for every client to notice
PACE_SECONDS = 0.3  # per client between intakes: the run lasts ~8 s, so the outage is mid-run
RECOVERY_SECONDS = 30


def _cluster() -> list[str] | None:
    """`pg_ctlcluster` arguments of the local cluster under test, if this process may use them."""
    url = make_url(normalize_url(SERVER_URL))
    if url.host not in ("127.0.0.1", "localhost") or shutil.which("pg_lsclusters") is None:
        return None
    port = str(url.port or 5432)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    for version, name, cluster_port, *_ in (line.split() for line in listing.stdout.splitlines()):
        if cluster_port == port:
            return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
    return None


def _readiness(url: str, *, seconds: float) -> list[int]:
    """`/readyz` status codes, probed every 0.2 s for `seconds`."""
    codes, until = [], time.monotonic() + seconds
    while time.monotonic() < until:
        codes.append(httpx2.get(f"{url}/readyz", timeout=5).status_code)
        time.sleep(0.2)
    return codes


def _wait_until_accepting(timeout: float = 60) -> None:
    engine = create_engine(normalize_url(SERVER_URL), pool_pre_ping=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        engine.dispose()


@pytest.mark.faults
@pytest.mark.skipif(SERVER_URL is None, reason="restarts PostgreSQL: runs on the PostgreSQL suite")
def test_a_database_restart_costs_503s_only_and_the_service_recovers_by_itself(
    new_database_url, tmp_path
):
    cluster = _cluster()
    if cluster is None:
        pytest.skip("needs the local cluster's pg_ctlcluster (as root or postgres)")
    server = Server(new_database_url(), tmp_path / "server.log")
    server.start()
    try:
        with IntakeLoad(
            server.url,
            count=INTAKES,
            concurrency=CONCURRENCY,
            max_backoff=0.5,
            pace=PACE_SECONDS,
        ) as load:
            load.wait_for(OUTAGE_AFTER)
            try:
                subprocess.run([*cluster, "stop"], check=True, capture_output=True, timeout=60)
                readiness_while_down = _readiness(server.url, seconds=OUTAGE_SECONDS)
            finally:
                subprocess.run([*cluster, "start"], check=True, capture_output=True, timeout=60)
                _wait_until_accepting()
            back_at = time.monotonic()
            outcomes = load.outcomes()
        ready_after = httpx2.get(f"{server.url}/readyz", timeout=5).status_code
        still_the_same_process = server.process.poll() is None
    finally:
        server.stop()

    seen = answers(outcomes)
    recovered_in = min(o.acknowledged_at for o in outcomes if o.acknowledged_at > back_at) - back_at
    print(f"\nPostgreSQL down {OUTAGE_SECONDS} s after {OUTAGE_AFTER} acks; answers {dict(seen)};")
    print(f"first 201 {recovered_in:.2f} s after PostgreSQL accepted connections again")
    assert still_the_same_process
    assert set(readiness_while_down) == {503}
    assert ready_after == 200
    assert_each_acknowledged_exactly_once(outcomes, server.database_url)
    assert seen[503] > 0  # the outage was seen ...
    assert set(seen) == {201, 503}  # ... as 503s only: no 500, no dropped connection
    assert seen[CONNECTION_ERROR] == 0
    assert recovered_in < RECOVERY_SECONDS
    lines = assert_logs_hold_no_phi(server, outcomes)
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")]
