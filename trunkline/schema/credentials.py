"""GraphQL types for a tenant's Twilio configuration. No field ever carries a secret."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.activity import MessageSnapshot
from trunkline.models import TwilioSettings as TwilioSettingsRow
from trunkline.services.accounts import mask_account_sid
from trunkline.services.conversations import ConversationsWebhook as WebhookConfiguration


@strawberry.type(description="Whether Twilio's webhooks point at this gateway.")
class WebhookStatus:
    configured: bool
    configured_at: datetime | None


@strawberry.type(description="The tenant's Twilio configuration (the auth token is never shown).")
class TwilioSettings:
    configured: bool
    enabled: bool
    account_sid: str | None = strawberry.field(description="Masked: AC… and the last four.")
    from_number: str | None
    messaging_service_sid: str | None
    conversations_service_sid: str | None
    twiml_app_sid: str | None
    api_key_sid: str | None
    validated_at: datetime | None
    updated_at: datetime | None
    webhook: WebhookStatus

    @classmethod
    def from_row(cls, row: TwilioSettingsRow | None) -> TwilioSettings:
        if row is None:
            return cls(
                configured=False,
                enabled=False,
                account_sid=None,
                from_number=None,
                messaging_service_sid=None,
                conversations_service_sid=None,
                twiml_app_sid=None,
                api_key_sid=None,
                validated_at=None,
                updated_at=None,
                webhook=WebhookStatus(configured=False, configured_at=None),
            )
        return cls(
            configured=True,
            enabled=row.enabled,
            account_sid=mask_account_sid(row.account_sid),
            from_number=row.from_number,
            messaging_service_sid=row.messaging_service_sid,
            conversations_service_sid=row.conversations_service_sid,
            twiml_app_sid=row.twiml_app_sid,
            api_key_sid=row.api_key_sid,
            validated_at=row.validated_at,
            updated_at=row.updated_at,
            webhook=WebhookStatus(
                configured=row.webhook_configured, configured_at=row.webhook_configured_at
            ),
        )


@strawberry.input(description="Twilio credentials; omit authToken to keep the stored one.")
class SaveTwilioCredentialsInput:
    account_sid: str
    auth_token: str | None = None
    from_number: str | None = None
    messaging_service_sid: str | None = None
    conversations_service_sid: str | None = None
    twiml_app_sid: str | None = None
    api_key_sid: str | None = None
    api_key_secret: str | None = None


@strawberry.type
class DeleteTwilioCredentialsPayload:
    deleted: bool


@strawberry.type(description="A Conversations service's post-event webhook, as Twilio has it.")
class ConversationsWebhook:
    service_sid: str
    post_webhook_url: str | None
    pre_webhook_url: str | None
    method: str | None
    filters: list[str]
    points_here: bool = strawberry.field(description="Whether it posts to this gateway.")

    @classmethod
    def from_configuration(cls, value: WebhookConfiguration) -> ConversationsWebhook:
        return cls(
            service_sid=value.service_sid,
            post_webhook_url=value.post_webhook_url,
            pre_webhook_url=value.pre_webhook_url,
            method=value.method,
            filters=value.filters,
            points_here=value.points_here,
        )


@strawberry.type(description="A test SMS Twilio accepted; later statuses arrive as activity.")
class TestSmsSent:
    message_id: strawberry.ID
    sid: str
    status: str
    to: str

    @classmethod
    def from_snapshot(cls, message: MessageSnapshot) -> TestSmsSent:
        return cls(
            message_id=strawberry.ID(str(message.id)),
            sid=message.sid or "",
            status=message.status,
            to=message.to_address,
        )
