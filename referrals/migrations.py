"""Running the Alembic migrations from code (the CLI, the app's start, the tests)."""

from alembic.config import Config
from sqlalchemy import Connection

from alembic import command
from referrals.config import PROJECT_ROOT
from referrals.db import make_engine, normalize_url

# Held by a migration until it commits: instances starting together (each `referrals serve`
# migrates first) would otherwise all find the database behind and create the same tables.
# Every migration runs in that one transaction: one that needs Alembic's autocommit_block
# (PostgreSQL's CREATE INDEX CONCURRENTLY) would need a session-level lock instead.
_ONE_AT_A_TIME = {
    "sqlite": "BEGIN IMMEDIATE",  # the database's write lock
    "postgresql": "SELECT pg_advisory_xact_lock(hashtext('referrals migrations'))",
}


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """The project's Alembic config, aimed at `url` or at an open connection."""
    config = Config(PROJECT_ROOT / "alembic.ini")
    if url is not None:
        config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema, one process at a time."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(_ONE_AT_A_TIME[connection.dialect.name])
            command.upgrade(alembic_config(connection=connection), "head")
            connection.commit()
    finally:
        engine.dispose()
