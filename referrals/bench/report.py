"""The bench's results: one JSON object, or a table for people."""

import json
from dataclasses import asdict, dataclass

from rich.table import Table


@dataclass(frozen=True)
class Results:
    engine: str
    engine_version: str
    cpu_count: int
    care_teams: int
    searches: int
    build_seconds: float
    match_p50_ms: float
    match_p99_ms: float
    floor_p50_ms: float
    floor_p99_ms: float
    ratio_p50: float
    rare_dense_ms: float
    http_workers: int
    http_match_rps: float
    http_floor_rps: float
    intake_rps: float
    intake_p99_ms: float

    @property
    def http_ratio(self) -> float:
        return self.http_match_rps / self.http_floor_rps

    def as_json(self) -> str:
        rounded = {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}
        return json.dumps(rounded | {"http_ratio": round(self.http_ratio, 4)})


def _ms(value: float) -> str:
    return f"{value:.3f} ms"


def _rps(value: float) -> str:
    return f"{value:,.0f} /s"


def table(results: Results) -> Table:
    """Machine facts first, then latency beside the floor, then throughput."""
    r = results
    rows = [
        ("engine", r.engine_version, ""),
        ("CPUs", str(r.cpu_count), ""),
        ("care teams", f"{r.care_teams:,}", f"built in {r.build_seconds:.1f} s"),
        ("searches timed", f"{r.searches:,}", "after a warm-up"),
        ("matches p50", _ms(r.match_p50_ms), f"floor {_ms(r.floor_p50_ms)}"),
        ("matches p99", _ms(r.match_p99_ms), f"floor {_ms(r.floor_p99_ms)}"),
        ("ratio p50", f"{r.ratio_p50:.2f}", "matches / floor"),
        ("rare filter, dense metro", _ms(r.rare_dense_ms), "ZIP 10001, median"),
        ("HTTP workers", str(r.http_workers), "uvicorn processes serving"),
        ("HTTP matches", _rps(r.http_match_rps), f"{r.http_ratio:.0%} of trivial"),
        ("HTTP trivial (/healthz)", _rps(r.http_floor_rps), ""),
        ("HTTP intake", _rps(r.intake_rps), f"p99 {_ms(r.intake_p99_ms)}"),
    ]
    out = Table(title="referrals bench")
    for column in ("measure", "value", "note"):
        out.add_column(column, justify="right" if column == "value" else "left")
    for row in rows:
        out.add_row(*row)
    return out
