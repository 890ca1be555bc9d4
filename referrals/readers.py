"""Where the application's hot reads run: in processes of their own, each in a session.

A search is CPU work in Python and, on SQLite, in the driver. In threads of the server's
own process, that work took turns for the GIL with the event loop, and a search cost the
server a third more CPU than the same work in the loop alone. So a read runs in a reader
process, as many of them as the machine has CPUs, each with its own engine: the event loop
only sends the read and takes its answer, and never waits behind a search.

A read is a module-level function of a session and picklable keywords, and its answer and
its errors cross back pickled (the application's errors, and validation and database
errors, all do). Its session opens and ends in the reader process, so a request cancelled
while the read runs leaves nothing half done there.

Reads run in threads instead, on the server's own engine, where no other process could
open the database (SQLite in memory) and when a test gives its own sessions.
"""

import asyncio
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from referrals.db import POOL_CONNECTIONS, make_engine, make_sessionmaker
from referrals.errors import ServiceUnavailable

CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
T = TypeVar("T")

# the reader process's sessions, opened by `_start_reader`
_sessions: sessionmaker[Session] | None = None


def _end_with_the_server() -> None:
    multiprocessing.parent_process().join()
    os._exit(0)


def _start_reader(database_url: str, warm: Callable[[], None]) -> None:
    """A reader process's start: its engine, `warm()`, Ctrl-C left to the server, and an
    end of its own if the server is killed.

    A terminal's Ctrl-C reaches every process of its group; the server stops the readers
    itself, after the reads under way. A server killed outright (SIGKILL, out of memory)
    stops nothing: its readers would wait for reads forever.
    """
    global _sessions
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_the_server, name="server-watch", daemon=True).start()
    _sessions = make_sessionmaker(make_engine(database_url))
    warm()
    gc.collect()
    gc.freeze()  # as the server does: what is loaded by now lives as long as the process


def _read(
    service: Callable[..., T],
    kwargs: dict,
    sessions: Callable[[], AbstractContextManager[Session]] | None = None,
) -> T:
    """`service(session, **kwargs)` in a session of `sessions`, or of the reader process."""
    with (sessions or _sessions)() as session:
        return service(session, **kwargs)


def _nothing() -> None:
    """What the readers are first given: they start, and are ready for the first search."""


def _shares_its_database(engine: Engine) -> bool:
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


class Readers:
    """Runs a read in a reader process (or a thread: see the module), in a session that
    opens and ends there."""

    def __init__(
        self,
        engine: Engine,
        sessions: Callable[[], AbstractContextManager[Session]] | None = None,
        *,
        warm: Callable[[], None] = _nothing,
    ) -> None:
        """Reads on `engine`'s database; `sessions()` opens each session instead, if given
        (a test's, inside its transaction), in a thread. A reader process calls `warm()`
        (module-level) once, before its first read."""
        self._url = engine.url.render_as_string(hide_password=False)
        self._warm = warm
        self._processes: ProcessPoolExecutor | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._sessions = sessions
        if sessions is None and not _shares_its_database(engine):
            self._sessions = make_sessionmaker(engine)
        if self._sessions is not None:
            self._threads = ThreadPoolExecutor(
                POOL_CONNECTIONS, thread_name_prefix="referrals-read"
            )
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the reader processes now, rather than at the first read (at startup)."""
        if self._threads is None:
            readers = self._executor()
            for _ in range(CPUS):
                readers.submit(_nothing)

    async def read(self, service: Callable[..., T], /, **kwargs) -> T:
        """`service(session, **kwargs)`'s answer; the session has ended (and its connection
        is back in its pool) before the answer is given.

        503 if a reader process died during the read (killed, out of memory): the readers
        are started anew for the next read.
        """
        loop = asyncio.get_running_loop()
        if self._threads is not None:
            return await loop.run_in_executor(self._threads, _read, service, kwargs, self._sessions)
        readers = self._executor()
        try:
            return await loop.run_in_executor(readers, _read, service, kwargs)
        except BrokenProcessPool as exc:
            self._replace(readers)
            raise ServiceUnavailable("The search was interrupted; please try again.") from exc

    def _executor(self) -> Executor:
        with self._lock:
            if self._processes is None:
                self._processes = ProcessPoolExecutor(
                    CPUS,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_reader,
                    initargs=(self._url, self._warm),
                )
            return self._processes

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._processes is broken:
                self._processes = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the reader processes once the reads under way are answered (at shutdown)."""
        with self._lock:
            processes, self._processes = self._processes, None
        if processes is not None:
            processes.shutdown(wait=True, cancel_futures=True)
        if self._threads is not None:
            self._threads.shutdown(wait=True)
