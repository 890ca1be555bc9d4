"""Two calls at once on an app of its own: the first held open, the second sent meanwhile.

The app has a database of its own, not the tests' shared transaction: calls at once need
transactions of their own to take turns in.
"""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from referrals import migrations, phi
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.main import create_app
from referrals.readers import Readers

T = TypeVar("T")


@contextmanager
def app_of_its_own(
    database_url: str, role: Role, prepare: Callable[[Session], T]
) -> Iterator[tuple[TestClient, dict[str, str], T]]:
    """A client of an app on `database_url`, a `role` key's headers, and what `prepare`
    made in the database first.

    Its searches read in threads of this process, where a test can hold them up.
    """
    migrations.upgrade(database_url)
    app = create_app(Settings(database_url=database_url, phi_key=phi.new_key()))
    app.state.readers = Readers(app.state.engine, app.state.sessionmaker)
    with app.state.sessionmaker.begin() as session:
        prepared = prepare(session)
        _, key = auth.create_key(session, name=str(role), role=role)
    try:
        with TestClient(app) as client:
            yield client, {"Authorization": f"Bearer {key}"}, prepared
    finally:
        app.state.engine.dispose()


def statuses(first, second, held: threading.Event) -> tuple[int, int]:
    """Run `first` until it sets `held`, then `second`; their status codes."""
    with ThreadPoolExecutor(2) as pool:
        first_answer = pool.submit(first)
        assert held.wait(10)
        second_answer = pool.submit(second)
        return first_answer.result().status_code, second_answer.result().status_code
