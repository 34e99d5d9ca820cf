"""GraphQL types for calls and their recordings (built from the snapshot the activity log and the
bus carry, as messages are)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from trunkline.activity import CallSnapshot, RecordingSnapshot, StatusChange
from trunkline.graphql.context import Info, caller_tenant
from trunkline.models import Call as CallRow
from trunkline.models import Recording as RecordingRow
from trunkline.schema.errors import (
    NotFoundError,
    ProviderError,
    TwilioNotConfiguredError,
    UserInputError,
)
from trunkline.schema.messages import Direction
from trunkline.schema.numbers import Money, PhoneNumber
from trunkline.services.media_links import MediaKind, MediaLink

# Only a recording in this status has audio to stream (``deleted`` has none any more).
AUDIO_STATUS = "completed"


def _paid(price: Decimal | None, unit: str | None) -> Money | None:
    """What was paid, as a positive amount: Twilio writes charges negative (REQUIREMENTS 15)."""
    return Money.of(abs(price) if price is not None else None, unit)


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(description="A call recording.")
class Recording:
    id: strawberry.ID
    sid: str
    call_id: strawberry.ID
    duration: int | None = strawberry.field(description="Seconds.")
    status: str = strawberry.field(
        description="Twilio's status (`in-progress`, `completed`, `absent`, `failed` ...), or "
        "`deleted` once deleted through deleteRecording."
    )
    channels: int
    price: Money | None = strawberry.field(
        description="What the recording cost, as a positive amount; null until Twilio prices it "
        "(fetched once the recording is ready)."
    )
    number_id: strawberry.ID | None = strawberry.field(description="Its call's number.")
    created_at: datetime | None
    updated_at: datetime | None

    @strawberry.field(
        description="A short-lived signed URL of this gateway that streams the audio from Twilio "
        "(usable in an <audio src>, no bearer header); it expires after "
        "TRUNKLINE_MEDIA_URL_TTL_SECONDS: query the recording again for a fresh one. Null "
        "unless the recording is `completed` (not yet ready, failed, or deleted)."
    )
    def url(self, info: Info) -> str | None:
        if self.status != AUDIO_STATUS:
            return None
        # Whoever sees the recording may hear it: it was resolved for the caller, in the
        # caller's tenant, so the link is the caller's tenant's.
        _, tenant_id = caller_tenant(info)
        links = info.context.gateway.media_links
        return links.url(MediaLink(MediaKind.RECORDING, tenant_id, int(self.id), 0, links.expiry()))

    @classmethod
    def from_snapshot(cls, snapshot: RecordingSnapshot) -> Recording:
        return cls(
            id=strawberry.ID(str(snapshot.id)),
            sid=snapshot.sid,
            call_id=strawberry.ID(str(snapshot.call_id)),
            duration=snapshot.duration,
            status=snapshot.status,
            channels=snapshot.channels,
            price=_paid(snapshot.price, snapshot.price_unit),
            number_id=_id(snapshot.number_id),
            created_at=snapshot.created_at,
            updated_at=snapshot.updated_at,
        )

    @classmethod
    def from_row(cls, row: RecordingRow) -> Recording:
        return cls.from_snapshot(RecordingSnapshot.of(row))


@strawberry.type(description="One status Twilio reported for a call, in the order it came.")
class CallStatusChange:
    status: str
    at: datetime | None = strawberry.field(description="When this gateway received it.")
    applied: bool = strawberry.field(
        description="False for a status that came late or is unknown: recorded, not applied."
    )

    @classmethod
    def of(cls, change: StatusChange) -> CallStatusChange:
        return cls(status=change.status, at=change.at, applied=change.applied)


@strawberry.type(description="A phone call.")
class Call:
    id: strawberry.ID
    sid: str | None
    direction: Direction
    from_: str = strawberry.field(name="from")
    to: str
    status: str = strawberry.field(description="Twilio's status; a status new to us is kept.")
    duration: int | None = strawberry.field(description="Seconds talked, once the call ended.")
    price: Money | None = strawberry.field(
        description="What the call cost, as a positive amount; null until its final status."
    )
    start_time: datetime | None = strawberry.field(
        description="When it was answered: the `Timestamp` of its `in-progress` callback, else "
        "its end less its duration; null if never answered."
    )
    end_time: datetime | None = strawberry.field(
        description="When it ended: the `Timestamp` of its final status callback."
    )
    placed_by: str | None = strawberry.field(
        description="The user who placed it (placeCall, or their browser); null for inbound calls "
        "and calls placed outside this gateway."
    )
    answered_by: str | None = strawberry.field(
        description="Who took it: a browser client (`client:<identity>`) or a phone number."
    )
    refusal: str | None = strawberry.field(
        description="Why this gateway refused a browser call (UNAUTHORIZED, INACTIVE_NUMBER ...)."
    )
    status_history: list[CallStatusChange] = strawberry.field(
        description="Every status reported, oldest first, applied or not."
    )
    number_id: strawberry.ID | None
    created_at: datetime | None
    updated_at: datetime | None
    tenant_id: strawberry.Private[int]

    @strawberry.field(description="The call's recordings, oldest first (deleted ones too).")
    async def recordings(self, info: Info) -> list[Recording]:
        # Whoever sees a call sees its recordings; one statement for a whole page of calls.
        rows = await info.context.loaders.recordings_by_call_id.load(int(self.id))
        return [Recording.from_row(row) for row in rows]

    @strawberry.field(description="The number it was placed from or received on.")
    async def number(self, info: Info) -> PhoneNumber | None:
        # Whoever may see a call may see its number: the call names it already.
        if self.number_id is None:
            return None
        row = await info.context.loaders.number_by_id.load(int(self.number_id))
        return PhoneNumber.from_row(row) if row is not None else None

    @classmethod
    def from_snapshot(cls, snapshot: CallSnapshot, *, tenant_id: int) -> Call:
        return cls(
            id=strawberry.ID(str(snapshot.id)),
            sid=snapshot.sid,
            direction=snapshot.direction,
            from_=snapshot.from_address,
            to=snapshot.to_address,
            status=snapshot.status,
            duration=snapshot.duration,
            price=_paid(snapshot.price, snapshot.price_unit),
            start_time=snapshot.started_at,
            end_time=snapshot.ended_at,
            placed_by=snapshot.user_id,
            answered_by=snapshot.answered_by,
            refusal=snapshot.refusal,
            status_history=[CallStatusChange.of(change) for change in snapshot.status_history],
            number_id=_id(snapshot.number_id),
            created_at=snapshot.created_at,
            updated_at=snapshot.updated_at,
            tenant_id=tenant_id,
        )

    @classmethod
    def from_row(cls, row: CallRow) -> Call:
        return cls.from_snapshot(CallSnapshot.of(row), tenant_id=row.tenant_id)  # type: ignore[attr-defined]


@strawberry.input(description="Narrows calls; every field given must match.")
class CallFilter:
    number_id: strawberry.ID | None = None
    status: str | None = strawberry.field(
        default=None, description="Twilio's status, exactly (`completed`, `no-answer` ...)."
    )
    direction: Direction | None = None
    since: datetime | None = strawberry.field(default=None, description="Created at or after.")
    until: datetime | None = strawberry.field(default=None, description="Created before.")
    mine: bool | None = strawberry.field(
        default=None, description="True: only the calls the caller placed."
    )


@strawberry.input(description="Narrows recordings; every field given must match.")
class RecordingFilter:
    call_id: strawberry.ID | None = None
    number_id: strawberry.ID | None = None
    since: datetime | None = strawberry.field(default=None, description="Created at or after.")
    until: datetime | None = strawberry.field(default=None, description="Created before.")


DeleteRecordingResult = Annotated[
    Recording | UserInputError | NotFoundError | TwilioNotConfiguredError | ProviderError,
    strawberry.union("DeleteRecordingResult"),
]
