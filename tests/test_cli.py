"""The `referrals` command refuses what it cannot do, before doing anything."""

import os

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
