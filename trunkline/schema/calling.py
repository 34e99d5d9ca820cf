"""GraphQL types for placing and ending calls: ``PlaceCallInput`` and the mutations' results."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import strawberry

from trunkline.schema.calls import Call
from trunkline.schema.errors import (
    InactiveNumberError,
    NotFoundError,
    PhoneNumberNotFoundError,
    ProviderError,
    RateLimitedError,
    TwilioNotConfiguredError,
    UserInputError,
)
from trunkline.services.calling import ConnectTo as ServiceConnectTo


@strawberry.enum(description="Where a placed call is connected once the callee answers.")
class ConnectTo(StrEnum):
    CLIENT = "client"
    PHONE = "phone"

    @property
    def service(self) -> ServiceConnectTo:
        return ServiceConnectTo(self.value)


@strawberry.input(description="A call to place from one of the tenant's numbers.")
class PlaceCallInput:
    number_id: strawberry.ID = strawberry.field(description="The number to call from.")
    to: str = strawberry.field(description="Whom to call, in E.164 (+14155550123).")
    record: bool = strawberry.field(
        default=False, description="Record the call; its recording arrives as RECORDING_READY."
    )
    connect_to: ConnectTo = strawberry.field(
        default=ConnectTo.CLIENT,
        description="CLIENT: the caller's browser (Voice SDK) client; PHONE: `agentPhone`.",
    )
    agent_phone: str | None = strawberry.field(
        default=None,
        description="The caller's own phone in E.164; required for (and only for) PHONE.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="The same key from the same tenant places one call and answers the same "
        "result.",
    )


PlaceCallResult = Annotated[
    Call
    | UserInputError
    | PhoneNumberNotFoundError
    | InactiveNumberError
    | TwilioNotConfiguredError
    | ProviderError
    | RateLimitedError,
    strawberry.union("PlaceCallResult"),
]

HangupCallResult = Annotated[
    Call | UserInputError | NotFoundError | TwilioNotConfiguredError | ProviderError,
    strawberry.union("HangupCallResult"),
]
