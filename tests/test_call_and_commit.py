"""`call_and_commit`: SQLite writes run one at a time, PostgreSQL's side by side."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import anyio

from referrals.db import make_sessionmaker
from referrals.deps import call_and_commit
from tests.conftest import SERVER_URL

CALLS = 6


def _most_at_once(engine) -> int:
    running = 0
    most = 0
    lock = threading.Lock()

    def service(session) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    async def main() -> None:
        sessions = make_sessionmaker(engine)
        async with anyio.create_task_group() as group:
            for _ in range(CALLS):
                group.start_soon(call_and_commit, sessions(), service)

    # a thread of its own: the browser tests leave an event loop on this one
    with ThreadPoolExecutor(1) as thread:
        thread.submit(anyio.run, main).result()
    return most


def test_calls_run_one_at_a_time_on_sqlite_only(engine):
    assert _most_at_once(engine) == (CALLS if SERVER_URL else 1)
