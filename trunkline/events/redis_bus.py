"""The Redis bus: pub/sub across instances, one listener connection per process.

The listener is ONE pub/sub connection, subscribed to the channels this process has subscribers
on, and only those, so a process reads no traffic it has nobody to give to. It reconnects and
resubscribes on its own, and tells every subscriber to backfill from the activity log once it is
back (``RESYNC``); so does a channel's first subscription when Redis confirms it, for what was
published before it took effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

import redis.asyncio as redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from trunkline import metrics
from trunkline.events.bus import DEFAULT_QUEUE_SIZE, BusUnavailable
from trunkline.events.fanout import Fanout, Subscription
from trunkline.events.ordering import Sequencer
from trunkline.events.shared import SharedMessage

logger = logging.getLogger(__name__)

RECONNECT_MIN_SECONDS = 0.05
RECONNECT_MAX_SECONDS = 2.0
# How long close() waits for the cancelled listener before cancelling it again.
CANCEL_RETRY_SECONDS = 0.1
# The field of a message published to all that names where its handlers acknowledge it, and
# how long such a reply list may outlive a publisher that stopped waiting.
ACK_FIELD = "_ack"
ACK_TTL_SECONDS = 30


class RedisBus:
    """Redis pub/sub: one publishing client (small pool) and one listener connection."""

    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "trunkline",
        timeout: float = 2.0,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._prefix = prefix
        # Subscribed first on every connection and never published on: its confirmation says
        # the listener is up (a SUBSCRIBE's channels all take effect together).
        self._control = f"{prefix}:listener"
        # A pooled connection Redis closed (a restart) fails once; the retry takes a fresh one.
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            max_connections=8,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        )
        self._fanout = Fanout(queue_size, on_channels_changed=self._channels_changed)
        self._listener: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0
        # What the current connection has asked Redis for, what it awaits confirmation of, and
        # a nudge for the task that keeps the former equal to the fan-out's channels.
        self._subscribed: set[str] = set()
        self._awaiting: set[str] = set()
        self._initial: set[str] = set()  # subscribed with the control channel
        self._resubscribe = asyncio.Event()
        # Callers of ``listening`` by the channel they wait for.
        self._waiters: dict[str, asyncio.Event] = {}
        # Each confirmed channel's subscription epoch, numbered across connections.
        self._epochs: dict[str, int] = {}
        self._next_epoch = itertools.count(1)

    async def start(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="redis bus listener")

    async def close(self) -> None:
        if self._listener is not None:
            listener = self._listener
            # redis-py can swallow a cancellation that lands inside one of its commands (the
            # listener then goes on to its next reconnect): cancel until the task has ended,
            # rather than wait for ever on a task that no longer knows it was cancelled.
            while not listener.done():
                listener.cancel()
                await asyncio.wait({listener}, timeout=CANCEL_RETRY_SECONDS)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                listener.result()
            self._listener = None
        await self._client.aclose()

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc
        if not self.connected.is_set():
            raise BusUnavailable("the listener is reconnecting")

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        try:
            await self._client.publish(channel, json.dumps(message, separators=(",", ":")))
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc

    async def publish_to_all(
        self, channel: str, message: dict[str, Any], *, wait_seconds: float
    ) -> int:
        """PUBLISH with a reply list in the message; wait for one entry per listening process.

        PUBLISH answers how many connections the message was written to (each process listens
        on one); each of them pushes onto the list once it has handled the message, and the
        publisher pops the list until it has them all. The list expires on its own.
        """
        replies = f"{self._prefix}:acks:{uuid.uuid4().hex}"
        body = json.dumps({**message, ACK_FIELD: replies}, separators=(",", ":"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        try:
            pending = int(await self._client.publish(channel, body))
            while pending > 0:
                # BLPOP's own timeout, kept under the socket's so a quiet wait is not an error.
                wait = min(deadline - loop.time(), self._timeout / 2)
                if wait <= 0:
                    break
                if await self._client.blpop([replies], timeout=wait) is not None:
                    pending -= 1
            await self._client.delete(replies)
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc
        return pending

    async def acknowledge(self, message: dict[str, Any]) -> None:
        replies = message.get(ACK_FIELD)
        if not isinstance(replies, str) or not replies.startswith(f"{self._prefix}:acks:"):
            return
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.rpush(replies, 1)
                pipe.expire(replies, ACK_TTL_SECONDS)
                await pipe.execute()
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc

    async def publish_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        if not messages:
            return
        # Each channel's messages go out as ONE message, a JSON array, in their order: a batch of
        # a tenant's webhooks costs every listener one message to read and parse, not one each.
        by_channel: dict[str, list[dict[str, Any]]] = {}
        for channel, message in messages:
            by_channel.setdefault(channel, []).append(message)
        # One non-transactional pipeline: a single connection and one round trip for the lot
        # (MULTI would add two commands and nothing of use: subscribers do not need atomicity).
        # Retried whole on a dropped connection, so a message may arrive twice; subscribers skip
        # a seq they have seen.
        try:
            async with self._client.pipeline(transaction=False) as pipeline:
                for channel, grouped in by_channel.items():
                    body = grouped[0] if len(grouped) == 1 else grouped
                    pipeline.publish(channel, json.dumps(body, separators=(",", ":")))
                await pipeline.execute()
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc

    def subscribe(self, channel: str, *, sequence: Sequencer | None = None) -> Subscription:
        return self._fanout.subscribe(channel, sequence)

    async def listening(self, channel: str) -> None:
        while not (self.connected.is_set() and self._is_confirmed(channel)):
            event = self._waiters.setdefault(channel, asyncio.Event())
            await event.wait()

    def subscription_epoch(self, channel: str) -> int | None:
        if not (self.connected.is_set() and self._is_confirmed(channel)):
            return None
        return self._epochs.get(channel)

    def _is_confirmed(self, channel: str) -> bool:
        return channel in self._subscribed and channel not in self._awaiting

    def _channels_changed(self) -> None:
        self._resubscribe.set()

    @property
    def subscriber_count(self) -> int:
        return self._fanout.subscriber_count

    async def _follow_channels(self, pubsub: PubSub) -> None:
        """Keep the connection subscribed to exactly the channels somebody here listens on.

        Changes are sent in order, batched: one UNSUBSCRIBE and one SUBSCRIBE per round.
        """
        task = asyncio.current_task()
        try:
            while True:
                # redis-py can swallow a cancellation that lands in a command (seen when the
                # bus closed while a channel was being left): honour it here, or the listener's
                # close waits for ever on this task.
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError
                await self._resubscribe.wait()
                self._resubscribe.clear()
                wanted = self._fanout.channels
                gone = self._subscribed - wanted
                new = wanted - self._subscribed
                if gone:
                    self._subscribed -= gone
                    self._awaiting -= gone
                    self._initial -= gone
                    for channel in gone:
                        self._epochs.pop(channel, None)
                    await pubsub.unsubscribe(*gone)
                if new:
                    self._subscribed |= new
                    self._awaiting |= new
                    await pubsub.subscribe(*new)
        except (redis.RedisError, OSError) as exc:
            # Close the connection under the reader: it reconnects and subscribes afresh.
            logger.warning("bus listener could not change its subscriptions: %s", exc)
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _listen(self) -> None:
        delay = RECONNECT_MIN_SECONDS
        first = True
        task = asyncio.current_task()
        while True:
            if task is not None and task.cancelling():
                raise asyncio.CancelledError  # one redis-py swallowed (see close)
            # The listener blocks reading for as long as nothing is published: no read timeout.
            client = redis.Redis.from_url(
                self._url, socket_connect_timeout=self._timeout, socket_keepalive=True
            )
            pubsub = client.pubsub()
            follower: asyncio.Task[None] | None = None
            try:
                wanted = self._fanout.channels
                self._subscribed, self._awaiting, self._initial = set(wanted), set(), set(wanted)
                self._epochs = {}
                await pubsub.subscribe(self._control, *wanted)
                follower = asyncio.create_task(self._follow_channels(pubsub))
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None:
                        continue
                    kind = message["type"]
                    if kind == "message":
                        try:
                            self._deliver(message)
                        except Exception:
                            # One message's failure must not end every subscriber's live feed:
                            # the listener goes on; a subscriber missing it reads the log.
                            logger.exception("failed to deliver a bus message")
                    elif kind == "subscribe":
                        channel = _text(message["channel"])
                        if channel == self._control:
                            self._connected(reconnected=not first)
                            first = False
                            delay = RECONNECT_MIN_SECONDS
                        else:
                            self._confirm(channel)
            except Exception as exc:
                self.connected.clear()
                logger.warning("bus listener lost Redis (%r); retrying in %.2fs", exc, delay)
            finally:
                if follower is not None:
                    follower.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await follower
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _connected(self, *, reconnected: bool) -> None:
        """Redis confirmed the control channel, and with it every channel subscribed alongside."""
        epoch = next(self._next_epoch)
        for channel in self._initial:
            self._epochs[channel] = epoch
        self.connected.set()
        if reconnected:
            self.reconnects += 1
            metrics.BUS_RECONNECTS.inc()
            logger.info("bus listener resubscribed; subscribers backfill")
        # Whatever was published before (the first time too) is in the log.
        self._fanout.resync_all()
        self._wake_listening(list(self._waiters))

    def _confirm(self, channel: str) -> None:
        """Redis confirmed a channel taken after connecting: its subscribers backfill."""
        if channel in self._initial:
            self._initial.discard(channel)  # covered by the control channel's confirmation
        elif channel in self._subscribed:
            # Also a channel dropped and taken again within one round trip: the later
            # SUBSCRIBE's confirmation may be this one, so every confirmation backfills.
            self._awaiting.discard(channel)
            self._epochs[channel] = next(self._next_epoch)
            self._fanout.resync(channel)
            self._wake_listening([channel])

    def _wake_listening(self, channels: list[str]) -> None:
        for channel in channels:
            event = self._waiters.get(channel)
            if event is not None and self._is_confirmed(channel):
                del self._waiters[channel]
                event.set()

    def _deliver(self, message: dict[str, Any]) -> None:
        channel = _text(message["channel"])
        try:
            data = json.loads(message["data"])
        except (ValueError, TypeError):
            logger.warning("ignored a malformed bus message on %s", channel)
            return
        # One message, or a publisher's batch of them for this channel, in order.
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                self._fanout.deliver(channel, SharedMessage(item))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
