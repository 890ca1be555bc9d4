"""The `referrals` command refuses what it cannot do, before doing anything."""

import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from referrals import cli


@pytest.mark.parametrize(
    ("option", "value"),
    [("--port", "99999"), ("--port", "-1"), ("--workers", "0"), ("--workers", "-3")],
)
def test_serve_refuses_a_port_or_worker_count_out_of_range(option, value, monkeypatch):
    # uvicorn listened on 99999 - 65536 = 34463 while logging 99999, and took 0 workers as 1
    served = []
    monkeypatch.setattr(cli.migrations, "upgrade", served.append)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *_, **kwargs: served.append(kwargs))
    result = CliRunner().invoke(cli.app, ["serve", option, value])
    assert result.exit_code == 2
    assert option in result.output
    assert served == []


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"REFERRALS_ENV": "prod"}, "REFERRALS_ENV: must be one of 'development' or 'production'"),
        ({"REFERRALS_ENV": "production"}, "REFERRALS_PHI_KEY is required when REFERRALS_ENV"),
        ({"REFERRALS_LOG_LEVEL": "verbose"}, "REFERRALS_LOG_LEVEL: must be one of 'DEBUG'"),
        # refused here, not by `serve` after migrating, nor left to `seed` and `keys create`
        ({"REFERRALS_PHI_KEY": "Secret-but-no-Fernet-key"}, "REFERRALS_PHI_KEY: must be Fernet"),
        ({"REFERRALS_ENV": "production", "REFERRALS_PHI_KEY": " , "}, "REFERRALS_PHI_KEY: must"),
    ],
)
def test_a_bad_setting_is_named_in_one_line_and_nothing_runs(environment, said, monkeypatch):
    for name in [name for name in os.environ if name.startswith("REFERRALS_")]:
        monkeypatch.delenv(name)  # the settings of the shell running the tests
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "get_settings", cli.get_settings.__wrapped__)
    migrated = []
    monkeypatch.setattr(cli.migrations, "upgrade", migrated.append)
    result = CliRunner().invoke(cli.app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert said in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert "Secret" not in result.output
    assert migrated == []


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (f"postgresql://on-call:s3cret@127.0.0.1:{_refused_port()}/referrals", "refused"),
        ("sqlite:////no/such/folder/referrals.db", "unable to open database file"),
    ],
)
def test_a_database_that_cannot_be_used_is_said_in_a_few_lines(url, said, tmp_path):
    # it was a traceback of 450 lines, on every command that reads the database
    environment = {n: v for n, v in os.environ.items() if not n.startswith("REFERRALS_")}
    command = [sys.executable, "-m", "referrals.cli", "match", "--postal-code", "10001"]
    result = subprocess.run(
        command,
        env=environment | {"REFERRALS_DATABASE_URL": url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("The database could not be used (")
    assert said in result.stderr
    assert len(result.stderr.splitlines()) <= 4
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
