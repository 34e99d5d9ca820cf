"""Conversations v1: services and a service's webhook configuration."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount, open_account
from trunkline.twilio import TwilioClients


async def test_every_account_starts_with_a_default_conversations_service(
    account: SandboxAccount,
) -> None:
    configuration = await account.client.conversations.v1.configuration().fetch_async()
    services = await account.client.conversations.v1.services.list_async()

    assert [s.friendly_name for s in services] == ["Default Conversations Service"]
    assert configuration.default_chat_service_sid == services[0].sid
    assert configuration.account_sid == account.sid


async def test_a_services_webhook_configuration_starts_empty(account: SandboxAccount) -> None:
    service = (await account.client.conversations.v1.services.list_async())[0]

    webhooks = (
        await account.client.conversations.v1.services(service.sid)
        .configuration.webhooks()
        .fetch_async()
    )

    assert (webhooks.chat_service_sid, webhooks.account_sid) == (service.sid, account.sid)
    assert (webhooks.pre_webhook_url, webhooks.post_webhook_url) == (None, None)
    assert (webhooks.filters, webhooks.method) == ([], "POST")


async def test_the_post_event_webhook_url_filters_and_method_can_be_updated(
    account: SandboxAccount,
) -> None:
    service = (await account.client.conversations.v1.services.list_async())[0]
    webhooks = account.client.conversations.v1.services(service.sid).configuration.webhooks()

    updated = await webhooks.update_async(
        post_webhook_url="https://gateway.example/webhooks/twilio/conversations",
        filters=["onMessageAdded", "onConversationAdded"],
        method="GET",
    )
    fetched = await webhooks.fetch_async()

    assert updated.post_webhook_url == fetched.post_webhook_url
    assert fetched.post_webhook_url == "https://gateway.example/webhooks/twilio/conversations"
    assert fetched.filters == ["onMessageAdded", "onConversationAdded"]
    assert fetched.method == "GET"
    assert fetched.url == (
        f"https://conversations.twilio.com/v1/Services/{service.sid}/Configuration/Webhooks"
    )


async def test_services_can_be_created_and_listed_page_by_page(account: SandboxAccount) -> None:
    created = [
        await account.client.conversations.v1.services.create_async(friendly_name=f"Team {i}")
        for i in range(3)
    ]

    page = await account.client.conversations.v1.services.page_async(page_size=2)
    listed = await account.client.conversations.v1.services.list_async(page_size=2)

    assert len(list(page)) == 2
    assert page.next_page_url is not None
    assert [s.friendly_name for s in listed] == [
        "Default Conversations Service",
        "Team 0",
        "Team 1",
        "Team 2",
    ]
    fetched = await account.client.conversations.v1.services(created[1].sid).fetch_async()
    assert fetched.friendly_name == "Team 1"


async def test_another_accounts_service_is_not_found(
    account: SandboxAccount, control: httpx.AsyncClient, twilio_clients: TwilioClients
) -> None:
    other = await open_account(control, twilio_clients)
    theirs = (await other.client.conversations.v1.services.list_async())[0].sid

    with pytest.raises(TwilioRestException) as raised:
        await (
            account.client.conversations.v1.services(theirs)
            .configuration.webhooks()
            .update_async(post_webhook_url="https://evil.example/")
        )

    assert (raised.value.status, raised.value.code) == (404, 20404)
    assert raised.value.msg == (
        "Unable to update record: The requested resource "
        f"/v1/Services/{theirs}/Configuration/Webhooks was not found"
    )
    untouched = (
        await other.client.conversations.v1.services(theirs).configuration.webhooks().fetch_async()
    )
    assert untouched.post_webhook_url is None
