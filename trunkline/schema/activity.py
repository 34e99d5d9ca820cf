"""GraphQL types of the activity stream."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from trunkline.schema.calls import Call, Recording
from trunkline.schema.messages import Message
from trunkline.services.activity import ActivityChannel as ActivityChannelValue
from trunkline.services.activity import ActivityKind as ActivityKindValue
from trunkline.services.activity import ActivityNotice
from trunkline.services.keys import format_seq

ActivityKind = strawberry.enum(ActivityKindValue, name="ActivityKind")
ActivityChannel = strawberry.enum(ActivityChannelValue, name="ActivityChannel")


@strawberry.type(description="Something that happened to the tenant, in order.")
class ActivityEvent:
    cursor: str = strawberry.field(
        description="Pass as `after` to resume right after this event (opaque to clients)."
    )
    kind: ActivityKind
    number_id: strawberry.ID | None
    message: Message | None = strawberry.field(description="Set for MESSAGE_* kinds.")
    call: Call | None = strawberry.field(description="Set for CALL_* kinds.")
    recording: Recording | None = strawberry.field(description="Set for RECORDING_* kinds.")
    conversation_event: JSON | None = strawberry.field(
        description="Twilio Conversations' post-event fields, for CONVERSATION_EVENT."
    )

    @classmethod
    def of(cls, notice: ActivityNotice) -> ActivityEvent:
        payload = notice.payload
        return cls(
            cursor=format_seq(notice.seq),
            kind=ActivityKindValue(notice.kind),
            number_id=strawberry.ID(str(notice.number_id)) if notice.number_id else None,
            message=Message.from_snapshot(payload) if notice.entity_type == "message" else None,
            call=(
                Call.from_snapshot(payload, tenant_id=notice.tenant_id)
                if notice.entity_type == "call"
                else None
            ),
            recording=(
                Recording.from_snapshot(payload) if notice.entity_type == "recording" else None
            ),
            conversation_event=(
                {k: v for k, v in payload.items() if k != "channel"}
                if notice.entity_type == "conversation"
                else None
            ),
        )
