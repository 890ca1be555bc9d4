"""Per-client-address rate limit of the public intake (`REFERRALS_INTAKE_RATE_LIMIT`); an
IPv6 client counts by its /64 network.

Counted with a moving window, in this process's memory by default: a deployment with several
workers or hosts then allows the rate per worker, unless they share a Redis
(`REFERRALS_INTAKE_RATE_LIMIT_STORAGE=redis://…`). A store that fails or is slower than
`STORAGE_TIMEOUT_SECONDS` lets the request through: a patient's request weighs more than the
limit, and a limiter fault never fails the intake. The log says when the store stops
answering and when it answers again, once each, not at every request in between.
"""

import asyncio
import ipaddress
import logging
import math
import time

import limits
from fastapi import Request
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError

from referrals.errors import TooManyRequests
from referrals.observability import error_name

STORAGE_TIMEOUT_SECONDS = 0.5
WINDOW_KEY = "intake"
IPV6_NETWORK_BITS = 64  # the smallest network a host gets (a home often gets a /56 or /48)

logger = logging.getLogger(__name__)


def client_of(host: str) -> str:
    """Whom a request counts against: its IPv4 address, or its IPv6 address's /64 network,
    any address of which the host can take, each a fresh allowance if counted apart."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # not an address: whatever the server names the client
        return host
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # an IPv4 client of a dual-stack socket
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, IPV6_NETWORK_BITS), strict=False))


class IntakeRateLimit:
    def __init__(self, rate: str, storage: str = "memory://") -> None:
        self._rate = limits.parse(rate)
        self._storage = storage
        self._options: dict = {}
        if not storage.startswith("memory:"):
            self._options = {
                "implementation": "redispy",
                "socket_timeout": STORAGE_TIMEOUT_SECONDS,
                "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
            }
        self._limiter = self._new_limiter()  # a storage that cannot be made fails at start
        self._loop: asyncio.AbstractEventLoop | None = None
        self._away = False  # the store's last answer was a fault

    def _new_limiter(self) -> MovingWindowRateLimiter:
        uri = f"async+{self._storage}"
        try:
            store = limits.storage.storage_from_string(uri, **self._options)
        except ConfigurationError as unusable:  # without the URL, which may hold a password
            said = str(unusable).replace(uri, "REFERRALS_INTAKE_RATE_LIMIT_STORAGE")
            raise ConfigurationError(said) from None
        return MovingWindowRateLimiter(store)

    def _limiter_here(self) -> MovingWindowRateLimiter:
        """The limiter, with a store of its own in each event loop: a Redis connection
        belongs to the loop that opened it (one loop per worker; tests start several)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None:
                self._limiter = self._new_limiter()
            self._loop = loop
        return self._limiter

    async def check(self) -> None:
        """At start: log an error if the store does not answer (requests would go uncounted)."""
        try:
            async with asyncio.timeout(STORAGE_TIMEOUT_SECONDS):
                answered = await self._limiter_here().storage.check()
        except Exception:  # any failure means the same: not counting
            answered = False
        if not answered:
            logger.error("intake rate limit store does not answer: intakes go uncounted")

    async def __call__(self, request: Request) -> None:
        client = client_of(request.client.host) if request.client else "unknown"
        limiter = self._limiter_here()
        try:
            async with asyncio.timeout(STORAGE_TIMEOUT_SECONDS):
                allowed = await limiter.hit(self._rate, WINDOW_KEY, client)
                if not allowed:
                    stats = await limiter.get_window_stats(self._rate, WINDOW_KEY, client)
        except Exception as away:  # a limiter fault must not fail the intake
            self._stopped_answering(away)
            return
        if self._away:
            self._away = False
            logger.info("intake rate limit store answers again: intakes are counted")
        if allowed:
            return
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            "Too many requests from this address; try again later.",
            headers={"Retry-After": str(wait)},
        )

    def _stopped_answering(self, away: Exception) -> None:
        """Say so once, naming only the fault's type (a message may quote the store's URL)."""
        if not self._away:
            self._away = True
            logger.warning(
                "intake rate limit store did not answer (%s): intakes go uncounted until it does",
                error_name(type(away)),
            )


async def rate_limit(request: Request) -> None:
    """Dependency: count this request against its client's allowance."""
    await request.app.state.intake_rate_limit(request)
