"""GraphQL types for sending messages: ``SendMessageInput`` and ``sendMessage``'s result."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from trunkline.models import Channel
from trunkline.schema.errors import (
    InactiveNumberError,
    PhoneNumberNotFoundError,
    ProviderError,
    RateLimitedError,
    TwilioNotConfiguredError,
    UserInputError,
)
from trunkline.schema.messages import Message


@strawberry.enum(description="How a message is sent.")
class SendChannel(StrEnum):
    SMS = "sms"
    MMS = "mms"
    WHATSAPP = "whatsapp"

    @property
    def channel(self) -> Channel:
        return Channel(self.value)


@strawberry.input(description="A message to send from one of the tenant's numbers.")
class SendMessageInput:
    number_id: strawberry.ID = strawberry.field(description="The number to send from.")
    to: str = strawberry.field(
        description="The recipient in E.164 (+14155550123); for WhatsApp too (no prefix)."
    )
    body: str | None = strawberry.field(default=None, description="Up to 1,600 characters.")
    media_urls: list[str] = strawberry.field(
        default_factory=list,
        description="Up to 10 https URLs Twilio fetches (channel MMS or WHATSAPP).",
    )
    channel: SendChannel = SendChannel.SMS
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="The same key from the same tenant sends once and answers the same result.",
    )
    content_sid: str | None = strawberry.field(
        default=None,
        description="A Content API template (HX...): the one way to write to a WhatsApp "
        "contact outside the 24-hour window.",
    )
    content_variables: JSON | None = strawberry.field(
        default=None, description='The template\'s variables, a JSON object: {"1": "Ana"}.'
    )


SendMessageResult = Annotated[
    Message
    | UserInputError
    | PhoneNumberNotFoundError
    | InactiveNumberError
    | TwilioNotConfiguredError
    | ProviderError
    | RateLimitedError,
    strawberry.union("SendMessageResult"),
]
