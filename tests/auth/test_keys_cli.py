"""`referrals keys create` prints the key alone on stdout, and stores only its digest."""

import subprocess
import sys

from sqlalchemy import select

from referrals.auth import service as auth
from referrals.auth.models import ApiKey, Role
from referrals.db import make_engine, make_sessionmaker


def test_keys_create_prints_only_a_working_key(new_database_url):
    url = new_database_url()
    command = [sys.executable, "-m", "referrals.cli", "keys", "create"]
    result = subprocess.run(
        [*command, "--role", "staff", "--name", "front desk"],
        env={"REFERRALS_DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    key = result.stdout.strip()
    assert result.stdout == key + "\n"
    assert key not in result.stderr
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        assert auth.authenticate(session, key=key, required=Role.staff).name == "front desk"
        assert key not in session.scalar(select(ApiKey.key_hash))
    engine.dispose()
