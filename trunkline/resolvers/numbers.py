"""Phone numbers: inventory search and purchase (admins), the tenant's numbers (members)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trunkline.auth.permissions import IsAdmin, IsAuthenticated
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result, query_result
from trunkline.schema.errors import (
    ConflictError,
    InactiveNumberError,
    NumberUnavailableError,
    PhoneNumberNotFoundError,
    ProviderError,
    RateLimitedError,
    TwilioNotConfiguredError,
    UserInputError,
)
from trunkline.schema.numbers import (
    AvailableNumber,
    BuyNumberInput,
    Country,
    NumberCapability,
    NumberFilter,
    NumberType,
    PhoneNumber,
    RegisterNumberInput,
    UpdateNumberInput,
)
from trunkline.schema.pagination import Connection, connection, page_size
from trunkline.services import available_numbers as inventory
from trunkline.services import numbers, registration
from trunkline.services.errors import PhoneNumberNotFound
from trunkline.services.keys import decode_cursor, encode_cursor, parse_key
from trunkline.services.rate_limits import CostlyAction

CURSOR_KIND = "number"

BuyNumberResult = Annotated[
    PhoneNumber
    | UserInputError
    | TwilioNotConfiguredError
    | NumberUnavailableError
    | ProviderError
    | RateLimitedError,
    strawberry.union("BuyNumberResult"),
]
RegisterNumberResult = Annotated[
    PhoneNumber
    | UserInputError
    | PhoneNumberNotFoundError
    | ConflictError
    | TwilioNotConfiguredError
    | ProviderError,
    strawberry.union("RegisterNumberResult"),
]
UpdateNumberResult = Annotated[
    PhoneNumber | UserInputError | PhoneNumberNotFoundError | InactiveNumberError,
    strawberry.union("UpdateNumberResult"),
]
ReleaseNumberResult = Annotated[
    PhoneNumber
    | UserInputError
    | PhoneNumberNotFoundError
    | InactiveNumberError
    | TwilioNotConfiguredError
    | ProviderError,
    strawberry.union("ReleaseNumberResult"),
]


@strawberry.type
class NumbersQuery:
    @strawberry.field(permission_classes=[IsAdmin])
    async def supported_countries(self, info: Info) -> list[Country]:
        _, tenant_id = caller_tenant(info)
        found = await query_result(
            inventory.supported_countries(
                tenant_id=tenant_id, accounts=info.context.gateway.accounts
            )
        )
        return [Country(iso_country=c.code, name=c.name, beta=c.beta) for c in found]

    @strawberry.field(permission_classes=[IsAdmin], description="Numbers Twilio offers.")
    async def available_numbers(
        self,
        info: Info,
        country: str,
        area_code: str | None = None,
        contains: str | None = None,
        type: NumberType = NumberType.LOCAL,  # type: ignore[assignment]
        capabilities: list[NumberCapability] | None = None,
        first: int | None = None,
    ) -> list[AvailableNumber]:
        _, tenant_id = caller_tenant(info)

        async def search() -> list[inventory.AvailableNumber]:
            limit = page_size(first, maximum=info.context.settings.max_page_size)
            query = inventory.NumberSearch(
                country=country,
                number_type=type,  # type: ignore[arg-type]
                area_code=area_code,
                contains=contains,
                capabilities=frozenset(capabilities or ()),  # type: ignore[arg-type]
                limit=limit,
            )
            return await inventory.available_numbers(
                tenant_id=tenant_id, search=query, accounts=info.context.gateway.accounts
            )

        return [AvailableNumber.of(number) for number in await query_result(search())]

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Admins see the tenant's numbers; agents those assigned to them.",
    )
    async def numbers(
        self,
        info: Info,
        filter: NumberFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PhoneNumber]:
        principal, tenant_id = caller_tenant(info)
        wanted = filter or NumberFilter()

        async def page() -> Connection[PhoneNumber]:
            limit = page_size(first, maximum=info.context.settings.max_page_size)
            found = await numbers.list_numbers(
                tenant_id=tenant_id,
                principal=principal,
                number_filter=numbers.NumberFilter(
                    mine=wanted.mine,
                    owner_id=wanted.owner_id,
                    status=wanted.status,  # type: ignore[arg-type]
                    capability=wanted.capability,  # type: ignore[arg-type]
                ),
                after_id=decode_cursor(CURSOR_KIND, after),
                limit=limit,
            )
            return connection(
                found,
                after=after,
                cursor=lambda row: encode_cursor(CURSOR_KIND, row.id),
                node=PhoneNumber.from_row,
            )

        return await query_result(page())

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def number(self, info: Info, id: strawberry.ID) -> PhoneNumber | None:
        principal, tenant_id = caller_tenant(info)

        async def find() -> PhoneNumber | None:
            number_id = parse_key(id, field="id")
            try:
                row = await numbers.get_number(
                    tenant_id=tenant_id, principal=principal, number_id=number_id
                )
            except PhoneNumberNotFound:
                return None  # absent, or another tenant's: the same null
            return PhoneNumber.from_row(row)

        return await query_result(find())


@strawberry.type
class NumbersMutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Buy a number, wired to this gateway."
    )
    async def buy_number(self, info: Info, input: BuyNumberInput) -> BuyNumberResult:
        principal, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        purchase = numbers.Purchase(
            phone_number=input.phone_number,
            label=input.label,
            website_id=input.website_id,
            owner_id=input.owner_id,
        )
        return await mutation_result(
            gateway.rate_limits.within(
                CostlyAction.BUY_NUMBER,
                tenant_id=tenant_id,
                user_id=principal.user_id,
                run=lambda: numbers.buy_number(
                    tenant_id=tenant_id, purchase=purchase, accounts=gateway.accounts
                ),
            ),
            PhoneNumber.from_row,
        )

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Take on a number the tenant's Twilio account already holds (webhooks "
        "pointed here unless configureWebhooks is false), or Twilio's shared WhatsApp Sandbox "
        "sender.",
    )
    async def register_number(self, info: Info, input: RegisterNumberInput) -> RegisterNumberResult:
        _, tenant_id = caller_tenant(info)
        wanted = registration.Registration(
            phone_number=input.phone_number,
            label=input.label,
            website_id=input.website_id,
            owner_id=input.owner_id,
            configure_webhooks=input.configure_webhooks,
            provider=input.provider,  # type: ignore[arg-type]
            whatsapp_enabled=input.whatsapp_enabled,
        )
        return await mutation_result(
            registration.register_number(
                tenant_id=tenant_id, registration=wanted, accounts=info.context.gateway.accounts
            ),
            PhoneNumber.from_row,
        )

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Admins change anything; a number's owner its label, website and voice "
        "settings.",
    )
    async def update_number(
        self, info: Info, id: strawberry.ID, input: UpdateNumberInput
    ) -> UpdateNumberResult:
        principal, tenant_id = caller_tenant(info)
        changes = numbers.NumberChanges(
            label=input.label,
            website_id=input.website_id,
            status=input.status,  # type: ignore[arg-type]
            owner_id=input.owner_id or None,
            clear_owner=input.owner_id == "",
            whatsapp_enabled=input.whatsapp_enabled,
            voice=(
                numbers.VoiceChanges(
                    mode=input.voice.mode,  # type: ignore[arg-type]
                    forward_to=input.voice.forward_to,
                    greeting=input.voice.greeting,
                    ring_seconds=input.voice.ring_seconds,
                    voicemail=input.voice.voicemail,
                )
                if input.voice is not None
                else None
            ),
        )

        async def update() -> object:
            return await numbers.update_number(
                tenant_id=tenant_id,
                principal=principal,
                number_id=parse_key(id, field="id"),
                changes=changes,
                accounts=info.context.gateway.accounts,
            )

        return await mutation_result(update(), PhoneNumber.from_row)  # type: ignore[arg-type]

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Release at Twilio (a shared sender: here only); the number stays in history "
        "with status RELEASED.",
    )
    async def release_number(self, info: Info, id: strawberry.ID) -> ReleaseNumberResult:
        _, tenant_id = caller_tenant(info)

        async def release() -> object:
            return await numbers.release_number(
                tenant_id=tenant_id,
                number_id=parse_key(id, field="id"),
                accounts=info.context.gateway.accounts,
            )

        return await mutation_result(release(), PhoneNumber.from_row)  # type: ignore[arg-type]
