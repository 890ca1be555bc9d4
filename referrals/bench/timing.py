"""In-process latency: `find_matches` beside the floor, search by search.

Each search runs both ways back to back, alternating which goes first, so that a noisy
neighbour or a warm page cache favours neither side. Every answer is checked against the
floor's (outside the timed region): a benchmark of wrong answers would be worthless.
"""

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referrals.bench.floor import Floor, check
from referrals.db import make_sessionmaker
from referrals.matching.schemas import MatchQuery, MatchResponse
from referrals.matching.service import find_matches

T = TypeVar("T")


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, nanoseconds: Sequence[int]) -> "Latency":
        ordered = sorted(nanoseconds)
        return cls(_ms(statistics.median(ordered)), _ms(_nearest_rank(ordered, 0.99)))


@dataclass(frozen=True)
class Comparison:
    match: Latency
    floor: Latency

    @property
    def ratio_p50(self) -> float:
        return self.match.p50_ms / self.floor.p50_ms


def _ms(nanoseconds: float) -> float:
    return nanoseconds / 1e6


def _nearest_rank(ordered: Sequence[int], fraction: float) -> int:
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def _timed(call: Callable[[MatchQuery], T], query: MatchQuery) -> tuple[T, int]:
    started = time.perf_counter_ns()
    result = call(query)
    return result, time.perf_counter_ns() - started


def _run(
    session: Session, floor: Floor, queries: Sequence[MatchQuery], progress: Callable[[int], None]
) -> tuple[list, list]:
    def search(query: MatchQuery) -> MatchResponse:
        return find_matches(session, query=query)

    matched_ns, floor_ns = [], []
    for i, query in enumerate(queries):
        if i % 2:
            answer, floor_took = _timed(floor.answer, query)
            response, match_took = _timed(search, query)
        else:
            response, match_took = _timed(search, query)
            answer, floor_took = _timed(floor.answer, query)
        check(query, response, answer)
        matched_ns.append(match_took)
        floor_ns.append(floor_took)
        progress(1)
    return matched_ns, floor_ns


def compare(
    engine: Engine,
    *,
    warmup: Sequence[MatchQuery],
    timed: Sequence[MatchQuery],
    progress: Callable[[int], None] = lambda _: None,
) -> Comparison:
    """Warm up on `warmup`, then time every search of `timed` both ways.

    `progress` hears of each search done, warm-up included.
    """
    floor = Floor(engine)
    try:
        with make_sessionmaker(engine)() as session:
            _run(session, floor, warmup, progress)
            matched_ns, floor_ns = _run(session, floor, timed, progress)
    finally:
        floor.close()
    return Comparison(Latency.of(matched_ns), Latency.of(floor_ns))


def median_ms(engine: Engine, query: MatchQuery, *, runs: int = 20, warmup: int = 2) -> float:
    """The median time `find_matches` takes to answer `query`."""

    def search(query: MatchQuery) -> MatchResponse:
        return find_matches(session, query=query)

    with make_sessionmaker(engine)() as session:
        took = [_timed(search, query)[1] for _ in range(warmup + runs)]
    return _ms(statistics.median(took[warmup:]))
