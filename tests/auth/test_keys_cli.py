"""`referrals keys create` prints the key alone on stdout, and stores only its digest."""

import subprocess
import sys

import pytest
from sqlalchemy import select

from referrals.auth import service as auth
from referrals.auth.models import ApiKey, Role
from referrals.db import make_engine, make_sessionmaker
from referrals.errors import Unauthorized


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


def _keys(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "referrals.cli", "keys", *args],
        env={"REFERRALS_DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
    )


def test_a_key_name_with_brackets_is_taken_as_typed(new_database_url):
    url = new_database_url()
    result = _keys(url, "create", "--role", "staff", "--name", "[/] front desk [bold]")
    assert result.returncode == 0, result.stderr
    assert '"[/] front desk [bold]"' in result.stderr
    assert "[/] front desk [bold]" in _keys(url, "list").stdout


def test_a_revoked_key_no_longer_opens_the_api(new_database_url):
    url = new_database_url()
    lost = _keys(url, "create", "--role", "admin", "--name", "stolen laptop").stdout.strip()
    kept = _keys(url, "create", "--role", "staff", "--name", "front desk").stdout.strip()
    listed = _keys(url, "list")
    assert listed.returncode == 0
    assert "stolen laptop" in listed.stdout and "front desk" in listed.stdout
    assert lost not in listed.stdout + listed.stderr

    revoked = _keys(url, "revoke", "1")
    assert revoked.returncode == 0
    assert "stolen laptop" in revoked.stderr
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        with pytest.raises(Unauthorized):
            auth.authenticate(session, key=lost, required=Role.staff)
        assert auth.authenticate(session, key=kept, required=Role.staff).name == "front desk"
    engine.dispose()
    listing = _keys(url, "list").stdout.splitlines()
    assert "revoked" in next(row for row in listing if "stolen laptop" in row)
    assert "live" in next(row for row in listing if "front desk" in row)


@pytest.mark.parametrize("key_id", ["1", "99"])
def test_revoking_a_key_that_is_not_live_says_so(new_database_url, key_id):
    url = new_database_url()
    _keys(url, "create", "--role", "staff", "--name", "front desk")
    _keys(url, "revoke", "1")
    result = _keys(url, "revoke", key_id)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
