"""Running the Alembic migrations from code (the CLI, the app's start, the tests)."""

from alembic.config import Config
from sqlalchemy import Connection

from alembic import command
from referrals.config import PROJECT_ROOT
from referrals.db import normalize_url


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """The project's Alembic config, aimed at `url` or at an open connection."""
    config = Config(PROJECT_ROOT / "alembic.ini")
    if url is not None:
        config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    command.upgrade(alembic_config(url=url), "head")
