"""Reading message history: a page of a tenant's messages, newest first, and one message.

Who sees which message is decided here once, for every list and look-up: admins see all of the
tenant's messages; agents those on the numbers assigned to them (the activity visibility rule,
:func:`trunkline.activity.own_or_assigned`) and those they sent themselves (a number
reassigned since does not take an agent's own sent messages from them). The subscriptions apply
the same rule event by event (:meth:`trunkline.activity.Visibility.allows_message`).

Pages are keyset pages ordered by ``(created_at desc, id desc)``: the cursor carries both, and
each page is one index range scan, however deep. Every filter has an index led by the tenant and
ending ``(created_at, id)`` (models/messages.py), so a filtered page is read in index order with no
sort; tests/services/test_messages_read.py checks each with EXPLAIN on PostgreSQL (the
cursor bounds the range: `Index Cond: tenant_id = .. AND channel = .. AND created_at <= ..`).
An agent's page reads the tenant's ``(tenant_id, created_at, id)`` index newest first, filtered
by their numbers (one hashed look-up) or their own sends: no sort either, but it passes over
the tenant's other messages on the way, so an agent of a busy tenant is best served by a filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from trunkline.activity import own_or_assigned
from trunkline.auth.principal import Principal
from trunkline.models import Channel, Direction, Message
from trunkline.services import pages, validation
from trunkline.services.pages import Page, page_of

MAX_STATUS_LENGTH = 32  # Message.status


@dataclass(frozen=True)
class MessageFilter:
    """What a page of messages is narrowed to; None: not narrowed by that.

    ``since`` is inclusive and ``until`` exclusive, so consecutive windows neither overlap nor
    leave a gap.
    """

    number_id: int | None = None
    channel: Channel | None = None
    direction: Direction | None = None
    status: str | None = None
    counterpart: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def visible_messages(*, tenant_id: int, principal: Principal) -> QuerySet[Message]:
    """The tenant's messages ``principal`` may see."""
    query = Message.filter(tenant_id=tenant_id)
    rule = own_or_assigned(principal, tenant_id=tenant_id)
    return query if rule is None else query.filter(rule)


async def list_messages(
    *,
    tenant_id: int,
    principal: Principal,
    message_filter: MessageFilter,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Page[Message]:
    """A page of the messages ``principal`` may see, newest first, after the ``after`` row
    (its ``(created_at, id)``).

    Raises:
        InvalidInput: a filter value is malformed (naming ``filter.<field>``).
    """
    query = matching_messages(
        tenant_id=tenant_id, principal=principal, message_filter=message_filter
    )
    return await page_of(query, after=newest_after(query, after), limit=limit)


def matching_messages(
    *, tenant_id: int, principal: Principal, message_filter: MessageFilter
) -> QuerySet[Message]:
    """Every message ``principal`` may see that ``message_filter`` lets through, unordered."""
    return _filtered(visible_messages(tenant_id=tenant_id, principal=principal), message_filter)


def newest_after(query: QuerySet[Message], after: tuple[datetime, int] | None) -> QuerySet[Message]:
    """``query``'s messages newest first, from the one after ``after`` (see
    :func:`trunkline.services.pages.newest_after`)."""
    return pages.newest_after(query, after)


async def find_message(*, tenant_id: int, principal: Principal, message_id: int) -> Message | None:
    """The message, if it is the tenant's and ``principal`` may see it (else None, whichever)."""
    return await visible_messages(tenant_id=tenant_id, principal=principal).get_or_none(
        id=message_id
    )


async def messages_by_id(*, tenant_id: int, ids: list[int]) -> dict[int, Message]:
    """The tenant's messages among ``ids``, by id, in one statement (another tenant's: absent).

    For rows that point at a message the caller may already see (a thread's last message, on
    a number the caller sees): no visibility rule of its own.
    """
    if not ids:
        return {}
    rows = await Message.filter(tenant_id=tenant_id, id__in=sorted(set(ids)))
    return {row.id: row for row in rows}


def _filtered(query: QuerySet[Message], wanted: MessageFilter) -> QuerySet[Message]:
    if wanted.number_id is not None:
        # Another tenant's number, or one the agent does not see, narrows to nothing: the same
        # empty page as an absent number, so a number id reveals nothing across tenants.
        query = query.filter(number_id=wanted.number_id)
    if wanted.channel is not None:
        query = query.filter(channel=wanted.channel)
    if wanted.direction is not None:
        query = query.filter(direction=wanted.direction)
    if wanted.status is not None:
        status = validation.text(wanted.status, field="filter.status", max_length=MAX_STATUS_LENGTH)
        query = query.filter(status=status)
    if wanted.counterpart is not None:
        query = query.filter(
            counterpart=validation.counterpart(wanted.counterpart, field="filter.counterpart")
        )
    return pages.created_within(query, since=wanted.since, until=wanted.until)
