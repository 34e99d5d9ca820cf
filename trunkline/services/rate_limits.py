"""Rate limits on the mutations that cost money at Twilio: per user and per tenant.

Each costly action has limits per user (within their tenant) and per tenant, from settings
(``TRUNKLINE_RATE_LIMIT_{ACTION}`` and ``..._TENANT``). A request passes only if every one of
them has room; it is then counted against all of them, before the service runs (so before any
Twilio call or idempotency claim). Every attempt that gets past authorization counts, whatever
its outcome: a stream of refused sends costs Twilio round trips too.

The strategy is the `limits` library's moving window: at most N in any window of the period, no
burst at a fixed window's edge (a token bucket of capacity N refilled over the period allows
about the same; `limits` has none). The window of a user's or tenant's limit is a Redis list of
at most N timestamps when ``TRUNKLINE_REDIS_URL`` is set, so every instance counts against the
same limit; in process memory on the embedded default (one instance). When a request is refused,
``retry_after_seconds`` is when the oldest counted request leaves the window.

If Redis cannot be reached, requests are let through (fail open) and a warning is logged once
per outage: a limit guards against runaway costs, and refusing every send while Redis restarts
would be the worse failure. Webhooks never pass here: Twilio does not retry a 429.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import redis.asyncio as redis
from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from trunkline.services.errors import RateLimited
from trunkline.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A Redis that does not answer within this costs each costly request at most this much (then
# the request goes through, see above); loopback or a LAN answers in well under a millisecond.
REDIS_TIMEOUT_SECONDS = 0.5


class CostlyAction(StrEnum):
    """What is limited; the value names its settings (``rate_limit_{value}[_tenant]``)."""

    SEND_MESSAGE = "send_message"
    PLACE_CALL = "place_call"
    BUY_NUMBER = "buy_number"
    SEND_TEST_SMS = "send_test_sms"
    # The hook for email: a sendEmail resolver calls ``RateLimits.within`` with it.
    SEND_EMAIL = "send_email"


# How a refusal names what was limited.
_WHAT = {
    CostlyAction.SEND_MESSAGE: "messages sent",
    CostlyAction.PLACE_CALL: "calls placed",
    CostlyAction.BUY_NUMBER: "numbers bought",
    CostlyAction.SEND_TEST_SMS: "test SMS sent",
    CostlyAction.SEND_EMAIL: "emails sent",
}


@dataclass(frozen=True)
class Allowance:
    """The limits of one action: per user (of a tenant) and per tenant; empty: unlimited."""

    per_user: tuple[RateLimitItem, ...]
    per_tenant: tuple[RateLimitItem, ...]

    @classmethod
    def from_settings(cls, settings: Settings, action: CostlyAction) -> Allowance:
        return cls(
            per_user=settings.rate_limit(action.value),
            per_tenant=settings.rate_limit(f"{action.value}_tenant"),
        )


@dataclass(frozen=True)
class _Counted:
    """One limit as it applies to one request: the item and whose window it counts in."""

    item: RateLimitItem
    identifiers: tuple[str, ...]
    scope: str  # "user" or "tenant", for the refusal's message


class RateLimits:
    """The process's limiter: owned by the Gateway, shared by every request."""

    def __init__(
        self,
        allowances: Mapping[CostlyAction, Allowance],
        *,
        storage: MemoryStorage | RedisStorage,
        pool: redis.ConnectionPool | None = None,
    ) -> None:
        self.allowances = dict(allowances)
        self._limiter = MovingWindowRateLimiter(storage)
        self._pool = pool
        self._unreachable = False  # Redis failed last time: warn once per outage

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        allowances = {action: Allowance.from_settings(settings, action) for action in CostlyAction}
        if not settings.redis_url:
            return cls(allowances, storage=MemoryStorage())
        # Our own pool (redis-py, as the bus uses): timeouts we choose, and closed with the app.
        pool = redis.ConnectionPool.from_url(
            settings.redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            max_connections=32,
            # A pooled connection a restarted Redis closed fails once; the retry takes a new one.
            retry=Retry(NoBackoff(), retries=1),
            retry_on_error=[redis.ConnectionError],
        )
        storage = RedisStorage(
            "async+redis://",  # the scheme picks the storage; the pool says where Redis is
            implementation="redispy",
            key_prefix=f"{settings.bus_prefix}:limits",
            wrap_exceptions=True,
            connection_pool=pool,
        )
        return cls(allowances, storage=storage, pool=pool)

    async def within(
        self,
        action: CostlyAction,
        *,
        tenant_id: int,
        user_id: str,
        run: Callable[[], Awaitable[T]],
    ) -> T:
        """``run()`` if ``action`` is within its limits for this user and tenant.

        Raises:
            RateLimited: over a limit; ``run`` was not called.
        """
        await self._spend(action, tenant_id=tenant_id, user_id=user_id)
        return await run()

    async def _spend(self, action: CostlyAction, *, tenant_id: int, user_id: str) -> None:
        """Count one ``action`` against the user's and the tenant's limits, or refuse it.

        Raises:
            RateLimited: over a limit (nothing counted, unless another request took the last
                room between the look and the count).
        """
        allowance = self.allowances[action]
        tenant = str(tenant_id)
        counted = [
            *(
                _Counted(item, (action, "user", tenant, user_id), "user")
                for item in allowance.per_user
            ),
            *(
                _Counted(item, (action, "tenant", tenant), "tenant")
                for item in allowance.per_tenant
            ),
        ]
        if not counted:
            return
        try:
            full = await self._full(counted)
        except (StorageError, OSError, TimeoutError) as exc:
            if not self._unreachable:
                logger.warning("rate limits not enforced: their Redis is unreachable (%r)", exc)
            self._unreachable = True
            return
        if self._unreachable:
            logger.warning("rate limits enforced again: Redis answers")
            self._unreachable = False
        if full:
            raise _refusal(action, full, tenant_id=tenant_id)

    async def _full(self, counted: list[_Counted]) -> list[tuple[_Counted, float]]:
        """The limits without room, each with when it has room again (epoch seconds); none
        when the request was counted against every limit."""
        full = []
        # Look first, so that a refused request spends nobody's room; then count it everywhere.
        for limit in counted:
            stats = await self._limiter.get_window_stats(limit.item, *limit.identifiers)
            if stats.remaining < 1:
                full.append((limit, stats.reset_time))
        if full:
            return full
        for limit in counted:
            if not await self._limiter.hit(limit.item, *limit.identifiers):
                # Another request took the last room since the look.
                stats = await self._limiter.get_window_stats(limit.item, *limit.identifiers)
                full.append((limit, stats.reset_time))
        return full

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


def _refusal(
    action: CostlyAction, full: list[tuple[_Counted, float]], *, tenant_id: int
) -> RateLimited:
    # The moving window's reset is when its oldest counted request leaves it: one more fits
    # then. Every full limit must have room, so the latest of them.
    retry_after = max(1, math.ceil(max(reset for _, reset in full) - time.time()))
    first = full[0][0]
    whose = "per user" if first.scope == "user" else "for the organization"
    logger.info(
        "%s refused for tenant %s: over the %s limit of %s",
        action,
        tenant_id,
        first.scope,
        first.item,
    )
    return RateLimited(
        f"Too many {_WHAT[action]}: at most {first.item} {whose}. Try again in {retry_after} s.",
        retry_after_seconds=retry_after,
    )
