"""Alembic environment: the URL comes from the settings, or a connection from the caller."""

import geoalchemy2  # noqa: F401  (registers PostGIS types, so reflection knows sites.geog)
from sqlalchemy import Connection

from alembic import context
from referrals.config import get_settings
from referrals.db import make_engine
from referrals.geo.spatial import is_spatial
from referrals.models import Base

config = context.config


def _include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    return not is_spatial(name, type_)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


run_migrations_online()
