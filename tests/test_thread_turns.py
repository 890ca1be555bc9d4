"""Turns in threads: on SQLite, writes (`call_and_commit`) run one at a time; on PostgreSQL,
side by side, on connections from the pool."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import anyio
import pytest

from referrals.db import make_sessionmaker
from referrals.deps import call_and_commit
from tests.conftest import SERVER_URL

CALLS = 4
WAIT_SECONDS = 0.5


class Probe:
    """A service that counts how many of its calls run at once, and may fail."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.lock = threading.Lock()
        self.all_in = threading.Barrier(CALLS)

    def __call__(self, session, *, fail: bool = False) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            self.all_in.wait(WAIT_SECONDS)  # side by side, all get here; one at a time, none
        except threading.BrokenBarrierError:
            pass
        finally:
            with self.lock:
                self.running -= 1
        if fail:
            raise RuntimeError("the service failed")


async def _write(engine, probe: Probe, fail: bool) -> None:
    with make_sessionmaker(engine)() as session:
        await call_and_commit(session, probe, fail=fail)


def _calls(engine, probe: Probe, *, failing: int = 0, call_with: Callable = _write) -> None:
    """`CALLS` calls at once on a new event loop, the first `failing` of them failing."""

    async def call(n: int) -> None:
        expected = pytest.raises(RuntimeError) if n < failing else nullcontext()
        with expected:
            await call_with(engine, probe, fail=n < failing)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for n in range(CALLS):
                group.start_soon(call, n)

    _run(main)


def test_calls_run_one_at_a_time_on_sqlite_only(engine):
    probe = Probe()
    _calls(engine, probe)
    assert probe.most == (CALLS if SERVER_URL else 1)


def test_a_failed_call_hands_on_its_turn_on_every_event_loop(engine):
    first, second = Probe(), Probe()
    _calls(engine, first, failing=2)
    _calls(engine, second)
    assert first.most == second.most == (CALLS if SERVER_URL else 1)


def _run(coroutine_function):
    # a thread of its own: the browser tests leave an event loop on this one
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, coroutine_function).result()
