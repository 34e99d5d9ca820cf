"""Retention: deleting what nobody can ask for any more, in bounded batches, one process at a time.

- Webhook receipts (``webhook_receipt``) turn a provider's redelivery into a no-op; Twilio and
  SendGrid stop retrying within a day, so a receipt older than ``receipt_retention`` (72 hours by
  default, at least 24) can match no delivery any more. Mutations' idempotency keys
  (``idempotent_request``) go with them: a client retries within seconds, not days.
- A tenant's activity log keeps ``activity_days`` (the tenant's own setting, else the gateway's
  default). Replaying from a cursor whose following events were deleted is refused
  (:class:`trunkline.activity.ActivityPruned`), never answered with a gap.

Each statement deletes at most ``batch_size`` rows, the oldest first, found through an index on
their age, and commits on its own: a large backlog never holds locks or a transaction for long.

Every gateway process runs :class:`Retention` (no separate scheduler); on PostgreSQL the run
holds a session advisory lock on one connection, so of many processes one works and the others
skip the round. On SQLite the one process runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from trunkline.models import ActivityEvent, IdempotentRequest, Tenant, WebhookReceipt

logger = logging.getLogger(__name__)

# pg_try_advisory_lock's key for the retention run: any constant no other lock of the database
# uses ("trunkline.retention" as a 63-bit number).
ADVISORY_LOCK_KEY = 0x7472756E6B726574
MAX_ACTIVITY_RETENTION_DAYS = 3650


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of row is kept, and how many rows one statement deletes."""

    receipt_retention: timedelta
    activity_days: int
    batch_size: int


@dataclass(frozen=True)
class Pruned:
    """What one run deleted."""

    receipts: int
    idempotency_keys: int
    activity_events: int


async def prune(policy: RetentionPolicy, *, now: datetime) -> Pruned:
    """Delete what ``policy`` no longer keeps at ``now``; returns how many rows of each kind."""
    receipts_before = now - policy.receipt_retention
    receipts = await _delete_oldest(
        WebhookReceipt, WebhookReceipt.filter(created_at__lt=receipts_before), policy.batch_size
    )
    keys = await _delete_oldest(
        IdempotentRequest,
        IdempotentRequest.filter(created_at__lt=receipts_before),
        policy.batch_size,
    )
    events = 0
    for tenant_id, days in await _tenants_with_expired_activity(policy.activity_days, now):
        events += await _delete_oldest(
            ActivityEvent,
            ActivityEvent.filter(tenant_id=tenant_id, created_at__lt=now - timedelta(days=days)),
            policy.batch_size,
        )
    return Pruned(receipts=receipts, idempotency_keys=keys, activity_events=events)


async def _tenants_with_expired_activity(default_days: int, now: datetime) -> list[tuple[int, int]]:
    """Each tenant old enough to hold expired activity, with its retention in days.

    A tenant created within its retention holds nothing past it: skipping it spares one
    statement per tenant on a young deployment.
    """
    rows = await Tenant.all().values_list("id", "activity_retention_days", "created_at")
    return [
        (tenant_id, days or default_days)
        for tenant_id, days, created_at in rows
        if created_at < now - timedelta(days=days or default_days)
    ]


async def _delete_oldest(model: type[Model], expired: QuerySet[Any], batch_size: int) -> int:
    """Delete the rows of ``expired``, oldest first, ``batch_size`` per statement."""
    total = 0
    while True:
        batch = Subquery(expired.order_by("created_at").limit(batch_size).values("id"))
        deleted = await model.filter(id__in=batch).delete()
        total += deleted
        if deleted < batch_size:
            return total


class Retention:
    """The periodic retention run of this process: started and stopped with the gateway."""

    def __init__(self, policy: RetentionPolicy, *, interval_seconds: float) -> None:
        self.policy = policy
        self.interval_seconds = interval_seconds
        self._task: asyncio.Task[None] | None = None
        # Within the process, one run at a time whatever the database (PostgreSQL's session
        # lock would let a second run on the same pooled connection in).
        self._running = asyncio.Lock()

    def start(self) -> None:
        """Run now, then every ``interval_seconds``, until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._every_interval(), name="trunkline-retention"
            )

    async def stop(self) -> None:
        """Cancel the task and wait for it: a run in progress releases its lock first."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_once(self, *, now: datetime | None = None) -> Pruned | None:
        """One run; None when another run (here or in another process) holds the lock."""
        if self._running.locked():
            return None
        async with self._running, exclusive_run() as held:
            if not held:
                return None
            pruned = await prune(self.policy, now=now or datetime.now(UTC))
        if any((pruned.receipts, pruned.idempotency_keys, pruned.activity_events)):
            logger.info(
                "retention pruned %d webhook receipts, %d idempotency keys, %d activity events",
                pruned.receipts,
                pruned.idempotency_keys,
                pruned.activity_events,
            )
        return pruned

    async def _every_interval(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                # The database may be down for a while: the next round tries again.
                logger.exception("retention run failed; next in %.0f s", self.interval_seconds)
            await asyncio.sleep(self.interval_seconds)


@asynccontextmanager
async def exclusive_run() -> AsyncIterator[bool]:
    """Whether this process may run retention now: PostgreSQL's advisory lock, held on one
    connection for the run, refused while another session holds it; always on SQLite."""
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        yield True
        return
    async with client.acquire_connection() as connection:
        held = bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_LOCK_KEY))
        try:
            yield held
        finally:
            if held:
                await _unlock(connection)


async def _unlock(connection: Any) -> None:
    # The pool hands connections back without resetting them (models.database._keep_session):
    # a lock left on one would stop every process's retention until it closes. So the unlock
    # is shielded from a cancellation (shutdown), and a connection that cannot unlock is closed.
    try:
        await asyncio.shield(
            connection.fetchval("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
        )
    except BaseException:
        connection.terminate()
        raise
