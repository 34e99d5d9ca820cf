"""A live subscription event sent straight to its operation, past strawberry's per-event pipeline.

Strawberry turns each event of each subscription into an execution, a round of extension hooks
and an encoding, through several nested async generators. With results shared
(:mod:`trunkline.graphql.sharing`), what is left of that is bookkeeping, paid per subscriber per
event: most of a delivery's CPU. So a subscription resolver running under
:class:`GatewayTransportWSHandler` hands each event to :func:`send_live` first: when the shared
result is plain data, it is sent as the operation's ``next`` message through strawberry's own
:class:`Operation` (a completed operation sends nothing more). Anything else (errors, which
strawberry masks and reports; no such handler; an unshared subscription) is left to the resolver
to yield as usual. What is sent here skips strawberry's per-result extension hooks: none of the
schema's extensions (graphql/limits.py) acts on a result without errors.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from graphql import ExecutionResult
from starlette.websockets import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from trunkline.graphql.context import Context
from trunkline.graphql.sharing import RenderedData, SharedEvent, subscription_executor

_OPERATION: ContextVar[Operation[Any, Any] | None] = ContextVar(
    "trunkline_ws_operation", default=None
)


class GatewayTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler, telling each operation's task its operation."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # This runs as the operation's own task, in a copy of the handler's context: the
        # variable is seen by this operation's resolvers only.
        _OPERATION.set(operation)
        await super().run_operation(operation)

    async def send_message(self, message: Message) -> None:
        try:
            await super().send_message(message)
        except WebSocketDisconnected:
            # We closed the socket ourselves (4403 at expiry, 1013 for a dropped subscriber):
            # the operations still winding down have nobody left to tell. Without this each of
            # them logs its final `complete` as an error.
            return


async def send_live(event: SharedEvent) -> bool:
    """Send ``event``'s shared result as this subscription's next message; False: yield it."""
    operation = _OPERATION.get()
    executor = subscription_executor()
    if operation is None or executor is None or executor.result_key() is None:
        return False
    result = executor.shared_result(event)
    if not isinstance(result, ExecutionResult):
        result = await result
    data = result.data
    if type(data) is not RenderedData:
        return False
    await operation.send_operation_message(
        {"id": operation.id, "type": "next", "payload": {"data": data}}
    )
    return True
