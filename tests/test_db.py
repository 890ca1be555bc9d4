"""SQLite write transactions of one engine take turns in the process, and always hand it on."""

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from referrals import migrations
from referrals.auth import service as auth
from referrals.auth.models import ApiKey, Role
from referrals.db import lock_for_write, make_engine, make_sessionmaker
from tests.conftest import SERVER_URL

pytestmark = pytest.mark.skipif(SERVER_URL is not None, reason="SQLite's write lock")

WRITERS = 8
WRITES = 25


@pytest.fixture
def impatient(new_database_url) -> Iterator[Engine]:
    """An engine whose connections never wait in SQLite's busy handler: busy is an error."""
    url = new_database_url()
    migrations.upgrade(url)
    engine = make_engine(url)
    event.listen(
        engine, "connect", lambda connection, _: connection.execute("PRAGMA busy_timeout=0")
    )
    yield engine
    engine.dispose()


def _write(session: Session) -> None:
    lock_for_write(session)
    total = session.scalar(select(func.count()).select_from(ApiKey))
    auth.create_key(session, name=f"key {total}", role=Role.staff)


def _write_and_commit(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _write(session)


def test_concurrent_writers_wait_for_their_turn_not_for_sqlite(impatient):
    sessions = make_sessionmaker(impatient)

    def writer(_) -> None:
        for _ in range(WRITES):
            _write_and_commit(sessions)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))

    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ApiKey)) == WRITERS * WRITES


def _commit(session: Session) -> None:
    session.commit()


def _roll_back(session: Session) -> None:
    session.rollback()


def _fail(session: Session) -> None:
    session.execute(text("SELECT * FROM no_such_table"))


def _leave_open(session: Session) -> None:
    """The session is closed with its transaction still open, as when a request is cancelled."""


@pytest.mark.parametrize("end", [_commit, _roll_back, _fail, _leave_open])
def test_a_write_transaction_hands_the_turn_on_however_it_ends(impatient, end: Callable):
    sessions = make_sessionmaker(impatient)
    with contextlib.suppress(OperationalError), sessions() as session:
        _write(session)
        with ThreadPoolExecutor(1) as other_thread:  # a request may end in another thread
            other_thread.submit(end, session).result()

    with sessions() as holder:
        holder.connection()  # keeps the first connection: the next writer opens another
        next_writer = threading.Thread(target=_write_and_commit, args=(sessions,), daemon=True)
        next_writer.start()
        next_writer.join(timeout=2)
        assert not next_writer.is_alive()


def test_the_connection_returned_last_is_handed_out_next(impatient):
    """After a burst opened several, one writer after another gets the same warm one."""
    burst = [impatient.connect() for _ in range(3)]
    returned_last = burst[-1].connection.dbapi_connection
    for connection in burst:
        connection.close()
    handed_out = []
    for _ in range(2):
        with impatient.connect() as connection:
            handed_out.append(connection.connection.dbapi_connection)
    assert handed_out[0] is handed_out[1] is returned_last
