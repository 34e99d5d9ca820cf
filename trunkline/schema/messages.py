"""GraphQL types for messages (built from the snapshot the activity log and the bus carry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from trunkline.models import Channel as ChannelValue
from trunkline.models import Direction as DirectionValue

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
    def from_snapshot(cls, snapshot: dict[str, Any]) -> Message:
        created = snapshot.get("created_at")
        number_id = snapshot.get("number_id")
        return cls(
            id=strawberry.ID(str(snapshot["id"])),
            sid=snapshot.get("sid"),
            channel=ChannelValue(snapshot["channel"]),
            direction=DirectionValue(snapshot["direction"]),
            from_=snapshot.get("from") or "",
            to=snapshot.get("to") or "",
            body=snapshot.get("body") or "",
            media_urls=[url for url in snapshot.get("media_urls") or [] if url],
            status=snapshot["status"],
            error_code=snapshot.get("error_code"),
            number_id=strawberry.ID(str(number_id)) if number_id is not None else None,
            created_at=datetime.fromisoformat(created) if created else None,
        )
