"""Engine, sessions, the declarative base and the portable column types."""

import functools
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Insert,
    MetaData,
    Select,
    Table,
    TypeDecorator,
    create_engine,
    event,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection, CursorResult, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)  # PostgreSQL answers in the session's time zone


E = TypeVar("E", bound=StrEnum)
ModelT = TypeVar("ModelT", bound="Base")


class EnumSet(TypeDecorator[frozenset[E]]):
    """A set of enumeration members stored as an integer bit set.

    Filtering "has any of" or "has all of" is then one integer AND in SQL on every engine,
    with no join or JSON function; member i is bit i, so members are only ever appended.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum
        self._bits = {member: 1 << i for i, member in enumerate(enum)}

    def mask(self, members: Iterable[E | str]) -> int:
        """The bit set of `members`."""
        return sum(self._bits[self.enum(m)] for m in set(members))

    def members(self, mask: int) -> frozenset[E]:
        """The members whose bits are set in `mask`."""
        return frozenset(m for m, bit in self._bits.items() if mask & bit)

    def process_bind_param(self, value: Iterable[E] | None, dialect) -> int | None:
        return None if value is None else self.mask(value)

    def process_result_value(self, value: int | None, dialect) -> frozenset[E] | None:
        return None if value is None else self.members(value)


def has_any(column: InstrumentedAttribute, members: Iterable[StrEnum]) -> ColumnElement[bool]:
    """SQL: the `EnumSet` column holds at least one of `members`."""
    return type_coerce(column, BigInteger).op("&")(column.type.mask(members)) != 0


def has_all(column: InstrumentedAttribute, members: Iterable[StrEnum]) -> ColumnElement[bool]:
    """SQL: the `EnumSet` column holds every one of `members`."""
    mask = column.type.mask(members)
    return type_coerce(column, BigInteger).op("&")(mask) == mask


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


BUSY_TIMEOUT_SECONDS = 5


class _SQLiteConnection(sqlite3.Connection):
    """A connection whose write transactions take turns on a lock shared by its engine.

    SQLite lets one connection write at a time; the others wait in its busy handler, which
    sleeps up to 100 ms between tries. Waiting on a lock in this process instead hands the
    turn over the moment the writer is done. The turn ends with the transaction: commit,
    rollback or close (a connection going back to the pool is rolled back). Writers in other
    processes still wait in the busy handler.
    """

    writers: threading.Lock
    _writing = False

    def take_write_turn(self) -> None:
        """Wait until no other write transaction of this engine is open.

        After the busy timeout it stops waiting here and leaves the wait to SQLite, which
        then reports the database as busy, as it would have without the turn.
        """
        if not self._writing:
            self._writing = self.writers.acquire(timeout=BUSY_TIMEOUT_SECONDS)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_write_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_write_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_write_turn()

    def _end_write_turn(self) -> None:
        if self._writing:
            self._writing = False
            self.writers.release()


# A server's connections per process: SQLAlchemy's defaults, named for `Readers`' threads.
POOL_SIZE, POOL_OVERFLOW = 5, 10
POOL_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the durability settings of SPEC §7 applied on every connection."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "factory": _SQLiteConnection}
        # A connection drops its page cache once another has written. Writes take turns, so
        # handing out the connection returned last keeps the writer's cache warm (after a
        # burst of searches had opened more, intakes ran ~15 % slower, round the pool). An
        # in-memory database has one connection per thread and no pool to order.
        in_memory = make_url(url).database in (None, "", ":memory:")
        pool = {} if in_memory else {"pool_use_lifo": True}
        engine = create_engine(url, connect_args=connect_args, **pool, **kwargs)
        writers = threading.Lock()

        def connect(dbapi_connection: _SQLiteConnection, _record) -> None:
            dbapi_connection.writers = writers
            _sqlite_pragmas(dbapi_connection)

        event.listen(engine, "connect", connect)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, **kwargs
    )


# Reads map the file instead of copying pages through system calls: ~20 % off a search.
SQLITE_MMAP_BYTES = 1 << 30


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}",
        f"mmap_size={SQLITE_MMAP_BYTES}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    """Open the transaction a SAVEPOINT belongs to.

    The sqlite3 driver begins transactions only for writes; a SAVEPOINT it sees first runs as
    its own transaction, whose RELEASE commits: nothing after could roll its writes back.
    """
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def insert_rows(session: Session, model: type[Base], rows: dict | list[dict]) -> CursorResult:
    """INSERT rows of `model` with one Core statement, for rows the session won't change.

    On hot paths (the intake, the audit log) the unit of work costs about three times the
    INSERT itself. Pending objects are flushed first: the rows may refer to them.
    """
    session.flush()
    return session.connection().execute(_insert(model.__table__), rows)


@functools.cache
def _insert(table: Table) -> Insert:
    return insert(table)


def driver_execute(session: Session, statement: str, params: Sequence | Mapping = ()):
    """Run `statement` on a DB-API cursor in the session's transaction; the cursor, to fetch.

    For the few hot statements (authentication, matching, the intake's age lookup) where
    SQLAlchemy's work per statement costs more than the query itself; they are plain SQL,
    in each engine's parameter style. A driver error is raised as SQLAlchemy's, so it is
    answered like any other (503 while the database is away), without the statement's
    parameters.
    """
    connection = session.connection()
    dialect = connection.dialect
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(statement, params)
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            statement,
            params,
            exc,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=dialect.is_disconnect(exc, connection.connection, cursor),
            dialect=dialect,
        ) from exc
    return cursor


def page_of(
    session: Session, query: Select, *order: ColumnElement, limit: int, offset: int
) -> tuple[list, int]:
    """One page of `query`'s rows in `order`, and the count of all its rows, read by one
    statement: read by two, rows written in between made the count disagree with the page."""
    count = select(func.count()).select_from(query.subquery())
    page = query.add_columns(count.scalar_subquery()).order_by(*order).limit(limit).offset(offset)
    rows = session.execute(page).unique().all()
    if not rows:  # past the end: no row carries the count
        return [], session.scalar(count) or 0
    return [row[0] for row in rows], rows[0][1]


def get_for_update(session: Session, model: type[ModelT], key: object) -> ModelT | None:
    """The row of `model` with this primary key, locked until the transaction ends: the
    calls that read it, decide, then write, take turns (a plain read could be stale by the
    time of the write). SQLite has no row locks: its write lock is taken instead. Only the
    row of `model` is locked: PostgreSQL refuses FOR UPDATE of the rows an eager load joins
    to it (the nullable side of an outer join)."""
    lock_for_write(session)
    return session.get(model, key, with_for_update={"of": model})


def lock_for_write(session: Session) -> None:
    """Take SQLite's write lock at the start of a transaction that writes.

    Otherwise two transactions that read, then write, may both read, and the second's write
    fails at once (SQLITE_BUSY_SNAPSHOT); and a write that finds the lock taken waits in
    SQLite's busy handler rather than for its turn in this process. PostgreSQL needs nothing.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver_connection = connection.connection.driver_connection
    if not driver_connection.in_transaction:
        driver_connection.take_write_turn()
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# A standby, or a server whose sessions are read-only, fails as a write would there.
_POSTGRESQL_WRITABLE = """DO $$ BEGIN
    IF pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION 'the database takes no writes' USING ERRCODE = 'read_only_sql_transaction';
    END IF;
END $$"""


def check_writable(connection: Connection) -> None:
    """Raise the driver's error if the database refuses writes: a read-only file or mount,
    a standby server. It takes no lock and waits for no writer: a database busy with a
    long write (a seed, a migration) takes writes, after it.
    """
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(_POSTGRESQL_WRITABLE)
        return
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        # a write that changes nothing: SQLite answers a SELECT without opening the file
        connection.exec_driver_sql("DELETE FROM alembic_version WHERE 0")
    except OperationalError as exc:
        if not exc.orig.sqlite_errorname.startswith("SQLITE_BUSY"):
            raise
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
