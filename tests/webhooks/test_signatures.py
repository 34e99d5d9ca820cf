"""The signature check itself: the URL Twilio called, with or without an explicit default port."""

from __future__ import annotations

import hashlib

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


SAME_AS_TWILIO = [
    ("https://gw.example/webhooks/twilio/messaging", [("Body", "hi"), ("To", "+15551234567")]),
    ("https://gw.example:443/webhooks/twilio/messaging?x=1", [("Body", "")]),
    ("http://gw.example:8080/w", [("MediaUrl0", "a"), ("MediaUrl0", "b"), ("MediaUrl0", "a")]),
    ("https://gw.example/w", [("Body", "héllo wörld ✓"), ("B", "1"), ("a", "2")]),
    ("https://gw.example/w", []),
]


@pytest.mark.parametrize(("url", "params"), SAME_AS_TWILIO)
@pytest.mark.parametrize("signed_by_us", [True, False])
def test_the_form_check_agrees_with_twilios_validator(
    url: str, params: list[tuple[str, str]], signed_by_us: bool
) -> None:
    multi = ImmutableMultiDict(params)
    token = TOKEN if signed_by_us else "f" * 32
    signature = RequestValidator(token).compute_signature(url, multi)
    request = WebhookRequest(
        url=url,
        params=multi,
        raw_body="",
        is_json=False,
        signature=signature,
        idempotency_token=None,
    )

    assert request.signed_by(TOKEN) is signed_by_us
    assert RequestValidator(TOKEN).validate(url, multi, signature) is signed_by_us


@pytest.mark.parametrize("body_hash_matches", [True, False])
def test_the_json_check_agrees_with_twilios_validator(body_hash_matches: bool) -> None:
    body = '{"EventType": "onMessageAdded", "Body": "hi"}'
    digest = hashlib.sha256((body if body_hash_matches else body + " ").encode()).hexdigest()
    url = f"https://gw.example/webhooks/twilio/conversations?bodySHA256={digest}"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    request = WebhookRequest(
        url=url,
        params=ImmutableMultiDict([("EventType", "onMessageAdded"), ("Body", "hi")]),
        raw_body=body,
        is_json=True,
        signature=signature,
        idempotency_token=None,
    )

    assert request.signed_by(TOKEN) is body_hash_matches
    assert RequestValidator(TOKEN).validate(url, body, signature) is body_hash_matches
