"""Per-client-address rate limit of the public intake (`REFERRALS_INTAKE_RATE_LIMIT`).

Counted with a moving window, in this process's memory by default: a deployment with several
workers or hosts then allows the rate per worker, unless they share a Redis
(`REFERRALS_INTAKE_RATE_LIMIT_STORAGE=redis://…`). A shared store that does not answer lets
the request through, with a warning in the log: a patient's request weighs more than the limit.
"""

import logging
import math
import time

import limits
from fastapi import Request
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from referrals.errors import TooManyRequests
from referrals.observability import error_name

# A shared store slower than this is treated as away (a Redis URL's own query can say more).
STORAGE_TIMEOUT_SECONDS = 0.5
WINDOW_KEY = "intake"

logger = logging.getLogger(__name__)


class IntakeRateLimit:
    def __init__(self, rate: str, storage: str = "memory://") -> None:
        self._rate = limits.parse(rate)
        options: dict = {"wrap_exceptions": True}
        if not storage.startswith("memory:"):
            options |= {
                "implementation": "redispy",
                "socket_timeout": STORAGE_TIMEOUT_SECONDS,
                "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
            }
        store = limits.storage.storage_from_string(f"async+{storage}", **options)
        self._limiter = MovingWindowRateLimiter(store)

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        try:
            if await self._limiter.hit(self._rate, WINDOW_KEY, client):
                return
            stats = await self._limiter.get_window_stats(self._rate, WINDOW_KEY, client)
        except StorageError as away:
            kind = error_name(type(away.storage_error))
            logger.warning("intake rate limit not counted: its store did not answer (%s)", kind)
            return
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            "Too many requests from this address; try again later.",
            headers={"Retry-After": str(wait)},
        )


async def rate_limit(request: Request) -> None:
    """Dependency: count this request against its client's allowance."""
    await request.app.state.intake_rate_limit(request)
