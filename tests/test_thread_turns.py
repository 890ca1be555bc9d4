"""Turns in threads: on SQLite, writes (`call_and_commit`) run one at a time and reads
(`Readers`) as many at once as there are CPUs, each thread on a connection of its own; on
PostgreSQL, side by side, on connections from the pool."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from referrals import readers
from referrals.db import make_sessionmaker
from referrals.deps import call_and_commit
from referrals.main import create_app
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


@pytest.fixture
def new_readers(engine, monkeypatch) -> Iterator[Callable[[int], Readers]]:
    """`new_readers(cpus)`: the engine's readers on a machine of `cpus` CPUs, closed after
    the test."""
    made = []

    def new(cpus: int) -> Readers:
        monkeypatch.setattr(readers, "CPUS", cpus)
        made.append(Readers(engine))
        return made[-1]

    yield new
    for reader in made:
        reader.close()


def _reader(reader: Readers) -> Callable:
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


def test_reads_run_as_many_at_once_as_there_are_cpus_on_sqlite(engine, new_readers):
    read = _reader(new_readers(2))
    probe, after_failures = Probe(), Probe()
    _calls(engine, probe, failing=2, call_with=read)
    _calls(engine, after_failures, call_with=read)
    assert probe.most == after_failures.most == (CALLS if SERVER_URL else 2)


def _ended(engine, connection: Connection) -> bool:
    """The read's session has ended: on PostgreSQL its connection is back in the pool; on
    SQLite, where the thread keeps it, no transaction is left open on it."""
    if SERVER_URL:
        return engine.pool.checkedout() == 0
    return not connection.in_transaction()


def test_a_read_ends_its_session_before_its_answer(engine, new_readers):
    reader = new_readers(2)

    async def read() -> Connection:
        return await reader.read(lambda s: s.connection())

    assert _ended(engine, _run(read))


def test_a_read_cancelled_while_it_runs_still_ends_its_session(engine, new_readers):
    reader = new_readers(2)
    started, go_on = threading.Event(), threading.Event()
    connections = []

    def slow(session) -> None:
        connections.append(session.connection())
        started.set()
        go_on.wait(5)

    async def cancelled() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(reader.read, slow)
            await anyio.to_thread.run_sync(started.wait, 5)
            group.cancel_scope.cancel()
        assert not _ended(engine, connections[0])  # the thread still reads
        go_on.set()
        with anyio.fail_after(5):
            while not _ended(engine, connections[0]):
                await anyio.sleep(0.01)

    _run(cancelled)


@pytest.mark.skipif(bool(SERVER_URL), reason="PostgreSQL's readers take from the pool")
def test_a_sqlite_reader_keeps_its_connection_until_closed(engine, new_readers):
    reader = new_readers(1)

    def driver_connection(session):
        return session.connection().connection.dbapi_connection

    async def two_reads() -> list:
        return [await reader.read(driver_connection) for _ in range(2)]

    first, second = _run(two_reads)
    assert first is second
    assert engine.pool.checkedout() == 1
    reader.close()
    assert engine.pool.checkedout() == 0


@pytest.mark.skipif(bool(SERVER_URL), reason="PostgreSQL's readers take from the pool")
def test_the_app_gives_its_readers_connections_back_when_it_stops(settings):
    app = create_app(settings)
    with TestClient(app) as client:
        bad_key = {"Authorization": "Bearer not-a-key"}
        response = client.get("/api/v1/matches?postal_code=10001", headers=bad_key)
        assert response.status_code == 401  # the key is checked in a reader thread
        assert app.state.engine.pool.checkedout() == 1
    assert app.state.engine.pool.checkedout() == 0
    app.state.engine.dispose()
