"""Conversation threads: list them most recent first, find one, mark one read.

A thread is a rollup row the ingestion engine keeps with each message (``ingestion.threads``).
Who sees a thread is who sees its number: admins every thread of the tenant, agents those of
the numbers assigned to them. Another tenant's thread, or one the caller may not see, is "not
found" exactly like an absent one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from trunkline.activity import sees_every_number
from trunkline.auth.principal import Principal
from trunkline.models import WHATSAPP_PREFIX, Channel, Message, PhoneNumber, Thread, thread_channel
from trunkline.services import validation
from trunkline.services.errors import InvalidInput, NotFound
from trunkline.services.messages_read import messages_by_id
from trunkline.services.numbers import numbers_by_id, visible_numbers
from trunkline.services.pages import Page, page_of

# As long as ``Message.counterpart`` may be.
COUNTERPART_MAX_LENGTH = 320


def visible_threads(*, tenant_id: int, principal: Principal) -> QuerySet[Thread]:
    """The tenant's threads this caller may see: all for admins, their numbers' for agents."""
    query = Thread.filter(tenant_id=tenant_id)
    if not sees_every_number(principal):
        # A sub-select rather than a join: the same query serves an UPDATE (markThreadRead).
        owned = visible_numbers(tenant_id=tenant_id, principal=principal).values("id")
        query = query.filter(number_id__in=Subquery(owned))
    return query


async def list_threads(
    *,
    tenant_id: int,
    principal: Principal,
    number_id: int | None,
    channel: Channel | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Page[Thread] | None:
    """A page of threads, the most recently active first (then the newer thread first), from
    the one after ``after`` (a thread's ``(last_message_at, id)``; None: from the first).

    None when ``number_id`` names no number the caller may see (absent, another tenant's, or
    not assigned to this agent): the same answer for each, so it tells nothing.
    """
    if number_id is not None:
        visible = visible_numbers(tenant_id=tenant_id, principal=principal)
        if not await visible.filter(id=number_id).exists():
            return None
    query = matching_threads(
        tenant_id=tenant_id, principal=principal, number_id=number_id, channel=channel
    )
    return await page_of(query, after=most_recent_after(query, after), limit=limit)


@dataclass(frozen=True)
class ThreadParts:
    """What a list of threads points at, by id: their numbers and their last messages."""

    numbers: dict[int, PhoneNumber]
    last_messages: dict[int, Message]


async def parts_of(*, tenant_id: int, rows: Sequence[Thread]) -> ThreadParts:
    """The numbers and last messages of ``rows`` (threads the caller sees): one statement each,
    whatever the number of rows (none for no rows).

    Loaded here for a whole page rather than by DataLoaders per node: an awaited field per
    thread costs graphql-core far more than a plain attribute (bench/queries.py). Not joined to
    the page's statement either: tortoise builds a number per row from a join, which took
    longer than a second statement (the page's threads share a few numbers).
    """
    if not rows:
        return ThreadParts(numbers={}, last_messages={})
    numbers = await numbers_by_id(
        tenant_id=tenant_id,
        ids=[row.number_id for row in rows],  # type: ignore[attr-defined]
    )
    messages = await messages_by_id(
        tenant_id=tenant_id, ids=[row.last_message_id for row in rows if row.last_message_id]
    )
    return ThreadParts(numbers=numbers, last_messages=messages)


def matching_threads(
    *, tenant_id: int, principal: Principal, number_id: int | None, channel: Channel | None
) -> QuerySet[Thread]:
    """The threads ``principal`` may see, of one number and one channel if given, unordered.

    Each narrowing has its index ending ``(last_message_at, id)`` (models/threads.py):
    the tenant's, the tenant's per channel, the number's.
    """
    query = visible_threads(tenant_id=tenant_id, principal=principal)
    if number_id is not None:
        query = query.filter(number_id=number_id)
    if channel is not None:
        query = query.filter(channel=thread_channel(channel))
    return query


def most_recent_after(
    query: QuerySet[Thread], after: tuple[datetime, int] | None
) -> QuerySet[Thread]:
    """``query``'s threads most recently active first, from the one after ``after`` (a
    thread's ``(last_message_at, id)``; None: from the first)."""
    if after is not None:
        at, key = after
        # `last_message_at <= at` bounds the index range; the OR only skips the threads of that
        # instant at or above the cursor's id.
        query = query.filter(last_message_at__lte=at).filter(
            Q(last_message_at__lt=at) | Q(id__lt=key)
        )
    return query.order_by("-last_message_at", "-id")


def thread_key(counterpart: str, channel: Channel) -> tuple[str, Channel]:
    """The (counterpart, channel) a thread is kept under, from what a client names.

    ``counterpart`` is the other party as messages carry it: an E.164 number, a short code or
    an alphanumeric sender id (inbound SMS come from those too), or for WhatsApp the number with
    or without its ``whatsapp:`` prefix. Only its shape is checked: free text of a column's
    length without control characters.
    """
    counterpart = validation.text(
        counterpart, field="counterpart", max_length=COUNTERPART_MAX_LENGTH
    )
    channel = thread_channel(channel)
    if channel is Channel.WHATSAPP and not counterpart.startswith(WHATSAPP_PREFIX):
        counterpart = WHATSAPP_PREFIX + counterpart
        if len(counterpart) > COUNTERPART_MAX_LENGTH:
            raise InvalidInput(
                "counterpart", f"counterpart must be at most {COUNTERPART_MAX_LENGTH} characters."
            )
    return counterpart, channel


async def find_thread(
    *, tenant_id: int, principal: Principal, number_id: int, counterpart: str, channel: Channel
) -> Thread | None:
    """The thread with ``counterpart`` over ``channel`` on the number, if the caller sees it."""
    counterpart, channel = thread_key(counterpart, channel)
    return await visible_threads(tenant_id=tenant_id, principal=principal).get_or_none(
        number_id=number_id, counterpart=counterpart, channel=channel
    )


async def mark_thread_read(*, tenant_id: int, principal: Principal, thread_id: int) -> Thread:
    """Nothing unread in the thread from now on; NotFound if the caller does not see it.

    One UPDATE of the counters, so an inbound message committing meanwhile is either counted
    before the reset (and read) or after it (and unread): never lost.
    """
    visible = visible_threads(tenant_id=tenant_id, principal=principal).filter(id=thread_id)
    now = datetime.now(UTC)
    changed = await visible.update(unread_count=0, last_read_at=now, updated_at=now)
    if not changed:
        raise NotFound("No such thread.")
    return await Thread.get(id=thread_id)
