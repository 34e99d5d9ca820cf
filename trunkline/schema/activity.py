"""GraphQL types of the activity stream."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from trunkline.activity import ActivityChannel as ActivityChannelValue
from trunkline.activity import ActivityKind as ActivityKindValue
from trunkline.activity import (
    ActivityNotice,
    CallSnapshot,
    ConversationEventSnapshot,
    MessageSnapshot,
    RecordingSnapshot,
    format_seq,
)
from trunkline.schema.calls import Call, Recording
from trunkline.schema.messages import Message

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
        snapshot = notice.snapshot
        return cls(
            cursor=format_seq(notice.seq),
            kind=ActivityKindValue(notice.kind),
            number_id=strawberry.ID(str(notice.number_id)) if notice.number_id else None,
            message=(
                Message.from_snapshot(snapshot) if isinstance(snapshot, MessageSnapshot) else None
            ),
            call=(
                Call.from_snapshot(snapshot, tenant_id=notice.tenant_id)
                if isinstance(snapshot, CallSnapshot)
                else None
            ),
            recording=(
                Recording.from_snapshot(snapshot)
                if isinstance(snapshot, RecordingSnapshot)
                else None
            ),
            conversation_event=(
                dict(snapshot.fields) if isinstance(snapshot, ConversationEventSnapshot) else None
            ),
        )
