"""Per-client-address rate limit of the public intake (`REFERRALS_INTAKE_RATE_LIMIT`).

Counted in this process's memory, with a moving window: a deployment with several workers
or hosts allows the rate per worker.
"""

import math
import time

import limits
from fastapi import Request

from referrals.errors import TooManyRequests


class IntakeRateLimit:
    def __init__(self, rate: str) -> None:
        self._rate = limits.parse(rate)
        self._limiter = limits.strategies.MovingWindowRateLimiter(limits.storage.MemoryStorage())

    def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if not self._limiter.hit(self._rate, "intake", client):
            reset = self._limiter.get_window_stats(self._rate, "intake", client).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            raise TooManyRequests(
                "Too many requests from this address; try again later.",
                headers={"Retry-After": str(wait)},
            )


async def rate_limit(request: Request) -> None:
    """Dependency: count this request against its client's allowance (in memory: no I/O)."""
    request.app.state.intake_rate_limit(request)
