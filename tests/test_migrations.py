"""The migrations are the only source of schema: they round-trip and match the models."""

import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from alembic import command
from referrals.db import make_engine
from referrals.geo.spatial import TEAM_CELLS, TEAM_PLACES, TEAM_PLACES_INDEX, TEAM_RTREE
from referrals.migrations import alembic_config
from referrals.models import Base
from tests.builders import make_care_team

# The revision before the one that builds `team_cells` from the teams already there.
BEFORE_TEAM_CELLS = "2f6d8a0c4e13"


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trips(new_database_url):
    url = new_database_url()
    config = alembic_config(url=url)
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= _tables(url)
    command.downgrade(config, "base")
    assert not set(Base.metadata.tables) & _tables(url)
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= _tables(url)


def test_models_and_migrations_do_not_drift(database_url):
    command.check(alembic_config(url=database_url))


def test_migrations_create_the_spatial_index_of_the_engine(engine):
    inspector = inspect(engine)
    if engine.dialect.name == "sqlite":
        assert TEAM_RTREE in inspector.get_table_names()
    else:
        indexes = {index["name"] for index in inspector.get_indexes(TEAM_PLACES)}
        assert TEAM_PLACES_INDEX in indexes
        assert TEAM_CELLS in inspector.get_table_names()


def test_instances_starting_at_once_migrate_one_after_the_other(new_database_url):
    # each `referrals serve` migrates first: replicas (or a second instance on one SQLite
    # file) starting together must not both create the tables
    url = new_database_url()
    command = [sys.executable, "-m", "referrals.cli", "db", "upgrade"]
    environment = {"REFERRALS_DATABASE_URL": url, "PATH": ""}
    runs = [
        subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [run.communicate()[1] for run in runs if run.wait() != 0]
    assert errors == []
    assert set(Base.metadata.tables) <= _tables(url)


def _wait_for_a_lock_wait(engine, migration: threading.Thread) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 30
    with engine.connect() as watcher:
        while True:
            waits = watcher.execute(waiting).scalar_one()
            watcher.rollback()  # pg_stat_activity is read once per transaction
            if waits:
                return
            assert migration.is_alive() and time.monotonic() < deadline
            time.sleep(0.05)


def test_teams_written_while_team_cells_is_built_are_counted(new_database_url):
    # a team saved while the migration counts the teams already there is either in that
    # count or counted by the trigger, never by neither
    url = new_database_url()
    if not url.startswith("postgresql"):
        pytest.skip("team_cells is PostgreSQL's")
    command.upgrade(alembic_config(url=url), BEFORE_TEAM_CELLS)
    engine = make_engine(url)
    try:
        migration = threading.Thread(target=command.upgrade, args=(alembic_config(url=url), "head"))
        with Session(engine) as writer:
            make_care_team(writer)
            writer.flush()
            migration.start()
            _wait_for_a_lock_wait(engine, migration)
            writer.commit()
        migration.join()
        with engine.connect() as connection:
            counted = connection.execute(text("SELECT sum(subsets[32]) FROM team_cells"))
            assert counted.scalar_one() == 1
    finally:
        engine.dispose()
