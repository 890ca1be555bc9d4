"""The threads that run the application's hot reads, each in a session of its own."""

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referrals.db import POOL_CONNECTIONS

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
    every row), at a cost in CPU. PostgreSQL's work is the server's: as many as the engine
    has connections.
    """

    def __init__(
        self, engine: Engine, sessions: Callable[[], AbstractContextManager[Session]]
    ) -> None:
        """Reads on `engine`, each in a session of `sessions()` (a `sessionmaker`)."""
        sqlite = engine.dialect.name == "sqlite"
        self._sessions = sessions
        self._threads = ThreadPoolExecutor(
            CPUS if sqlite else POOL_CONNECTIONS, thread_name_prefix="referrals-read"
        )

    async def read(self, service: Callable[..., T], /, **kwargs) -> T:
        """`service(session, **kwargs)`'s answer; the session's connection is back in the
        pool before the answer is."""

        def run() -> T:
            with self._sessions() as session:
                return service(session, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._threads, run)
