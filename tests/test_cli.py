"""The `referrals` command refuses what it cannot do, before doing anything."""

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
