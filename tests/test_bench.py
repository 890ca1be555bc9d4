"""`referrals bench --json` prints one JSON object with every figure, and leaves nothing behind."""

import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from referrals import readers
from referrals.bench import throughput

KEYS = (
    "engine",
    "care_teams",
    "match_p50_ms",
    "match_p99_ms",
    "floor_p50_ms",
    "floor_p99_ms",
    "ratio_p50",
    "http_match_rps",
    "http_floor_rps",
    "intake_rps",
    "intake_p99_ms",
    "rare_dense_ms",
    "build_seconds",
)
POSITIVE = set(KEYS) - {"engine", "care_teams"}


def test_bench_prints_every_figure_as_one_json_object(tmp_path):
    server = os.environ.get("REFERRALS_TEST_DATABASE_URL")
    command = [sys.executable, "-m", "referrals.cli", "bench", "--json"]
    command += ["--care-teams", "300", "--searches", "30", "--http-seconds", "1"]
    result = subprocess.run(
        command + (["--database-url", server] if server else []),
        env=os.environ | {"TMPDIR": str(tmp_path), "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert result.stdout == json.dumps(figures) + "\n"
    assert set(KEYS) <= set(figures)
    assert figures["engine"] == ("postgresql" if server else "sqlite")
    assert figures["care_teams"] == 300
    assert figures["http_workers"] == 1
    for key in POSITIVE:
        assert isinstance(figures[key], float | int) and figures[key] > 0, key
    assert figures["match_p50_ms"] <= figures["match_p99_ms"]
    assert figures["floor_p50_ms"] <= figures["floor_p99_ms"]
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone


def _processes() -> dict[int, tuple[int, bytes]]:
    """Each process's parent and command line, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):  # gone meanwhile
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        found[int(entry.name)] = (parent, command)
    return found


def _spawned_by(processes: dict[int, tuple[int, bytes]], pid: int) -> list[int]:
    return [
        child
        for child, (parent, command) in processes.items()
        if parent == pid and b"spawn_main" in command
    ]


def _serving(port: int, workers: int) -> tuple[list[int], list[int]]:
    """The processes serving on `port`, and how many reader processes each has spawned.

    One worker serves in uvicorn's own process; more are spawned by it. Each spawns its
    reader processes (`referrals.readers`) as it starts: a worker may still be starting
    when another answers, so they are looked for again for a while.
    """
    deadline = time.monotonic() + 30
    while True:
        processes = _processes()
        spawned_by = partial(_spawned_by, processes)
        (server,) = [
            pid
            for pid, (_, command) in processes.items()
            if f"--port\0{port}\0".encode() in command
        ]
        serving = spawned_by(server) if workers > 1 else [server]
        spawned = [len(spawned_by(worker)) for worker in serving]
        if spawned == [readers.CPUS] * workers or time.monotonic() > deadline:
            return serving, spawned
        time.sleep(0.1)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("workers", [1, 2])
def test_the_app_is_served_by_the_workers_asked_for(database_url, workers):
    with throughput.served_app(database_url, workers=workers) as port:
        serving, spawned = _serving(port, workers)
        assert len(serving) == workers
        assert spawned == [readers.CPUS] * workers
        assert throughput.requests_per_second(port, throughput.trivial_phase(), seconds=0.3)[0]
