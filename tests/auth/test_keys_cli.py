"""`referrals keys create` prints the key alone on stdout, and stores only its digest."""

import subprocess
import sys

import pytest
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


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_key_needs_a_name_the_audit_log_can_show(new_database_url, name):
    url = new_database_url()
    command = [sys.executable, "-m", "referrals.cli", "keys", "create", "--role", "staff"]
    result = subprocess.run(
        [*command, "--name", name],
        env={"REFERRALS_DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "--name" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
