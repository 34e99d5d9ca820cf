"""Prices Twilio tells only on a resource, never in a callback: messages' and recordings'.

Once an outbound message's status is final (its status callback committed), its price is fetched
(``client.messages(sid).fetch_async()``) and stored with its segments and error text, and an
MMS's files are replaced by the copies Twilio hosts (its Media resources): the URLs the client
sent are never fetched by the gateway, so until then the message's signed media links answer 403.

Once a recording is ready (RECORDING_READY committed: the recording-status callback, which carries
no price), its price is fetched (``client.recordings(sid).fetch_async()``) and stored. It is not
announced: a price is bookkeeping, read with the recording when it is next queried, and Twilio
may price it only later (then the price stays unknown; the call's own price is in its callback).

The work is done in the background by a few workers reading a bounded queue: a burst of final
statuses never grows tasks or memory without bound (beyond the queue the price is left unknown,
and logged), and a failed fetch is logged, never raised into the ingestion that announced it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from trunkline.activity import ActivityKind, ActivityNotice, MessageSnapshot, RecordingSnapshot
from trunkline.models import Direction, Message, Recording
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.errors import DomainError
from trunkline.twilio import ProviderError, call_twilio
from trunkline.twilio.media import hosted_media
from trunkline.twilio.values import decimal_of, integer_of

logger = logging.getLogger(__name__)

# The statuses after which Twilio knows what a message cost (a failed one: nothing, but its
# error text is on the resource too).
PRICED_STATUSES = frozenset({"delivered", "undelivered", "failed", "read"})
DEFAULT_CAPACITY = 1024
DEFAULT_WORKERS = 2


class Priced(StrEnum):
    """What a queued price is of."""

    MESSAGE = "message"
    RECORDING = "recording"


class Prices:
    """Fetches the price of outbound messages once final and of recordings once ready; owned by
    the Gateway."""

    def __init__(
        self,
        *,
        accounts: TwilioAccounts,
        capacity: int = DEFAULT_CAPACITY,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.accounts = accounts
        self.workers = workers
        self._queue: asyncio.Queue[tuple[Priced, int, str]] = asyncio.Queue(capacity)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"prices {index}")
                for index in range(self.workers)
            ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def notice(self, notices: Sequence[ActivityNotice]) -> None:
        """Queue the outbound messages these committed notices say are final, and the
        recordings they say are ready."""
        for notice in notices:
            snapshot = notice.snapshot
            if (
                notice.kind == ActivityKind.MESSAGE_STATUS
                and isinstance(snapshot, MessageSnapshot)
                and snapshot.direction is Direction.OUTBOUND
                and snapshot.status in PRICED_STATUSES
                and snapshot.sid
            ):
                self.offer(notice.tenant_id, snapshot.sid)
            elif notice.kind == ActivityKind.RECORDING_READY and isinstance(
                snapshot, RecordingSnapshot
            ):
                self.offer(notice.tenant_id, snapshot.sid, priced=Priced.RECORDING)

    def offer(self, tenant_id: int, sid: str, *, priced: Priced = Priced.MESSAGE) -> bool:
        """Queue one message's (or recording's) price; False (logged) when the queue is full."""
        try:
            self._queue.put_nowait((priced, tenant_id, sid))
        except asyncio.QueueFull:
            logger.warning("price of %s not fetched: %d prices waiting", sid, self._queue.qsize())
            return False
        return True

    async def _work(self) -> None:
        while True:
            priced, tenant_id, sid = await self._queue.get()
            capture = self.capture if priced is Priced.MESSAGE else self.capture_recording
            try:
                await capture(tenant_id=tenant_id, sid=sid)
            except (ProviderError, DomainError) as exc:  # Twilio's refusal; credentials gone
                logger.warning("price of %s not fetched: %s", sid, exc)
            except Exception:
                logger.exception("price of %s not fetched", sid)
            finally:
                self._queue.task_done()

    async def capture(self, *, tenant_id: int, sid: str) -> bool:
        """Fetch and store the message's price if still unknown; whether anything was stored.

        Two statements besides the credentials' read: the row (is its price still unknown, has
        it media), and one UPDATE that still requires the price unknown, so of two captures of
        one message (a callback redelivered) the second stores nothing.
        """
        row = (
            await Message.filter(tenant_id=tenant_id, sid=sid, price__isnull=True)
            .first()
            .values("id", "media")
        )
        if row is None:
            return False
        client, _ = await self.accounts.client_for_tenant(tenant_id)
        fetched = await call_twilio(client.messages(sid).fetch_async())
        updates: dict[str, Any] = {}
        price = decimal_of(fetched.price)
        if price is not None:
            updates["price"] = price  # as Twilio writes it: negative, a charge
            updates["price_unit"] = (fetched.price_unit or "")[:3] or None
        segments = integer_of(fetched.num_segments)
        if segments is not None:
            updates["num_segments"] = segments
        if fetched.error_message:
            updates["error_message"] = fetched.error_message[:255]
        if row["media"]:
            hosted = await call_twilio(hosted_media(client, sid))
            if hosted:
                updates["media"] = [
                    {"url": url, "content_type": content_type or None}
                    for url, content_type in hosted
                ]
        if not updates:
            return False
        return await Message.filter(id=row["id"], price__isnull=True).update(**updates) > 0

    async def capture_recording(self, *, tenant_id: int, sid: str) -> bool:
        """Fetch and store the recording's price if still unknown; whether anything was stored
        (as :meth:`capture`: one read, one UPDATE that still requires the price unknown)."""
        found = await Recording.filter(tenant_id=tenant_id, sid=sid, price__isnull=True).exists()
        if not found:
            return False
        client, _ = await self.accounts.client_for_tenant(tenant_id)
        fetched = await call_twilio(client.recordings(sid).fetch_async())
        price = decimal_of(fetched.price)
        if price is None:
            return False
        return (
            await Recording.filter(tenant_id=tenant_id, sid=sid, price__isnull=True).update(
                price=price,  # as Twilio writes it: negative, a charge
                price_unit=(fetched.price_unit or "")[:3] or None,
            )
            > 0
        )
