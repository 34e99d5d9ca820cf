"""The bus: fan-out to bounded queues, slow subscribers dropped, the Redis listener reconnecting."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import redis.asyncio as redis

from tests.conftest import Backend
from tests.events.processes import redis_server
from trunkline.activity import ActivityNotice, ConversationEventSnapshot, notice_of, notice_seq
from trunkline.events import (
    RESYNC,
    Bus,
    BusUnavailable,
    RedisBus,
    SubscriberDropped,
    Subscription,
    create_bus,
)
from trunkline.events.ordering import REORDER_SECONDS


@pytest.fixture
async def bus(backend: Backend) -> AsyncIterator[Bus]:
    """The backend's bus (Redis on services, in-process on embedded), with small queues."""
    bus = create_bus(backend.redis_url, prefix=f"bus-test-{uuid.uuid4().hex[:8]}", queue_size=8)
    await bus.start()
    if isinstance(bus, RedisBus):
        await asyncio.wait_for(bus.connected.wait(), 5)
    yield bus
    await bus.close()


def channel_of(bus: Bus) -> str:
    prefix = bus._prefix if isinstance(bus, RedisBus) else "in-process"
    return f"{prefix}:tenant:1"


async def live(bus: Bus, channel: str, count: int = 1) -> list[Subscription]:
    """``count`` new subscriptions on ``channel``, once the bus carries it to them.

    On Redis a channel's first subscription is confirmed with a RESYNC (what was published
    before it took effect is in the log), queued before ``listening`` returns: taken here, the
    only thing these can hold yet.
    """
    subscriptions = [bus.subscribe(channel, sequence=notice_seq) for _ in range(count)]
    await asyncio.wait_for(bus.listening(channel), 5)
    for subscription in subscriptions:
        if subscription.pending():
            assert await subscription.get() is RESYNC
    return subscriptions


async def test_every_subscriber_of_a_channel_gets_each_message_in_order(bus: Bus) -> None:
    channel = channel_of(bus)
    subscribers = await live(bus, channel, 3)
    (elsewhere,) = await live(bus, channel + "0")

    for seq in (1, 2):
        await bus.publish(channel, {"seq": seq})
    received = [[await s.get(), await s.get()] for s in subscribers]

    assert [[m.data for m in r] for r in received] == [[{"seq": 1}, {"seq": 2}]] * 3
    assert all(r[0] is received[0][0] for r in received)  # one message object for all
    assert elsewhere.pending() == 0


async def test_a_stalled_subscriber_is_dropped_without_holding_back_the_others(bus: Bus) -> None:
    channel = channel_of(bus)
    stalled, reader = await live(bus, channel, 2)
    drops: list[str] = []
    stalled.on_drop = lambda: drops.append("dropped")

    received = []
    for seq in range(1, 21):
        await bus.publish(channel, {"seq": seq})
        received.append(await reader.get())

    assert [m.data for m in received] == [{"seq": seq} for seq in range(1, 21)]
    assert drops == ["dropped"]
    assert stalled.pending() == 0
    with pytest.raises(SubscriberDropped):
        await stalled.get()
    assert bus.subscriber_count == 1


async def test_the_redis_listener_reconnects_and_asks_subscribers_to_backfill() -> None:
    async with redis_server() as server:
        bus = RedisBus(server.url, prefix="restart")
        await bus.start()
        await asyncio.wait_for(bus.connected.wait(), 5)
        (subscription,) = await live(bus, "restart:tenant:1")
        await bus.publish("restart:tenant:1", {"seq": 1})
        before = await subscription.get()

        await server.stop()
        await server.start()
        after_restart = await asyncio.wait_for(subscription.get(), 10)
        await bus.publish("restart:tenant:1", {"seq": 2})
        live_again = await asyncio.wait_for(subscription.get(), 5)
        await bus.close()

    assert (before.data, after_restart, live_again.data) == ({"seq": 1}, RESYNC, {"seq": 2})
    assert bus.reconnects == 1


async def test_redis_connections_stay_constant_however_many_subscribe() -> None:
    async with redis_server() as server:
        bus = RedisBus(server.url, prefix="count")
        await bus.start()
        await asyncio.wait_for(bus.connected.wait(), 5)
        observer = redis.Redis.from_url(server.url)
        await bus.publish("count:tenant:1", {"seq": 0})
        few = [bus.subscribe("count:tenant:1") for _ in range(10)]
        with_ten = (await observer.info("clients"))["connected_clients"]
        many = [bus.subscribe(f"count:tenant:{i % 50}") for i in range(2000)]
        await bus.publish("count:tenant:1", {"seq": 1})
        with_thousands = (await observer.info("clients"))["connected_clients"]
        await observer.aclose()
        await bus.close()

    assert len(few) + len(many) == 2010
    assert with_thousands == with_ten == 3  # the listener, the publisher, this observer


async def changes_sent(bus: Bus, barrier: str) -> None:
    """Return once Redis has carried out every channel change the bus was asked for so far.

    Dropping a channel has no confirmation to await; taking one does. The bus sends its changes
    in the order they were made, on its one listener connection, and Redis carries them out in
    that order: once it confirms ``barrier``, every earlier UNSUBSCRIBE has been done.
    """
    subscription = bus.subscribe(barrier)
    await asyncio.wait_for(bus.listening(barrier), 5)
    subscription.close()


async def test_the_redis_listener_carries_only_channels_somebody_here_listens_on() -> None:
    async with redis_server() as server:
        bus = RedisBus(server.url, prefix="only")
        await bus.start()
        await asyncio.wait_for(bus.connected.wait(), 5)
        observer = redis.Redis.from_url(server.url, decode_responses=True)

        async def carried() -> list[str]:
            return sorted(await observer.pubsub_channels("only:tenant:*"))

        before = await carried()
        first, second = await live(bus, "only:tenant:1", 2)
        (other,) = await live(bus, "only:tenant:2")
        both = await carried()
        first.close()
        await changes_sent(bus, "only:barrier:1")
        one_left = await carried()
        second.close()
        other.close()
        await changes_sent(bus, "only:barrier:2")
        after = await carried()
        unheard = await observer.publish("only:tenant:1", "{}")
        await observer.aclose()
        await bus.close()

    assert before == []
    assert both == one_left == ["only:tenant:1", "only:tenant:2"]
    assert after == []
    assert unheard == 0  # nobody receives it: not even this process's listener


def notice_wire(seq: int) -> dict[str, object]:
    return ActivityNotice(
        tenant_id=1,
        seq=seq,
        kind="CONVERSATION_EVENT",
        entity_type="conversation",
        entity_id=0,
        number_id=None,
        snapshot=ConversationEventSnapshot({}),
    ).to_wire()


async def seqs_of(subscription: Subscription, count: int) -> list[int]:
    items = [await asyncio.wait_for(subscription.get(), 5) for _ in range(count)]
    return [notice_of(item).seq for item in items]  # type: ignore[arg-type]


async def test_notices_published_out_of_order_reach_subscribers_in_order(bus: Bus) -> None:
    channel = channel_of(bus)
    subscribers = await live(bus, channel, 2)

    for seq in (1, 3, 4, 2, 5):
        await bus.publish(channel, notice_wire(seq))
    received = [await seqs_of(s, 5) for s in subscribers]

    assert received == [[1, 2, 3, 4, 5]] * 2


async def test_a_gap_that_never_fills_is_released_in_order_after_the_reorder_window(
    bus: Bus,
) -> None:
    channel = channel_of(bus)
    (subscriber,) = await live(bus, channel)
    await bus.publish(channel, notice_wire(1))
    assert await seqs_of(subscriber, 1) == [1]
    loop = asyncio.get_running_loop()

    held_from = loop.time()
    for seq in (4, 3):  # 2 is never published
        await bus.publish(channel, notice_wire(seq))
    after_gap = await seqs_of(subscriber, 2)
    waited = loop.time() - held_from
    await bus.publish(channel, notice_wire(5))

    assert after_gap == [3, 4]
    assert waited >= REORDER_SECONDS * 0.9
    assert await seqs_of(subscriber, 1) == [5]


async def test_the_last_subscriber_dropped_while_held_notices_are_released_leaves_the_bus_working(
    bus: Bus,
) -> None:
    channel = channel_of(bus)
    (stalled,) = await live(bus, channel)  # never reads: its queue holds 8 (the fixture's size)
    dropped = asyncio.Event()
    stalled.on_drop = dropped.set
    await bus.publish(channel, notice_wire(1))
    for seq in range(3, 13):
        await bus.publish(channel, notice_wire(seq))  # held: 2 is missing
    await bus.publish(channel, notice_wire(2))  # releases 2..12: the 9th queued drops it

    await asyncio.wait_for(dropped.wait(), 5)
    with pytest.raises(SubscriberDropped):
        await stalled.get()
    (newcomer,) = await live(bus, channel)
    await bus.publish(channel, notice_wire(13))
    assert await seqs_of(newcomer, 1) == [13]
    assert bus.subscriber_count == 1


async def test_publish_many_delivers_each_message_to_its_channel_in_order(bus: Bus) -> None:
    channel = channel_of(bus)
    other = channel.removesuffix("1") + "2"  # tenant 2
    (subscriber,) = await live(bus, channel)
    (elsewhere,) = await live(bus, other)

    await bus.publish_many(
        [(channel, notice_wire(1)), (other, {"seq": 7}), (channel, notice_wire(2))]
    )
    await bus.publish_many([])  # nothing to send: a no-op, not an error

    assert await seqs_of(subscriber, 2) == [1, 2]
    assert (await asyncio.wait_for(elsewhere.get(), 5)).data == {"seq": 7}  # type: ignore[union-attr]
    assert (subscriber.pending(), elsewhere.pending()) == (0, 0)


async def test_publish_many_on_redis_sends_one_ordered_message_per_channel() -> None:
    """On one connection; a channel's several messages are one JSON array, in their order."""
    async with redis_server() as server:
        bus = RedisBus(server.url, prefix="many")
        await bus.start()
        await asyncio.wait_for(bus.connected.wait(), 5)
        observer = redis.Redis.from_url(server.url)
        wire = observer.pubsub()
        await wire.psubscribe("many:tenant:*")  # what Redis sends out, before any reordering
        await wire.get_message(timeout=5)  # the subscribe confirmation

        await bus.publish_many(
            [(f"many:tenant:{1 + seq % 2}", notice_wire(seq)) for seq in range(1, 101)]
        )
        await bus.publish_many([("many:tenant:3", notice_wire(7))])
        sent = [await wire.get_message(timeout=5) for _ in range(3)]
        clients = (await observer.info("clients"))["connected_clients"]
        publishes = (await observer.info("commandstats"))["cmdstat_publish"]["calls"]
        await wire.aclose()
        await observer.aclose()
        await bus.close()

    bodies = {message["channel"].decode(): json.loads(message["data"]) for message in sent}
    assert [notice["seq"] for notice in bodies["many:tenant:2"]] == list(range(1, 101, 2))
    assert [notice["seq"] for notice in bodies["many:tenant:1"]] == list(range(2, 101, 2))
    assert bodies["many:tenant:3"]["seq"] == 7  # alone: the message itself, not a list of one
    assert publishes == 3
    assert clients == 4  # the listener, ONE publishing connection, this observer and its pubsub


async def test_publish_many_with_redis_down_raises_bus_unavailable() -> None:
    async with redis_server() as server:
        bus = RedisBus(server.url, prefix="down", timeout=0.5)
        await server.stop()
        with pytest.raises(BusUnavailable):
            await bus.publish_many([("down:tenant:1", notice_wire(1))])
        await bus.close()


@asynccontextmanager
async def counting_relay(target_url: str) -> AsyncIterator[tuple[str, list[int]]]:
    """A loopback TCP relay to Redis; yields its URL and how many reads came from the clients.

    A client that waits for each reply before the next command writes once per command; one
    that pipelines writes its commands together.
    """
    target = redis.Redis.from_url(target_url).connection_pool.connection_kwargs
    client_reads = [0]

    async def relay(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                client_reads[0] += count
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            target["host"], target["port"]
        )
        await asyncio.gather(
            relay(reader, upstream_writer, True),
            relay(upstream_reader, writer, False),
            return_exceptions=True,  # either side hanging up ends both
        )

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"redis://127.0.0.1:{port}/0", client_reads


async def test_publish_many_on_redis_is_one_round_trip_however_many_messages() -> None:
    async with redis_server() as server, counting_relay(server.url) as (url, client_reads):
        bus = RedisBus(url, prefix="trips")  # its listener is not started: only publishes pass
        await bus.publish_many([("trips:tenant:1", notice_wire(0))])  # connects (a handshake)
        before = client_reads[0]

        await bus.publish_many([("trips:tenant:1", notice_wire(seq)) for seq in range(1, 201)])
        writes = client_reads[0] - before
        await bus.close()

    assert 1 <= writes <= 3  # one pipelined write (TCP may split it); one by one would be 200


async def test_a_message_published_to_all_returns_once_every_listening_process_acknowledged(
    backend: Backend,
) -> None:
    if not backend.redis_url:
        pytest.skip("one process: the in-process bus has nobody else to wait for")
    prefix = f"bus-test-{uuid.uuid4().hex[:8]}"
    channel = f"{prefix}:lookups"
    buses = [RedisBus(backend.redis_url, prefix=prefix) for _ in range(3)]
    for each in buses:
        await each.start()
    try:
        publisher, quick, silent = buses
        handled: list[str] = []

        async def acknowledge_after(bus: RedisBus, subscription: Subscription, name: str) -> None:
            item = await subscription.get()
            assert item is not RESYNC
            await asyncio.sleep(0.2)  # a slow handler: the publisher must wait for it
            handled.append(name)
            await bus.acknowledge(item.data)

        subscriptions = [bus.subscribe(channel) for bus in buses]
        for bus in buses:
            await asyncio.wait_for(bus.listening(channel), 5)
        for subscription in subscriptions:
            while subscription.pending():
                assert await subscription.get() is RESYNC
        handlers = [
            asyncio.create_task(acknowledge_after(publisher, subscriptions[0], "publisher")),
            asyncio.create_task(acknowledge_after(quick, subscriptions[1], "quick")),
        ]

        # The third process takes the message but never acknowledges it.
        late = await publisher.publish_to_all(channel, {"tenant_id": 1}, wait_seconds=1.0)

        assert late == 1
        assert sorted(handled) == ["publisher", "quick"]
        assert subscriptions[2].pending() == 1
        await asyncio.gather(*handlers)

        # Once it leaves the channel, every listener that remains is waited for, and only those.
        subscriptions[2].close()
        await silent.close()
        buses.remove(silent)
        # Redis drops a closed connection's subscriptions once it reads the close: until then
        # PUBLISH still counts it (polled: Redis announces nothing when it is done).
        client = redis.Redis.from_url(backend.redis_url)
        try:
            async with asyncio.timeout(5):
                while (await client.pubsub_numsub(channel))[0][1] != 2:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        finally:
            await client.aclose()
        handlers = [
            asyncio.create_task(acknowledge_after(publisher, subscriptions[0], "publisher")),
            asyncio.create_task(acknowledge_after(quick, subscriptions[1], "quick")),
        ]
        handled.clear()
        late = await publisher.publish_to_all(channel, {"tenant_id": 2}, wait_seconds=5.0)
        assert (late, sorted(handled)) == (0, ["publisher", "quick"])
        await asyncio.gather(*handlers)
    finally:
        for bus in buses:
            await bus.close()
