"""HTTP throughput of the real application, served by uvicorn in a subprocess.

A few threads, each with its own keep-alive connection to 127.0.0.1, send requests for a
fixed time (and never more than `MAX_REQUESTS`); a phase's result is requests per second.
A phase is a name and a function from a request number to a `Request`, so another
endpoint is one more `Phase`.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection
from urllib.parse import urlencode

from referrals.limits import HTTP_PARSER

HOST = "127.0.0.1"
CONCURRENCY = 4
MAX_REQUESTS = 1_000_000
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


@dataclass(frozen=True)
class Phase:
    name: str
    request: Callable[[int], Request]


class HttpFailure(RuntimeError):
    """The server did not start, or answered a request with an unexpected status."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> int | None:
    connection = HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


@contextmanager
def served_app(
    database_url: str, env: dict[str, str] | None = None, *, workers: int = 1
) -> Iterator[int]:
    """Serve the application on `database_url` with `workers` uvicorn workers; yields the
    port once the application answers (`measure` warms up before it times).

    `env` adds settings, e.g. a rate limit high enough for a load test.
    """
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "referrals.main:create_app", "--factory"]
    command += ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--http", HTTP_PARSER]
    env = os.environ | (env or {}) | {"REFERRALS_DATABASE_URL": database_url}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while _get(port, "/readyz") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise HttpFailure(f"the application did not become ready on port {port}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client(
    port: int, phase: Phase, worker: int, deadline: float, counts: list, latencies: list
) -> None:
    connection = HTTPConnection(HOST, port, timeout=30)
    done = 0
    try:
        while time.monotonic() < deadline and done * CONCURRENCY < MAX_REQUESTS:
            request = phase.request(done * CONCURRENCY + worker)
            sent = time.perf_counter()
            connection.request(request.method, request.path, request.body, request.headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - sent)
            if response.status != request.expect:
                raise HttpFailure(f"{request.method} {request.path} answered {response.status}")
            done += 1
    except Exception as exc:
        counts[worker] = exc
        return
    finally:
        connection.close()
    counts[worker] = done


def requests_per_second(port: int, phase: Phase, *, seconds: float) -> tuple[float, float]:
    """Requests per second at `CONCURRENCY`, and the 99th percentile latency in ms."""
    counts: list = [0] * CONCURRENCY
    latencies: list[float] = []
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client, args=(port, phase, worker, deadline, counts, latencies), daemon=True
        )
        for worker in range(CONCURRENCY)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for count in counts:
        if isinstance(count, Exception):
            raise HttpFailure(f"{phase.name}: {count}") from count
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0
    return sum(counts) / elapsed, p99


def measure(port: int, phases: Sequence[Phase], *, seconds: float) -> dict[str, float]:
    """Each phase's requests per second (and `<name>_p99_ms`), after an untimed warm-up."""
    results = {}
    for phase in phases:
        requests_per_second(port, phase, seconds=min(1.0, seconds / 4))
        rps, p99 = requests_per_second(port, phase, seconds=seconds)
        results[phase.name] = rps
        results[phase.name.removesuffix("_rps") + "_p99_ms"] = p99
    return results


def match_phase(api_key: str, origins: Sequence[tuple[float, float]]) -> Phase:
    """`GET /api/v1/matches` by location, rotating through `origins`."""
    headers = {"Authorization": f"Bearer {api_key}"}
    paths = [f"/api/v1/matches?{urlencode({'lat': lat, 'lon': lon})}" for lat, lon in origins]
    return Phase("http_match_rps", lambda i: Request(paths[i % len(paths)], headers=headers))


def trivial_phase() -> Phase:
    """`GET /healthz`: what the server stack costs with no work behind it."""
    return Phase("http_floor_rps", lambda _: Request("/healthz"))


def intake_phase() -> Phase:
    """`POST /api/v1/referral-requests`: a new request each time, with its own key."""
    body = json.dumps(INTAKE).encode()
    headers = {"Content-Type": "application/json"}
    return Phase(
        "intake_rps",
        lambda i: Request(
            "/api/v1/referral-requests",
            method="POST",
            body=body,
            headers=headers | {"Idempotency-Key": f"bench-{i}-{time.monotonic_ns()}"},
            expect=201,
        ),
    )


INTAKE = {
    "patient": {
        "first_name": "Bench",
        "last_name": "Patient",
        "date_of_birth": "1980-01-01",
        "email": "bench@example.com",
    },
    "postal_code": "10001",
    "clinical": {"conditions": ["ptsd"], "pcl5_score": 40},
    "consent_to_share": True,
}
