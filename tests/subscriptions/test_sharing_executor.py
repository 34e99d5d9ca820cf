"""The sharing executor on a schema of its own: how many times each selection really executes.

A resolver field counts its executions; one event goes to several subscriptions at once.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncGenerator, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import strawberry

from trunkline.auth.principal import Principal, Role
from trunkline.graphql.sharing import RenderedData, SharedEvent, SharingExecutor, encode_message

EXECUTIONS: Counter[str] = Counter()


@strawberry.type
class Tick:
    n: int

    @strawberry.field
    def label(self, prefix: str = "") -> str:
        EXECUTIONS[f"label:{prefix}"] += 1
        if prefix == "boom":
            raise ValueError("this selection fails")
        return f"{prefix}{self.n}"

    @strawberry.field
    async def later(self) -> int:
        EXECUTIONS["later"] += 1
        await asyncio.sleep(0)  # an async resolver: results arrive after others have asked
        return self.n * 10


@dataclass
class Feed:
    """Each subscription's queue of events; ``ready`` when ``expected`` have subscribed."""

    expected: int
    queues: list[asyncio.Queue[tuple[object, dict[Hashable, Any]]]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self, value: object) -> None:
        memo: dict[Hashable, Any] = {}  # one message: one memo for every subscriber
        for queue in self.queues:
            queue.put_nowait((value, memo))


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
    async def ticks(
        self, info: strawberry.Info[Context, None], since: int | None = None
    ) -> AsyncGenerator[Tick, None]:
        feed = info.context.feed
        queue: asyncio.Queue[tuple[object, dict[Hashable, Any]]] = asyncio.Queue()
        feed.queues.append(queue)
        if len(feed.queues) == feed.expected:
            feed.ready.set()
        while True:
            value, memo = await queue.get()
            yield cast(Tick, SharedEvent(value, memo))


SCHEMA = strawberry.Schema(
    query=Query, subscription=Subscription, execution_context_class=SharingExecutor
)
LABEL = "subscription ($p: String) { ticks { n label(prefix: $p) } }"
LATER = "subscription { ticks { n later } }"
SINCE = "subscription ($since: Int, $p: String) { ticks(since: $since) { label(prefix: $p) } }"


def principal(*roles: Role, tenant_id: int = 1) -> Principal:
    expires = datetime.now(UTC) + timedelta(hours=1)
    return Principal("auth0|u", "org", frozenset(roles), expires, tenant_id)


async def first_results(
    subscriptions: list[tuple[str, dict[str, Any], Principal | None]], event: object
) -> list[Any]:
    """Subscribe each, publish ``event`` once, and return what each subscription yields."""
    EXECUTIONS.clear()
    feed = Feed(expected=len(subscriptions))
    streams = [
        await SCHEMA.subscribe(query, variable_values=variables, context_value=Context(feed, who))
        for query, variables, who in subscriptions
    ]
    pending = [asyncio.ensure_future(anext(stream)) for stream in streams]  # type: ignore[arg-type]
    await feed.ready.wait()
    feed.publish(event)
    results = await asyncio.gather(*pending)
    for stream in streams:
        await stream.aclose()  # type: ignore[union-attr]
    return results


async def test_identical_subscriptions_execute_the_event_once_and_share_its_encoding() -> None:
    admin = principal(Role.ADMIN)
    results = await first_results([(LABEL, {"p": "#"}, admin)] * 3, Tick(n=7))

    assert [r.data for r in results] == [{"ticks": {"n": 7, "label": "#7"}}] * 3
    assert [r.errors for r in results] == [None] * 3
    assert EXECUTIONS == {"label:#": 1}
    assert all(type(r.data) is RenderedData for r in results)
    assert results[0].data.json == '{"ticks":{"n":7,"label":"#7"}}'


async def test_other_variables_roles_or_tenants_execute_apart() -> None:
    results = await first_results(
        [
            (LABEL, {"p": "a"}, principal(Role.ADMIN)),
            (LABEL, {"p": "b"}, principal(Role.ADMIN)),
            (LABEL, {"p": "a"}, principal()),  # an agent: same document and variables
            (LABEL, {"p": "a"}, principal(Role.ADMIN, tenant_id=2)),
            (LABEL, {"p": "a"}, principal(Role.ADMIN)),  # shares with the first
        ],
        Tick(n=1),
    )

    labels = [r.data["ticks"]["label"] for r in results]
    assert labels == ["a1", "b1", "a1", "a1", "a1"]
    assert EXECUTIONS == {"label:a": 3, "label:b": 1}


async def test_variables_only_choosing_the_events_do_not_keep_subscriptions_apart() -> None:
    admin = principal(Role.ADMIN)
    results = await first_results(
        [
            (SINCE, {"since": 1, "p": "="}, admin),
            (SINCE, {"since": 2, "p": "="}, admin),  # another cursor, the same result
            (SINCE, {"since": 1, "p": "~"}, admin),
        ],
        Tick(n=4),
    )

    assert [r.data for r in results] == [
        {"ticks": {"label": "=4"}},
        {"ticks": {"label": "=4"}},
        {"ticks": {"label": "~4"}},
    ]
    assert EXECUTIONS == {"label:=": 1, "label:~": 1}


async def test_an_error_stays_with_the_selection_that_caused_it() -> None:
    admin = principal(Role.ADMIN)
    results = await first_results(
        [(LABEL, {"p": "boom"}, admin), (LABEL, {"p": "fine"}, admin)], Tick(n=2)
    )

    failed, fine = results
    assert failed.data is None  # `ticks` is non-null: the error nulls the whole result
    assert [e.message for e in failed.errors] == ["this selection fails"]
    assert (fine.data, fine.errors) == ({"ticks": {"n": 2, "label": "fine2"}}, None)


async def test_an_async_selection_in_flight_is_awaited_not_executed_again() -> None:
    admin = principal(Role.ADMIN)
    results = await first_results([(LATER, {}, admin)] * 4, Tick(n=3))

    assert [r.data for r in results] == [{"ticks": {"n": 3, "later": 30}}] * 4
    assert EXECUTIONS == {"later": 1}


async def test_without_a_principal_nothing_is_shared() -> None:
    results = await first_results([(LABEL, {"p": "x"}, None)] * 2, Tick(n=5))

    assert [r.data for r in results] == [{"ticks": {"n": 5, "label": "x5"}}] * 2
    assert EXECUTIONS == {"label:x": 2}


def test_a_shared_next_message_is_encoded_as_strawberry_would_encode_it() -> None:
    data = RenderedData({"activity": {"body": 'é "quoted" \n', "n": [1, None, True]}})
    message = {"id": 'op "7"', "type": "next", "payload": {"data": data}}

    assert encode_message(message) == json.dumps(message, separators=(",", ":"))
    assert encode_message({**message, "payload": {"data": dict(data)}}) is None
