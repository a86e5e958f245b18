"""Rate limiting: a budget of requests per caller and period, counted in this process or in Redis.

Each caller has its own budget: an API key, a staff user, a customer; anonymous callers (and
callers whose credentials fail) share one per client IP, with a stricter limit. Over budget, a
request gets HTTP 429 with `Retry-After` and a GraphQL-shaped error, and nothing else runs.

Counting is a fixed window per bucket that starts at the bucket's first hit. In memory (the
default) each process counts on its own. With `CUSTOMERHUB_REDIS_URL` the counters live in Redis
(one atomic script: INCR, PEXPIRE on the first hit, PTTL), so every process shares one budget.
When Redis fails, the limiter logs a warning and counts in this process for `REDIS_RETRY_SECONDS`
before trying Redis again: requests keep being served, and still limited per process.

`RateLimiter.hit(bucket, limit, period)` is also the building block for other throttles, such as
slowing password guessing per organization and email at sign-in.
"""

import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from starlette.requests import Request
from starlette.responses import Response

from models.core.actors import Actor
from models.core.enums import ActorKind

log = logging.getLogger("customerhub.rate_limit")

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
REDIS_RETRY_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5
KEY_PREFIX = "customerhub:rate:"


@dataclass(frozen=True, slots=True)
class Rate:
    """`limit` requests per `period` seconds, read from text such as `600/minute`."""

    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*", text)
        if match is None or int(match[1]) < 1:
            raise ValueError(f"{text!r} is not a rate: write it like `600/minute` "
                             f"(per {', '.join(PERIODS)})")
        return cls(int(match[1]), int(match[2] or 1) * PERIODS[match[3]])

    def __str__(self) -> str:
        for name, seconds in reversed(PERIODS.items()):
            if self.period % seconds == 0:
                count = self.period // seconds
                return f"{self.limit}/{'' if count == 1 else count}{name}"
        raise AssertionError(self.period)  # PERIODS has 1 second: never reached


class Counters(Protocol):
    async def increment(self, key: str, period: int) -> tuple[int, float]:
        """Count one hit in `key`'s window; the hits so far and the seconds until it resets."""
        ...

    async def close(self) -> None: ...


class MemoryCounters:
    """Windows in this process's memory; expired ones are dropped as the table grows."""

    def __init__(self, prune_above: int = 10_000) -> None:
        self._windows: dict[str, tuple[int, float]] = {}
        self._prune_above = prune_above
        self._minimum = prune_above

    async def increment(self, key: str, period: int) -> tuple[int, float]:
        now = time.monotonic()
        count, resets_at = self._windows.get(key, (0, 0.0))
        if resets_at <= now:
            count, resets_at = 0, now + period
        self._windows[key] = (count + 1, resets_at)
        if len(self._windows) > self._prune_above:
            self._prune(now)
        return count + 1, resets_at - now

    def _prune(self, now: float) -> None:
        self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
        # Prune again only when the live windows have doubled: linear time on the whole.
        self._prune_above = max(self._minimum, 2 * len(self._windows))

    async def close(self) -> None:
        self._windows.clear()


# KEYS[1]: the bucket; ARGV[1]: the window in milliseconds. Returns {hits, ms until reset}.
_INCREMENT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}
"""


class RedisCounters:
    """Windows in Redis, shared by every process; this process's memory while Redis fails."""

    def __init__(self, url: str, fallback: MemoryCounters | None = None) -> None:
        import redis.asyncio as redis  # only deployments with Redis need the client loaded
        from redis.exceptions import RedisError

        self._failures = (RedisError, OSError)
        self._redis = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        self._script = self._redis.register_script(_INCREMENT)
        self._fallback = fallback or MemoryCounters()
        self._down_until = 0.0

    async def increment(self, key: str, period: int) -> tuple[int, float]:
        if time.monotonic() >= self._down_until:
            try:
                hits, ttl_ms = await self._script(keys=[KEY_PREFIX + key], args=[period * 1000])
                return int(hits), int(ttl_ms) / 1000
            except self._failures as error:  # keep serving, limited per process
                self._down_until = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning("rate limiting: Redis failed (%s: %s); counting in this process "
                            "for %.0f s", type(error).__name__, error, REDIS_RETRY_SECONDS)
        return await self._fallback.increment(key, period)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    """Counts hits per bucket; `hit` answers how long to wait when over the limit."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    @classmethod
    def for_url(cls, redis_url: str) -> "RateLimiter":
        return cls(RedisCounters(redis_url) if redis_url else MemoryCounters())

    async def hit(self, bucket: str, limit: int, period: int) -> int | None:
        """Count one hit; None while within `limit` per `period` seconds, else the seconds
        to wait (at least 1) before the bucket's window resets."""
        hits, resets_in = await self.counters.increment(f"{bucket}:{period}", period)
        if hits <= limit:
            return None
        return max(1, math.ceil(resets_in))

    async def close(self) -> None:
        await self.counters.close()


def bucket_of(actor: Actor | None, client_ip: str) -> str | None:
    """Whose budget a request spends; None for the system, which is never limited."""
    if actor is None or actor.kind is ActorKind.ANONYMOUS:
        return f"ip:{client_ip}"
    match actor.kind:
        case ActorKind.API_KEY:
            return f"key:{actor.id}"
        case ActorKind.STAFF_USER:
            return f"staff:{actor.organization_id}:{actor.id}"
        case ActorKind.CUSTOMER:
            return f"customer:{actor.organization_id}:{actor.customer_id or actor.id}"
    return None


class RequestThrottle:
    """The per-request check of `/graphql` (and per connection of its WebSocket): the caller's
    bucket against its rate."""

    def __init__(self, limiter: RateLimiter, rate: Rate, anonymous_rate: Rate) -> None:
        self.limiter = limiter
        self.rate = rate
        self.anonymous_rate = anonymous_rate

    async def refusal(self, actor: Actor | None, request: Request) -> Response | None:
        """The 429 response for a caller over its budget, or None to go on."""
        over = await self.over_budget(actor, request.client.host if request.client
                                      else "unknown")
        return None if over is None else too_many_requests(*over)

    async def over_budget(self, actor: Actor | None, client_ip: str
                          ) -> tuple[str, Rate, int] | None:
        """Count one request (or WebSocket connection) of this caller; over budget, the
        refusal's message, the rate and the seconds to wait."""
        bucket = bucket_of(actor, client_ip)
        if bucket is None:
            return None
        anonymous = bucket.startswith("ip:")
        rate = self.anonymous_rate if anonymous else self.rate
        retry_after = await self.limiter.hit(bucket, rate.limit, rate.period)
        if retry_after is None:
            return None
        who = "this client address (not signed in)" if anonymous else "these credentials"
        return (f"Rate limit exceeded: {rate} for {who}; retry after {retry_after} s.",
                rate, retry_after)


def too_many_requests(message: str, rate: Rate, retry_after: int) -> Response:
    error: dict[str, Any] = {"message": message, "extensions": {
        "code": "RATE_LIMITED", "limit": rate.limit, "periodSeconds": rate.period,
        "retryAfter": retry_after}}
    return Response(orjson.dumps({"errors": [error]}), status_code=429,
                    media_type="application/json",
                    headers={"Retry-After": str(retry_after)})
