"""The signature check itself: the URL Twilio called, with or without an explicit default port."""

from __future__ import annotations

import pytest
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from trunkline.webhooks.requests import WebhookRequest

TOKEN = "0123456789abcdef0123456789abcdef"
PARAMS = [("AccountSid", "AC" + "1" * 32), ("Body", "hi"), ("MediaUrl0", "https://m.example/a")]


def request_for(url: str, signature: str) -> WebhookRequest:
    return WebhookRequest(
        url=url,
        params=ImmutableMultiDict(PARAMS),
        raw_body="",
        is_json=False,
        signature=signature,
        idempotency_token=None,
    )


@pytest.mark.parametrize(
    ("public", "signed_over"),
    [
        (
            "https://gw.example/webhooks/twilio/messaging",
            "https://gw.example:443/webhooks/twilio/messaging",
        ),
        (
            "https://gw.example:443/webhooks/twilio/messaging",
            "https://gw.example/webhooks/twilio/messaging",
        ),
        (
            "http://gw.example/webhooks/twilio/messaging",
            "http://gw.example:80/webhooks/twilio/messaging",
        ),
        (
            "https://gw.example/webhooks/twilio/messaging?t=1",
            "https://gw.example/webhooks/twilio/messaging?t=1",
        ),
    ],
)
def test_a_signature_over_the_url_with_or_without_the_default_port_is_accepted(
    public: str, signed_over: str
) -> None:
    signature = RequestValidator(TOKEN).compute_signature(signed_over, dict(PARAMS))

    assert request_for(public, signature).signed_by(TOKEN) is True


@pytest.mark.parametrize(
    "signed_over",
    [
        "https://gw.example/webhooks/twilio/message-status",
        "https://gw.example/webhooks/twilio/messaging?t=2",
        "https://evil.example/webhooks/twilio/messaging",
    ],
)
def test_a_signature_over_another_url_is_refused(signed_over: str) -> None:
    signature = RequestValidator(TOKEN).compute_signature(signed_over, dict(PARAMS))

    assert (
        request_for("https://gw.example/webhooks/twilio/messaging", signature).signed_by(TOKEN)
        is False
    )


def test_a_json_body_without_its_body_hash_is_refused() -> None:
    request = WebhookRequest(
        url="https://gw.example/webhooks/twilio/conversations",
        params=ImmutableMultiDict([("EventType", "x")]),
        raw_body='{"EventType": "x"}',
        is_json=True,
        signature=RequestValidator(TOKEN).compute_signature(
            "https://gw.example/webhooks/twilio/conversations", {}
        ),
        idempotency_token=None,
    )

    assert request.signed_by(TOKEN) is False
