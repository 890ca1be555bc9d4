"""Running the bench end to end: database, registry, latency, throughput, results."""

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.bench import throughput, timing, workload
from referrals.bench.build import Built, build
from referrals.bench.database import BenchDatabase, bench_database
from referrals.bench.report import Results
from referrals.db import make_engine, make_sessionmaker
from referrals.registry.synthetic import random_origins

WARMUP_SEARCHES = 300
RARE_RUNS = 20


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """SIGTERM cleans up like Ctrl-C: the server stops and the temporary database goes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress(console: Console) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console)


def _build(database: BenchDatabase, care_teams: int, console: Console) -> Built:
    with _progress(console) as progress:
        task = progress.add_task("Building care teams", total=care_teams)
        built = build(database.url, care_teams, progress=lambda n: progress.advance(task, n))
    console.print(
        f"Built {built.care_teams:,} care teams ({built.providers:,} providers, "
        f"{built.sites:,} sites) in {built.seconds:.1f} s on {database.version}."
    )
    return built


def _http(
    database: BenchDatabase, api_key: str, seconds: float, workers: int, console: Console
) -> dict:
    phases = [
        throughput.match_phase(api_key, random_origins(1_000, seed=2)),
        throughput.trivial_phase(),
        throughput.intake_phase(),
    ]
    console.print(
        f"Serving the app (uvicorn workers: {workers}); {seconds:g} s of requests per endpoint..."
    )
    unlimited = {"REFERRALS_INTAKE_RATE_LIMIT": "100000000/minute"}
    with throughput.served_app(database.url, env=unlimited, workers=workers) as port:
        return throughput.measure(port, phases, seconds=seconds)


def run(
    *,
    care_teams: int,
    searches: int,
    server_url: str | None,
    http_seconds: float,
    http_workers: int,
    console: Console,
) -> Results:
    """Build a registry of `care_teams` teams in a throwaway database and measure it."""
    with _terminate_like_interrupt(), bench_database(server_url) as database:
        built = _build(database, care_teams, console)
        engine = make_engine(database.url)
        try:
            warmup = workload.searches(WARMUP_SEARCHES, seed=1)
            timed = workload.searches(searches, seed=0)
            with _progress(console) as progress:
                task = progress.add_task("Searching, and the floor", total=len(warmup + timed))
                compared = timing.compare(
                    engine, warmup=warmup, timed=timed, progress=lambda n: progress.advance(task, n)
                )
            rare_ms = timing.median_ms(engine, workload.RARE_IN_DENSE_METRO, runs=RARE_RUNS)
            with make_sessionmaker(engine).begin() as session:
                _, api_key = auth.create_key(session, name="bench", role=Role.staff)
        finally:
            engine.dispose()
        rps = _http(database, api_key, http_seconds, http_workers, console)
    return Results(
        engine=database.engine,
        engine_version=database.version,
        cpu_count=len(os.sched_getaffinity(0)),
        care_teams=built.care_teams,
        searches=searches,
        build_seconds=built.seconds,
        match_p50_ms=compared.match.p50_ms,
        match_p99_ms=compared.match.p99_ms,
        floor_p50_ms=compared.floor.p50_ms,
        floor_p99_ms=compared.floor.p99_ms,
        ratio_p50=compared.ratio_p50,
        rare_dense_ms=rare_ms,
        http_workers=http_workers,
        http_match_rps=rps["http_match_rps"],
        http_floor_rps=rps["http_floor_rps"],
        intake_rps=rps["intake_rps"],
        intake_p99_ms=rps["intake_p99_ms"],
    )
