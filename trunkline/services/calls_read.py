"""Reading call logs: a page of a tenant's calls, newest first, and one call.

Who sees which call is the activity visibility rule (:func:`trunkline.activity.own_or_assigned`,
issue 13 and REQUIREMENTS note 18): admins see all of the tenant's calls; agents (and support,
who own no number) the calls on the numbers assigned to them and the calls they placed
themselves (``Call.user_id``), wherever they were placed from. What a caller may not see is
absent, never an error: the same null or empty page as something that does not exist.

Pages are keyset pages ordered by ``(created_at desc, id desc)`` as messages' are
(:mod:`trunkline.services.messages_read`); every filter reads its own index led by the tenant and
ending ``(created_at, id)`` (models/calls.py): ``numberId``, ``status``, ``direction``, and
``mine`` the ``(tenant_id, user_id, created_at, id)`` one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from trunkline.activity import own_or_assigned
from trunkline.auth.principal import Principal
from trunkline.models import Call, Direction
from trunkline.services import pages, validation
from trunkline.services.pages import Page, page_of

MAX_STATUS_LENGTH = 32  # Call.status


@dataclass(frozen=True)
class CallFilter:
    """What a page of calls is narrowed to; None: not narrowed by that.

    ``mine``: True narrows to the calls the caller placed (``placeCall`` or their browser);
    False and None narrow nothing (an admin's "everything", an agent's "everything I see").
    ``status`` is Twilio's (``in-progress``, ``no-answer`` ...), matched exactly as stored;
    ``since`` is inclusive and ``until`` exclusive.
    """

    number_id: int | None = None
    status: str | None = None
    direction: Direction | None = None
    since: datetime | None = None
    until: datetime | None = None
    mine: bool | None = None


def visible_calls(*, tenant_id: int, principal: Principal) -> QuerySet[Call]:
    """The tenant's calls ``principal`` may see."""
    query = Call.filter(tenant_id=tenant_id)
    rule = own_or_assigned(principal, tenant_id=tenant_id)
    return query if rule is None else query.filter(rule)


async def list_calls(
    *,
    tenant_id: int,
    principal: Principal,
    call_filter: CallFilter,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Page[Call]:
    """A page of the calls ``principal`` may see, newest first, after the ``after`` row (its
    ``(created_at, id)``).

    Raises:
        InvalidInput: a filter value is malformed (naming ``filter.<field>``).
    """
    query = matching_calls(tenant_id=tenant_id, principal=principal, call_filter=call_filter)
    return await page_of(query, after=pages.newest_after(query, after), limit=limit)


def matching_calls(
    *, tenant_id: int, principal: Principal, call_filter: CallFilter
) -> QuerySet[Call]:
    """Every call ``principal`` may see that ``call_filter`` lets through, unordered.

    Raises:
        InvalidInput: a filter value is malformed (naming ``filter.<field>``).
    """
    visible = visible_calls(tenant_id=tenant_id, principal=principal)
    return _filtered(visible, call_filter, principal)


async def find_call(*, tenant_id: int, principal: Principal, call_id: int) -> Call | None:
    """The call, if it is the tenant's and ``principal`` may see it (else None, whichever)."""
    return await visible_calls(tenant_id=tenant_id, principal=principal).get_or_none(id=call_id)


async def find_call_by_sid(*, tenant_id: int, principal: Principal, sid: str) -> Call | None:
    """The call Twilio knows as ``sid`` (document 003's ``call-logs/:callSid``), as
    :func:`find_call` would find it by id."""
    return await visible_calls(tenant_id=tenant_id, principal=principal).get_or_none(sid=sid)


def _filtered(query: QuerySet[Call], wanted: CallFilter, principal: Principal) -> QuerySet[Call]:
    if wanted.number_id is not None:
        # Another tenant's number, or one the agent does not see, narrows to nothing: the same
        # empty page as an absent number.
        query = query.filter(number_id=wanted.number_id)
    if wanted.status is not None:
        status = validation.text(wanted.status, field="filter.status", max_length=MAX_STATUS_LENGTH)
        query = query.filter(status=status.lower())
    if wanted.direction is not None:
        query = query.filter(direction=wanted.direction)
    if wanted.mine:
        query = query.filter(user_id=principal.user_id)
    return pages.created_within(query, since=wanted.since, until=wanted.until)
