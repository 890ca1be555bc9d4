"""SIGKILL mid-load: after a restart on the same database, every 201 is there exactly once."""

import time

import pytest

from tests.faults.support import (
    CONNECTION_ERROR,
    IntakeLoad,
    Server,
    answers,
    assert_each_acknowledged_exactly_once,
    assert_logs_hold_no_phi,
)

INTAKES, CONCURRENCY, KILL_AFTER = 500, 20, 150


@pytest.mark.faults
def test_acknowledged_intakes_survive_sigkill_and_retries_store_nothing_twice(
    new_database_url, tmp_path
):
    server = Server(new_database_url(), tmp_path / "server.log")
    server.start()
    try:
        with IntakeLoad(server.url, count=INTAKES, concurrency=CONCURRENCY) as load:
            load.wait_for(KILL_AFTER)
            server.kill()
            killed_at = time.monotonic()
            server.start()
            restarted_in = time.monotonic() - killed_at
            outcomes = load.outcomes()
    finally:
        server.stop()

    seen = answers(outcomes)
    print(f"\nSIGKILL after {KILL_AFTER} acks; back in {restarted_in:.1f} s; answers {dict(seen)}")
    assert_each_acknowledged_exactly_once(outcomes, server.database_url)
    assert seen[CONNECTION_ERROR] > 0  # the kill happened under load
    assert set(seen) <= {201, 503, CONNECTION_ERROR}
    lines = assert_logs_hold_no_phi(server, outcomes)
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")]
