"""Subscriptions: the tenant's activity (replay after a cursor, then live), one message, one call.

Each ends when the caller's token or session expires: the socket is closed with 4403, since every
subscription on it shares the same expired identity. A subscriber too slow for the bus is dropped
and its socket closed with 1013 (try again later); reconnecting with ``after`` loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import cast

import strawberry
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketState

from trunkline.activity import (
    ActivityNotice,
    CallSnapshot,
    MessageSnapshot,
    Visibility,
    activity_stream,
    latest_seq,
    notice_of,
)
from trunkline.auth.permissions import IsAuthenticated, require_principal
from trunkline.events import SharedMessage, StreamExpired, SubscriberDropped, Subscription
from trunkline.resolvers.outcomes import query_errors, tenant_principal
from trunkline.schema.activity import ActivityChannel, ActivityEvent
from trunkline.schema.calls import Call
from trunkline.schema.context import Info
from trunkline.schema.delivery import send_live
from trunkline.schema.messages import Message
from trunkline.schema.sharing import SharedEvent
from trunkline.services import numbers
from trunkline.services.calls import get_call
from trunkline.services.errors import PhoneNumberNotFound
from trunkline.services.keys import parse_key, parse_optional_key, parse_seq
from trunkline.services.messages import get_message

logger = logging.getLogger(__name__)

EXPIRED_CLOSE = (4403, "Forbidden: the token or session expired")
DROPPED_CLOSE = (1013, "Subscriber fell behind; resubscribe with `after`")


def _not_found(what: str) -> GraphQLError:
    return GraphQLError(f"{what} not found", extensions={"code": "NOT_FOUND"})


async def _close_socket(info: Info, code: int, reason: str) -> None:
    socket = info.context.request
    if isinstance(socket, WebSocket) and socket.application_state != WebSocketState.DISCONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await socket.close(code, reason)


class _SocketCloser:
    """Closes the socket when the bus drops the subscriber (it may be stuck in a send)."""

    def __init__(self, info: Info) -> None:
        self.info = info
        self.task: asyncio.Task[None] | None = None

    def attach(self, subscription: Subscription) -> None:
        def dropped() -> None:
            self.task = asyncio.get_running_loop().create_task(
                _close_socket(self.info, *DROPPED_CLOSE)
            )

        subscription.on_drop = dropped


def _shared(
    item: SharedMessage, kind: str, build: Callable[[ActivityNotice], object]
) -> SharedEvent:
    """The event object built from ``item`` once for every subscriber, wrapped for sharing.

    The schema's executor unwraps :class:`SharedEvent` and executes each distinct selection of
    it once; yielded, it is cast to the type the resolver declares, which is what clients get.
    """
    key = ("event", kind)
    event = item.memo.get(key)
    if event is None:
        event = item.memo[key] = SharedEvent(build(notice_of(item)), item.memo)
    return event


async def _notices(
    info: Info, *, tenant_id: int, after_seq: int | None
) -> AsyncIterator[SharedMessage]:
    """The tenant's stream, ending (and closing the socket) at expiry or when dropped."""
    principal = require_principal(info)
    gateway = info.context.gateway
    closer = _SocketCloser(info)
    stream = activity_stream(
        bus=gateway.bus,
        prefix=gateway.settings.bus_prefix,
        tenant_id=tenant_id,
        after_seq=after_seq,
        expires_at=principal.expires_at,
        on_subscribed=closer.attach,
    )
    try:
        async for item in stream:
            yield item
    except StreamExpired:
        await _close_socket(info, *EXPIRED_CLOSE)
    except SubscriberDropped:
        await _close_socket(info, *DROPPED_CLOSE)
    finally:
        await stream.aclose()


def _message_of(notice: ActivityNotice) -> Message:
    assert isinstance(notice.snapshot, MessageSnapshot)  # the caller checked its entity type
    return Message.from_snapshot(notice.snapshot)


def _call_of(notice: ActivityNotice) -> Call:
    assert isinstance(notice.snapshot, CallSnapshot)  # the caller checked its entity type
    return Call.from_snapshot(notice.snapshot, tenant_id=notice.tenant_id)


@strawberry.type
class ActivitySubscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description=(
            "The organization's activity, oldest first: with `after` (an event's cursor) the log "
            "after it is replayed, then events arrive live, with no gap and no repeat. Agents see "
            "the activity of the numbers assigned to them; admins see all."
        ),
    )
    async def activity(
        self,
        info: Info,
        channels: list[ActivityChannel] | None = None,
        number_id: strawberry.ID | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[ActivityEvent, None]:
        principal, tenant_id = tenant_principal(info)
        with query_errors():
            after_seq = parse_seq(after, field="after")
            only_number = parse_optional_key(number_id, field="numberId")
        if only_number is not None:
            try:
                await numbers.get_number(
                    tenant_id=tenant_id, principal=principal, number_id=only_number
                )
            except PhoneNumberNotFound:
                raise _not_found("Number") from None  # absent, another tenant's, or not theirs
        visibility = Visibility(principal=principal, tenant_id=tenant_id)
        wanted = {channel.value for channel in channels} if channels else None
        async for item in _notices(info, tenant_id=tenant_id, after_seq=after_seq):
            notice = notice_of(item)
            if only_number is not None and notice.number_id != only_number:
                continue
            if wanted is not None and notice.channel not in wanted:
                continue
            if not visibility.sees_all and not await visibility.allows_number(notice.number_id):
                continue
            event = _shared(item, "activity", ActivityEvent.of)
            if not await send_live(event):
                yield cast(ActivityEvent, event)

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The message now, then each change to it.",
    )
    async def message_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Message, None]:
        principal, tenant_id = tenant_principal(info)
        with query_errors():
            message_id = parse_key(id, field="id")
        since = await latest_seq(tenant_id=tenant_id)
        row = await get_message(tenant_id=tenant_id, message_id=message_id)
        visibility = Visibility(principal=principal, tenant_id=tenant_id)
        if row is None or not await visibility.allows_number(row.number_id):  # type: ignore[attr-defined]
            raise _not_found("Message")
        yield Message.from_snapshot(MessageSnapshot.of(row))
        async for item in _notices(info, tenant_id=tenant_id, after_seq=since):
            notice = notice_of(item)
            if notice.entity_type == "message" and notice.entity_id == message_id:
                event = _shared(item, "message", _message_of)
                if not await send_live(event):
                    yield cast(Message, event)

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The call now, then each change to it.",
    )
    async def call_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Call, None]:
        principal, tenant_id = tenant_principal(info)
        with query_errors():
            call_id = parse_key(id, field="id")
        since = await latest_seq(tenant_id=tenant_id)
        row = await get_call(tenant_id=tenant_id, call_id=call_id)
        visibility = Visibility(principal=principal, tenant_id=tenant_id)
        if row is None or not await visibility.allows_number(row.number_id):  # type: ignore[attr-defined]
            raise _not_found("Call")
        yield Call.from_snapshot(CallSnapshot.of(row), tenant_id=tenant_id)
        async for item in _notices(info, tenant_id=tenant_id, after_seq=since):
            notice = notice_of(item)
            if notice.entity_type == "call" and notice.entity_id == call_id:
                event = _shared(item, "call", _call_of)
                if not await send_live(event):
                    yield cast(Call, event)
