"""The threads that run the application's hot reads, each in a session of its own."""

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from referrals.db import POOL_CONNECTIONS, make_sessionmaker

CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
T = TypeVar("T")


class Readers:
    """Runs a read in one trip to a thread of its own, in a session that opens and ends in
    that thread.

    For a hot route that reads: with the session as a dependency, FastAPI would keep an
    async generator on the event loop for it, and anyio's trip to a thread costs the loop
    several times asyncio's. The session never leaves its thread, so a request cancelled
    while the read runs leaves nothing half done: the thread ends the session all the same.

    On SQLite, which does its work in the calling thread, as many run at once as the
    process has CPUs: more would only take turns for the GIL (the driver lets go of it at
    every row), at a cost in CPU. Each of those threads keeps one connection for all its
    reads (a session still begins and ends on it each time): a trip through the pool and
    back cost a twentieth of a search's time in the server. PostgreSQL's work is the
    server's: as many run at once as the engine has connections, each taken from the pool
    and given back, so that the pool's check on checkout finds a connection the server
    dropped.
    """

    def __init__(
        self,
        engine: Engine,
        sessions: Callable[[], AbstractContextManager[Session]] | None = None,
    ) -> None:
        """Reads on `engine`; `sessions()` opens each session instead, if given (a test's,
        inside its transaction)."""
        sqlite = engine.dialect.name == "sqlite"
        self._engine = engine
        self._sessions = sessions
        self._sessionmaker = make_sessionmaker(engine)
        self._kept: dict[int, Connection] | None = {} if sqlite else None
        self._threads = ThreadPoolExecutor(
            CPUS if sqlite else POOL_CONNECTIONS, thread_name_prefix="referrals-read"
        )

    async def read(self, service: Callable[..., T], /, **kwargs) -> T:
        """`service(session, **kwargs)`'s answer; the session has ended (and on PostgreSQL
        its connection is back in the pool) before the answer is given."""

        def run() -> T:
            with self._session() as session:
                return service(session, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._threads, run)

    def _session(self) -> AbstractContextManager[Session]:
        if self._sessions:
            return self._sessions()
        if self._kept is None:  # PostgreSQL: from the pool
            return self._sessionmaker()
        thread = threading.get_ident()
        if (connection := self._kept.get(thread)) is None:
            connection = self._kept[thread] = self._engine.connect()
        return self._sessionmaker(bind=connection)

    def close(self) -> None:
        """Give the kept connections back to the pool, once no read runs (at shutdown)."""
        while self._kept:
            self._kept.popitem()[1].close()
