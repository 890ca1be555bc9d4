"""A throwaway database: a SQLite file in a temporary folder, or a fresh PostgreSQL database.

Either is migrated to the newest schema and removed when the `with` block ends, errors
included.
"""

import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from referrals import migrations
from referrals.db import normalize_url


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    engine: str  # "sqlite" or "postgresql"
    version: str


def _server(url: str) -> Engine:
    return create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")


@contextmanager
def _sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="referrals-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def _postgresql(server_url: str) -> Iterator[str]:
    name = f"referrals_bench_{uuid.uuid4().hex[:12]}"
    server = _server(server_url)
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield (
                make_url(normalize_url(server_url))
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


def _postgresql_version(url: str) -> str:
    engine = _server(url)
    try:
        with engine.connect() as connection:
            server = connection.execute(text("SHOW server_version")).scalar_one()
            postgis = connection.execute(text("SELECT postgis_lib_version()")).scalar_one()
    finally:
        engine.dispose()
    return f"PostgreSQL {server.split()[0]}, PostGIS {postgis}"


@contextmanager
def bench_database(server_url: str | None) -> Iterator[BenchDatabase]:
    """A migrated, empty database: on the PostgreSQL server at `server_url`, or SQLite."""
    if server_url is not None and not normalize_url(server_url).startswith("postgresql"):
        raise ValueError("--database-url must be a postgresql:// server URL")
    with _sqlite() if server_url is None else _postgresql(server_url) as url:
        migrations.upgrade(url)
        if server_url is None:
            yield BenchDatabase(url, "sqlite", f"SQLite {sqlite3.sqlite_version}")
        else:
            yield BenchDatabase(url, "postgresql", _postgresql_version(url))
