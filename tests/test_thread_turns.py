"""Turns in threads: on SQLite, writes (`call_and_commit`) run one at a time and reads
(`Readers`) as many at once as there are CPUs; on PostgreSQL, side by side."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import anyio
import pytest

from referrals import readers
from referrals.db import make_sessionmaker
from referrals.deps import call_and_commit
from referrals.readers import Readers
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


def _reader(engine) -> Callable:
    reader = Readers(engine, make_sessionmaker(engine))

    async def read(engine, probe: Probe, fail: bool) -> None:
        await reader.read(probe, fail=fail)

    return read


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


def test_reads_run_as_many_at_once_as_there_are_cpus_on_sqlite(engine, monkeypatch):
    monkeypatch.setattr(readers, "CPUS", 2)
    read = _reader(engine)
    probe, after_failures = Probe(), Probe()
    _calls(engine, probe, failing=2, call_with=read)
    _calls(engine, after_failures, call_with=read)
    assert probe.most == after_failures.most == (CALLS if SERVER_URL else 2)


def test_a_read_gives_its_connection_back_before_its_answer(engine):
    async def read() -> int:
        return await Readers(engine, make_sessionmaker(engine)).read(lambda s: s.connection())

    _run(read)
    assert engine.pool.checkedout() == 0


def test_a_read_cancelled_while_it_runs_still_gives_its_connection_back(engine):
    started, go_on = threading.Event(), threading.Event()

    def slow(session) -> None:
        session.connection()
        started.set()
        go_on.wait(5)

    async def cancelled() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(Readers(engine, make_sessionmaker(engine)).read, slow)
            await anyio.to_thread.run_sync(started.wait, 5)
            group.cancel_scope.cancel()
        assert engine.pool.checkedout() == 1  # the thread still holds it
        go_on.set()
        with anyio.fail_after(5):
            while engine.pool.checkedout():
                await anyio.sleep(0.01)

    _run(cancelled)
