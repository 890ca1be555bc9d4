"""Patients' data at rest: encrypted, keyed safely, and rotated while the service runs."""

import os
import stat
import subprocess
import sys

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from referrals import migrations
from referrals.audit.service import Audit
from referrals.config import Settings
from referrals.db import make_engine, make_sessionmaker
from referrals.intake import service as intake
from referrals.intake.models import ReferralRequest
from referrals.intake.schemas import IntakeCreate
from referrals.phi import (
    PhiCipher,
    cipher_for,
    key_file,
    keys_in,
    new_key,
    rotating,
    write_key_file,
)
from tests.intake.payloads import intake as intake_body


def test_the_development_key_file_is_owner_only_and_reused(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/referrals.db")
    token = cipher_for(settings).encrypt({"name": "Zebulon"})
    path = key_file(settings)
    assert path == tmp_path / "referrals.db.phi-key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert cipher_for(settings).decrypt(token) == {"name": "Zebulon"}


def test_production_refuses_to_start_without_a_key():
    with pytest.raises(ValidationError, match="REFERRALS_PHI_KEY"):
        Settings(env="production")
    assert Settings(env="production", phi_key=new_key()).phi_key is not None


def test_a_key_that_does_not_fit_is_refused():
    token = PhiCipher([new_key()]).encrypt({"a": 1})
    with pytest.raises(ValueError, match="cannot be decrypted"):
        PhiCipher([new_key()]).decrypt(token)


def _stored(url: str, cipher: PhiCipher, count: int) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        for _ in range(count):
            data = IntakeCreate.model_validate(intake_body())
            audit = Audit(actor="test", client_address=None, request_id="test")
            intake.receive(session, data=data, idempotency_key=None, cipher=cipher, audit=audit)
    engine.dispose()


def _tokens(url: str) -> list[bytes]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        tokens = list(session.scalars(select(ReferralRequest.phi)))
    engine.dispose()
    return tokens


def _rotate(env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "referrals.cli", "phi", "rotate-key"]
    return subprocess.run(command, env=env | {"PATH": ""}, capture_output=True, text=True)


def test_rotation_with_configured_keys_leaves_every_row_on_the_new_key(new_database_url):
    url, old, new = new_database_url(), new_key(), new_key()
    migrations.upgrade(url)
    _stored(url, PhiCipher([old]), 3)
    result = _rotate({"REFERRALS_DATABASE_URL": url, "REFERRALS_PHI_KEY": f"{new},{old}"})
    assert result.returncode == 0, result.stderr
    assert "Re-encrypted 3 values" in result.stderr
    assert [PhiCipher([new]).decrypt(t)["patient"]["last_name"] for t in _tokens(url)] == [
        "Quixotefield"
    ] * 3


def test_rotation_of_the_key_file_is_picked_up_by_a_running_service(tmp_path):
    url = f"sqlite:///{tmp_path}/referrals.db"
    migrations.upgrade(url)
    running = cipher_for(Settings(database_url=url))
    _stored(url, running, 2)
    result = _rotate({"REFERRALS_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    newest, _previous = keys_in(key_file(Settings(database_url=url)))  # the new key first
    assert [PhiCipher([newest]).decrypt(t)["postal_code"] for t in _tokens(url)] == ["10001"] * 2
    assert [running.decrypt(t)["postal_code"] for t in _tokens(url)] == ["10001", "10001"]
    assert PhiCipher([newest]).decrypt(running.encrypt({"a": 1})) == {"a": 1}  # writes anew


def test_a_second_key_file_rotation_at_the_same_time_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/referrals.db"
    migrations.upgrade(url)
    path = key_file(Settings(database_url=url))
    cipher_for(Settings(database_url=url))  # makes the key file
    keys = keys_in(path)
    with rotating(path):  # the first rotation, still running
        result = _rotate({"REFERRALS_DATABASE_URL": url})
    assert result.returncode == 1
    assert "another rotation" in result.stderr and "nothing was changed" in result.stderr
    assert keys_in(path) == keys


def test_a_key_file_that_cannot_be_read_once_is_read_again_at_the_next_call(tmp_path):
    path = tmp_path / "referrals.db.phi-key"
    first, second = new_key(), new_key()
    write_key_file(path, [first])
    cipher = PhiCipher(source=path)
    write_key_file(path, ["not a key"])
    with pytest.raises(ValueError):
        cipher.encrypt({"a": 1})  # fails closed: nothing written with a key it cannot read
    # the same file, right now, and looking unchanged since that failed read
    written = os.stat(path)
    path.write_text(f"{second}\n{first}\n")
    os.utime(path, ns=(written.st_atime_ns, written.st_mtime_ns))
    assert PhiCipher([second]).decrypt(cipher.encrypt({"a": 1})) == {"a": 1}


def test_what_a_running_service_wrote_during_a_key_file_rotation_stays_readable(tmp_path):
    url = f"sqlite:///{tmp_path}/referrals.db"
    migrations.upgrade(url)
    running = cipher_for(Settings(database_url=url))
    first_key = keys_in(key_file(Settings(database_url=url)))[0]
    in_flight = running.encrypt({"name": "Zebulon"})  # encrypted before the run, stored after
    rotated = _rotate({"REFERRALS_DATABASE_URL": url})
    assert rotated.returncode == 0
    assert "Re-encrypted 0 values" in rotated.stderr  # nothing was stored yet
    restarted = cipher_for(Settings(database_url=url))
    assert restarted.decrypt(in_flight) == {"name": "Zebulon"}
    # the next rotation retires the first key: by then its values were all re-encrypted
    assert _rotate({"REFERRALS_DATABASE_URL": url}).returncode == 0
    assert first_key not in keys_in(key_file(Settings(database_url=url)))
