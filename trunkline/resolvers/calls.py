"""Call logs and recordings: calls(filter, first, after), call(id), recordings(filter, first,
after), recording(id), deleteRecording(id).

Admins read all of the tenant's calls; agents (and support, who own no number) those on the
numbers assigned to them and those they placed; recordings through their call
(services/calls_read.py, services/recordings.py). What a caller may not see is absent: null for
``call``/``recording``, an empty page for a filter naming a number or call not theirs (or another
tenant's), NOT_FOUND for ``deleteRecording``.
"""

from __future__ import annotations

import strawberry

from trunkline.auth.permissions import IsAuthenticated
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result, query_result
from trunkline.schema.calls import (
    Call,
    CallFilter,
    DeleteRecordingResult,
    Recording,
    RecordingFilter,
)
from trunkline.schema.pagination import Connection, connection, page_size
from trunkline.services import calls_read, recordings, validation
from trunkline.services.keys import (
    decode_keyset_cursor,
    encode_keyset_cursor,
    parse_key,
    parse_optional_key,
)

CALL_CURSOR = "call"
RECORDING_CURSOR = "recording"


def _call_filter(wanted: CallFilter) -> calls_read.CallFilter:
    """The filter as the service takes it; ids parsed here, the rest checked by the service."""
    return calls_read.CallFilter(
        number_id=parse_optional_key(wanted.number_id, field="filter.numberId"),
        status=wanted.status,
        direction=wanted.direction,  # type: ignore[arg-type]
        since=wanted.since,
        until=wanted.until,
        mine=wanted.mine,
    )


def _recording_filter(wanted: RecordingFilter) -> recordings.RecordingFilter:
    return recordings.RecordingFilter(
        call_id=parse_optional_key(wanted.call_id, field="filter.callId"),
        number_id=parse_optional_key(wanted.number_id, field="filter.numberId"),
        since=wanted.since,
        until=wanted.until,
    )


@strawberry.type
class CallsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            "Calls, newest first. Admins see the tenant's; agents those on the numbers assigned "
            "to them and those they placed."
        ),
    )
    async def calls(
        self,
        info: Info,
        filter: CallFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Call]:
        principal, tenant_id = caller_tenant(info)

        async def page() -> Connection[Call]:
            limit = page_size(first, maximum=info.context.settings.max_page_size)
            found = await calls_read.list_calls(
                tenant_id=tenant_id,
                principal=principal,
                call_filter=_call_filter(filter or CallFilter()),
                after=decode_keyset_cursor(CALL_CURSOR, after),
                limit=limit,
            )
            return connection(
                found,
                after=after,
                cursor=lambda row: encode_keyset_cursor(CALL_CURSOR, row.created_at, row.id),
                node=Call.from_row,
            )

        return await query_result(page())

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="One call; null when absent or not the caller's to see.",
    )
    async def call(self, info: Info, id: strawberry.ID) -> Call | None:
        principal, tenant_id = caller_tenant(info)

        async def find() -> Call | None:
            row = await calls_read.find_call(
                tenant_id=tenant_id, principal=principal, call_id=parse_key(id, field="id")
            )
            return Call.from_row(row) if row is not None else None

        return await query_result(find())

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            "One call by Twilio's Call SID (CA...); null when absent or not the caller's to see."
        ),
    )
    async def call_by_sid(self, info: Info, sid: str) -> Call | None:
        principal, tenant_id = caller_tenant(info)

        async def find() -> Call | None:
            row = await calls_read.find_call_by_sid(
                tenant_id=tenant_id,
                principal=principal,
                sid=validation.sid(sid, prefix="CA", field="sid"),
            )
            return Call.from_row(row) if row is not None else None

        return await query_result(find())

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            "Call recordings, newest first: those of the calls the caller sees (deleted ones too, "
            "without a url)."
        ),
    )
    async def recordings(
        self,
        info: Info,
        filter: RecordingFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Recording]:
        principal, tenant_id = caller_tenant(info)

        async def page() -> Connection[Recording]:
            limit = page_size(first, maximum=info.context.settings.max_page_size)
            found = await recordings.list_recordings(
                tenant_id=tenant_id,
                principal=principal,
                recording_filter=_recording_filter(filter or RecordingFilter()),
                after=decode_keyset_cursor(RECORDING_CURSOR, after),
                limit=limit,
            )
            return connection(
                found,
                after=after,
                cursor=lambda row: encode_keyset_cursor(RECORDING_CURSOR, row.created_at, row.id),
                node=Recording.from_row,
            )

        return await query_result(page())

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="One recording; null when absent or not the caller's to see.",
    )
    async def recording(self, info: Info, id: strawberry.ID) -> Recording | None:
        principal, tenant_id = caller_tenant(info)

        async def find() -> Recording | None:
            row = await recordings.find_recording(
                tenant_id=tenant_id, principal=principal, recording_id=parse_key(id, field="id")
            )
            return Recording.from_row(row) if row is not None else None

        return await query_result(find())


@strawberry.type
class CallsMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description=(
            "Delete a recording at Twilio, then mark it `deleted` here (announced as "
            "RECORDING_STATUS). Admins, the owner of the call's number, or the user who placed "
            "the call; anyone else: NOT_FOUND. Already deleted at Twilio counts as deleted."
        ),
    )
    async def delete_recording(self, info: Info, id: strawberry.ID) -> DeleteRecordingResult:
        principal, tenant_id = caller_tenant(info)
        gateway = info.context.gateway

        async def delete() -> Recording:
            row = await recordings.delete_recording(
                tenant_id=tenant_id,
                principal=principal,
                recording_id=parse_key(id, field="id"),
                accounts=gateway.accounts,
                record=gateway.record_recording_deleted,
            )
            return Recording.from_row(row)

        return await mutation_result(delete(), lambda recording: recording)
