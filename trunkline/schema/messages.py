"""GraphQL types for messages (built from the snapshot the activity log and the bus carry)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.activity import MessageSnapshot
from trunkline.models import Channel as ChannelValue
from trunkline.models import Direction as DirectionValue
from trunkline.models import Message as MessageRow

MessageChannel = strawberry.enum(ChannelValue, name="MessageChannel")
Direction = strawberry.enum(DirectionValue, name="Direction")


@strawberry.type(description="An SMS, MMS, WhatsApp or email message.")
class Message:
    id: strawberry.ID
    sid: str | None
    channel: MessageChannel
    direction: Direction
    from_: str = strawberry.field(name="from")
    to: str
    body: str
    media_urls: list[str]
    status: str = strawberry.field(description="Twilio's status; a status new to us is kept.")
    error_code: int | None
    number_id: strawberry.ID | None
    created_at: datetime | None

    @classmethod
    def from_snapshot(cls, snapshot: MessageSnapshot) -> Message:
        number_id = snapshot.number_id
        return cls(
            id=strawberry.ID(str(snapshot.id)),
            sid=snapshot.sid,
            channel=snapshot.channel,
            direction=snapshot.direction,
            from_=snapshot.from_address,
            to=snapshot.to_address,
            body=snapshot.body,
            media_urls=list(snapshot.media_urls),
            status=snapshot.status,
            error_code=snapshot.error_code,
            number_id=strawberry.ID(str(number_id)) if number_id is not None else None,
            created_at=snapshot.created_at,
        )

    @classmethod
    def from_row(cls, row: MessageRow) -> Message:
        return cls.from_snapshot(MessageSnapshot.of(row))
