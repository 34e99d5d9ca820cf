"""GraphQL types for messages (built from the snapshot the activity log and the bus carry)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.activity import MessageSnapshot
from trunkline.activity.snapshots import DEFAULT_MEDIA_TYPE
from trunkline.graphql.context import Info, caller_tenant
from trunkline.models import Channel as ChannelValue
from trunkline.models import Direction as DirectionValue
from trunkline.models import Message as MessageRow
from trunkline.services.media_links import MediaKind, MediaLink

MessageChannel = strawberry.enum(ChannelValue, name="MessageChannel")
Direction = strawberry.enum(DirectionValue, name="Direction")


@strawberry.type(description="A file attached to a message.")
class MessageMedia:
    content_type: str = strawberry.field(description="Its media type, as Twilio gave it.")
    url: str = strawberry.field(
        description="A short-lived signed URL of this gateway that streams the file (usable in "
        "an <img src>, no bearer header); it expires after TRUNKLINE_MEDIA_URL_TTL_SECONDS: "
        "query the message again for a fresh one."
    )


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
    media_content_types: strawberry.Private[tuple[str, ...]] = ()

    @strawberry.field(description="The message's files, each with a signed URL of this gateway.")
    def media(self, info: Info) -> list[MessageMedia]:
        # Whoever sees the message sees its files: the message was already resolved for the
        # caller, in the caller's tenant, so the links are the caller's tenant's.
        _, tenant_id = caller_tenant(info)
        links = info.context.gateway.media_links
        expires = links.expiry()
        types = self.media_content_types
        return [
            MessageMedia(
                content_type=types[index] if index < len(types) else DEFAULT_MEDIA_TYPE,
                url=links.url(
                    MediaLink(MediaKind.MESSAGE, tenant_id, int(self.id), index, expires)
                ),
            )
            for index in range(len(self.media_urls))
        ]

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
            media_content_types=tuple(
                snapshot.media_content_type(index) for index in range(len(snapshot.media_urls))
            ),
        )

    @classmethod
    def from_row(cls, row: MessageRow) -> Message:
        return cls.from_snapshot(MessageSnapshot.of(row))
