"""GraphQL types for messages (built from the snapshot the activity log and the bus carry)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.activity import MessageSnapshot, StatusChange
from trunkline.activity.snapshots import DEFAULT_MEDIA_TYPE
from trunkline.graphql.context import Info, caller_tenant
from trunkline.models import Channel as ChannelValue
from trunkline.models import Direction as DirectionValue
from trunkline.models import Message as MessageRow
from trunkline.schema.numbers import Money, PhoneNumber
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


@strawberry.type(description="One status Twilio reported for a message, in the order it came.")
class MessageStatusChange:
    status: str
    at: datetime | None
    applied: bool = strawberry.field(
        description="False for a status that came late or is unknown: recorded, not applied."
    )

    @classmethod
    def of(cls, change: StatusChange) -> MessageStatusChange:
        return cls(status=change.status, at=change.at, applied=change.applied)


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
    error_message: str | None
    num_segments: int | None
    price: Money | None = strawberry.field(
        description="What the message cost, as a positive amount; null until Twilio prices it."
    )
    status_history: list[MessageStatusChange] = strawberry.field(
        description="Every status reported, oldest first, applied or not."
    )
    sent_by: str | None = strawberry.field(
        description="The user who sent it through this gateway; null for inbound messages."
    )
    received_while_inactive: bool = strawberry.field(
        description="Inbound to a number that was INACTIVE: stored all the same."
    )
    content_sid: str | None = strawberry.field(
        description="The WhatsApp template (Twilio Content API) it was sent with."
    )
    number_id: strawberry.ID | None
    created_at: datetime | None
    updated_at: datetime | None
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

    @strawberry.field(description="The number it was sent from or to; null once it is gone.")
    async def number(self, info: Info) -> PhoneNumber | None:
        # Whoever may see a message may see its number: the message names it already.
        if self.number_id is None:
            return None
        row = await info.context.loaders.number_by_id.load(int(self.number_id))
        return PhoneNumber.from_row(row) if row is not None else None

    @classmethod
    def from_snapshot(cls, snapshot: MessageSnapshot) -> Message:
        number_id = snapshot.number_id
        price = snapshot.price
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
            error_message=snapshot.error_message,
            num_segments=snapshot.num_segments,
            # Twilio writes what an account paid as a negative amount.
            price=Money.of(abs(price) if price is not None else None, snapshot.price_unit),
            status_history=[MessageStatusChange.of(change) for change in snapshot.status_history],
            sent_by=snapshot.user_id,
            received_while_inactive=snapshot.received_while_inactive,
            content_sid=snapshot.content_sid,
            number_id=strawberry.ID(str(number_id)) if number_id is not None else None,
            created_at=snapshot.created_at,
            updated_at=snapshot.updated_at,
            media_content_types=tuple(
                snapshot.media_content_type(index) for index in range(len(snapshot.media_urls))
            ),
        )

    @classmethod
    def from_row(cls, row: MessageRow) -> Message:
        return cls.from_snapshot(MessageSnapshot.of(row))


@strawberry.input(description="Narrows messages; every field given must match.")
class MessageFilter:
    number_id: strawberry.ID | None = None
    channel: MessageChannel | None = None
    direction: Direction | None = None
    status: str | None = strawberry.field(default=None, description="Twilio's status, exactly.")
    counterpart: str | None = strawberry.field(
        default=None,
        description=(
            "The other party as stored: +E.164, whatsapp:+E.164 (WhatsApp) or an email address."
        ),
    )
    since: datetime | None = strawberry.field(default=None, description="Created at or after.")
    until: datetime | None = strawberry.field(default=None, description="Created before.")
