"""What tenant health remembers between requests: refusals, the last webhook, the last check.

Both are small and bounded, and both must be seen by every instance (a refusal lands on one
process, the ``twilioHealth`` query on another), so on the services backend they live in Redis
(a capped list of refusals and one value per tenant, each with an expiry); on the embedded
default, which is one process, in memory. Nothing here is worth a 5xx: a store that cannot be
reached is logged and treated as empty (the refusal stays a 403; the health check runs anew).
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Refusals kept per tenant (newest first), and for how long after the last one.
MAX_REFUSALS = 50
REFUSALS_TTL_SECONDS = 7 * 24 * 3600
# How long a tenant's last webhook time is kept after it was written.
LAST_WEBHOOK_TTL_SECONDS = 90 * 24 * 3600


@dataclass(frozen=True)
class Refusal:
    """A webhook refused although it named one of the tenant's accounts or numbers."""

    reason: str  # a RefusalReason value
    route: str  # the webhook's path
    at: datetime
    phone_number: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Refusal:
        return cls(
            reason=str(data["reason"]),
            route=str(data["route"]),
            at=datetime.fromisoformat(data["at"]),
            phone_number=data.get("phone_number"),
        )


class HealthRecords(Protocol):
    async def note_webhook(self, tenant_id: int, at: datetime) -> None:
        """A verified webhook of the tenant arrived ``at``."""
        ...

    async def last_webhook(self, tenant_id: int) -> datetime | None: ...

    async def add_refusal(self, tenant_id: int, refusal: Refusal) -> None: ...

    async def refusals(self, tenant_id: int) -> list[Refusal]:
        """Newest first, at most :data:`MAX_REFUSALS`."""
        ...

    async def last_check(self, tenant_id: int) -> dict[str, Any] | None:
        """The last check stored for the tenant (a JSON-able document), if it has not expired."""
        ...

    async def save_check(
        self, tenant_id: int, check: dict[str, Any], ttl_seconds: float
    ) -> None: ...

    async def forget_check(self, tenant_id: int) -> None:
        """What the check saw has changed (credentials saved, webhooks repaired)."""
        ...

    async def claim_check(self, tenant_id: int, seconds: float) -> bool:
        """True for one caller per tenant in ``seconds`` (on any instance): that one checks."""
        ...

    async def aclose(self) -> None: ...


class MemoryHealthRecords:
    """One process's records (the embedded default, which is one process)."""

    def __init__(self) -> None:
        self._refusals: dict[int, deque[Refusal]] = {}
        self._checks: dict[int, tuple[float, dict[str, Any]]] = {}
        self._claims: dict[int, float] = {}
        self._webhooks: dict[int, datetime] = {}

    async def note_webhook(self, tenant_id: int, at: datetime) -> None:
        self._webhooks[tenant_id] = at

    async def last_webhook(self, tenant_id: int) -> datetime | None:
        return self._webhooks.get(tenant_id)

    async def add_refusal(self, tenant_id: int, refusal: Refusal) -> None:
        self._refusals.setdefault(tenant_id, deque(maxlen=MAX_REFUSALS)).appendleft(refusal)

    async def refusals(self, tenant_id: int) -> list[Refusal]:
        return list(self._refusals.get(tenant_id, ()))

    async def last_check(self, tenant_id: int) -> dict[str, Any] | None:
        kept = self._checks.get(tenant_id)
        if kept is None or kept[0] <= time.monotonic():
            return None
        return kept[1]

    async def save_check(self, tenant_id: int, check: dict[str, Any], ttl_seconds: float) -> None:
        self._checks[tenant_id] = (time.monotonic() + ttl_seconds, check)

    async def forget_check(self, tenant_id: int) -> None:
        self._checks.pop(tenant_id, None)
        self._claims.pop(tenant_id, None)

    async def claim_check(self, tenant_id: int, seconds: float) -> bool:
        now = time.monotonic()
        if self._claims.get(tenant_id, 0.0) > now:
            return False
        self._claims[tenant_id] = now + seconds
        return True

    async def aclose(self) -> None:
        return None


class RedisHealthRecords:
    """Records shared by every instance, in Redis under ``{prefix}:health:...``."""

    def __init__(self, url: str, *, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._prefix = prefix

    def _key(self, what: str, tenant_id: int) -> str:
        return f"{self._prefix}:health:{what}:{tenant_id}"

    async def note_webhook(self, tenant_id: int, at: datetime) -> None:
        try:
            await self._redis.set(
                self._key("webhook", tenant_id), at.isoformat(), ex=LAST_WEBHOOK_TTL_SECONDS
            )
        except (RedisError, OSError) as exc:
            logger.warning("last webhook of tenant %s not recorded: %s", tenant_id, exc)

    async def last_webhook(self, tenant_id: int) -> datetime | None:
        try:
            raw = await self._redis.get(self._key("webhook", tenant_id))
        except (RedisError, OSError) as exc:
            logger.warning("last webhook of tenant %s not read: %s", tenant_id, exc)
            return None
        return None if raw is None else datetime.fromisoformat(raw.decode())

    async def add_refusal(self, tenant_id: int, refusal: Refusal) -> None:
        key = self._key("refusals", tenant_id)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(key, json.dumps(refusal.to_wire()))
                pipe.ltrim(key, 0, MAX_REFUSALS - 1)
                pipe.expire(key, REFUSALS_TTL_SECONDS)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            logger.warning("refusal of tenant %s not recorded: %s", tenant_id, exc)

    async def refusals(self, tenant_id: int) -> list[Refusal]:
        try:
            items = await self._redis.lrange(self._key("refusals", tenant_id), 0, MAX_REFUSALS - 1)
        except (RedisError, OSError) as exc:
            logger.warning("refusals of tenant %s not read: %s", tenant_id, exc)
            return []
        return [Refusal.from_wire(json.loads(item)) for item in items]

    async def last_check(self, tenant_id: int) -> dict[str, Any] | None:
        try:
            raw = await self._redis.get(self._key("check", tenant_id))
        except (RedisError, OSError) as exc:
            logger.warning("health check of tenant %s not read: %s", tenant_id, exc)
            return None
        return None if raw is None else dict(json.loads(raw))

    async def save_check(self, tenant_id: int, check: dict[str, Any], ttl_seconds: float) -> None:
        try:
            await self._redis.set(
                self._key("check", tenant_id), json.dumps(check), px=max(1, int(ttl_seconds * 1000))
            )
        except (RedisError, OSError) as exc:
            logger.warning("health check of tenant %s not kept: %s", tenant_id, exc)

    async def forget_check(self, tenant_id: int) -> None:
        try:
            await self._redis.delete(self._key("check", tenant_id), self._key("claim", tenant_id))
        except (RedisError, OSError) as exc:
            logger.warning("health check of tenant %s not forgotten: %s", tenant_id, exc)

    async def claim_check(self, tenant_id: int, seconds: float) -> bool:
        try:
            claimed = await self._redis.set(
                self._key("claim", tenant_id), "1", nx=True, px=max(1, int(seconds * 1000))
            )
        except (RedisError, OSError) as exc:
            # Unbounded across instances while Redis is away, still bounded by the caller's cache.
            logger.warning("health check claim of tenant %s not taken: %s", tenant_id, exc)
            return True
        return bool(claimed)

    async def aclose(self) -> None:
        await self._redis.aclose()


def health_records(redis_url: str, *, prefix: str) -> HealthRecords:
    """Redis-backed when the gateway has Redis (many instances), else in memory."""
    if redis_url:
        return RedisHealthRecords(redis_url, prefix=prefix)
    return MemoryHealthRecords()
