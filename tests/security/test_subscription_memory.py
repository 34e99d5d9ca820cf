"""A live subscription keeps nothing per event: thousands of events leave its memory flat.

graphql-core 3.3 executes each subscription event on a shallow copy of the subscription's
executor, and its subfield memo, keyed by the id of each event's fresh field lists, used to be
shared by every copy (see trunkline/graphql/sharing.py). The gateway's own executor, on a schema
of its own, is driven through strawberry's ``subscribe()`` as the WebSocket handler drives it,
and through ``shared_result`` as live delivery (graphql/delivery.py) does.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import tracemalloc
from collections.abc import AsyncGenerator, Hashable, Iterator, Sized
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import strawberry
from graphql import ExecutionResult

from trunkline.auth.principal import Principal, Role
from trunkline.graphql.sharing import (
    RenderedData,
    SharedEvent,
    SharingExecutor,
    subscription_executor,
)

EVENTS = 3000
# What the memo used to keep was about 0.9 KB per collected field list: two per event here
# (`ticks` and `body`), so a leak shows as megabytes per half; one idle half moves by a few KB.
FLAT_BYTES = 256 * 1024
TICKS = "subscription { ticks { n body { text } } }"


@strawberry.type
class Body:
    text: str


@strawberry.type
class Tick:
    n: int

    @strawberry.field
    def body(self) -> Body:
        return Body(text=f"tick {self.n}")


@dataclass
class Feed:
    """The test's side of one subscription: its events in, its executor out."""

    shared: bool
    events: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    executor: SharingExecutor | None = None
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Context:
    feed: Feed
    principal: Principal | None


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, info: strawberry.Info[Context, None]) -> AsyncGenerator[Tick, None]:
        feed = info.context.feed
        feed.executor = subscription_executor()
        feed.subscribed.set()
        while True:
            n = await feed.events.get()
            memo: dict[Hashable, Any] = {}  # one bus message's memo
            yield cast(Tick, SharedEvent(Tick(n=n), memo)) if feed.shared else Tick(n=n)


SCHEMA = strawberry.Schema(
    query=Query, subscription=Subscription, execution_context_class=SharingExecutor
)


def admin() -> Principal:
    expires = datetime.now(UTC) + timedelta(hours=1)
    return Principal("auth0|u", "org", frozenset({Role.ADMIN}), expires, 1)


@pytest.fixture
def traced() -> Iterator[None]:
    """tracemalloc on for the test (left on if something else had started it)."""
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    yield
    if started_here:
        tracemalloc.stop()


def traced_bytes() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def container_sizes(executor: object) -> dict[str, int]:
    """The size of every container the executor holds (memos, error lists, future sets)."""
    return {name: len(value) for name, value in vars(executor).items() if isinstance(value, Sized)}


async def open_subscription(feed: Feed) -> tuple[AsyncGenerator[Any, None], SharingExecutor]:
    """A subscription started in a context of its own, as each WebSocket operation is; its
    executor (what ``subscription_executor()`` tells the resolver)."""
    principal = admin() if feed.shared else None
    stream = await SCHEMA.subscribe(TICKS, context_value=Context(feed, principal))
    assert not isinstance(stream, ExecutionResult), stream

    async def first_event() -> Any:
        return await anext(stream)  # strawberry subscribes on the first read

    first = asyncio.create_task(first_event(), context=contextvars.Context())
    await feed.subscribed.wait()
    feed.events.put_nowait(0)
    assert (await first).data == {"ticks": {"n": 0, "body": {"text": "tick 0"}}}
    assert feed.executor is not None
    return cast(AsyncGenerator[Any, None], stream), feed.executor


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "unshared"])
async def test_thousands_of_events_grow_neither_the_executor_nor_traced_memory(
    shared: bool, traced: None
) -> None:
    feed = Feed(shared=shared)
    stream, executor = await open_subscription(feed)
    sizes_after_one = container_sizes(executor)

    async def deliver(first: int, last: int) -> None:
        for n in range(first, last):
            feed.events.put_nowait(n)
            result = await anext(stream)
            assert result.data == {"ticks": {"n": n, "body": {"text": f"tick {n}"}}}
            assert (type(result.data) is RenderedData) is shared  # the path under test

    await deliver(1, EVENTS // 2)
    halfway = traced_bytes()
    await deliver(EVENTS // 2, EVENTS)
    growth = traced_bytes() - halfway
    await stream.aclose()

    assert container_sizes(executor) == sizes_after_one
    assert growth < FLAT_BYTES, f"{growth} bytes more after {EVENTS // 2} more events"


async def test_results_shared_live_leave_the_subscription_executor_as_it_was(
    traced: None,
) -> None:
    feed = Feed(shared=True)
    stream, executor = await open_subscription(feed)
    sizes_after_one = container_sizes(executor)

    async def share(first: int, last: int) -> None:
        # What graphql/delivery.py's send_live does with each live event of a subscription.
        for n in range(first, last):
            result = executor.shared_result(SharedEvent(Tick(n=n), {}))
            assert isinstance(result, ExecutionResult)
            assert result.data == {"ticks": {"n": n, "body": {"text": f"tick {n}"}}}

    await share(1, EVENTS // 2)
    halfway = traced_bytes()
    await share(EVENTS // 2, EVENTS)
    growth = traced_bytes() - halfway
    await stream.aclose()

    assert container_sizes(executor) == sizes_after_one
    assert growth < FLAT_BYTES, f"{growth} bytes more after {EVENTS // 2} more events"
