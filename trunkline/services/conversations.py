"""The tenant's Conversations service webhook: pointed at this gateway, and read back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from twilio.rest import Client

from trunkline.models import TwilioSettings
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.errors import InvalidInput, provider_failure
from trunkline.services.health_records import HealthRecords
from trunkline.twilio import ProviderError, provider_errors

logger = logging.getLogger(__name__)

CONVERSATION_EVENTS = (
    "onMessageAdded",
    "onConversationAdded",
    "onConversationRemoved",
    "onParticipantAdded",
    "onParticipantRemoved",
)


@dataclass(frozen=True)
class ConversationsWebhook:
    service_sid: str
    post_webhook_url: str | None
    pre_webhook_url: str | None
    method: str | None
    filters: list[str]
    points_here: bool


async def _service_sid(tenant_id: int, accounts: TwilioAccounts) -> tuple[str, Client]:
    """The configured Conversations service, else the account's default one (remembered)."""
    client, account = await accounts.client_for_tenant(tenant_id)
    if account.conversations_service_sid:
        return account.conversations_service_sid, client
    try:
        async with provider_errors():
            configuration = await client.conversations.v1.configuration().fetch_async()
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    service_sid = configuration.default_chat_service_sid
    if not service_sid:
        raise InvalidInput(
            "conversationsServiceSid",
            "The account has no default Conversations service; save its SID (IS…) first.",
        )
    await TwilioSettings.filter(tenant_id=tenant_id).update(conversations_service_sid=service_sid)
    return service_sid, client


async def configure_conversations_webhook(
    *, tenant_id: int, accounts: TwilioAccounts, health_records: HealthRecords
) -> ConversationsWebhook:
    service_sid, client = await _service_sid(tenant_id, accounts)
    url = accounts.callback_url(Callback.CONVERSATIONS)
    try:
        async with provider_errors():
            webhooks = client.conversations.v1.services(service_sid).configuration.webhooks()
            result = await webhooks.update_async(
                post_webhook_url=url, method="POST", filters=list(CONVERSATION_EVENTS)
            )
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    await TwilioSettings.filter(tenant_id=tenant_id).update(
        webhook_configured=True, webhook_configured_at=datetime.now(UTC)
    )
    await health_records.forget_check(tenant_id)  # the kept health check predates it
    logger.info("Conversations webhook configured for tenant %s", tenant_id)
    return _webhook(service_sid, result, url)


async def conversations_webhook(
    *, tenant_id: int, accounts: TwilioAccounts
) -> ConversationsWebhook:
    service_sid, client = await _service_sid(tenant_id, accounts)
    try:
        async with provider_errors():
            webhooks = client.conversations.v1.services(service_sid).configuration.webhooks()
            result = await webhooks.fetch_async()
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    return _webhook(service_sid, result, accounts.callback_url(Callback.CONVERSATIONS))


def _webhook(service_sid: str, result: object, ours: str) -> ConversationsWebhook:
    post_url = getattr(result, "post_webhook_url", None)
    return ConversationsWebhook(
        service_sid=service_sid,
        post_webhook_url=post_url,
        pre_webhook_url=getattr(result, "pre_webhook_url", None),
        method=getattr(result, "method", None),
        filters=list(getattr(result, "filters", None) or []),
        points_here=post_url == ours,
    )
