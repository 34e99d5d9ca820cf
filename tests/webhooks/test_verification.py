"""Verification before anything is stored; bad input is a 400 naming the field; GET is health."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, STATUS, inbound, message_sid, status
from trunkline.models import ActivityEvent, Message, PhoneNumber, Tenant, WebhookReceipt
from trunkline.services.callbacks import Callback
from trunkline.webhooks.asgi import MAX_BODY_BYTES
from trunkline.webhooks.twilio import ROUTES as ROUTE_TABLE

ROUTES = [
    "/webhooks/twilio/messaging",
    "/webhooks/twilio/message-status",
    "/webhooks/twilio/voice",
    "/webhooks/twilio/voice-action",
    "/webhooks/twilio/voice-fallback",
    "/webhooks/twilio/call-status",
    "/webhooks/twilio/recording-status",
    "/webhooks/twilio/conversations",
]


async def nothing_stored(tenant: TwilioTenant) -> bool:
    return (
        await WebhookReceipt.filter(tenant_id=tenant.tenant_id).count() == 0
        and await Message.filter(tenant_id=tenant.tenant_id).count() == 0
        and await ActivityEvent.filter(tenant_id=tenant.tenant_id).count() == 0
    )


@pytest.mark.parametrize("path", ROUTES)
async def test_get_on_each_webhook_route_answers_200(
    twilio_tenant: TwilioTenant, path: str
) -> None:
    response = await twilio_tenant.http.get(path)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_route_table_serves_every_twilio_callback_url_and_no_other() -> None:
    handed_to_twilio = [c.value for c in Callback if c.value.startswith("/webhooks/twilio/")]

    assert sorted(handed_to_twilio) == sorted(ROUTES)
    assert sorted(callback.value for callback in ROUTE_TABLE) == sorted(ROUTES)


@pytest.mark.parametrize(
    "tamper",
    [
        "no signature",
        "another token",
        "forwarded host",
        "changed body",
        "unknown account",
    ],
)
async def test_unverifiable_webhook_is_403_and_stores_nothing(
    twilio_tenant: TwilioTenant, tamper: str
) -> None:
    params = inbound(twilio_tenant, message_sid())
    headers = twilio_tenant.signed_headers(MESSAGING, params)
    if tamper == "no signature":
        del headers["X-Twilio-Signature"]
    elif tamper == "another token":
        headers = twilio_tenant.signed_headers(MESSAGING, params, token="f" * 32)
    elif tamper == "forwarded host":
        # Signed for a host the client claims; the gateway rebuilds the URL from its public URL.
        url = "https://evil.example" + MESSAGING
        from twilio.request_validator import RequestValidator

        headers["X-Twilio-Signature"] = RequestValidator(
            twilio_tenant.auth_token
        ).compute_signature(url, dict(params))
        headers["X-Forwarded-Host"] = "evil.example"
        headers["X-Forwarded-Proto"] = "https"
    elif tamper == "changed body":
        params = [(k, "tampered" if k == "Body" else v) for k, v in params]
    elif tamper == "unknown account":
        params = [(k, "AC" + "9" * 32 if k == "AccountSid" else v) for k, v in params]
        params = [(k, "+15005550000" if k == "To" else v) for k, v in params]

    response = await twilio_tenant.http.post(
        MESSAGING,
        data=dict(params),
        headers={k: v for k, v in headers.items()},
    )

    assert response.status_code == 403
    assert await nothing_stored(twilio_tenant)


async def test_inbound_to_a_number_of_another_tenant_is_403(
    twilio_tenant: TwilioTenant, sandbox_carrier: object, gateway: str, settings: object
) -> None:
    from tests.webhooks.fixtures import create_twilio_tenant

    other = await create_twilio_tenant(
        carrier=sandbox_carrier,  # type: ignore[arg-type]
        gateway=gateway,
        settings=settings,  # type: ignore[arg-type]
        http=twilio_tenant.http,
    )
    # Correctly signed by our account, but addressed to the other tenant's number.
    params = inbound(twilio_tenant, message_sid(), To=other.number.phone_number)

    response = await twilio_tenant.post(MESSAGING, params)

    assert response.status_code == 403
    assert await nothing_stored(twilio_tenant)
    assert await nothing_stored(other)


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        (MESSAGING, "From"),
        (MESSAGING, "MediaUrl0"),
        (STATUS, "MessageStatus"),
        ("/webhooks/twilio/voice", "CallSid"),
        ("/webhooks/twilio/call-status", "CallStatus"),
        ("/webhooks/twilio/recording-status", "RecordingSid"),
        ("/webhooks/twilio/conversations", "EventType"),
    ],
)
async def test_missing_required_field_is_400_naming_it(
    twilio_tenant: TwilioTenant, path: str, missing: str
) -> None:
    sid = message_sid()
    complete: dict[str, str] = {
        "AccountSid": twilio_tenant.account_sid,
        "MessageSid": sid,
        "MessageStatus": "sent",
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": "ringing",
        "RecordingSid": "RE" + uuid.uuid4().hex,
        "RecordingStatus": "completed",
        "EventType": "onMessageAdded",
        "From": "+14155550123",
        "To": twilio_tenant.number.phone_number,
        "NumMedia": "1" if missing == "MediaUrl0" else "0",
    }
    if missing == "MediaUrl0":
        complete["MediaContentType0"] = "image/png"
    params = [(k, v) for k, v in complete.items() if k != missing]

    response = await twilio_tenant.post(path, params)

    assert response.status_code == 400
    assert response.json() == {"detail": f"missing required field {missing}"}
    assert await nothing_stored(twilio_tenant)


@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [
        ("/webhooks/twilio/messaging", "From", 320),
        ("/webhooks/twilio/messaging", "MessageSid", 64),
        ("/webhooks/twilio/message-status", "MessageStatus", 32),
        ("/webhooks/twilio/voice", "From", 64),
        ("/webhooks/twilio/call-status", "CallSid", 34),
        ("/webhooks/twilio/recording-status", "RecordingUrl", 512),
    ],
)
async def test_a_field_longer_than_its_column_is_400_naming_it(
    twilio_tenant: TwilioTenant, path: str, field: str, limit: int
) -> None:
    """Refused before it reaches the database: a failed write would answer 503, and Twilio
    would retry a webhook that can never be stored."""
    params: dict[str, str] = {
        "AccountSid": twilio_tenant.account_sid,
        "MessageSid": message_sid(),
        "MessageStatus": "sent",
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": "ringing",
        "RecordingSid": "RE" + uuid.uuid4().hex,
        "RecordingStatus": "completed",
        "From": "+14155550123",
        "To": twilio_tenant.number.phone_number,
        "NumMedia": "0",
    }
    params[field] = "x" * (limit + 1)

    response = await twilio_tenant.post(path, list(params.items()))

    assert (response.status_code, response.json()) == (
        400,
        {"detail": f"field {field} is longer than {limit} characters"},
    )
    assert await nothing_stored(twilio_tenant)


@pytest.mark.parametrize(
    ("content_type", "body", "detail"),
    [
        ("application/x-www-form-urlencoded", b"not a form", "the body is not a valid form"),
        ("application/x-www-form-urlencoded", b"Body=\xff\xfe", "the body is not UTF-8"),
        ("application/json", b"{not json", "the body is not valid JSON"),
        ("text/plain", b"hello", "unsupported content type text/plain"),
    ],
)
async def test_malformed_body_is_400_and_stores_nothing(
    twilio_tenant: TwilioTenant, content_type: str, body: bytes, detail: str
) -> None:
    response = await twilio_tenant.http.post(
        MESSAGING, content=body, headers={"Content-Type": content_type}
    )

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert await nothing_stored(twilio_tenant)


async def test_a_nul_character_is_400_naming_its_field(twilio_tenant: TwilioTenant) -> None:
    params = inbound(twilio_tenant, message_sid(), Body="before\x00after")

    response = await twilio_tenant.post(MESSAGING, params)

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "field 'Body' contains a NUL character"},
    )
    assert await nothing_stored(twilio_tenant)


async def test_non_integer_num_media_is_400_naming_it(twilio_tenant: TwilioTenant) -> None:
    params = inbound(twilio_tenant, message_sid(), NumMedia="lots")

    response = await twilio_tenant.post(MESSAGING, params)

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "field NumMedia must be an integer"},
    )


async def test_status_for_our_number_from_another_account_is_403(
    twilio_tenant: TwilioTenant,
) -> None:
    params = status(twilio_tenant, message_sid(), "sent")

    response = await twilio_tenant.post(
        STATUS,
        params,
        headers=twilio_tenant.signed_headers(STATUS, params, token="0" * 32),
    )

    assert response.status_code == 403
    assert await nothing_stored(twilio_tenant)


async def test_a_rotated_auth_token_is_honoured_at_once(
    twilio_tenant: TwilioTenant, settings: object
) -> None:
    from trunkline.models import TwilioSettings
    from trunkline.services.secrets import secret_box

    first = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
    rotated = "e" * 32
    await TwilioSettings.filter(tenant_id=twilio_tenant.tenant_id).update(
        auth_token_encrypted=secret_box(settings).encrypt(  # type: ignore[arg-type]
            tenant_id=twilio_tenant.tenant_id, plaintext=rotated
        )
    )
    params = inbound(twilio_tenant, message_sid())

    with_new = await twilio_tenant.post(
        MESSAGING, params, headers=twilio_tenant.signed_headers(MESSAGING, params, token=rotated)
    )
    with_old = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))

    assert (first.status_code, with_new.status_code, with_old.status_code) == (200, 200, 403)
    assert await Message.filter(tenant_id=twilio_tenant.tenant_id).count() == 2


async def test_number_claimed_by_two_tenants_does_not_resolve_a_sender_pool_webhook(
    twilio_tenant: TwilioTenant,
) -> None:
    # Given: an unknown AccountSid (a sender pool), so the receiving number must name the
    # tenant, and a second tenant that also holds that number (two Twilio accounts claim it).
    other = await Tenant.create(org_id=f"org_{uuid.uuid4().hex[:12]}")
    await PhoneNumber.create(
        tenant=other, sid="PN" + uuid.uuid4().hex, phone_number=twilio_tenant.number.phone_number
    )
    params = inbound(twilio_tenant, message_sid(), AccountSid="AC" + uuid.uuid4().hex)

    # When: the webhook arrives, correctly signed with the first tenant's token.
    response = await twilio_tenant.post(MESSAGING, params)

    # Then: the gateway will not guess which tenant it is for.
    assert response.status_code == 403
    assert await nothing_stored(twilio_tenant)


async def test_an_oversized_body_is_413_and_stores_nothing(twilio_tenant: TwilioTenant) -> None:
    params = inbound(twilio_tenant, message_sid(), Body="x" * (MAX_BODY_BYTES + 1))

    response = await twilio_tenant.post(MESSAGING, params)

    assert (response.status_code, response.json()) == (413, {"detail": "Request Entity Too Large"})
    assert await nothing_stored(twilio_tenant)


async def test_an_oversized_body_sent_in_chunks_is_413_and_stores_nothing(
    twilio_tenant: TwilioTenant,
) -> None:
    params = inbound(twilio_tenant, message_sid(), Body="x" * (MAX_BODY_BYTES + 1))
    body = urlencode(params).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 16 * 1024):
            yield body[start : start + 16 * 1024]

    response = await twilio_tenant.http.post(
        MESSAGING,
        content=chunks(),  # no Content-Length: the limit must hold while reading
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            **twilio_tenant.signed_headers(MESSAGING, params),
        },
    )

    assert response.status_code == 413
    assert await nothing_stored(twilio_tenant)
