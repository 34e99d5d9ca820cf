"""Call recordings: reading them (a page newest first, one, a page of calls' recordings at once)
and deleting them.

A recording is seen through its call: whoever sees the call (:mod:`trunkline.services.calls_read`:
admins all, agents their numbers' calls and the calls they placed) sees its recordings, and only
they may delete one (issue 13 says "the number's owner or an admin"; the call's placer is added
because they see it, and REQUIREMENTS note 18 makes placed calls theirs). Anyone else gets the
same NOT_FOUND as for a recording that does not exist: no oracle.

Deleting asks Twilio first (``recordings(sid).delete()``; a 404 there means it is gone already,
which is what was asked), then marks the row ``deleted`` and announces RECORDING_STATUS through
the ingestion writer (the row change and its activity commit together, once: a second deletion
finds it deleted and asks Twilio nothing). The row stays, so the call's log still shows that it
had a recording; a deleted recording has no audio URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from trunkline.activity import RecordingSnapshot, sees_every_number
from trunkline.auth.principal import Principal
from trunkline.models import Recording
from trunkline.services import pages
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.calls_read import visible_calls
from trunkline.services.errors import NotFound, provider_failure
from trunkline.services.pages import Page, page_of
from trunkline.twilio import ProviderError, call_twilio

DELETED = "deleted"
# Stores the deletion and announces it: (tenant id, recording sid, call sid) -> the recording as
# announced, or None when nothing changed (deleted already). The Gateway's ingestion writer.
RecordDeletion = Callable[[int, str, str], Awaitable[RecordingSnapshot | None]]


@dataclass(frozen=True)
class RecordingFilter:
    """What a page of recordings is narrowed to; None: not narrowed by that."""

    call_id: int | None = None
    number_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def visible_recordings(*, tenant_id: int, principal: Principal) -> QuerySet[Recording]:
    """The tenant's recordings ``principal`` may see: those of the calls they see."""
    query = Recording.filter(tenant_id=tenant_id)
    if sees_every_number(principal):
        return query
    calls = visible_calls(tenant_id=tenant_id, principal=principal).values("id")
    return query.filter(call_id__in=Subquery(calls))


async def list_recordings(
    *,
    tenant_id: int,
    principal: Principal,
    recording_filter: RecordingFilter,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Page[Recording]:
    """A page of the recordings ``principal`` may see, newest first, after the ``after`` row.

    Raises:
        InvalidInput: a filter value is malformed (naming ``filter.<field>``).
    """
    query = matching_recordings(
        tenant_id=tenant_id, principal=principal, recording_filter=recording_filter
    )
    return await page_of(query, after=pages.newest_after(query, after), limit=limit)


def matching_recordings(
    *, tenant_id: int, principal: Principal, recording_filter: RecordingFilter
) -> QuerySet[Recording]:
    """Every recording ``principal`` may see that ``recording_filter`` lets through, unordered.

    Raises:
        InvalidInput: a filter value is malformed (naming ``filter.<field>``).
    """
    query = visible_recordings(tenant_id=tenant_id, principal=principal)
    wanted = recording_filter
    if wanted.call_id is not None:
        query = query.filter(call_id=wanted.call_id)
    if wanted.number_id is not None:
        query = query.filter(number_id=wanted.number_id)
    return pages.created_within(query, since=wanted.since, until=wanted.until)


async def find_recording(
    *, tenant_id: int, principal: Principal, recording_id: int
) -> Recording | None:
    """The recording, if it is the tenant's and ``principal`` may see it (else None, whichever)."""
    return await visible_recordings(tenant_id=tenant_id, principal=principal).get_or_none(
        id=recording_id
    )


async def recordings_of_calls(*, tenant_id: int, call_ids: list[int]) -> dict[int, list[Recording]]:
    """The tenant's recordings of each of ``call_ids``, oldest first, in one statement.

    For calls the caller already sees (a page of calls): no visibility rule of its own.
    """
    found: dict[int, list[Recording]] = {key: [] for key in call_ids}
    if not call_ids:
        return found
    rows = await Recording.filter(tenant_id=tenant_id, call_id__in=sorted(set(call_ids))).order_by(
        "created_at", "id"
    )
    for row in rows:
        found.setdefault(row.call_id, []).append(row)  # type: ignore[attr-defined]
    return found


async def delete_recording(
    *,
    tenant_id: int,
    principal: Principal,
    recording_id: int,
    accounts: TwilioAccounts,
    record: RecordDeletion,
) -> Recording:
    """Delete the recording at Twilio, then mark it deleted here (announced once).

    Raises:
        NotFound: absent, another tenant's, or not the caller's to see.
        TwilioNotConfigured: the tenant has no (enabled) Twilio credentials.
        ProviderFailure: Twilio refused for another reason than "no such recording".
    """
    row = (
        await visible_recordings(tenant_id=tenant_id, principal=principal)
        .filter(id=recording_id)
        .select_related("call")
        .first()
    )
    if row is None:
        raise NotFound("Recording not found")
    if row.status != DELETED:
        client, _ = await accounts.client_for_tenant(tenant_id)
        try:
            await call_twilio(client.recordings(row.sid).delete_async())
        except ProviderError as error:
            if error.status != 404:  # 404: deleted at Twilio already, as asked
                raise provider_failure(error) from error
        await record(tenant_id, row.sid, row.call.sid or "")
    return await Recording.get(id=row.id)
