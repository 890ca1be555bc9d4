"""`call_and_commit` and `call_and_end`: on SQLite, writes run one at a time and reads as
many at once as there are CPUs; on PostgreSQL, side by side."""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import anyio
import pytest

from referrals import deps
from referrals.auth.models import Role
from referrals.db import make_sessionmaker
from referrals.deps import KeyCheck, call_and_commit, call_and_end
from referrals.errors import Unauthorized
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


class Anyone:
    """A key check that lets every call through."""

    def caller(self, session) -> None:
        return None


async def _read(session, service, **kwargs):
    return await call_and_end(session, Anyone(), service, **kwargs)


def _calls(engine, probe: Probe, *, failing: int = 0, caller=call_and_commit) -> None:
    """`CALLS` calls at once on a new event loop, the first `failing` of them failing."""

    async def call(n: int) -> None:
        expected = pytest.raises(RuntimeError) if n < failing else nullcontext()
        with make_sessionmaker(engine)() as session, expected:
            await caller(session, probe, fail=n < failing)

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


def test_reads_run_as_many_at_once_as_there_are_cpus_on_sqlite(engine, monkeypatch):
    monkeypatch.setattr(deps, "CPUS", 2)
    probe, after_failures = Probe(), Probe()
    _calls(engine, probe, failing=2, caller=_read)
    _calls(engine, after_failures, caller=_read)
    assert probe.most == after_failures.most == (CALLS if SERVER_URL else 2)


def _run(coroutine_function):
    # a thread of its own: the browser tests leave an event loop on this one
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, coroutine_function).result()


def test_a_read_ends_its_transaction(engine):
    async def read() -> bool:
        with make_sessionmaker(engine)() as session:
            await _read(session, lambda s: s.connection())
            return session.in_transaction()

    assert _run(read) is False


def test_a_read_runs_only_for_a_caller_whose_key_passes(engine):
    ran = []

    async def read() -> None:
        with make_sessionmaker(engine)() as session, pytest.raises(Unauthorized):
            await call_and_end(session, KeyCheck(None, Role.staff), ran.append)

    _run(read)
    assert ran == []
