"""Whom a webhook belongs to, remembered for a few seconds and forgotten everywhere on revocation.

Webhooks come in bursts per account, and resolving one costs an indexed look-up and a Fernet
decrypt of the auth token, so :class:`RecentLookups` keeps what the last few seconds found. Every
change to what a webhook resolves to (credentials saved, disabled or deleted; a number bought,
released or reassigned) calls :meth:`RecentLookups.revoke` before the mutation returns: the
entries go here at once, and on every other instance through the bus's revocation channel, which
each process subscribes to for as long as it runs.

An instance that may have missed a revocation does not trust what it remembers. While the bus is
not carrying the revocation channel (starting, reconnecting) every look-up goes to the database
and nothing is kept; once it carries the channel again (a new subscription epoch), everything
kept before is dropped. What remains is a connection that died without this process noticing
yet (no reset reached it): the entries' few seconds of life bound that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from trunkline.events import Bus, BusUnavailable, SharedMessage, SubscriberDropped, Subscription

logger = logging.getLogger(__name__)

T = TypeVar("T")
Key = tuple[Hashable, ...]


# How long a revocation waits for the other instances to confirm they have forgotten.
ACKNOWLEDGE_SECONDS = 2.0


def revocation_channel_name(prefix: str) -> str:
    """The bus channel revocations travel on (no tenant's activity channel can be named so)."""
    return f"{prefix}:lookups"


@dataclass(frozen=True)
class Revocation:
    """What changed: whatever a tenant's webhooks resolved to, and who holds these numbers."""

    tenant_id: int
    phone_numbers: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "phone_numbers": list(self.phone_numbers)}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Revocation:
        """Raises ``KeyError``/``ValueError``/``TypeError`` when ``data`` is not a revocation."""
        numbers = data.get("phone_numbers") or []
        if not isinstance(numbers, list):
            raise TypeError("phone_numbers is not a list")
        return cls(tenant_id=int(data["tenant_id"]), phone_numbers=tuple(map(str, numbers)))


@dataclass(slots=True)
class _Entry:
    expires_at: float
    value: object
    tenant_id: int  # whose it is: a revocation of that tenant drops it
    phone_number: str | None  # the number it was found by, if any


class RecentLookups:
    """Look-ups that found something in the last ``ttl_seconds``, per process, revocable.

    Only hits are kept (a miss is asked again next time). Built once per process by the gateway;
    :meth:`start` subscribes to the revocation channel, :meth:`stop` leaves it.
    """

    def __init__(
        self,
        bus: Bus,
        *,
        channel: str,
        ttl_seconds: float = 5.0,
        max_entries: int = 10_000,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._bus = bus
        self._channel = channel
        self._entries: dict[Key, _Entry] = {}
        # The bus's subscription epoch the entries were kept under: a new one drops them all.
        self._epoch: int | None = None
        # Moves on every eviction, so a look-up that was in flight meanwhile keeps nothing: it
        # may have read the database before the change it would then outlive.
        self._generation = 0
        self._follower: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._follower is None:
            # Subscribed here, not in the task: a bus started next takes the channel at once.
            subscription = self._bus.subscribe(self._channel)
            self._follower = asyncio.create_task(
                self._follow(subscription), name="lookup revocations"
            )

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None
        self._forget_all()

    async def get(
        self,
        key: Key,
        load: Callable[[], Awaitable[T | None]],
        *,
        tenant_of: Callable[[T], int],
        phone_number: str | None = None,
        fresh: bool = False,
    ) -> T | None:
        """What ``load`` finds for ``key``, from the last few seconds unless ``fresh``.

        Args:
            key: what was looked up, e.g. ``("sid", account_sid)``.
            load: the look-up itself; None when it finds nothing.
            tenant_of: the tenant a found value belongs to (whose revocation drops it).
            phone_number: the number ``key`` names, if any (a revocation naming it drops it).
            fresh: ask ``load`` even when an entry is kept (and keep the new answer).
        """
        epoch = self._bus.subscription_epoch(self._channel)
        if epoch is None:
            # Revocations may be passing us by: trust nothing, keep nothing.
            self._forget_all()
            return await load()
        if epoch != self._epoch:
            self._forget_all()  # kept before a reconnection, across revocations we missed
            self._epoch = epoch
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > now and not fresh:
            return cast("T", entry.value)
        generation = self._generation
        value = await load()
        if value is None:
            self._entries.pop(key, None)
            return None
        if generation == self._generation:
            if len(self._entries) >= self.max_entries:
                self._forget_all()
            self._entries[key] = _Entry(
                expires_at=now + self.ttl_seconds,
                value=value,
                tenant_id=tenant_of(value),
                phone_number=phone_number,
            )
        return value

    async def revoke(self, revocation: Revocation) -> None:
        """Forget what ``revocation`` concerns here, then on every other instance.

        Returns once every instance listening on the revocation channel has forgotten it too
        (the bus counts the listeners and each acknowledges once its entries are gone), so a
        webhook sent after the mutation has answered finds no entry anywhere. An instance that
        does not answer within ``ACKNOWLEDGE_SECONDS`` is logged, not waited for longer: its
        entries expire within ``ttl_seconds``. When the bus cannot be reached the change stands
        (it is committed, perhaps already made at Twilio) and is logged; the instances whose
        listener lost Redis too trust nothing until they are back, and the entries of any other
        expire within ``ttl_seconds``.
        """
        self._evict(revocation)
        try:
            late = await self._bus.publish_to_all(
                self._channel, revocation.to_wire(), wait_seconds=ACKNOWLEDGE_SECONDS
            )
        except BusUnavailable as exc:
            logger.warning(
                "revocation of tenant %s's look-ups not published: other instances forget them "
                "within %.0fs: %s",
                revocation.tenant_id,
                self.ttl_seconds,
                exc,
            )
            return
        if late:
            logger.warning(
                "%d instances did not confirm the revocation of tenant %s's look-ups within "
                "%.0fs: they forget them within %.0fs",
                late,
                revocation.tenant_id,
                ACKNOWLEDGE_SECONDS,
                self.ttl_seconds,
            )

    def __len__(self) -> int:
        return len(self._entries)

    async def _follow(self, subscription: Subscription) -> None:
        """Apply every instance's revocations; hold the channel while the process runs."""
        try:
            while True:
                try:
                    item = await subscription.get()
                except SubscriberDropped:
                    # Fell behind: whatever it missed, nothing kept before survives it.
                    self._forget_all()
                    subscription = self._bus.subscribe(self._channel)
                    continue
                if isinstance(item, SharedMessage):
                    try:
                        self._evict(Revocation.from_wire(item.data))
                    except (KeyError, ValueError, TypeError):
                        logger.warning("ignored a malformed revocation: %r", item)
                    await self._acknowledge(item.data)
                else:
                    self._forget_all()  # RESYNC: the bus may have lost revocations
        finally:
            subscription.close()

    async def _acknowledge(self, message: dict[str, Any]) -> None:
        """Tell the revoking instance this one has forgotten (it waits for every instance)."""
        try:
            await self._bus.acknowledge(message)
        except BusUnavailable as exc:
            # The publisher stops waiting on its own; the bus's reconnection drops our entries.
            logger.warning("revocation not acknowledged: %s", exc)

    def _evict(self, revocation: Revocation) -> None:
        self._generation += 1
        numbers = set(revocation.phone_numbers)
        gone = [
            key
            for key, entry in self._entries.items()
            if entry.tenant_id == revocation.tenant_id or entry.phone_number in numbers
        ]
        for key in gone:
            del self._entries[key]

    def _forget_all(self) -> None:
        self._generation += 1
        self._entries.clear()
