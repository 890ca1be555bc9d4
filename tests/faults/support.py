"""A server in its own process, clients that retry intakes until acknowledged, the ledger.

Every wait is bounded in count and in time; everything listens on 127.0.0.1 only.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
from sqlalchemy import func, select

from referrals import phi
from referrals.db import make_engine
from referrals.intake.models import IdempotencyKey, ReferralRequest
from referrals.workflow.models import Event
from tests.intake.payloads import CANARY, intake

URL = "/api/v1/referral-requests"
CONNECTION_ERROR = "connection error"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """`referrals serve` on a database of its own, logging to `log`."""

    database_url: str
    log: Path
    port: int = field(default_factory=free_port)
    phi_key: str = field(default_factory=phi.new_key)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        """Start the process and wait until it is ready."""
        env = os.environ | {
            "REFERRALS_ENV": "development",
            "REFERRALS_DATABASE_URL": self.database_url,
            "REFERRALS_PHI_KEY": self.phi_key,
            "REFERRALS_INTAKE_RATE_LIMIT": "1000000/minute",
            "REFERRALS_LOG_LEVEL": "INFO",
        }
        command = [sys.executable, "-m", "referrals.cli", "serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx2.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"the server was not ready within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_lines(self) -> list[dict]:
        """The server's log, each line parsed as the JSON object it must be.

        But for what multiprocessing's resource tracker, a process of its own that outlives
        a killed server, says in plain text as it removes the semaphores the server shared
        with its reader processes.
        """
        lines = self.log.read_text().splitlines()
        return [json.loads(line) for line in lines if line and _TRACKER not in line]


_TRACKER = "resource_tracker"


@dataclass
class Outcome:
    """One client's intake: every answer it got, and the id of the one acknowledged."""

    key: str
    answers: Counter = field(default_factory=Counter)
    id: str | None = None
    acknowledged_at: float | None = None


class IntakeLoad:
    """`count` intakes, `concurrency` at a time, each retried with its Idempotency-Key.

    A retry waits with exponential backoff (jittered, at most `max_backoff` seconds) and
    stops after `attempts` tries or once `seconds` have passed since the load started. Each
    client waits `pace` seconds before each new intake, so that a fault can land mid-run
    however fast the service is.
    """

    def __init__(
        self,
        url: str,
        *,
        count: int,
        concurrency: int,
        attempts: int = 100,
        max_backoff: float = 1.0,
        seconds: float = 50,
        pace: float = 0.0,
    ) -> None:
        self.url, self.attempts, self.max_backoff = url, attempts, max_backoff
        self.pace = pace
        self.deadline = time.monotonic() + seconds
        self.run = random.randbytes(4).hex()
        self._acknowledged = 0
        self._changed = threading.Condition()
        self._local = threading.local()
        self._clients: list[httpx2.Client] = []
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="intake")
        self._futures = [self._pool.submit(self._one, n) for n in range(count)]

    def _client(self) -> httpx2.Client:
        if not hasattr(self._local, "client"):
            self._local.client = httpx2.Client(base_url=self.url, timeout=10)
            self._clients.append(self._local.client)
        return self._local.client

    def _one(self, n: int) -> Outcome:
        time.sleep(self.pace)
        outcome = Outcome(key=f"fault-{self.run}-{n}")
        body = intake(patient=CANARY | {"first_name": f"Load{n:03d}"})
        backoff = 0.05
        for _ in range(self.attempts):
            try:
                answer = self._client().post(
                    URL, json=body, headers={"Idempotency-Key": outcome.key}
                )
            except httpx2.TransportError:
                outcome.answers[CONNECTION_ERROR] += 1
            else:
                outcome.answers[answer.status_code] += 1
                if answer.status_code == 201:
                    outcome.id, outcome.acknowledged_at = answer.json()["id"], time.monotonic()
                    with self._changed:
                        self._acknowledged += 1
                        self._changed.notify_all()
                    return outcome
                if answer.status_code < 500:
                    return outcome  # refused: a retry would be refused too
            if time.monotonic() > self.deadline:
                return outcome
            time.sleep(backoff * random.uniform(0.5, 1))
            backoff = min(backoff * 2, self.max_backoff)
        return outcome

    def wait_for(self, acknowledged: int, timeout: float = 30) -> None:
        """Until `acknowledged` intakes have their 201."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._acknowledged >= acknowledged, timeout):
                raise TimeoutError(f"{self._acknowledged} of {acknowledged} acknowledged")

    def outcomes(self) -> list[Outcome]:
        """Every client's outcome, once all have finished."""
        wait(self._futures, timeout=max(0, self.deadline - time.monotonic()) + 15)
        return [future.result(timeout=0) for future in self._futures]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        for client in self._clients:
            client.close()

    def __enter__(self) -> "IntakeLoad":
        return self

    def __exit__(self, *_) -> None:
        self.close()


def answers(outcomes: list[Outcome]) -> Counter:
    """All answers the clients got, by status code (and connection errors)."""
    return sum((o.answers for o in outcomes), Counter())


def assert_each_acknowledged_exactly_once(outcomes: list[Outcome], database_url: str) -> None:
    """Every key has its 201; the database holds exactly the acknowledged requests, once."""
    unacknowledged = [(o.key, dict(o.answers)) for o in outcomes if o.id is None]
    assert unacknowledged == []
    acknowledged = {o.key: o.id for o in outcomes}
    assert len(set(acknowledged.values())) == len(outcomes)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalars(select(ReferralRequest.id)).all()
            pairs = select(IdempotencyKey.key, IdempotencyKey.referral_request_id)
            keys = dict(connection.execute(pairs).all())
            events = connection.scalar(select(func.count()).select_from(Event))
    finally:
        engine.dispose()
    assert len(stored) == len(set(stored)) == len(outcomes)
    assert set(stored) == set(acknowledged.values())
    assert keys == acknowledged
    assert events == len(outcomes)  # each request's arrival recorded once


def assert_logs_hold_no_phi(server: Server, outcomes: list[Outcome]) -> list[dict]:
    """Every log line is JSON and names no patient, key or submitted value."""
    lines = server.log_lines()
    text = server.log.read_text()
    patient = [CANARY[field] for field in ("last_name", "email", "phone", "date_of_birth")]
    sent = [*patient, "Load0", *(o.key for o in outcomes)]
    assert [value for value in sent if value in text] == []
    return lines
