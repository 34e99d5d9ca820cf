"""Messages made by real traffic: texts from "phones" through the sandbox's control API, and test
SMS sent through the gateway; each helper returns once the gateway has stored what it made (seen
on the tenant's activity stream, replayed from its start: nothing can pass unseen)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.subscriptions.client import subscribe
from tests.support.tenancy import Tenant

BURST = 25
ACTIVITY = """
subscription Seen($after: String) {
  activity(after: $after) { kind message { id sid status } }
}
"""
SEND_TEST_SMS = """
mutation Send($to: String!, $body: String!) {
  sendTestSms(to: $to, body: $body) {
    __typename ... on TestSmsSent { messageId sid } ... on Error { code message }
  }
}
"""


async def seen(gateway: str, tenant: Tenant, sids: set[str], *, status: str) -> dict[str, str]:
    """Wait until the activity stream has shown each of ``sids`` with ``status``; their ids."""
    ids: dict[str, str] = {}
    async with subscribe(gateway, tenant.token("admin"), ACTIVITY, {"after": "0"}) as subscriber:
        while set(ids) != sids:
            message = (await subscriber.next())["activity"]["message"]
            if message and message["sid"] in sids and message["status"] == status:
                ids[message["sid"]] = message["id"]
    return ids


async def text(
    carrier: str, *, to: str, sender: str, body: str = "hi", channel: str = "sms"
) -> str:
    """A phone texts ``to`` (a sandbox number); the message's sid."""
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post(
            "/control/inbound/message",
            json={"to": to, "from": sender, "body": body, "channel": channel},
        )
    assert response.status_code == 202, response.text
    sid: str = response.json()["sid"]
    return sid


async def text_stored(
    gateway: str, carrier: str, tenant: Tenant, *, to: str, sender: str, **extra: Any
) -> str:
    """A text to ``to``, once the gateway has stored it; its message id."""
    sid = await text(carrier, to=to, sender=sender, **extra)
    return (await seen(gateway, tenant, {sid}, status="received"))[sid]


async def texts_stored(
    gateway: str, carrier: str, tenant: Tenant, texts: list[dict[str, str]]
) -> dict[str, str]:
    """Many texts (``to``, ``sender``), a burst at a time, once all are stored; ids by sid.

    A burst fits a test subscriber's queue (the suite's ``subscriber_queue_size``): a subscriber
    that falls further behind is dropped, as the gateway drops any slow subscriber.
    """
    ids: dict[str, str] = {}
    for start in range(0, len(texts), BURST):
        burst = texts[start : start + BURST]
        sids = await asyncio.gather(*(text(carrier, **each) for each in burst))
        ids.update(await seen(gateway, tenant, set(sids), status="received"))
    return ids


async def sms_delivered(gateway: str, tenant: Tenant, *, to: str, sent_by: str) -> str:
    """A test SMS sent by the support user ``sent_by``, once delivered; its message id."""
    result = await tenant.graphql.execute(
        SEND_TEST_SMS,
        {"to": to, "body": "from the desk"},
        token=tenant.token("support", sub=sent_by),
    )
    sent = result["data"]["sendTestSms"]
    assert sent["__typename"] == "TestSmsSent", result
    await seen(gateway, tenant, {sent["sid"]}, status="delivered")
    return str(sent["messageId"])
