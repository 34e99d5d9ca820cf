"""Subscriptions: the tenant's activity (replay after a cursor, then live), one message, one call.

Each ends when the caller's token or session expires: the socket is closed with 4403, since every
subscription on it shares the same expired identity. A subscriber too slow for the bus is dropped
and its socket closed with 1013 (try again later); reconnecting with ``after`` loses nothing.
Failures before the first event (a malformed argument, something absent or not the caller's) are
GraphQL errors carrying an ``ErrorCode``, raised through :func:`query_errors` as queries' are; so
is a resume from a cursor whose following events retention deleted (CURSOR_EXPIRED: reload).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import TypeVar, cast

import strawberry
from starlette.websockets import WebSocket, WebSocketState

from trunkline.activity import (
    ActivityNotice,
    ActivityPruned,
    CallSnapshot,
    MessageSnapshot,
    Visibility,
    activity_stream,
    latest_seq,
    notice_of,
)
from trunkline.auth.permissions import IsAuthenticated
from trunkline.auth.principal import Principal
from trunkline.events import SharedMessage, StreamExpired, SubscriberDropped, Subscription
from trunkline.graphql.context import Info, caller_tenant
from trunkline.graphql.delivery import send_live
from trunkline.graphql.sharing import SharedEvent
from trunkline.models import Call as CallRow
from trunkline.models import Message as MessageRow
from trunkline.resolvers.outcomes import query_errors
from trunkline.schema.activity import ActivityChannel, ActivityEvent
from trunkline.schema.calls import Call
from trunkline.schema.errors import raise_query_error
from trunkline.schema.messages import Message
from trunkline.services import numbers
from trunkline.services.calls import get_call
from trunkline.services.errors import CursorExpired, NotFound, PhoneNumberNotFound
from trunkline.services.keys import parse_key, parse_optional_key, parse_seq
from trunkline.services.messages import get_message

logger = logging.getLogger(__name__)

EXPIRED_CLOSE = (4403, "Forbidden: the token or session expired")
DROPPED_CLOSE = (1013, "Subscriber fell behind; resubscribe with `after`")
PRUNED_MESSAGE = (
    "Activity after this cursor is older than the organization keeps, so it cannot be replayed: "
    "reload the current state, then subscribe without `after`."
)


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
    info: Info, *, principal: Principal, tenant_id: int, after_seq: int | None
) -> AsyncIterator[SharedMessage]:
    """The tenant's stream, ending (and closing the socket) at expiry or when dropped."""
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
    except ActivityPruned:
        # Never resume past events the log no longer holds: the client reloads, then
        # subscribes again without `after` (or with the newest cursor it then holds).
        raise_query_error(CursorExpired(PRUNED_MESSAGE))
    finally:
        await stream.aclose()


Row = TypeVar("Row")
Snapshot = TypeVar("Snapshot")
Entity = TypeVar("Entity")


async def _entity_updates(
    info: Info,
    id: strawberry.ID,
    *,
    entity_type: str,
    load: Callable[[int, int], Awaitable[Row | None]],
    snapshot: Callable[[Row], Snapshot],
    present: Callable[[Snapshot, int], Entity],
    visible: Callable[[Visibility, Row], Awaitable[bool]] | None = None,
) -> AsyncGenerator[Entity, None]:
    """An "entity updated" subscription: the entity now, then each change to it.

    Its resolvers return this generator as their own, so an event passes through no generator
    of theirs.

    Args:
        info: the subscription's.
        id: the entity's id, as the client sent it.
        entity_type: the activity log's name for the entity (``"message"``); errors name it
            capitalized ("Message not found").
        load: the tenant's row by ``(tenant_id, key)``; None when the tenant has none.
        snapshot: the row as the activity log and the bus carry it.
        present: the GraphQL type, from a snapshot and its tenant's id.
        visible: whether the caller may see the row; default: whether they see its number.
    """
    principal, tenant_id = caller_tenant(info)
    visibility = Visibility(principal=principal, tenant_id=tenant_id)
    with query_errors():
        key = parse_key(id, field="id")
        # Read before the row: a change committed in between is replayed, never lost.
        since = await latest_seq(tenant_id=tenant_id)
        row = await load(tenant_id, key)
        if row is None or not await (visible or _number_visible)(visibility, row):
            # Absent, another tenant's, or on a number not the caller's: the same answer.
            raise NotFound(f"{entity_type.capitalize()} not found")

    def build(notice: ActivityNotice) -> Entity:
        # Its entity type was checked before it is built: the snapshot is this entity's.
        return present(cast(Snapshot, notice.snapshot), notice.tenant_id)

    yield present(snapshot(row), tenant_id)
    async for item in _notices(info, principal=principal, tenant_id=tenant_id, after_seq=since):
        notice = notice_of(item)
        if notice.entity_type == entity_type and notice.entity_id == key:
            event = _shared(item, entity_type, build)
            if not await send_live(event):
                yield cast(Entity, event)


async def _number_visible(visibility: Visibility, row: object) -> bool:
    return await visibility.allows_number(row.number_id)  # type: ignore[attr-defined]


async def _message_visible(visibility: Visibility, row: MessageRow) -> bool:
    return await visibility.allows_message(row.number_id, row.user_id)  # type: ignore[attr-defined]


async def _call_visible(visibility: Visibility, row: CallRow) -> bool:
    # Its number's, or placed by the caller: as ``calls`` lists them.
    return await visibility.allows_own_or_number(row.number_id, row.user_id)  # type: ignore[attr-defined]


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
        principal, tenant_id = caller_tenant(info)
        with query_errors():
            after_seq = parse_seq(after, field="after")
            only_number = parse_optional_key(number_id, field="numberId")
            if only_number is not None:
                try:
                    await numbers.get_number(
                        tenant_id=tenant_id, principal=principal, number_id=only_number
                    )
                except PhoneNumberNotFound:
                    # Absent, another tenant's, or not theirs: NOT_FOUND, as for any entity.
                    raise NotFound("Number not found") from None
        visibility = Visibility(principal=principal, tenant_id=tenant_id)
        wanted = {channel.value for channel in channels} if channels else None
        async for item in _notices(
            info, principal=principal, tenant_id=tenant_id, after_seq=after_seq
        ):
            notice = notice_of(item)
            if only_number is not None and notice.number_id != only_number:
                continue
            if wanted is not None and notice.channel not in wanted:
                continue
            if not visibility.sees_all and not await visibility.allows_notice(notice):
                continue
            event = _shared(item, "activity", ActivityEvent.of)
            if not await send_live(event):
                yield cast(ActivityEvent, event)

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The message now, then each change to it.",
    )
    def message_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Message, None]:
        return _entity_updates(
            info,
            id,
            entity_type="message",
            load=lambda tenant_id, key: get_message(tenant_id=tenant_id, message_id=key),
            snapshot=MessageSnapshot.of,
            present=lambda snapshot, _tenant_id: Message.from_snapshot(snapshot),
            visible=_message_visible,
        )

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The call now, then each change to it.",
    )
    def call_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Call, None]:
        return _entity_updates(
            info,
            id,
            entity_type="call",
            load=lambda tenant_id, key: get_call(tenant_id=tenant_id, call_id=key),
            snapshot=CallSnapshot.of,
            present=lambda snapshot, tenant_id: Call.from_snapshot(snapshot, tenant_id=tenant_id),
            visible=_call_visible,
        )
