"""A tenant with a real sandbox Twilio account and number, and a signed-webhook poster.

The rows are written straight through the models (credentials encrypted with the gateway's key):
configuring Twilio through GraphQL is another suite's subject.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.support.numbers import unheld_number
from tests.support.servers import serve_asgi
from trunkline.models import PhoneNumber, Tenant, TwilioSettings
from trunkline.sandbox import create_sandbox_app
from trunkline.services.secrets import secret_box
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Carrier:
    url: str
    clients: TwilioClients

    async def open_account(self) -> tuple[str, str]:
        async with httpx.AsyncClient(base_url=self.url) as control:
            response = await control.post("/control/accounts")
        assert response.status_code == 201, response.text
        body = response.json()
        return body["account_sid"], body["auth_token"]

    async def text(self, *, to: str, sender: str, body: str = "", **extra: object) -> str:
        async with httpx.AsyncClient(base_url=self.url) as control:
            response = await control.post(
                "/control/inbound/message", json={"to": to, "from": sender, "body": body, **extra}
            )
        assert response.status_code == 202, response.text
        sid: str = response.json()["sid"]
        return sid

    async def call(self, *, to: str, sender: str) -> str:
        async with httpx.AsyncClient(base_url=self.url) as control:
            response = await control.post("/control/inbound/call", json={"to": to, "from": sender})
        assert response.status_code == 202, response.text
        sid: str = response.json()["sid"]
        return sid


@dataclass
class TwilioTenant:
    """One organization with a Twilio account at the sandbox and one number."""

    org: str
    tenant_id: int
    account_sid: str
    auth_token: str
    client: Client
    number: PhoneNumber
    gateway: str
    http: httpx.AsyncClient

    def signed_headers(self, path: str, params: Params, *, token: str | None = None) -> dict:
        url = f"{self.gateway}{path}"
        signature = RequestValidator(token or self.auth_token).compute_signature(
            url, _multi(params)
        )
        return {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        }

    async def post(
        self,
        path: str,
        params: Params,
        *,
        headers: dict[str, str] | None = None,
        idempotency_token: str | None = None,
    ) -> httpx.Response:
        """POST ``params`` as Twilio would, signed with the account's token unless overridden."""
        signed = self.signed_headers(path, params)
        if idempotency_token is not None:
            signed["I-Twilio-Idempotency-Token"] = idempotency_token
        signed.update(headers or {})
        return await self.http.post(
            path,
            content=urlencode(list(params)),
            headers={"Content-Type": "application/x-www-form-urlencoded", **signed},
        )

    async def post_json(self, path: str, document: dict[str, object]) -> httpx.Response:
        body = json.dumps(document)
        query = urlencode({"bodySHA256": hashlib.sha256(body.encode()).hexdigest()})
        url = f"{self.gateway}{path}?{query}"
        signature = RequestValidator(self.auth_token).compute_signature(url, {})
        return await self.http.post(
            f"{path}?{query}",
            content=body,
            headers={"Content-Type": "application/json", "X-Twilio-Signature": signature},
        )


def _multi(params: Params) -> dict[str, list[str]] | object:
    class Multi(dict[str, list[str]]):
        def getall(self, name: str) -> list[str]:
            return self[name]

    multi = Multi()
    for name, value in params:
        multi.setdefault(name, []).append(value)
    return multi


@pytest.fixture(scope="session")
async def sandbox_carrier() -> AsyncIterator[Carrier]:
    """The sandbox carrier on its own loopback port, statuses advancing at once."""
    async with serve_asgi(create_sandbox_app(step_seconds=0)) as url:
        clients = TwilioClients(f"{url}/twilio", timeout=5.0)
        yield Carrier(url, clients)
        await clients.aclose()


async def create_twilio_tenant(
    *,
    carrier: Carrier,
    gateway: str,
    settings: Settings,
    http: httpx.AsyncClient,
    owner_id: str | None = None,
) -> TwilioTenant:
    """A tenant whose sandbox number sends its webhooks to the gateway under test."""
    org = f"org_{uuid.uuid4().hex[:12]}"
    account_sid, auth_token = await carrier.open_account()
    client = carrier.clients.client_for(account_sid, account_sid, auth_token)

    async def offered_in(area_code: str) -> list[str]:
        offered = await client.available_phone_numbers("US").local.list_async(
            area_code=area_code, limit=100
        )
        return [number.phone_number for number in offered]

    phone_number = await unheld_number(offered_in)
    bought = await client.incoming_phone_numbers.create_async(
        phone_number=phone_number,
        sms_url=f"{gateway}/webhooks/twilio/messaging",
        voice_url=f"{gateway}/webhooks/twilio/voice",
        status_callback=f"{gateway}/webhooks/twilio/call-status",
    )
    tenant = await Tenant.create(org_id=org)
    await TwilioSettings.create(
        tenant=tenant,
        account_sid=account_sid,
        auth_token_encrypted=secret_box(settings).encrypt(
            tenant_id=tenant.id, plaintext=auth_token
        ),
    )
    number = await PhoneNumber.create(
        tenant=tenant,
        sid=bought.sid,
        phone_number=bought.phone_number,
        sms_enabled=True,
        mms_enabled=True,
        voice_enabled=True,
        owner_id=owner_id,
    )
    return TwilioTenant(
        org=org,
        tenant_id=tenant.id,
        account_sid=account_sid,
        auth_token=auth_token,
        client=client,
        number=number,
        gateway=gateway,
        http=http,
    )


@pytest.fixture
async def webhook_http(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway, timeout=10.0) as http:
        yield http


@pytest.fixture
async def twilio_tenant(
    sandbox_carrier: Carrier, gateway: str, settings: Settings, webhook_http: httpx.AsyncClient
) -> TwilioTenant:
    return await create_twilio_tenant(
        carrier=sandbox_carrier, gateway=gateway, settings=settings, http=webhook_http
    )
