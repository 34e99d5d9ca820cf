"""The process's ingestion writer: verified deliveries wait here and are committed in batches.

One transaction per delivery made a tenant's webhooks queue on its row lock, each holding it for
several round trips. The writer instead takes every delivery waiting, applies them in one
transaction (:func:`ingest_batch`), commits once, and only then answers each waiting request,
so a 200 still means "committed". While a batch is written the next one gathers: the busier the
process, the bigger the batches.

On PostgreSQL a batch skips the tenants another process's batch holds (``ingest_batch``'s
``skip_held``): their deliveries come back deferred, unanswered, and go to the head of the queue
for the next batch, in their order, so a tenant's deliveries are still stored in arrival order.
A delivery deferred :data:`MAX_DEFERRALS` times makes its next batch wait for the held tenants:
deferral is bounded, and the queue holds at most ``capacity`` new deliveries plus one batch put
back.

Each committed batch's activity notices are then handed, in seq order, to ``publish`` (the bus,
for the webhooks) by a task of their own: one call per round rather than one per notice, and no
request waits for it. A 200 promises "stored", not "announced": subscribers that miss a notice
read it from the activity log. Were the writer to wait for the publish, a bus that stopped
answering (2 s timeouts, retried) would stall every later batch behind it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from trunkline import metrics
from trunkline.activity import ActivityNotice, Ingested
from trunkline.ingestion.batch import ingest_batch
from trunkline.ingestion.kind import Deferred, Ingestion, ReceiptKey

logger = logging.getLogger(__name__)

# Deliveries that may wait for a batch: beyond it a webhook answers 503 and Twilio retries,
# rather than the queue (and each request's memory) growing without bound.
DEFAULT_CAPACITY = 4096
DEFAULT_MAX_BATCH = 256
# Committed notices that may wait for a slow bus; beyond it the oldest are not published (their
# subscribers find the gap at the next notice, or resync when the bus reconnects, and read the log).
DEFAULT_PUBLISH_BACKLOG = 16_384

# How often one delivery may be put back before its batch waits for the tenants held instead.
MAX_DEFERRALS = 2


@dataclass(slots=True)
class Waiting:
    """A delivery, the request waiting for its outcome, and how often it was put back."""

    ingestion: Ingestion
    future: asyncio.Future[Ingested]
    deferrals: int = 0


# Announces committed notices, in order; what it cannot publish it logs rather than raises.
PublishNotices = Callable[[Sequence[ActivityNotice]], Awaitable[None]]


class IngestionBusy(Exception):
    """The writer cannot take the delivery now (full, or shutting down): nothing was stored."""


class IngestionWriter:
    """Group commit for webhook deliveries; ``capacity`` may be changed while it runs."""

    def __init__(
        self,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_batch: int = DEFAULT_MAX_BATCH,
        publish: PublishNotices | None = None,
        publish_backlog: int = DEFAULT_PUBLISH_BACKLOG,
    ) -> None:
        self.capacity = capacity
        self.max_batch = max_batch
        self.publish_backlog = publish_backlog
        self._publish = publish
        self._waiting: deque[Waiting] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._unpublished: deque[ActivityNotice] = deque()
        self._publish_wakeup = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._closed = False
            self._task = asyncio.create_task(self._run(), name="ingestion writer")

    async def stop(self) -> None:
        """Take no more deliveries, write those already waiting, publish what they announce, end."""
        self._closed = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None
        self._publish_wakeup.set()
        if self._publisher is not None:
            await self._publisher
            self._publisher = None

    async def ingest(self, ingestion: Ingestion) -> Ingested:
        """Store ``ingestion`` in the next batch; returns once that batch has committed.

        Raises :class:`IngestionBusy` when full or stopping, and whatever stopped the delivery
        from being stored (the database's error) otherwise.
        """
        if self._closed or len(self._waiting) >= self.capacity:
            raise IngestionBusy("too many webhooks waiting to be stored")
        if self._task is None:
            await self.start()
        future: asyncio.Future[Ingested] = asyncio.get_running_loop().create_future()
        self._waiting.append(Waiting(ingestion, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        try:
            while self._waiting or not self._closed:
                if not self._waiting:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                count = min(len(self._waiting), self.max_batch)
                batch = [self._waiting.popleft() for _ in range(count)]
                # Per batch, not per delivery: what waits behind this batch while it is written.
                metrics.INGESTION_QUEUE_DEPTH.set(len(self._waiting))
                started = time.perf_counter()
                await self._write(batch)
                metrics.INGESTION_BATCH_SIZE.observe(count)
                metrics.INGESTION_BATCH_DURATION.observe(time.perf_counter() - started)
        finally:
            # Cancelled mid-way: nobody will write what still waits, so nobody may wait for it.
            while self._waiting:
                _settle(self._waiting.popleft().future, IngestionBusy("the writer stopped"))

    async def _write(self, batch: list[Waiting]) -> None:
        skip_held = all(waiting.deferrals < MAX_DEFERRALS for waiting in batch)
        try:
            outcomes = await ingest_batch(
                [waiting.ingestion for waiting in batch], skip_held=skip_held
            )
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0].future, exc)
                return
            logger.warning("a batch of %d webhooks failed (%r): one by one", len(batch), exc)
            await self._write_one_by_one(batch)
            return
        stored: list[Ingested] = []
        deferred: list[Waiting] = []
        for waiting, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Deferred):
                deferred.append(waiting)
            else:
                _settle(waiting.future, outcome)
                stored.append(outcome)
        for waiting in reversed(deferred):  # back at the head, in their order
            waiting.deferrals += 1
            self._waiting.appendleft(waiting)
        self._announce(stored)

    def _announce(self, outcomes: Sequence[Ingested | BaseException]) -> None:
        """Queue a committed batch's notices for the publisher, in the batch's (seq) order."""
        if self._publish is None:
            return
        notices = [
            notice
            for outcome in outcomes
            if isinstance(outcome, Ingested)
            for notice in outcome.notices
        ]
        if not notices:
            return
        self._unpublished.extend(notices)
        overflow = len(self._unpublished) - self.publish_backlog
        if overflow > 0:
            for _ in range(overflow):
                self._unpublished.popleft()
            logger.warning("the bus is behind: %d committed notices not published", overflow)
        self._publish_wakeup.set()
        if self._publisher is None or self._publisher.done():
            # (Done: it ended on an earlier batch written while the writer was stopping.)
            self._publisher = asyncio.create_task(self._run_publisher(), name="notice publisher")

    async def _run_publisher(self) -> None:
        """Publish what committed batches announce, in commit order, everything waiting at once."""
        while self._unpublished or not self._closed:
            if not self._unpublished:
                self._publish_wakeup.clear()
                await self._publish_wakeup.wait()
                continue
            # Whatever gathered while the last round was on the wire goes out together: the
            # slower the bus, the fewer and bigger the rounds.
            notices = list(self._unpublished)
            self._unpublished.clear()
            publish = self._publish
            assert publish is not None  # nothing is queued without it
            try:
                await publish(notices)
            except Exception:
                # Committed regardless; the publisher must go on for the batches after these.
                logger.exception("%d committed notices not published", len(notices))

    async def _write_one_by_one(self, batch: list[Waiting]) -> None:
        """One bad delivery must not fail the others: each (with its redeliveries) on its own."""
        by_key: dict[ReceiptKey, list[Waiting]] = {}
        for waiting in batch:
            by_key.setdefault(waiting.ingestion.receipt_key, []).append(waiting)
        for group in by_key.values():
            try:
                outcomes: Sequence[Ingested | BaseException] = await ingest_batch(
                    [waiting.ingestion for waiting in group]
                )
            except Exception as exc:
                outcomes = [exc] * len(group)
            for waiting, outcome in zip(group, outcomes, strict=True):
                _settle(waiting.future, outcome)
            self._announce(outcomes)  # each group committed on its own


def _settle(future: asyncio.Future[Ingested], outcome: Ingested | BaseException) -> None:
    if future.done():
        return  # its request went away (the client hung up); the delivery is stored regardless
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
