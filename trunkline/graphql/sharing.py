"""One GraphQL execution per distinct subscription event result, shared by identical subscriptions.

Strawberry executes each subscription event for each subscriber (graphql-core's per-event
execution), then encodes each result for each subscriber. A subscription resolver may instead
yield a :class:`SharedEvent`: the event object together with the memo of the bus message every
local subscriber received. :class:`SharingExecutor` then executes the selection once per distinct
:func:`result key <SharingExecutor.result_key>` and keeps the result, its data already
JSON-encoded, in that memo; :func:`encode_message` splices the encoded data into each
subscription's own ``next`` message. Filtering (who may see the event) happens before the
resolver yields, per subscription; protocol handling, errors and masking stay strawberry's.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Hashable, Iterable
from contextvars import ContextVar
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution import Executor

from trunkline.graphql.plain_fields import PlainLeafFields

RESULT = "result"  # the memo namespace of rendered results


class SharedEvent:
    """What a subscription resolver yields to share its event's result with identical ones.

    ``memo`` belongs to the bus message (every local subscriber of it holds the same dict), so a
    result kept there lives exactly as long as the message is still being delivered.
    """

    __slots__ = ("memo", "value")

    def __init__(self, value: object, memo: dict[Hashable, Any]) -> None:
        self.value = value
        self.memo = memo


class RenderedData(dict[str, Any]):
    """A result's ``data``, with its JSON encoding made once for every subscriber."""

    __slots__ = ("json",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.json = json.dumps(data, separators=(",", ":"))


def encode_message(message: object) -> str | None:
    """A ``next`` message carrying :class:`RenderedData`, encoded by splicing; else None.

    Equal to ``json.dumps(message, separators=(",", ":"))``, what strawberry's views send.
    """
    if type(message) is not dict or message.get("type") != "next" or len(message) != 3:
        return None
    payload = message.get("payload")
    if type(payload) is not dict or len(payload) != 1:
        return None
    data = payload.get("data")
    if type(data) is not RenderedData:
        return None
    operation_id = json.dumps(message["id"])
    return f'{{"id":{operation_id},"type":"next","payload":{{"data":{data.json}}}}}'


def _rendered(result: ExecutionResult) -> ExecutionResult:
    # A result with errors is shared as it is: strawberry masks and reports errors per
    # subscriber on its own copy of the list, and sends them in full.
    if result.errors or result.data is None or result.extensions:
        return result
    return ExecutionResult(RenderedData(result.data))


async def _rendered_later(result: Awaitable[ExecutionResult]) -> ExecutionResult:
    return _rendered(await result)


async def _awaited(shared: asyncio.Future[ExecutionResult]) -> ExecutionResult:
    # Shielded: a subscriber cancelled mid-wait must not cancel the others' execution.
    return await asyncio.shield(shared)


def _retrieve(task: asyncio.Future[ExecutionResult]) -> None:
    # Every waiter may be gone: read the exception so asyncio does not log it as lost.
    if not task.cancelled():
        task.exception()


class _VariableNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_args: object) -> None:
        self.names.add(node.name.value)


def result_variables(
    operation: OperationDefinitionNode, fragments: Iterable[FragmentDefinitionNode]
) -> frozenset[str]:
    """The variables a subscription's per-event result can depend on.

    A subscription root field's arguments (``after``, ``numberId``, ``channels``) choose which
    events the resolver yields; graphql-core resolves the root field of each event to the event
    itself. Variables used only there leave the result unchanged, so subscriptions resuming from
    different cursors still share. Everything else (nested arguments, directives, fragments) is
    counted.
    """
    collector = _VariableNames()
    for directive in operation.directives or ():
        visit(directive, collector)
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            for directive in selection.directives or ():
                visit(directive, collector)
            if selection.selection_set is not None:
                visit(selection.selection_set, collector)
        else:
            visit(selection, collector)  # a fragment at the root: all of it counts
    for fragment in fragments:
        visit(fragment, collector)
    return frozenset(collector.names)


def _frozen(value: object) -> Hashable:
    """A hashable equivalent of coerced variable values (lists and input objects included)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    hash(value)  # TypeError for anything else unhashable: the operation is not shared
    return value


class ResultKey:
    """A result key whose hash is computed once per subscription, not once per event.

    graphql-core's AST nodes hash and compare by value (a walk of the whole operation); equal
    keys of identical subscriptions hold the very same parsed operation, so comparing them stops
    at identity.
    """

    __slots__ = ("_hash", "parts")

    def __init__(self, parts: tuple[Hashable, ...]) -> None:
        self.parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResultKey) and self.parts == other.parts


class SharingExecutor(PlainLeafFields):
    """Strawberry's executor (with plain leaf fields completed directly, see plain_fields.py),
    executing a :class:`SharedEvent` once per result key."""

    _event: SharedEvent | None = None  # set on the per-event copy of a shared event
    _operation_key: ResultKey | bool | None = None  # False: this subscription is not shared

    def result_key(self) -> ResultKey | None:
        """Everything of this subscription a per-event result can depend on; None: unshared.

        The operation (compared by value), the coerced :func:`result_variables`, and the
        principal's tenant and roles: no field below a subscription root reads anything else of
        the caller or the connection. A field that does must add it here.
        """
        if self._operation_key is None:
            principal = getattr(self.context_value, "principal", None)
            if principal is None:
                self._operation_key = False
            else:
                used = result_variables(self.operation, self.fragment_definitions.values())
                coerced = self.variable_values.coerced
                try:
                    variables = _frozen({name: coerced[name] for name in used if name in coerced})
                except TypeError:
                    self._operation_key = False
                else:
                    self._operation_key = ResultKey(
                        (RESULT, self.operation, variables, principal.tenant_id, principal.roles)
                    )
        return self._operation_key or None

    def shared_result(self, event: SharedEvent) -> ExecutionResult | Awaitable[ExecutionResult]:
        """``event``'s result for this subscription: kept in its memo, else executed there."""
        key = self.result_key()
        if key is None:
            return self._executor_for(event.value).execute_operation(False)
        shared = event.memo.get(key)
        if shared is None:
            result = self._executor_for(event.value).execute_operation(False)
            if self.is_awaitable(result):
                # In flight: identical subscriptions arriving meanwhile wait for this one.
                task = asyncio.ensure_future(_rendered_later(result))
                task.add_done_callback(_retrieve)
                shared = task
            else:
                shared = _rendered(result)
            event.memo[key] = shared
        if isinstance(shared, asyncio.Future):
            return _awaited(shared)
        return shared

    def _executor_for(self, value: object) -> SharingExecutor:
        """A per-event copy of this executor, sharing nothing with it that grows.

        graphql-core 3.3's ``build_per_event_executor`` is a shallow ``copy(self)`` with its own
        root value and errors. Its subfield memo (``_relevant_sub_fields``) stays shared: keyed
        by the ``id()`` of field lists each execution collects afresh, and keeping those lists
        alive, it would gain entries at every event of every subscription and never lose one.
        Each copy gets a memo of its own, which also serves every item of a list within the
        event. The other containers a copy shares are bounded: the sets of pending and
        background futures drop each future when it settles, and the ``@stream`` memo is never
        written for a subscription (graphql-core refuses ``@stream`` there).

        For upstream (graphql-core 3.3.2, strawberry-graphql 0.341.2; any subscription whose
        root field has a selection set, strawberry's default executor included): memory grows
        by about 0.85 KB per event, 8.5 MB per 10,000, until the subscription ends::

            import asyncio, tracemalloc
            from graphql import build_schema, parse, subscribe

            schema = build_schema("type Query { a: Int } type T { n: Int } "
                                  "type Subscription { t: T }")

            async def events(_root, _info):
                for n in range(20_000):
                    yield {"t": {"n": n}}

            async def main():
                tracemalloc.start()
                stream = subscribe(schema, parse("subscription { t { n } }"),
                                   subscribe_field_resolver=events)
                count = 0
                async for _result in stream:
                    count += 1
                    if count % 10_000 == 0:
                        print(count, tracemalloc.get_traced_memory()[0] // 1024, "KiB")

            asyncio.run(main())

        prints about 8,491 KiB at 10,000 events and 16,982 KiB at 20,000. The fix upstream:
        ``build_per_event_executor`` giving the copy a fresh ``_relevant_sub_fields``.
        """
        executor = super().build_per_event_executor(value)
        assert isinstance(executor, SharingExecutor)
        executor._event = None
        executor._relevant_sub_fields = {}
        return executor

    def build_per_event_executor(self, payload: Any) -> Executor:
        if type(payload) is not SharedEvent:
            return self._executor_for(payload)
        # graphql-core calls `execute_operation` on what this returns: see below.
        executor = self._executor_for(payload.value)
        executor._event = payload
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self._event is None:
            return super().execute_operation(serially)
        return self.shared_result(self._event)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.operation.operation is OperationType.SUBSCRIPTION and _SUBSCRIPTION.get() is None:
            # Built in the subscription operation's own task, just before its resolver is
            # called: what that resolver runs can reach this executor (graphql/delivery.py).
            # Set once per operation here rather than checked in ``build_resolve_info``, which
            # graphql-core calls for every field of every result.
            _SUBSCRIPTION.set(self)


_SUBSCRIPTION: ContextVar[SharingExecutor | None] = ContextVar(
    "trunkline_subscription_executor", default=None
)


def subscription_executor() -> SharingExecutor | None:
    """The executor of the subscription running in this task, if one is."""
    return _SUBSCRIPTION.get()
