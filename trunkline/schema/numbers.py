"""GraphQL types for phone numbers: the tenant's own, and Twilio's inventory."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from trunkline.models import NumberProvider as NumberProviderValue
from trunkline.models import NumberStatus as NumberStatusValue
from trunkline.models import NumberType as NumberTypeValue
from trunkline.models import PhoneNumber as PhoneNumberRow
from trunkline.models import VoiceMode as VoiceModeValue
from trunkline.services import available_numbers as service

NumberStatus = strawberry.enum(NumberStatusValue, name="NumberStatus")
NumberType = strawberry.enum(NumberTypeValue, name="NumberType")
NumberCapability = strawberry.enum(service.Capability, name="NumberCapability")
VoiceMode = strawberry.enum(
    VoiceModeValue,
    name="VoiceMode",
    description="What an inbound call to a number does. RING_OWNER: the owner's browser client "
    "(voicemail when the number has no owner); FORWARD: forwardTo; either falls to voicemail "
    "when nobody answers and voicemail is on. VOICEMAIL: the greeting, then a recording. "
    "REJECT: refused unanswered (no charge). An INACTIVE number declines politely whatever its "
    "mode.",
)
NumberProvider = strawberry.enum(
    NumberProviderValue,
    name="NumberProvider",
    description="Who carries a number's WhatsApp traffic; only TWILIO is built so far.",
)


@strawberry.type
class NumberCapabilities:
    voice: bool
    sms: bool
    mms: bool

    @classmethod
    def of(cls, capabilities: frozenset[service.Capability]) -> NumberCapabilities:
        return cls(
            voice=service.Capability.VOICE in capabilities,
            sms=service.Capability.SMS in capabilities,
            mms=service.Capability.MMS in capabilities,
        )


@strawberry.type(description="An amount of money in a currency (ISO 4217).")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | None, currency: str | None) -> Money | None:
        if amount is None or not currency:
            return None
        return cls(amount=amount, currency=currency)


@strawberry.type(description="A country Twilio sells numbers in.")
class Country:
    iso_country: str
    name: str
    beta: bool


@strawberry.type(description="A number Twilio offers for sale.")
class AvailableNumber:
    phone_number: str
    friendly_name: str
    locality: str | None
    region: str | None
    iso_country: str
    type: NumberType
    capabilities: NumberCapabilities
    monthly_price: Money | None = strawberry.field(description="Null when Twilio gave none.")

    @classmethod
    def of(cls, number: service.AvailableNumber) -> AvailableNumber:
        return cls(
            phone_number=number.phone_number,
            friendly_name=number.friendly_name,
            locality=number.locality,
            region=number.region,
            iso_country=number.iso_country,
            type=number.number_type,
            capabilities=NumberCapabilities.of(number.capabilities),
            monthly_price=(
                Money(amount=number.monthly_price.amount, currency=number.monthly_price.unit)
                if number.monthly_price
                else None
            ),
        )


@strawberry.type(description="How a number answers inbound calls.")
class VoiceSettings:
    mode: VoiceMode
    forward_to: str | None = strawberry.field(description="E.164; where FORWARD rings.")
    greeting: str | None = strawberry.field(
        description="Spoken before voicemail records; null: a default greeting."
    )
    ring_seconds: int = strawberry.field(description="How long the owner or forwardTo rings.")
    voicemail: bool = strawberry.field(description="Record a message when nobody answers.")

    @classmethod
    def from_row(cls, row: PhoneNumberRow) -> VoiceSettings:
        return cls(
            mode=VoiceModeValue(row.voice_mode),
            forward_to=row.voice_forward_to,
            greeting=row.voice_greeting,
            ring_seconds=row.voice_ring_seconds,
            voicemail=row.voice_voicemail,
        )


@strawberry.type(
    description="A number of the tenant: bought through Trunkline, or registered (one its Twilio "
    "account already held, or Twilio's shared WhatsApp Sandbox sender)."
)
class PhoneNumber:
    id: strawberry.ID
    sid: str | None = strawberry.field(
        description="Twilio's PN SID; null for a shared sender (Twilio's WhatsApp Sandbox), "
        "which no account holds."
    )
    phone_number: str
    friendly_name: str
    status: NumberStatus
    capabilities: NumberCapabilities
    label: str | None
    website_id: str | None
    owner_id: str | None = strawberry.field(description="The user the number is assigned to.")
    iso_country: str
    type: NumberType
    monthly_fee: Money | None
    provider: NumberProvider
    whatsapp_enabled: bool = strawberry.field(description="Whether it may send WhatsApp.")
    voice: VoiceSettings
    created_at: datetime
    released_at: datetime | None

    @classmethod
    def from_row(cls, row: PhoneNumberRow) -> PhoneNumber:
        capabilities = frozenset(
            capability
            for capability, enabled in (
                (service.Capability.VOICE, row.voice_enabled),
                (service.Capability.SMS, row.sms_enabled),
                (service.Capability.MMS, row.mms_enabled),
            )
            if enabled
        )
        return cls(
            id=strawberry.ID(str(row.id)),
            sid=row.sid,
            phone_number=row.phone_number,
            friendly_name=row.friendly_name,
            status=NumberStatusValue(row.status),
            capabilities=NumberCapabilities.of(capabilities),
            label=row.label,
            website_id=row.website_id,
            owner_id=row.owner_id,
            iso_country=row.iso_country,
            type=NumberTypeValue(row.number_type),
            monthly_fee=Money.of(row.monthly_fee, row.price_unit),
            provider=NumberProviderValue(row.provider),
            whatsapp_enabled=row.whatsapp_enabled,
            voice=VoiceSettings.from_row(row),
            created_at=row.created_at,
            released_at=row.released_at,
        )


@strawberry.input
class NumberFilter:
    mine: bool = strawberry.field(default=False, description="Only numbers assigned to me.")
    owner_id: str | None = None
    status: NumberStatus | None = None
    capability: NumberCapability | None = None


@strawberry.input
class BuyNumberInput:
    phone_number: str
    label: str | None = None
    website_id: str | None = None
    owner_id: str | None = None


@strawberry.input(
    description="A number the tenant's Twilio account already holds, or Twilio's shared WhatsApp "
    "Sandbox sender (+14155238886)."
)
class RegisterNumberInput:
    phone_number: str
    label: str | None = None
    website_id: str | None = None
    owner_id: str | None = None
    configure_webhooks: bool = strawberry.field(
        default=True,
        description="Point the number's SMS, voice and status webhooks at this gateway "
        "(not applicable to the shared sender: Twilio sets its URL in the Console).",
    )
    provider: NumberProvider = NumberProviderValue.TWILIO  # type: ignore[assignment]
    whatsapp_enabled: bool = False


@strawberry.input(
    description='How inbound calls are answered; omitted fields stay; forwardTo "" clears it.'
)
class VoiceSettingsInput:
    mode: VoiceMode | None = None
    forward_to: str | None = strawberry.field(
        default=None, description="E.164; required (here or already set) for FORWARD."
    )
    greeting: str | None = strawberry.field(default=None, description="1 to 500 characters.")
    ring_seconds: int | None = strawberry.field(default=None, description="5 to 60.")
    voicemail: bool | None = None


@strawberry.input(description='Fields to change; omitted fields stay; ownerId "" unassigns.')
class UpdateNumberInput:
    label: str | None = None
    website_id: str | None = None
    status: NumberStatus | None = None
    owner_id: str | None = None
    whatsapp_enabled: bool | None = strawberry.field(default=None, description="Admins only.")
    voice: VoiceSettingsInput | None = strawberry.field(
        default=None, description="Admins, or the number's owner."
    )
