"""GraphQL types for a tenant's Twilio health and the repair of its numbers' webhooks."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.services import health
from trunkline.services.health_records import Refusal

CredentialsState = strawberry.enum(
    health.CredentialsState, description="Whether Twilio accepted the stored credentials."
)
ConversationsState = strawberry.enum(
    health.ConversationsState, description="Where the Conversations service's webhook posts."
)
RefusalReason = strawberry.enum(
    health.RefusalReason, description="Why a webhook naming the tenant was refused (403)."
)


@strawberry.type(description="A webhook setting of a number that is not what this gateway sets.")
class WebhookMismatch:
    field: str = strawberry.field(description="Twilio's parameter, e.g. sms_url, voice_url.")
    expected: str
    actual: str | None


@strawberry.type(description="A number whose webhooks no longer point at this gateway.")
class NumberWebhookDrift:
    number_id: strawberry.ID
    sid: str
    phone_number: str
    missing_at_twilio: bool = strawberry.field(
        description="The Twilio account no longer holds this number (nothing to repair)."
    )
    mismatches: list[WebhookMismatch]

    @classmethod
    def from_drift(cls, drift: health.NumberDrift) -> NumberWebhookDrift:
        return cls(
            number_id=strawberry.ID(str(drift.number_id)),
            sid=drift.sid,
            phone_number=drift.phone_number,
            missing_at_twilio=drift.missing_at_twilio,
            mismatches=[
                WebhookMismatch(field=m.field, expected=m.expected, actual=m.actual)
                for m in drift.mismatches
            ],
        )


@strawberry.type(description="The Conversations service's webhook, if the tenant uses one.")
class ConversationsHealth:
    state: ConversationsState
    service_sid: str | None
    post_webhook_url: str | None


@strawberry.type(description="What Twilio said when last asked (at most every few minutes).")
class TwilioCheck:
    checked_at: datetime
    credentials: CredentialsState
    provider_code: int | None = strawberry.field(description="Twilio's code when not accepted.")
    message: str | None
    drifted_numbers: list[NumberWebhookDrift] = strawberry.field(
        description="Held numbers whose webhooks point elsewhere (empty unless ACCEPTED)."
    )
    conversations: ConversationsHealth | None

    @classmethod
    def from_check(cls, check: health.TwilioCheck) -> TwilioCheck:
        conversations = check.conversations
        return cls(
            checked_at=check.checked_at,
            credentials=check.credentials,
            provider_code=check.provider_code,
            message=check.message,
            drifted_numbers=[NumberWebhookDrift.from_drift(d) for d in check.drifted_numbers],
            conversations=(
                ConversationsHealth(
                    state=conversations.state,
                    service_sid=conversations.service_sid,
                    post_webhook_url=conversations.post_webhook_url,
                )
                if conversations
                else None
            ),
        )


@strawberry.type(description="A webhook refused with 403 although it named the tenant.")
class WebhookRefusal:
    reason: RefusalReason
    route: str
    at: datetime
    phone_number: str | None

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> WebhookRefusal:
        return cls(
            reason=health.RefusalReason(refusal.reason),
            route=refusal.route,
            at=refusal.at,
            phone_number=refusal.phone_number,
        )


@strawberry.type(description="The tenant's Twilio health.")
class TwilioHealth:
    configured: bool
    enabled: bool
    check: TwilioCheck | None = strawberry.field(description="Null when not configured.")
    last_webhook_at: datetime | None = strawberry.field(
        description="When a verified Twilio webhook of the tenant last arrived (to ~10 s)."
    )
    refusals: list[WebhookRefusal] = strawberry.field(description="Newest first, at most 50.")

    @classmethod
    def from_health(cls, value: health.TwilioHealth) -> TwilioHealth:
        return cls(
            configured=value.configured,
            enabled=value.enabled,
            check=TwilioCheck.from_check(value.check) if value.check else None,
            last_webhook_at=value.last_webhook_at,
            refusals=[WebhookRefusal.from_refusal(r) for r in value.refusals],
        )


@strawberry.type(description="What repairNumberWebhooks changed at Twilio.")
class NumberWebhooksRepaired:
    repaired: list[NumberWebhookDrift] = strawberry.field(
        description="Numbers re-pointed at this gateway, with what they had before."
    )
    missing_at_twilio: list[NumberWebhookDrift] = strawberry.field(
        description="Numbers the Twilio account no longer holds: release them here."
    )

    @classmethod
    def from_repair(cls, repair: health.WebhookRepair) -> NumberWebhooksRepaired:
        return cls(
            repaired=[NumberWebhookDrift.from_drift(d) for d in repair.repaired],
            missing_at_twilio=[NumberWebhookDrift.from_drift(d) for d in repair.missing_at_twilio],
        )
